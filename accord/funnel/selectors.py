"""Reads of the shared record that pages, the API and commands share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accord.errors import AccordError
from accord.funnel.models import (
    Account,
    Deal,
    DealStatus,
    Entity,
    Lead,
    PropertyDefinition,
    PropertyType,
    Stage,
)
from accord.funnel.properties import coerce, parse_date
from accord.web.templatetags.accord import money

# Sort keys a list accepts, by entity: key → field. Only non-null fields (see pagination).
LEAD_SORTS = {
    "created": "created_at",
    "updated": "updated_at",
    "score": "score",
    "stage_changed": "stage_changed_at",
    "last_name": "last_name",
}
ACCOUNT_SORTS = {"name": "name", "created": "created_at", "updated": "updated_at"}
DEAL_SORTS = {"created": "created_at", "amount": "amount", "name": "name", "updated": "updated_at"}


def resolve_sort(sort: str | None, allowed: dict[str, str], default: str) -> str:
    sort = sort or default
    key = sort.lstrip("-")
    if key not in allowed:
        raise AccordError(
            f"cannot sort by {key!r}; sort by one of {', '.join(allowed)}",
            fields={"sort": [f"one of {', '.join(allowed)}"]},
        )
    return ("-" if sort.startswith("-") else "") + allowed[key]


def _day_start(value: str, name: str) -> datetime:
    try:
        day = parse_date(value)
    except ValueError as exc:
        raise AccordError(f"{name}: {exc}", fields={name: [str(exc)]}) from exc
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def property_filters(entity: str, params: dict[str, str]) -> dict[str, Any]:
    """ORM lookups for ``prop.KEY=value`` (and ``prop.KEY__gte`` / ``__lte`` on numbers and dates).

    Unknown keys and values of the wrong type are errors, never silently ignored filters.
    """
    wanted = {k[5:]: v for k, v in params.items() if k.startswith("prop.") and v != ""}
    if not wanted:
        return {}
    definitions = {d.key: d for d in PropertyDefinition.objects.filter(entity=entity)}
    lookups: dict[str, Any] = {}
    for raw_key, raw in wanted.items():
        key, _, op = raw_key.partition("__")
        definition = definitions.get(key)
        if definition is None:
            raise AccordError(
                f"unknown property {key!r}", fields={f"prop.{key}": ["not a declared property"]}
            )
        if op and (
            op not in ("gte", "lte")
            or definition.type not in (PropertyType.NUMBER, PropertyType.DATE)
        ):
            raise AccordError(
                f"cannot compare {key!r} with {op!r}",
                fields={f"prop.{raw_key}": ["only numbers and dates take gte/lte"]},
            )
        try:
            value = coerce(definition.type, raw)
        except ValueError as exc:
            raise AccordError(f"prop.{key}: {exc}", fields={f"prop.{raw_key}": [str(exc)]}) from exc
        lookups[f"properties__{key}" + (f"__{op}" if op else "")] = value
    return lookups


@dataclass
class LeadFilter:
    """The one definition of lead filters, fed by the list page's query string and the API."""

    q: str = ""
    stage: list[str] = field(default_factory=list)
    source: str = ""
    owner: int | None = None
    account: int | None = None
    segment: str = ""
    persona: int | None = None
    score_min: int | None = None
    created_after: str = ""
    created_before: str = ""
    properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> LeadFilter:
        def number(name: str) -> int | None:
            raw = params.get(name) or ""
            if raw == "":
                return None
            try:
                return int(raw)
            except ValueError as exc:
                raise AccordError(
                    f"{name} must be a whole number", fields={name: ["not a whole number"]}
                ) from exc

        stages = params.getlist("stage") if hasattr(params, "getlist") else params.get("stage")
        if isinstance(stages, str):
            stages = [s for s in stages.split(",") if s]
        return cls(
            q=params.get("q") or "",
            stage=[s for s in (stages or []) if s],
            source=params.get("source") or "",
            owner=number("owner"),
            account=number("account"),
            segment=params.get("segment") or "",
            persona=number("persona"),
            score_min=number("score_min"),
            created_after=params.get("created_after") or "",
            created_before=params.get("created_before") or "",
            properties={k: v for k, v in params.items() if k.startswith("prop.")},
        )

    def apply(self, qs: QuerySet[Lead]) -> QuerySet[Lead]:
        bad = [s for s in self.stage if s not in Stage.values]
        if bad:
            raise AccordError(
                f"unknown stage {bad[0]!r}", fields={"stage": [f"one of {', '.join(Stage.values)}"]}
            )
        if self.q:
            qs = qs.search(self.q)  # type: ignore[attr-defined]
        if self.stage:
            qs = qs.filter(stage__in=self.stage)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.owner is not None:
            qs = qs.filter(owner_id=self.owner)
        if self.account is not None:
            qs = qs.filter(account_id=self.account)
        if self.segment:
            qs = qs.filter(account__segment=self.segment)
        if self.persona is not None:
            qs = qs.filter(persona_match__persona_id=self.persona)
        if self.score_min is not None:
            qs = qs.filter(score__gte=self.score_min)
        if self.created_after:
            qs = qs.filter(created_at__gte=_day_start(self.created_after, "created_after"))
        if self.created_before:
            qs = qs.filter(created_at__lt=_day_start(self.created_before, "created_before"))
        lookups = property_filters(Entity.LEAD, self.properties)
        return qs.filter(**lookups) if lookups else qs


@dataclass
class AccountFilter:
    q: str = ""
    segment: str = ""
    industry: str = ""
    is_target: bool | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> AccountFilter:
        target = params.get("is_target") or ""
        return cls(
            q=params.get("q") or "",
            segment=params.get("segment") or "",
            industry=params.get("industry") or "",
            is_target=None if target == "" else target.lower() in ("1", "true", "yes", "on"),
            properties={k: v for k, v in params.items() if k.startswith("prop.")},
        )

    def apply(self, qs: QuerySet[Account]) -> QuerySet[Account]:
        if self.q:
            qs = qs.filter(name__icontains=self.q.strip()) | qs.filter(
                domain__icontains=self.q.strip()
            )
        if self.segment:
            qs = qs.filter(segment=self.segment)
        if self.industry:
            qs = qs.filter(industry=self.industry)
        if self.is_target is not None:
            qs = qs.filter(is_target=self.is_target)
        lookups = property_filters(Entity.ACCOUNT, self.properties)
        return qs.filter(**lookups) if lookups else qs


@dataclass
class DealFilter:
    q: str = ""
    status: str = ""
    pipeline_stage: int | None = None
    owner: int | None = None
    account: int | None = None
    properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> DealFilter:
        def number(name: str) -> int | None:
            raw = params.get(name) or ""
            if raw == "":
                return None
            try:
                return int(raw)
            except ValueError as exc:
                raise AccordError(
                    f"{name} must be a whole number", fields={name: ["not a whole number"]}
                ) from exc

        return cls(
            q=params.get("q") or "",
            status=params.get("status") or "",
            pipeline_stage=number("pipeline_stage"),
            owner=number("owner"),
            account=number("account"),
            properties={k: v for k, v in params.items() if k.startswith("prop.")},
        )

    def apply(self, qs: QuerySet[Deal]) -> QuerySet[Deal]:
        if self.status and self.status not in DealStatus.values:
            raise AccordError(
                f"unknown status {self.status!r}",
                fields={"status": [f"one of {', '.join(DealStatus.values)}"]},
            )
        if self.q:
            qs = qs.filter(name__icontains=self.q.strip())
        if self.status:
            qs = qs.filter(status=self.status)
        if self.pipeline_stage is not None:
            qs = qs.filter(pipeline_stage_id=self.pipeline_stage)
        if self.owner is not None:
            qs = qs.filter(owner_id=self.owner)
        if self.account is not None:
            qs = qs.filter(account_id=self.account)
        lookups = property_filters(Entity.DEAL, self.properties)
        return qs.filter(**lookups) if lookups else qs


# --- timeline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One entry of a lead's timeline, whatever it came from."""

    at: datetime
    kind: str  # touch | stage | deal_opened | deal_won | deal_lost | note
    title: str
    detail: str = ""
    actor: str = ""
    link: str = ""
    icon: str = "point"


def lead_timeline(lead: Lead, *, limit: int = 200) -> list[TimelineItem]:
    """Touches, stage changes, deals and notes of a lead, newest first (the latest ``limit``)."""
    from accord.campaigns.models import Touch

    items: list[TimelineItem] = []
    for touch in Touch.objects.filter(lead=lead).select_related("campaign").order_by("-at")[:limit]:
        detail = " · ".join(
            x
            for x in (
                touch.get_channel_display() if touch.channel else "",
                touch.campaign.name if touch.campaign else "",
                touch.content,
            )
            if x
        )
        items.append(
            TimelineItem(
                at=touch.at,
                kind="touch",
                title=touch.get_kind_display(),
                detail=detail,
                icon="hand-click",
            )
        )
    for change in lead.stage_changes.select_related("actor").order_by("-at")[:limit]:
        if change.from_stage:
            title = f"{Stage(change.from_stage).label} → {Stage(change.to_stage).label}"
        else:
            title = f"Created as {Stage(change.to_stage).label}"
        items.append(
            TimelineItem(
                at=change.at,
                kind="stage",
                title=title,
                detail=change.reason,
                actor=str(change.actor) if change.actor else change.get_source_display(),
                icon="arrow-right",
            )
        )
    for deal in lead.deals.select_related("owner").order_by("-created_at")[:limit]:
        link = f"/deals/{deal.pk}/"
        items.append(
            TimelineItem(
                at=deal.created_at,
                kind="deal_opened",
                title=f"Deal opened: {deal.name}",
                detail=money(deal.amount),
                link=link,
                icon="briefcase",
            )
        )
        if deal.closed_at:
            won = deal.status == DealStatus.WON
            items.append(
                TimelineItem(
                    at=deal.closed_at,
                    kind="deal_won" if won else "deal_lost",
                    title=f"Deal {'won' if won else 'lost'}: {deal.name}",
                    detail=money(deal.amount) if won else deal.loss_reason,
                    link=link,
                    icon="trophy" if won else "x",
                )
            )
    for note in lead.notes.select_related("author").order_by("-at")[:limit]:
        items.append(
            TimelineItem(
                at=note.at,
                kind="note",
                title="Note",
                detail=note.body,
                actor=str(note.author) if note.author else "",
                icon="note",
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def stage_counts() -> dict[str, int]:
    from django.db.models import Count

    rows = Lead.objects.values("stage").annotate(n=Count("id"))
    counts = dict.fromkeys(Stage.values, 0)
    counts.update({r["stage"]: r["n"] for r in rows})
    return counts
