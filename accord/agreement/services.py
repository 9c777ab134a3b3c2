"""Every write of the agreement app: personas and their matching, scoring models and rules,
and what the agreement in force does to leads (matching, scoring, qualifying them as MQLs)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from accord.agreement.audit import audit_record, changes, field_values
from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    EngagementRule,
    FitRule,
    LeadPersona,
    ModelStatus,
    Persona,
    ScoringModel,
)
from accord.agreement.selectors import (
    ACCOUNT_PROPERTY,
    CRITERIA_FIELDS,
    DATE,
    LEAD_PROPERTY,
    NUMBER,
    OPS,
    PERSONA_FIELD,
    TEXT,
    agreement_in_force,
    leads_with_persona,
    personas_in_matching_order,
)
from accord.bulk import copy_rows, db_datetime, update_rows
from accord.campaigns.models import Campaign, Channel, Touch, TouchKind
from accord.errors import AccordError, Conflict, NotAllowed
from accord.funnel.models import Entity, Lead, PropertyDefinition, Stage, StageChange, StageSource
from accord.funnel.properties import coerce
from accord.scoring.engine import rescore_all, rescore_leads
from accord.teams.models import Team, User

MAX_POINTS = 100
MAX_RULES = 100
# Lead ids per statement in the bulk paths (each id is one SQL parameter).
ID_CHUNK = 5000
# Where a lead may stand to be qualified as an MQL automatically.
QUALIFIABLE = (Stage.LEAD, Stage.RECYCLED)


# --- criteria ----------------------------------------------------------------------------------


def _field_type(field: str, *, allow_persona: bool) -> str:
    if field == PERSONA_FIELD:
        if not allow_persona:
            raise ValueError("persona can only be used in scoring rules")
        return PERSONA_FIELD
    for prefix, entity in ((ACCOUNT_PROPERTY, Entity.ACCOUNT), (LEAD_PROPERTY, Entity.LEAD)):
        if field.startswith(prefix):
            key = field[len(prefix) :]
            kind = (
                PropertyDefinition.objects.filter(entity=entity, key=key)
                .values_list("type", flat=True)
                .first()
            )
            if kind is None:
                raise ValueError(f"{field!r} is not a declared {entity} property")
            return kind
    if field not in CRITERIA_FIELDS:
        raise ValueError(
            f"unknown field {field!r}; use one of {', '.join(CRITERIA_FIELDS)}, "
            "prop.KEY or account.prop.KEY"
        )
    return CRITERIA_FIELDS[field][1]


def _scalar(kind: str, raw: Any) -> Any:
    if isinstance(raw, dict | list) or raw is None:
        raise ValueError("needs a single value")
    if kind == TEXT:
        text = str(raw).strip()
        if not text:
            raise ValueError("needs a non-empty value")
        return text
    return coerce(kind, raw)


def _clean_condition(condition: Any, *, allow_persona: bool) -> dict[str, Any]:
    if not isinstance(condition, dict):
        raise ValueError('each condition is an object {"field", "op", "value"}')
    unknown = set(condition) - {"field", "op", "value"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    field, op = condition.get("field"), condition.get("op")
    value: Any = condition.get("value")
    if not isinstance(field, str) or not field:
        raise ValueError("needs a field")
    if op not in OPS:
        raise ValueError(f"unknown op {op!r}; use one of {', '.join(OPS)}")
    kind = _field_type(field, allow_persona=allow_persona)
    if kind == PERSONA_FIELD:
        if op not in ("equals", "in"):
            raise ValueError("persona takes equals or in")
        ids: list[int] = value if isinstance(value, list) else [value]
        if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValueError("persona takes persona ids")
        known = set(Persona.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [i for i in ids if i not in known]
        if missing:
            raise ValueError(f"no persona with id {missing[0]}")
        return {"field": field, "op": op, "value": value}
    if op == "is_set":
        if value is None:
            value = True
        if not isinstance(value, bool):
            raise ValueError("is_set takes true or false")
        return {"field": field, "op": op, "value": value}
    if op == "contains":
        if kind != TEXT:
            raise ValueError(f"contains needs a text field; {field} is {kind}")
        words = value if isinstance(value, list) else [value]
        cleaned = [_scalar(TEXT, w) for w in words]
        if not cleaned:
            raise ValueError("contains needs at least one word")
        return {"field": field, "op": op, "value": cleaned}
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ValueError("in needs a non-empty list of values")
        return {"field": field, "op": op, "value": [_scalar(kind, v) for v in value]}
    if op == "equals":
        return {"field": field, "op": op, "value": _scalar(kind, value)}
    # between
    if kind not in (NUMBER, DATE):
        raise ValueError(f"between needs a number or date field; {field} is {kind}")
    if not isinstance(value, list) or len(value) != 2 or value == [None, None]:
        raise ValueError("between needs [min, max]; one end may be null")
    low, high = (None if v is None else _scalar(kind, v) for v in value)
    if low is not None and high is not None and low > high:
        raise ValueError("between needs min ≤ max")
    return {"field": field, "op": op, "value": [low, high]}


def condition_clean(condition: Any, *, allow_persona: bool = False) -> dict[str, Any]:
    """One validated criteria condition, or ValueError saying what is wrong with it."""
    return _clean_condition(condition, allow_persona=allow_persona)


def criteria_clean(
    criteria: Any, *, allow_persona: bool = False, name: str = "criteria"
) -> list[dict[str, Any]]:
    """Validated criteria (see ``accord.agreement.models``), or AccordError naming the condition
    at fault."""
    if criteria is None:
        return []
    if not isinstance(criteria, list):
        raise AccordError(
            f"{name} must be a list of conditions", fields={name: ["a list of conditions"]}
        )
    cleaned = []
    for n, condition in enumerate(criteria, 1):
        try:
            cleaned.append(_clean_condition(condition, allow_persona=allow_persona))
        except ValueError as exc:
            field = condition.get("field") if isinstance(condition, dict) else None
            where = f"condition {n}" + (f" ({field})" if isinstance(field, str) and field else "")
            raise AccordError(
                f"{name}, {where}: {exc}", fields={name: [f"{where}: {exc}"]}
            ) from exc
    return cleaned


# --- personas ----------------------------------------------------------------------------------

PERSONA_TEXT_FIELDS = ("description", "pains", "goals", "objections", "messaging")
PERSONA_FIELDS = ("name", *PERSONA_TEXT_FIELDS, "criteria", "priority")


def _persona_save(persona: Persona) -> Persona:
    persona.name = persona.name.strip()
    if not persona.name:
        raise AccordError("a persona needs a name", fields={"name": ["required"]})
    try:
        with transaction.atomic():
            persona.save()
    except IntegrityError as exc:
        raise Conflict(
            f"a persona named {persona.name!r} exists", fields={"name": ["taken"]}
        ) from exc
    return persona


def _may_change_personas(by: User | None) -> None:
    # ``None`` is the system (imports, the demo); people need to be on one of the two teams.
    if by is not None and not (
        by.is_active and (by.team in (Team.MARKETING, Team.SALES) or by.is_admin)
    ):
        raise NotAllowed("only people on the marketing or sales team can change personas")


def _rematch_later() -> None:
    """Once the change commits, match every lead again (and score and qualify it under the
    agreement in force: fit rules may name personas), in the background."""
    from accord.agreement.tasks import personas_rematch_task

    transaction.on_commit(lambda: personas_rematch_task.enqueue())


@transaction.atomic
def persona_create(
    *,
    by: User | None,
    name: str,
    criteria: Any = None,
    priority: int = 100,
    **texts: str,
) -> Persona:
    """Create a persona; every lead is matched again in the background once it commits."""
    _may_change_personas(by)
    unknown = set(texts) - set(PERSONA_TEXT_FIELDS)
    if unknown:
        raise AccordError(f"unknown persona field {sorted(unknown)[0]!r}")
    persona = Persona(
        name=name,
        criteria=criteria_clean(criteria),
        priority=priority,
        created_by=by,
        **{k: v.strip() for k, v in texts.items()},
    )
    _persona_save(persona)
    audit_record(
        actor=by,
        action="create",
        obj=persona,
        summary=f"created persona {persona.name}",
        after=field_values(persona, PERSONA_FIELDS),
    )
    if persona.criteria:
        _rematch_later()
    return persona


@transaction.atomic
def persona_update(*, persona: Persona, by: User | None, **fields: Any) -> Persona:
    """Change a persona; when its criteria or priority change, every lead is matched again in
    the background once it commits."""
    _may_change_personas(by)
    unknown = set(fields) - {"name", "criteria", "priority", *PERSONA_TEXT_FIELDS}
    if unknown:
        raise AccordError(f"unknown persona field {sorted(unknown)[0]!r}")
    if "criteria" in fields:
        fields["criteria"] = criteria_clean(fields["criteria"])
    old = field_values(persona, PERSONA_FIELDS)
    for name, value in fields.items():
        setattr(persona, name, value.strip() if isinstance(value, str) else value)
    persona.updated_at = timezone.now()
    _persona_save(persona)
    before, after = changes(old, field_values(persona, PERSONA_FIELDS))
    if after:
        audit_record(
            actor=by,
            action="update",
            obj=persona,
            summary=f"changed persona {persona.name}: {', '.join(after)}",
            before=before,
            after=after,
        )
    if {"criteria", "priority"} & set(after):
        _rematch_later()
    return persona


@transaction.atomic
def persona_match(*, lead: Lead, at: datetime | None = None) -> Persona | None:
    """Match one lead to its best persona (or none) and record it. Same SQL as the bulk path."""
    row = leads_with_persona(Lead.objects.filter(pk=lead.pk), personas_in_matching_order()).first()
    persona_id = row["persona_id"] if row else None
    if persona_id is None:
        LeadPersona.objects.filter(lead=lead).delete()
        return None
    current = LeadPersona.objects.filter(lead=lead).first()
    if current is None or current.persona_id != persona_id:
        LeadPersona.objects.update_or_create(
            lead=lead, defaults={"persona_id": persona_id, "matched_at": at or timezone.now()}
        )
    return Persona.objects.get(pk=persona_id)


def _personas_match(leads: Any, at: datetime) -> None:
    """Match ``leads`` (a queryset) to their best persona in two set-based statements."""
    sql, params = leads_with_persona(leads, personas_in_matching_order()).query.sql_with_params()
    table = LeadPersona._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE lead_id IN "
            f"(SELECT m.id FROM ({sql}) m WHERE m.persona_id IS NULL)",
            params,
        )
        cursor.execute(
            f"INSERT INTO {table} (lead_id, persona_id, matched_at) "
            f"SELECT m.id, m.persona_id, %s FROM ({sql}) m WHERE m.persona_id IS NOT NULL "
            f"ON CONFLICT (lead_id) DO UPDATE SET persona_id = excluded.persona_id, "
            f"matched_at = excluded.matched_at WHERE {table}.persona_id <> excluded.persona_id",
            [at, *params],
        )


@transaction.atomic
def personas_match_all(*, at: datetime | None = None) -> int:
    """Match every lead to its best persona in two set-based statements; returns the number of
    leads with a persona. A lead whose persona is unchanged keeps its ``matched_at``."""
    _personas_match(Lead.objects.all(), at or timezone.now())
    return LeadPersona.objects.count()


@transaction.atomic
def personas_match_leads(*, lead_ids: Sequence[int], at: datetime | None = None) -> None:
    """Match the leads ``lead_ids`` to their best persona: the same statements as
    ``personas_match_all``, two per 5,000 leads."""
    at = at or timezone.now()
    for chunk in _chunks(lead_ids):
        _personas_match(Lead.objects.filter(pk__in=chunk), at)


# --- scoring models ----------------------------------------------------------------------------


@transaction.atomic
def scoring_model_create(*, by: User | None, name: str = "") -> ScoringModel:
    """A new draft scoring model, numbered after the last one."""
    last = ScoringModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    model = ScoringModel.objects.create(
        version=last + 1, name=name.strip(), status=ModelStatus.DRAFT, created_by=by
    )
    audit_record(
        actor=by,
        action="create",
        obj=model,
        summary=f"created draft scoring model v{model.version}",
        after={"version": model.version, "name": model.name},
    )
    return model


def _editable(model: ScoringModel) -> None:
    if model.status != ModelStatus.DRAFT:
        raise Conflict(
            f"scoring model v{model.version} is {model.get_status_display().lower()}; "
            "only drafts take rule changes"
        )
    rules = model.fit_rules.count() + model.engagement_rules.count()
    if rules >= MAX_RULES:
        raise AccordError(f"a scoring model holds at most {MAX_RULES} rules")


def _points(points: Any, name: str = "points") -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise AccordError(f"{name} must be a whole number", fields={name: ["a whole number"]})
    if not -MAX_POINTS <= points <= MAX_POINTS or points == 0:
        raise AccordError(
            f"{name} must be between -{MAX_POINTS} and {MAX_POINTS}, and not 0",
            fields={name: [f"between -{MAX_POINTS} and {MAX_POINTS}, not 0"]},
        )
    return points


def _label(label: str) -> str:
    label = label.strip()
    if not label:
        raise AccordError("a rule needs a label", fields={"label": ["required"]})
    return label[:200]


@transaction.atomic
def fit_rule_create(
    *, model: ScoringModel, by: User | None, label: str, criteria: Any, points: int
) -> FitRule:
    """Add a fit rule: ``points`` when a lead satisfies ``criteria`` (which may name a persona)."""
    _editable(model)
    cleaned = criteria_clean(criteria, allow_persona=True)
    if not cleaned:
        raise AccordError("a fit rule needs at least one condition", fields={"criteria": ["empty"]})
    rule = FitRule.objects.create(
        model=model,
        label=_label(label),
        criteria=cleaned,
        points=_points(points),
        position=model.fit_rules.count(),
    )
    # Filed under the model, whose page and diff show its rules.
    audit_record(
        actor=by,
        action="add_fit_rule",
        obj=model,
        summary=f"added fit rule “{rule.label}” ({rule.points:+d}) to scoring model "
        f"v{model.version}",
        after={"fit_rule": field_values(rule, ("id", "label", "criteria", "points"))},
    )
    return rule


def _choices(values: Sequence[Any] | None, allowed: Sequence[str], name: str) -> list[str]:
    values = list(values or [])
    bad = [v for v in values if v not in allowed]
    if bad:
        raise AccordError(f"unknown {name} {bad[0]!r}", fields={name: [f"unknown: {bad[0]}"]})
    return values


@transaction.atomic
def engagement_rule_create(
    *,
    model: ScoringModel,
    by: User | None,
    label: str,
    points: int,
    cap: int,
    kinds: Sequence[str] | None = None,
    channels: Sequence[str] | None = None,
    campaign_ids: Sequence[int] | None = None,
    content_contains: Sequence[str] | None = None,
    half_life_days: float | None = None,
) -> EngagementRule:
    """Add an engagement rule: ``points`` per matching touch, decayed, held within ±``cap``."""
    _editable(model)
    campaigns = list(campaign_ids or [])
    if campaigns:
        known = set(Campaign.objects.filter(pk__in=campaigns).values_list("pk", flat=True))
        missing = [c for c in campaigns if c not in known]
        if missing:
            raise AccordError(
                f"no campaign with id {missing[0]!r}", fields={"campaign_ids": ["unknown"]}
            )
    words = [str(w).strip() for w in (content_contains or [])]
    if any(not w for w in words):
        raise AccordError(
            "content words must not be empty", fields={"content_contains": ["empty word"]}
        )
    if isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= MAX_POINTS:
        raise AccordError(
            f"cap must be a whole number from 1 to {MAX_POINTS}", fields={"cap": ["1 to 100"]}
        )
    if half_life_days is not None and (
        isinstance(half_life_days, bool)
        or not isinstance(half_life_days, int | float)
        or not 0 < half_life_days <= 3650
    ):
        raise AccordError(
            "the half-life must be a number of days above 0 and at most 3650, or empty",
            fields={"half_life_days": ["above 0, at most 3650"]},
        )
    rule = EngagementRule.objects.create(
        model=model,
        label=_label(label),
        kinds=_choices(kinds, TouchKind.values, "kinds"),
        channels=_choices(channels, Channel.values, "channels"),
        campaign_ids=campaigns,
        content_contains=words,
        points=_points(points),
        cap=cap,
        half_life_days=float(half_life_days) if half_life_days is not None else None,
        position=model.engagement_rules.count(),
    )
    audit_record(
        actor=by,
        action="add_engagement_rule",
        obj=model,
        summary=f"added engagement rule “{rule.label}” ({rule.points:+d} each, cap {rule.cap}) "
        f"to scoring model v{model.version}",
        after={
            "engagement_rule": field_values(
                rule,
                (
                    "id",
                    "label",
                    "kinds",
                    "channels",
                    "campaign_ids",
                    "content_contains",
                    "points",
                    "cap",
                    "half_life_days",
                ),
            )
        },
    )
    return rule


# --- what the agreement in force does to leads ---------------------------------------------


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def scoring_model_in_force() -> ScoringModel | None:
    return ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).first()


@transaction.atomic
def leads_qualify(*, lead_ids: Sequence[int] | None = None, at: datetime | None = None) -> int:
    """Move the leads (among ``lead_ids``; all when None) that stand in ``lead`` or ``recycled``
    and meet the MQL definition in force to ``mql``, as the system, naming the agreement's
    version. Set-based: a few statements per 5,000 leads. Returns the number moved; 0 with no
    agreement in force or no MQL definition.

    A recycled lead comes back only on a touch after it was recycled: what sales rejected must
    not return on the very activity it was rejected with."""
    # definitions imports this module (for criteria validation), hence the late import.
    from accord.agreement.definitions import leads_meeting_among

    agreement = agreement_in_force()
    if agreement is None or not agreement.mql_definition:
        return 0
    at = at or timezone.now()
    now = timezone.now()
    engaged_since = Exists(
        Touch.objects.filter(lead_id=OuterRef("pk"), at__gt=OuterRef("stage_changed_at"))
    )
    candidates = Lead.objects.filter(Q(stage=Stage.LEAD) | Q(engaged_since, stage=Stage.RECYCLED))
    ids = sorted(
        leads_meeting_among(agreement.mql_definition, leads=candidates, at=at, lead_ids=lead_ids)
    )
    reason = f"met the MQL definition of agreement v{agreement.version}"
    moved = 0
    for chunk in _chunks(ids):
        # Lock the rows, in id order, and re-read their stage under the lock: a lead moved by
        # someone else since it was found qualifying is left alone.
        rows = list(
            Lead.objects.select_for_update()
            .filter(pk__in=chunk, stage__in=QUALIFIABLE)
            .order_by("pk")
            .values_list("pk", "stage", "stage_changed_at")
        )
        # A move never predates the lead's last one, so the stage stays that of the latest.
        when = {pk: max(at, changed) for pk, _, changed in rows}
        copy_rows(
            StageChange._meta.db_table,
            ["lead_id", "from_stage", "to_stage", "at", "actor_id", "reason", "source"],
            [
                (pk, stage, Stage.MQL, db_datetime(when[pk]), None, reason, StageSource.SYSTEM)
                for pk, stage, _ in rows
            ],
        )
        update_rows(
            Lead._meta.db_table,
            "id",
            ["stage", "stage_changed_at", "updated_at"],
            [(pk, Stage.MQL, db_datetime(when[pk]), db_datetime(now)) for pk, _, _ in rows],
        )
        moved += len(rows)
    return moved


@transaction.atomic
def leads_refresh(*, lead_ids: Sequence[int]) -> None:
    """Bring some leads up to date with what the teams agreed: match their persona, score them
    under the scoring model in force, and qualify those that now meet the MQL definition.
    Called when a lead is created or changed (in the same request), and in the background after
    touches are ingested or records imported."""
    ids = list(dict.fromkeys(lead_ids))
    if not ids:
        return
    at = timezone.now()
    model = scoring_model_in_force()
    for chunk in _chunks(ids):
        personas_match_leads(lead_ids=chunk, at=at)
        if model is not None:
            rescore_leads(model, chunk, at)
    leads_qualify(lead_ids=ids, at=at)


def agreement_apply(*, agreement: Agreement, at: datetime | None = None) -> int:
    """Apply a version that came into force to every lead: match personas, score every lead
    under its scoring model, qualify the leads meeting its MQL definition. Returns the number of
    leads qualified. A version no longer in force is left alone (its successor applies).

    Not one transaction: each step commits on its own, so that rescoring a million leads can
    run over several connections (``rescore_all``). Every step is derived from the data and
    safe to repeat, so a crash part way is mended by running it again.
    """
    if agreement.status != AgreementStatus.IN_FORCE:
        return 0
    at = at or timezone.now()
    personas_match_all(at=at)
    if agreement.scoring_model is not None:
        rescore_all(agreement.scoring_model, at)
    return leads_qualify(at=at)
