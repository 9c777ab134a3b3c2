"""Every write to the shared record. Views, the API, imports, tasks and commands all call these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.agreement.definitions import stage_gate
from accord.agreement.services import leads_refresh
from accord.agreement.tasks import accounts_refresh_later
from accord.errors import AccordError, Conflict, NotAllowed
from accord.funnel.models import (
    FUNNEL_ORDER,
    Account,
    Deal,
    DealStatus,
    Entity,
    Lead,
    Note,
    PipelineStage,
    PropertyDefinition,
    PropertyType,
    Stage,
    StageChange,
    StageSource,
)
from accord.funnel.properties import properties_clean, properties_merge, property_key
from accord.teams.models import User

# The stage machine: where a lead may go from each stage. Forward moves may skip stages (a demo
# request can make a lead sales-qualified at once); going back is done through `recycled`.
TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.LEAD: frozenset(
        {
            Stage.MQL,
            Stage.SAL,
            Stage.SQL,
            Stage.OPPORTUNITY,
            Stage.CUSTOMER,
            Stage.RECYCLED,
            Stage.DISQUALIFIED,
        }
    ),
    Stage.MQL: frozenset(
        {
            Stage.SAL,
            Stage.SQL,
            Stage.OPPORTUNITY,
            Stage.CUSTOMER,
            Stage.RECYCLED,
            Stage.DISQUALIFIED,
        }
    ),
    Stage.SAL: frozenset(
        {Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED}
    ),
    Stage.SQL: frozenset({Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED}),
    Stage.OPPORTUNITY: frozenset({Stage.CUSTOMER, Stage.RECYCLED, Stage.DISQUALIFIED}),
    Stage.CUSTOMER: frozenset(),
    Stage.RECYCLED: frozenset({Stage.LEAD, Stage.MQL, Stage.SAL, Stage.DISQUALIFIED}),
    Stage.DISQUALIFIED: frozenset({Stage.LEAD, Stage.RECYCLED}),
}


def stage_move_refusal(*, from_stage: str, to_stage: str) -> str | None:
    """Why a move is illegal, or None when the stage machine allows it."""
    if to_stage not in Stage.values:
        return f"unknown stage {to_stage!r}; stages are {', '.join(Stage.values)}"
    if from_stage == to_stage:
        return f"the lead is already {Stage(to_stage).label}"
    if to_stage not in TRANSITIONS[from_stage]:
        allowed = sorted(TRANSITIONS[from_stage], key=Stage.values.index)
        if not allowed:
            return f"{Stage(from_stage).label} is final: the lead has bought"
        names = ", ".join(Stage(s).label for s in allowed)
        return (
            f"a lead cannot move from {Stage(from_stage).label} to {Stage(to_stage).label}; "
            f"from {Stage(from_stage).label} it can move to {names}"
        )
    return None


def _locked(lead: Lead) -> Lead:
    # Row lock so two concurrent moves of one lead serialise and both see the latest stage.
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _record_move(
    *, lead: Lead, to_stage: str, at: datetime, by: User | None, reason: str, source: str
) -> StageChange:
    change = StageChange.objects.create(
        lead=lead,
        from_stage=lead.stage,
        to_stage=to_stage,
        at=at,
        actor=by,
        reason=reason[:500],
        source=source,
    )
    lead.stage = to_stage
    lead.stage_changed_at = at
    lead.updated_at = timezone.now()
    fields = ["stage", "stage_changed_at", "updated_at"]
    if at < lead.created_at:
        lead.created_at = at
        fields.append("created_at")
    lead.save(update_fields=fields)
    return change


@transaction.atomic
def lead_move(
    *,
    lead: Lead,
    to_stage: str,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
    source: str = StageSource.MANUAL,
) -> StageChange:
    """Move a lead through the stage machine, recording the move; refuse illegal moves.

    ``at`` may lie in the past (history), but not before the lead's latest move, so the
    lead's stage stays that of its latest stage change. A manual or API move to ``mql`` or
    ``sql`` must also pass the agreement's gate (``accord.agreement.definitions.stage_gate``).
    """
    locked = _locked(lead)
    now = timezone.now()
    at = at or now
    if at > now + timedelta(minutes=5):
        raise AccordError(
            "a stage move cannot be dated in the future", fields={"at": ["in the future"]}
        )
    refusal = stage_move_refusal(from_stage=locked.stage, to_stage=to_stage)
    if refusal:
        raise Conflict(refusal, fields={"to_stage": [refusal]})
    if at < locked.stage_changed_at:
        msg = (
            f"the move is dated {at:%Y-%m-%d %H:%M}, before the lead's last move "
            f"({locked.stage_changed_at:%Y-%m-%d %H:%M})"
        )
        raise Conflict(msg, fields={"at": [msg]})
    if source in (StageSource.MANUAL, StageSource.API):
        stage_gate(lead=locked, to_stage=to_stage, by=by, reason=reason)
    change = _record_move(
        lead=locked, to_stage=to_stage, at=at, by=by, reason=reason, source=source
    )
    lead.refresh_from_db()
    return change


def _advance_for_deal(
    *, lead: Lead, to_stage: str, at: datetime, by: User | None, reason: str
) -> StageChange | None:
    """Move a deal's lead forward to ``opportunity`` or ``customer`` unless it is already there.

    A deal is a fact, so this follows the deal from any stage short of the target (a recycled or
    disqualified lead that buys is a customer). A move dated before the lead's last move is
    recorded at the last move's time, keeping the latest change the current stage.
    """
    locked = _locked(lead)
    if locked.stage == Stage.CUSTOMER:
        return None
    if locked.stage in FUNNEL_ORDER and FUNNEL_ORDER.index(locked.stage) >= FUNNEL_ORDER.index(
        to_stage
    ):
        return None
    at = max(at, locked.stage_changed_at)
    return _record_move(
        lead=locked, to_stage=to_stage, at=at, by=by, reason=reason, source=StageSource.DEAL
    )


# --- custom properties -------------------------------------------------------------------------


@transaction.atomic
def property_define(
    *, entity: str, label: str, type: str, by: User | None, key: str = ""
) -> PropertyDefinition:
    if entity not in Entity.values:
        raise AccordError(f"unknown record type {entity!r}", fields={"entity": ["unknown"]})
    if type not in PropertyType.values:
        raise AccordError(
            f"unknown property type {type!r}; use {', '.join(PropertyType.values)}",
            fields={"type": ["unknown type"]},
        )
    label = label.strip()
    if not label:
        raise AccordError("a property needs a label", fields={"label": ["required"]})
    key = property_key(key or label)
    if PropertyDefinition.objects.filter(entity=entity, key=key).exists():
        raise Conflict(f"{entity} property {key!r} already exists", fields={"key": ["taken"]})
    return PropertyDefinition.objects.create(entity=entity, key=key, label=label[:120], type=type)


# --- accounts ----------------------------------------------------------------------------------

ACCOUNT_FIELDS = (
    "external_id",
    "name",
    "domain",
    "industry",
    "employees",
    "country",
    "segment",
    "is_target",
    "owner",
)


def _normalise_domain(domain: str | None) -> str | None:
    if not domain:
        return None
    domain = domain.strip().lower()
    for prefix in ("https://", "http://"):
        domain = domain.removeprefix(prefix)
    domain = domain.removeprefix("www.").split("/")[0]
    return domain or None


def _save(instance: Any, conflict_fields: Iterable[str]) -> None:
    """Validate and save a record, turning invalid fields and key clashes into AccordErrors."""
    try:
        with transaction.atomic():
            instance.full_clean(
                exclude=["owner", "account", "primary_lead", "pipeline_stage"],
                validate_unique=False,
            )
            instance.save()
    except ValidationError as exc:
        raise _validation_to_error(exc) from exc
    except IntegrityError as exc:
        fields = {
            f: ["already used by another record"]
            for f in conflict_fields
            if getattr(instance, f, None)
        }
        raise Conflict(
            "another record already has this " + (" or ".join(fields) or "value"), fields=fields
        ) from exc


def _check_fields(fields: dict[str, Any], allowed: Iterable[str], noun: str) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise AccordError(
            f"unknown {noun} field {unknown[0]!r}", fields={unknown[0]: ["unknown field"]}
        )


def _validation_to_error(exc: Any) -> AccordError:
    return AccordError(
        "some fields are not valid",
        fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
    )


@transaction.atomic
def account_create(
    *, by: User | None, name: str, properties: dict[str, Any] | None = None, **fields: Any
) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS, "account")
    account = Account(name=name.strip(), **fields)
    account.domain = _normalise_domain(account.domain)
    account.external_id = account.external_id or None
    account.properties = properties_clean(entity=Entity.ACCOUNT, values=properties or {})
    _save(account, ["external_id", "domain"])
    return account


@transaction.atomic
def account_update(
    *, account: Account, by: User | None, properties: dict[str, Any] | None = None, **fields: Any
) -> Account:
    _check_fields(fields, ACCOUNT_FIELDS, "account")
    for name, value in fields.items():
        setattr(account, name, value)
    if "domain" in fields:
        account.domain = _normalise_domain(account.domain)
    if "external_id" in fields:
        account.external_id = account.external_id or None
    if properties:
        cleaned = properties_clean(entity=Entity.ACCOUNT, values=properties)
        account.properties = properties_merge(account.properties, cleaned)
    account.updated_at = timezone.now()
    _save(account, ["external_id", "domain"])
    # Its leads' personas and fit may change: refreshed in the background (there may be many).
    accounts_refresh_later([account.pk])
    return account


# --- leads -------------------------------------------------------------------------------------

LEAD_FIELDS = (
    "external_id",
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "source",
    "account",
    "owner",
)


def _normalise_email(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


@transaction.atomic
def lead_create(
    *,
    by: User | None,
    properties: dict[str, Any] | None = None,
    stage: str = Stage.LEAD,
    created_at: datetime | None = None,
    source_of_change: str = StageSource.MANUAL,
    **fields: Any,
) -> Lead:
    """Create a lead and the stage change that records its entry into the funnel.

    A lead needs an email or an external id, so later data can find it again.
    """
    _check_fields(fields, LEAD_FIELDS, "lead")
    lead = Lead(**fields)
    lead.email = _normalise_email(lead.email)
    lead.external_id = lead.external_id or None
    if not lead.email and not lead.external_id:
        raise AccordError(
            "a lead needs an email or an external id",
            fields={"email": ["give an email or an external id"]},
        )
    if stage not in (
        Stage.LEAD,
        Stage.MQL,
        Stage.SAL,
        Stage.SQL,
        Stage.RECYCLED,
        Stage.DISQUALIFIED,
    ):
        raise AccordError(
            f"a new lead cannot start as {stage!r}; open a deal to make it an opportunity",
            fields={"stage": ["not a starting stage"]},
        )
    at = created_at or timezone.now()
    lead.created_at = lead.updated_at = lead.stage_changed_at = at
    lead.stage = stage
    lead.properties = properties_clean(entity=Entity.LEAD, values=properties or {})
    _save(lead, ["external_id", "email"])
    StageChange.objects.create(
        lead=lead,
        from_stage="",
        to_stage=stage,
        at=at,
        actor=by,
        reason="created",
        source=source_of_change,
    )
    leads_refresh(lead_ids=[lead.pk])
    lead.refresh_from_db()
    return lead


@transaction.atomic
def lead_update(
    *, lead: Lead, by: User | None, properties: dict[str, Any] | None = None, **fields: Any
) -> Lead:
    """Change a lead's fields and custom properties. The stage changes only through lead_move."""
    if "stage" in fields:
        raise AccordError(
            "change the stage with a stage move, not an update",
            fields={"stage": ["use a stage move"]},
        )
    _check_fields(fields, LEAD_FIELDS, "lead")
    for name, value in fields.items():
        setattr(lead, name, value)
    if "email" in fields:
        lead.email = _normalise_email(lead.email)
    if "external_id" in fields:
        lead.external_id = lead.external_id or None
    if not lead.email and not lead.external_id:
        raise AccordError(
            "a lead needs an email or an external id",
            fields={"email": ["give an email or an external id"]},
        )
    if properties:
        cleaned = properties_clean(entity=Entity.LEAD, values=properties)
        lead.properties = properties_merge(lead.properties, cleaned)
    lead.updated_at = timezone.now()
    _save(lead, ["external_id", "email"])
    leads_refresh(lead_ids=[lead.pk])
    lead.refresh_from_db()
    return lead


def note_add(*, lead: Lead, by: User, body: str) -> Note:
    body = body.strip()
    if not body:
        raise AccordError("a note cannot be empty", fields={"body": ["required"]})
    return Note.objects.create(lead=lead, author=by, body=body)


# --- deals -------------------------------------------------------------------------------------

DEAL_FIELDS = (
    "external_id",
    "name",
    "account",
    "primary_lead",
    "owner",
    "amount",
    "pipeline_stage",
    "loss_reason",
)


def _deal_reason(deal: Deal, verb: str) -> str:
    return f"deal {verb}: {deal.name}"[:500]


@transaction.atomic
def deal_create(
    *,
    by: User | None,
    name: str,
    amount: Decimal | int | str = Decimal("0"),
    leads: Iterable[Lead] = (),
    properties: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    status: str = DealStatus.OPEN,
    closed_at: datetime | None = None,
    **fields: Any,
) -> Deal:
    """Open a deal (or record a closed one from history).

    The primary lead moves to ``opportunity`` at the deal's creation, and to ``customer`` at its
    close time when the deal is won.
    """
    _check_fields(fields, DEAL_FIELDS, "deal")
    if status not in DealStatus.values:
        raise AccordError(f"unknown deal status {status!r}", fields={"status": ["unknown"]})
    try:
        amount = Decimal(str(amount))
    except ArithmeticError as exc:
        raise AccordError(
            "the amount is not a number", fields={"amount": ["not a number"]}
        ) from exc
    if amount < 0:
        raise AccordError("the amount cannot be negative", fields={"amount": ["negative"]})
    now = timezone.now()
    deal = Deal(name=name.strip(), amount=amount, status=status, **fields)
    deal.external_id = deal.external_id or None
    deal.created_at = created_at or now
    deal.updated_at = now
    if status == DealStatus.OPEN:
        deal.closed_at = None
    else:
        deal.closed_at = closed_at or now
        if deal.closed_at < deal.created_at:
            raise AccordError(
                "a deal cannot close before it was created",
                fields={"closed_at": ["before created_at"]},
            )
    if status == DealStatus.LOST and not deal.loss_reason.strip():
        raise AccordError("a lost deal needs a loss reason", fields={"loss_reason": ["required"]})
    if deal.pipeline_stage is None:
        deal.pipeline_stage = PipelineStage.objects.first()
    if deal.account is None and deal.primary_lead is not None:
        deal.account = deal.primary_lead.account
    deal.properties = properties_clean(entity=Entity.DEAL, values=properties or {})
    _save(deal, ["external_id"])
    linked = {lead.pk: lead for lead in leads}
    if deal.primary_lead is not None:
        linked[deal.primary_lead.pk] = deal.primary_lead
    if linked:
        deal.leads.add(*linked.values())
    if deal.primary_lead is not None:
        _advance_for_deal(
            lead=deal.primary_lead,
            to_stage=Stage.OPPORTUNITY,
            at=deal.created_at,
            by=by,
            reason=_deal_reason(deal, "opened"),
        )
        if status == DealStatus.WON:
            assert deal.closed_at is not None
            _advance_for_deal(
                lead=deal.primary_lead,
                to_stage=Stage.CUSTOMER,
                at=deal.closed_at,
                by=by,
                reason=_deal_reason(deal, "won"),
            )
        deal.primary_lead.refresh_from_db()
    return deal


@transaction.atomic
def deal_update(
    *, deal: Deal, by: User | None, properties: dict[str, Any] | None = None, **fields: Any
) -> Deal:
    """Change an open or closed deal's fields. Status changes through deal_win / deal_lose."""
    if "status" in fields or "closed_at" in fields:
        raise AccordError(
            "close a deal by winning or losing it", fields={"status": ["use win or lose"]}
        )
    _check_fields(fields, DEAL_FIELDS, "deal")
    if "amount" in fields:
        try:
            fields["amount"] = Decimal(str(fields["amount"]))
        except ArithmeticError as exc:
            raise AccordError(
                "the amount is not a number", fields={"amount": ["not a number"]}
            ) from exc
        if fields["amount"] < 0:
            raise AccordError("the amount cannot be negative", fields={"amount": ["negative"]})
    new_primary = fields.get("primary_lead")
    for name, value in fields.items():
        setattr(deal, name, value)
    if "external_id" in fields:
        deal.external_id = deal.external_id or None
    if properties:
        cleaned = properties_clean(entity=Entity.DEAL, values=properties)
        deal.properties = properties_merge(deal.properties, cleaned)
    deal.updated_at = timezone.now()
    _save(deal, ["external_id"])
    if new_primary is not None:
        deal.leads.add(new_primary)
        _advance_for_deal(
            lead=new_primary,
            to_stage=Stage.OPPORTUNITY,
            at=deal.created_at,
            by=by,
            reason=_deal_reason(deal, "opened"),
        )
        if deal.status == DealStatus.WON and deal.closed_at:
            _advance_for_deal(
                lead=new_primary,
                to_stage=Stage.CUSTOMER,
                at=deal.closed_at,
                by=by,
                reason=_deal_reason(deal, "won"),
            )
    return deal


def _lock_open_deal(deal: Deal) -> Deal:
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if locked.status != DealStatus.OPEN:
        raise Conflict(
            f"the deal is already {locked.get_status_display().lower()}",
            fields={"status": ["already closed"]},
        )
    return locked


@transaction.atomic
def deal_win(*, deal: Deal, by: User | None, closed_at: datetime | None = None) -> Deal:
    """Mark a deal won; its primary lead becomes a customer at the close time."""
    locked = _lock_open_deal(deal)
    closed_at = closed_at or timezone.now()
    if closed_at < locked.created_at:
        raise AccordError(
            "a deal cannot close before it was created",
            fields={"closed_at": ["before the deal was created"]},
        )
    locked.status, locked.closed_at, locked.updated_at = DealStatus.WON, closed_at, timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    if locked.primary_lead_id is not None:
        lead = Lead.objects.get(pk=locked.primary_lead_id)
        _advance_for_deal(
            lead=lead,
            to_stage=Stage.CUSTOMER,
            at=closed_at,
            by=by,
            reason=_deal_reason(locked, "won"),
        )
    deal.refresh_from_db()
    return deal


@transaction.atomic
def deal_lose(
    *, deal: Deal, by: User | None, loss_reason: str, closed_at: datetime | None = None
) -> Deal:
    """Mark a deal lost with a reason. The lead stays an opportunity until someone recycles it."""
    loss_reason = loss_reason.strip()
    if not loss_reason:
        raise AccordError("say why the deal was lost", fields={"loss_reason": ["required"]})
    locked = _lock_open_deal(deal)
    closed_at = closed_at or timezone.now()
    if closed_at < locked.created_at:
        raise AccordError(
            "a deal cannot close before it was created",
            fields={"closed_at": ["before the deal was created"]},
        )
    locked.status, locked.closed_at = DealStatus.LOST, closed_at
    locked.loss_reason, locked.updated_at = loss_reason[:200], timezone.now()
    locked.save(update_fields=["status", "closed_at", "loss_reason", "updated_at"])
    deal.refresh_from_db()
    return deal


@transaction.atomic
def deal_reopen(*, deal: Deal, by: User | None) -> Deal:
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if locked.status == DealStatus.OPEN:
        raise Conflict("the deal is already open", fields={"status": ["already open"]})
    if locked.status == DealStatus.WON:
        raise Conflict(
            "a won deal cannot be reopened; open a new deal for more business",
            fields={"status": ["won"]},
        )
    locked.status, locked.closed_at, locked.loss_reason = DealStatus.OPEN, None, ""
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "loss_reason", "updated_at"])
    deal.refresh_from_db()
    return deal


# --- pipeline stages ---------------------------------------------------------------------------


def _check_pipeline_stage(*, name: str, probability: int, position: int) -> None:
    if not name:
        raise AccordError("a pipeline stage needs a name", fields={"name": ["required"]})
    if len(name) > 60:
        raise AccordError("a stage name has at most 60 characters", fields={"name": ["too long"]})
    if not 0 <= probability <= 100:
        raise AccordError(
            "the win probability is a percentage from 0 to 100",
            fields={"probability": ["from 0 to 100"]},
        )
    if not 0 <= position <= 32767:
        raise AccordError(
            "the position is a whole number from 0 to 32767",
            fields={"position": ["from 0 to 32767"]},
        )


def _name_taken(name: str, exclude: int | None = None) -> None:
    clash = PipelineStage.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(f"a pipeline stage named {name!r} exists", fields={"name": ["taken"]})


@transaction.atomic
def pipeline_stage_create(
    *, by: User | None, name: str, probability: int = 10, position: int | None = None
) -> PipelineStage:
    """Add a step to the sales pipeline (admins only); without a position it goes last."""
    if by is None or not by.is_admin:
        raise NotAllowed("only an admin can change the pipeline")
    name = name.strip()
    if position is None:
        last = PipelineStage.objects.order_by("-position").values_list("position", flat=True)
        position = (last.first() or 0) + 10
    _check_pipeline_stage(name=name, probability=probability, position=position)
    _name_taken(name)
    return PipelineStage.objects.create(name=name, probability=probability, position=position)


@transaction.atomic
def pipeline_stage_update(
    *,
    stage: PipelineStage,
    by: User | None,
    name: str | None = None,
    probability: int | None = None,
    position: int | None = None,
) -> PipelineStage:
    """Rename, reorder (by position) or re-weigh a pipeline stage (admins only)."""
    if by is None or not by.is_admin:
        raise NotAllowed("only an admin can change the pipeline")
    name = stage.name if name is None else name.strip()
    probability = stage.probability if probability is None else probability
    position = stage.position if position is None else position
    _check_pipeline_stage(name=name, probability=probability, position=position)
    _name_taken(name, exclude=stage.pk)
    stage.name, stage.probability, stage.position = name, probability, position
    stage.save(update_fields=["name", "probability", "position"])
    return stage
