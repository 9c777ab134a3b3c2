"""Loading accounts, leads, deals and campaigns: set-based upserts, one batch at a time.

For each batch: parse every row, look the existing records up with one IN query per key, insert
the new ones and update the changed ones in bulk (accord.bulk), then write what follows from them
(stage history for leads, stage moves for won deals) in bulk too. No per-row ORM saves.

A row whose key (external id, email, domain, name) already appeared in the batch starts a new
sub-batch, so the second occurrence meets the first as an existing record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from accord.bulk import copy_rows, insert_rows, update_rows
from accord.campaigns.models import Campaign
from accord.funnel.models import (
    FUNNEL_ORDER,
    Account,
    Deal,
    DealStatus,
    Lead,
    PipelineStage,
    Stage,
    StageChange,
    StageSource,
)
from accord.imports.base import (
    Column,
    ImportResult,
    Item,
    Rejection,
    RowRejected,
    TableShape,
    db_value,
    lookup,
    parse_row,
    table_shape,
)
from accord.imports.csvfile import Row
from accord.imports.fields import FIELDS, FUTURE_SLACK, STAGE_DATE_FIELDS
from accord.imports.history import existing_lead_history, new_lead_history
from accord.teams.models import User

LINK_MODELS: dict[str, type[models.Model]] = {
    "lead": Lead,
    "account": Account,
    "campaign": Campaign,
    "user": User,
}
NOUNS = {"lead": "lead", "account": "account", "campaign": "campaign", "user": "person"}
LOST_REASON_MISSING = "not recorded in the imported file"


def _label(by: str) -> str:
    return {"external_id": "external id", "id": "id"}.get(by, by)


class RecordLoader:
    """The shared upsert of one entity; subclasses add what is particular to theirs."""

    entity: ClassVar[str]
    model: ClassVar[type[models.Model]]
    noun: ClassVar[str]
    keys: ClassVar[tuple[str, ...]]
    name_fallback: ClassVar[bool] = False
    no_identity: ClassVar[str]
    # Fields the subclass writes itself rather than copying to their column.
    special: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        *,
        columns: Sequence[Column],
        empties: frozenset[str],
        width: int,
        by: User | None,
        result: ImportResult,
    ) -> None:
        self.columns = list(columns)
        self.empties = empties
        self.width = width
        self.by = by
        self.actor_id = by.pk if by is not None else None
        self.result = result
        self.headers = {c.target.field: c.header for c in columns if c.target.kind == "field"}
        self.links = {
            c.target.field: c
            for c in columns
            if c.target.kind == "field" and c.spec is not None and c.spec.kind == "link"
        }
        self.specs = FIELDS[self.entity]
        self.shape: TableShape = table_shape(self.model)
        self.now = timezone.now()
        self.has_props = any(c.target.kind == "property" for c in columns)
        # Ids of the records the current batch created or changed (the engine reads and clears
        # them after each batch, to refresh the leads concerned in the background).
        self.written_ids: set[int] = set()

    # --- helpers -------------------------------------------------------------------------------

    def column(self, field: str) -> str:
        return self.headers.get(field, field)

    def reject(self, item: Item, field: str, reason: str, value: Any = None) -> None:
        if value is None:
            value = item.fields.get(field, "")
        self.result.rejected.append(Rejection(item.row, self.column(field), str(value), reason))

    def identity(self, fields: dict[str, Any]) -> list[tuple[str, Any]]:
        pairs = [(k, fields[k]) for k in self.keys if fields.get(k) is not None]
        if not pairs and self.name_fallback and fields.get("name"):
            pairs = [("name", fields["name"])]
        return pairs

    # --- the batch -----------------------------------------------------------------------------

    def load(self, rows: list[Row]) -> None:
        pending: list[Item] = []
        seen: set[tuple[str, Any]] = set()
        for row in rows:
            try:
                fields, props = parse_row(row, self.columns, self.empties, self.width)
            except RowRejected as exc:
                self.result.rejected.append(
                    Rejection(row.number, exc.column, exc.value, exc.reason)
                )
                continue
            item = Item(row.number, fields, props)
            ident = self.identity(fields)
            if not ident:
                self.reject(item, self.keys[-1], self.no_identity, "")
                continue
            if any(pair in seen for pair in ident):
                self.apply(pending)
                pending, seen = [], set()
            seen.update(ident)
            pending.append(item)
        if pending:
            self.apply(pending)

    def apply(self, items: list[Item]) -> None:
        items = self.resolve_links(items)
        items = self.match(items)
        self.prefetch(items)
        new: list[Item] = []
        changed: list[tuple[Item, dict[str, Any]]] = []
        for item in items:
            try:
                if item.existing is None:
                    item.fields["__values__"] = self.values_new(item)
                    new.append(item)
                else:
                    changes = self.changes(item)
                    changed.append((item, changes))
            except RowRejected as exc:
                self.result.rejected.append(Rejection(item.row, exc.column, exc.value, exc.reason))
        self.insert(new)
        touched = self.update([(i, c) for i, c in changed if c])
        touched |= self.after(new, [i for i, _ in changed])
        self.written_ids.update(i.id for i in new if i.id is not None)
        self.written_ids |= touched
        self.result.created += len(new)
        for item, _ in changed:
            if item.id in touched:
                self.result.updated += 1
            else:
                self.result.unchanged += 1

    def resolve_links(self, items: list[Item]) -> list[Item]:
        """Each link's value replaced by the id of the record it names; rows naming a record
        that does not exist are rejected."""
        for field, column in self.links.items():
            assert column.spec is not None
            target, by = column.spec.target, column.target.by
            wanted = {i.fields[field] for i in items if field in i.fields}
            if not wanted:
                continue
            found = lookup(LINK_MODELS[target], by, wanted, ["id"])
            kept = []
            for item in items:
                if field in item.fields:
                    hit = found.get(item.fields[field])
                    if hit is None:
                        self.reject(
                            item,
                            field,
                            f"no {NOUNS[target]} with {_label(by)} {item.fields[field]!r}",
                        )
                        continue
                    item.fields[field] = hit["id"]
                kept.append(item)
            items = kept
        return items

    def read_columns(self) -> list[str]:
        return ["id", *self.shape.attnames]

    def match(self, items: list[Item]) -> list[Item]:
        read = self.read_columns()
        found = {
            key: lookup(self.model, key, (i.fields.get(key) for i in items), read)
            for key in self.keys
        }
        if self.name_fallback:
            names = [i.fields["name"] for i in items if not any(i.fields.get(k) for k in self.keys)]
            found["name"] = lookup(self.model, "name", names, read)
        kept = []
        for item in items:
            record = None
            conflict = None
            for key, value in self.identity(item.fields):
                hit = found[key].get(value)
                if hit is None:
                    continue
                if record is None:
                    record = hit
                elif hit["id"] != record["id"]:
                    conflict = key
            if conflict:
                self.reject(
                    item,
                    conflict,
                    f"{_label(conflict)} {item.fields[conflict]!r} already belongs to another "
                    f"{self.noun}",
                )
                continue
            item.existing = record
            item.id = record["id"] if record else None
            kept.append(item)
        return kept

    def prefetch(self, items: list[Item]) -> None:
        """Load what the subclass needs for a whole sub-batch at once."""

    # --- values --------------------------------------------------------------------------------

    def direct(self, item: Item) -> dict[str, Any]:
        """The fields copied to their column as they are."""
        out = {}
        for field, value in item.fields.items():
            if field in self.special or field.startswith("__"):
                continue
            out[self.specs[field].db_column] = value
        return out

    def values_new(self, item: Item) -> dict[str, Any]:
        values = self.direct(item)
        values.setdefault("created_at", self.now)
        if "updated_at" in self.shape.attnames:
            values["updated_at"] = self.now
        if "properties" in self.shape.attnames:
            values["properties"] = item.props
        return values

    def changes(self, item: Item) -> dict[str, Any]:
        existing = item.existing
        assert existing is not None
        out: dict[str, Any] = {}
        for column, value in self.direct(item).items():
            if column in self.keys and existing[column] is not None:
                continue  # keys are filled in, never overwritten: re-imports stay stable
            if column == "created_at":
                continue
            if existing[column] != value:
                out[column] = value
        if item.props:
            merged = {**existing["properties"], **item.props}
            if merged != existing["properties"]:
                out["properties"] = merged
        return out

    # --- writes --------------------------------------------------------------------------------

    def insert(self, items: list[Item]) -> None:
        if not items:
            return
        rows = [self.shape.row(item.fields.pop("__values__")) for item in items]
        copy_rows(self.shape.table, self.shape.columns, rows)
        self.fetch_ids(items)

    def fetch_ids(self, items: list[Item]) -> None:
        by_key: dict[str, list[Item]] = {}
        for item in items:
            key = self.identity(item.fields)[0][0]
            by_key.setdefault(key, []).append(item)
        for key, group in by_key.items():
            if key == "name":
                # A name is not unique: the newest row with it is the one just written.
                found = {
                    name: pk
                    for pk, name in self.model._default_manager.filter(
                        name__in=[i.fields["name"] for i in group]
                    )
                    .order_by("pk")
                    .values_list("pk", "name")
                }
                for item in group:
                    item.id = found[item.fields["name"]]
            else:
                hits = lookup(self.model, key, (i.fields[key] for i in group), ["id"])
                for item in group:
                    item.id = hits[item.fields[key]]["id"]

    def update(self, changed: list[tuple[Item, dict[str, Any]]]) -> set[int]:
        if not changed:
            return set()
        names = sorted({c for _, changes in changed for c in changes})
        if "updated_at" in self.shape.attnames and "updated_at" not in names:
            names.append("updated_at")
        rows = []
        for item, changes in changed:
            assert item.existing is not None
            if "updated_at" in names:
                changes["updated_at"] = self.now
            rows.append([item.id, *(db_value(changes.get(n, item.existing[n])) for n in names)])
        column_of = dict(zip(self.shape.attnames, self.shape.columns, strict=True))
        columns = [column_of[n] for n in names]
        update_rows(self.shape.table, "id", columns, rows)
        return {item.id for item, _ in changed if item.id is not None}

    def after(self, created: list[Item], existing: list[Item]) -> set[int]:
        """Writes that follow from the batch; the ids of existing records they changed."""
        return set()


# --- accounts ----------------------------------------------------------------------------------


class AccountLoader(RecordLoader):
    entity = "accounts"
    model = Account
    noun = "account"
    keys = ("external_id", "domain")
    name_fallback = True
    no_identity = "an account needs a name, a domain or an external id"

    def values_new(self, item: Item) -> dict[str, Any]:
        if not item.fields.get("name"):
            raise RowRejected(self.column("name"), "", "a new account needs a name")
        return super().values_new(item)


# --- campaigns ---------------------------------------------------------------------------------


class CampaignLoader(RecordLoader):
    entity = "campaigns"
    model = Campaign
    noun = "campaign"
    keys = ("external_id", "name")
    no_identity = "a campaign needs a name or an external id"

    def _check_dates(self, starts: Any, ends: Any) -> None:
        if starts and ends and ends < starts:
            raise RowRejected(
                self.column("ends_on"), str(ends), "a campaign cannot end before it starts"
            )

    def values_new(self, item: Item) -> dict[str, Any]:
        for field in ("name", "channel"):
            if not item.fields.get(field):
                raise RowRejected(self.column(field), "", f"a new campaign needs a {field}")
        self._check_dates(item.fields.get("starts_on"), item.fields.get("ends_on"))
        return super().values_new(item)

    def changes(self, item: Item) -> dict[str, Any]:
        assert item.existing is not None
        self._check_dates(
            item.fields.get("starts_on", item.existing["starts_on"]),
            item.fields.get("ends_on", item.existing["ends_on"]),
        )
        return super().changes(item)


# --- leads -------------------------------------------------------------------------------------


class LeadLoader(RecordLoader):
    entity = "leads"
    model = Lead
    noun = "lead"
    keys = ("external_id", "email")
    no_identity = "a lead needs an email or an external id"
    special = frozenset({"stage", "created_at", "company", *STAGE_DATE_FIELDS})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stage_shape = table_shape(StageChange)
        self.account_shape = table_shape(Account)
        fields = set(self.headers)
        self.has_history = bool(fields & {"stage", *STAGE_DATE_FIELDS})
        self.reasons: dict[str, str] = {
            str(stage): f"imported: {self.headers[name]}"
            for name, stage in STAGE_DATE_FIELDS.items()
            if name in self.headers
        }
        self.accounts_created = 0

    def prefetch(self, items: list[Item]) -> None:
        # The company column finds an account by name, or creates one, for leads without one.
        names = {
            item.fields["company"]
            for item in items
            if item.fields.get("company")
            and "account" not in item.fields
            and (item.existing is None or item.existing["account_id"] is None)
        }
        accounts = {k: v["id"] for k, v in lookup(Account, "name", names, ["id"]).items()}
        missing = sorted(names - set(accounts))
        if missing:
            rows = [
                self.account_shape.row(
                    {"name": name, "created_at": self.now, "updated_at": self.now}
                )
                for name in missing
            ]
            copy_rows(self.account_shape.table, self.account_shape.columns, rows)
            self.accounts_created += len(missing)
            for pk, name in (
                Account.objects.filter(name__in=missing).order_by("pk").values_list("pk", "name")
            ):
                accounts[name] = pk
        for item in items:
            company = item.fields.get("company")
            no_account = item.existing is None or item.existing["account_id"] is None
            if company in accounts and "account" not in item.fields and no_account:
                item.fields["account"] = accounts[company]
        self.entered: dict[int, set[str]] = {}
        ids = [i.id for i in items if i.id is not None]
        if self.has_history and ids:
            for lead_id, to_stage in StageChange.objects.filter(lead_id__in=ids).values_list(
                "lead_id", "to_stage"
            ):
                self.entered.setdefault(lead_id, set()).add(to_stage)

    def _dates(self, item: Item) -> dict[str, datetime]:
        return {
            stage: item.fields[name]
            for name, stage in STAGE_DATE_FIELDS.items()
            if name in item.fields
        }

    def _stage_reasons(self) -> dict[str, str]:
        reasons: dict[str, str] = {str(k): v for k, v in self.reasons.items()}
        if "stage" in self.headers:
            for stage in Stage.values:
                reasons.setdefault(stage, f"imported: {self.headers['stage']}")
        return reasons

    def values_new(self, item: Item) -> dict[str, Any]:
        values = super().values_new(item)
        history = new_lead_history(
            created_at=item.fields.get("created_at"),
            stage=item.fields.get("stage"),
            dates=self._dates(item),
            now=self.now,
            reasons=self._stage_reasons(),
        )
        item.fields["__history__"] = history
        values.update(
            stage=history.stage,
            stage_changed_at=history.stage_changed_at,
            created_at=history.created_at,
        )
        return values

    def changes(self, item: Item) -> dict[str, Any]:
        out = super().changes(item)
        existing = item.existing
        assert existing is not None and item.id is not None
        created = existing["created_at"]
        if item.fields.get("created_at") and item.fields["created_at"] < created:
            created = item.fields["created_at"]
        try:
            history = existing_lead_history(
                stage_now=existing["stage"],
                stage_changed_at=existing["stage_changed_at"],
                created_at=created,
                entered=self.entered.get(item.id, {existing["stage"]}),
                stage=item.fields.get("stage"),
                dates=self._dates(item),
                now=self.now,
                reasons=self._stage_reasons(),
            )
        except ValueError as exc:
            raise RowRejected(
                self.column("stage"), str(item.fields.get("stage", "")), str(exc)
            ) from exc
        item.fields["__history__"] = history
        if history.moves:
            out.update(stage=history.stage, stage_changed_at=history.stage_changed_at)
        if history.created_at != existing["created_at"]:
            out["created_at"] = history.created_at
        return out

    def after(self, created: list[Item], existing: list[Item]) -> set[int]:
        rows = []
        for item in [*created, *existing]:
            history = item.fields.get("__history__")
            if history is None or item.id is None:
                continue
            for move in history.moves:
                rows.append(
                    self.stage_shape.row(
                        {
                            "lead_id": item.id,
                            "from_stage": move.from_stage,
                            "to_stage": move.to_stage,
                            "at": move.at,
                            "actor_id": self.actor_id,
                            "reason": move.reason[:500],
                            "source": StageSource.IMPORT,
                        }
                    )
                )
        copy_rows(self.stage_shape.table, self.stage_shape.columns, rows)
        return set()


# --- deals -------------------------------------------------------------------------------------


@dataclass
class LeadState:
    stage: str
    changed_at: datetime
    created_at: datetime
    account_id: int | None
    touched: bool = False


class DealLoader(RecordLoader):
    entity = "deals"
    model = Deal
    noun = "deal"
    keys = ("external_id",)
    name_fallback = True
    no_identity = "a deal needs a name or an external id"
    special = frozenset({"stage", "status", "closed_at", "created_at", "loss_reason"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stage_shape = table_shape(StageChange)
        first = PipelineStage.objects.order_by("position", "id").first()
        self.default_pipeline = first.pk if first else None
        self.leads: dict[int, LeadState] = {}
        self.moves: list[list[Any]] = []

    def load(self, rows: list[Row]) -> None:
        self.leads = {}  # what a batch knows of its leads' stages; rebuilt for every batch
        super().load(rows)

    def prefetch(self, items: list[Item]) -> None:
        ids = {i.fields["lead"] for i in items if i.fields.get("lead")}
        ids |= {i.existing["primary_lead_id"] for i in items if i.existing} - {None}
        wanted = ids - set(self.leads)
        for row in Lead.objects.filter(pk__in=wanted).values(
            "id", "stage", "stage_changed_at", "created_at", "account_id"
        ):
            self.leads[row["id"]] = LeadState(
                row["stage"], row["stage_changed_at"], row["created_at"], row["account_id"]
            )

    def _status(self, item: Item) -> tuple[str, int | None]:
        """The deal's status and pipeline stage as the row gives them (or as they were)."""
        existing = item.existing or {}
        status = item.fields.get("status")
        pipeline = existing.get("pipeline_stage_id") or self.default_pipeline
        stage = item.fields.get("stage")
        if stage is not None:
            kind, value = stage
            if kind == "status":
                status = status or value
            else:
                pipeline = value
                status = status or DealStatus.OPEN
        return status or existing.get("status") or DealStatus.OPEN, pipeline

    def _closing(self, item: Item, status: str, created_at: datetime) -> tuple[Any, str]:
        existing = item.existing or {}
        if status == DealStatus.OPEN:
            return None, ""
        closed = item.fields.get("closed_at") or existing.get("closed_at") or self.now
        if closed > self.now + FUTURE_SLACK:
            raise RowRejected(
                self.column("closed_at"),
                f"{closed:%Y-%m-%d}",
                f"a {status} deal cannot close in the future ({closed:%Y-%m-%d})",
            )
        if closed < created_at:
            raise RowRejected(
                self.column("closed_at"),
                f"{closed:%Y-%m-%d}",
                "a deal cannot close before it was created",
            )
        reason = item.fields.get("loss_reason") or existing.get("loss_reason") or ""
        if status == DealStatus.LOST and not reason:
            reason = LOST_REASON_MISSING
        return closed, reason if status == DealStatus.LOST else ""

    def values_new(self, item: Item) -> dict[str, Any]:
        if not item.fields.get("name"):
            raise RowRejected(self.column("name"), "", "a new deal needs a name")
        values = super().values_new(item)
        status, pipeline = self._status(item)
        created_at = item.fields.get("created_at") or self.now
        closed, reason = self._closing(item, status, created_at)
        lead_id = item.fields.get("lead")
        account_id = values.get("account_id")
        if account_id is None and lead_id is not None:
            account_id = self.leads[lead_id].account_id
        values.update(
            status=status,
            pipeline_stage_id=pipeline,
            created_at=created_at,
            closed_at=closed,
            loss_reason=reason,
            account_id=account_id,
        )
        if lead_id is not None:
            item.fields["__plan__"] = (lead_id, True, status == DealStatus.WON)
        return values

    def changes(self, item: Item) -> dict[str, Any]:
        existing = item.existing
        assert existing is not None
        out = super().changes(item)
        status, pipeline = self._status(item)
        if existing["status"] == DealStatus.WON and status != DealStatus.WON:
            raise RowRejected(
                self.column("stage" if "stage" in self.headers else "status"),
                status,
                "a won deal cannot be reopened or lost; open a new deal for more business",
            )
        created_at = item.fields.get("created_at") or existing["created_at"]
        closed, reason = self._closing(item, status, created_at)
        wanted = {
            "status": status,
            "pipeline_stage_id": pipeline,
            "created_at": created_at,
            "closed_at": closed,
            "loss_reason": reason,
        }
        for column, value in wanted.items():
            if existing[column] != value:
                out[column] = value
        new_lead = out.get("primary_lead_id")
        won_now = status == DealStatus.WON and existing["status"] != DealStatus.WON
        if new_lead is not None:
            item.fields["__plan__"] = (new_lead, True, status == DealStatus.WON)
        elif won_now and existing["primary_lead_id"] is not None:
            item.fields["__plan__"] = (existing["primary_lead_id"], False, True)
        return out

    def _advance(self, lead_id: int, to_stage: str, at: datetime, reason: str) -> None:
        """As funnel.services moves a deal's lead: forward only, never before its last move."""
        state = self.leads[lead_id]
        if state.stage == Stage.CUSTOMER:
            return
        if state.stage in FUNNEL_ORDER and FUNNEL_ORDER.index(state.stage) >= FUNNEL_ORDER.index(
            to_stage
        ):
            return
        at = max(at, state.changed_at)
        self.moves.append(
            self.stage_shape.row(
                {
                    "lead_id": lead_id,
                    "from_stage": state.stage,
                    "to_stage": to_stage,
                    "at": at,
                    "actor_id": self.actor_id,
                    "reason": reason[:500],
                    "source": StageSource.DEAL,
                }
            )
        )
        state.stage, state.changed_at = to_stage, at
        state.created_at = min(state.created_at, at)
        state.touched = True

    def after(self, created: list[Item], existing: list[Item]) -> set[int]:
        touched: set[int] = set()
        links = []
        self.moves = []
        for item in [*created, *existing]:
            plan = item.fields.get("__plan__")
            if plan is None or item.id is None:
                continue
            lead_id, opened, won = plan
            deal = item.existing or {}
            name = item.fields.get("name") or deal.get("name", "")
            created_at = item.fields.get("created_at") or deal.get("created_at") or self.now
            if opened:
                links.append((item.id, lead_id))
                self._advance(lead_id, Stage.OPPORTUNITY, created_at, f"deal opened: {name}")
            if won:
                closed = item.fields.get("closed_at") or deal.get("closed_at") or self.now
                self._advance(lead_id, Stage.CUSTOMER, closed, f"deal won: {name}")
            if item.existing is not None:
                touched.add(item.id)
        through = Deal.leads.through._meta.db_table
        insert_rows(through, ("deal_id", "lead_id"), links, conflict=("deal_id", "lead_id"))
        copy_rows(self.stage_shape.table, self.stage_shape.columns, self.moves)
        states = [(pk, s) for pk, s in self.leads.items() if s.touched]
        update_rows(
            Lead._meta.db_table,
            "id",
            ["stage", "stage_changed_at", "created_at", "updated_at"],
            [
                [pk, s.stage, db_value(s.changed_at), db_value(s.created_at), db_value(self.now)]
                for pk, s in states
            ],
        )
        for _, state in states:
            state.touched = False
        return touched


LOADERS: dict[str, type[RecordLoader]] = {
    "accounts": AccountLoader,
    "leads": LeadLoader,
    "deals": DealLoader,
    "campaigns": CampaignLoader,
}
