"""The MQL and SQL definitions: what a lead must be or have done to reach a stage.

A definition is a list of **groups**; a lead meets it when it satisfies every condition of at
least one group. ``[]`` is no definition: no lead meets it, so the gate does not apply and no
lead is moved automatically. A condition is one of:

- a criteria condition (see ``accord.agreement.models``): lead and account fields, custom
  properties, ``persona`` (equals/in persona ids);
- a score condition: ``{"field": "score"|"fit"|"engagement", "op": "at_least"|"at_most"|"between",
  "value": N | [min, max]}``;
- a touch condition: ``{"field": "touches", "op": "at_least", "value": N, "kinds": [...],
  "channels": [...], "within_days": D}``; empty kinds/channels match any, no ``within_days``
  counts every touch up to the time of evaluation, else those in (at - D days, at].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accord.agreement.models import LeadPersona, Persona
from accord.agreement.selectors import (
    ACCOUNT_PROPERTY,
    LEAD_PROPERTY,
    PERSONA_FIELD,
    agreement_in_force,
    condition_q,
    field_path,
)
from accord.agreement.services import condition_clean
from accord.campaigns.models import Channel, Touch, TouchKind
from accord.errors import AccordError, Conflict
from accord.funnel.models import Lead, Stage
from accord.teams.models import Role, Team, User

# Score condition field → (lead column, position in a (score, fit, engagement) triple).
SCORE_FIELDS = {
    "score": ("score", 0),
    "fit": ("fit_score", 1),
    "engagement": ("engagement_score", 2),
}
NO_SCORES = (0, 0, 0)
ID_CHUNK = 5000
SCORE_OPS = ("at_least", "at_most", "between")
SCORE_LIMIT = 10_000
TOUCHES = "touches"
TOUCH_KEYS = {"field", "op", "value", "kinds", "channels", "within_days"}
MAX_GROUPS = 20
MAX_CONDITIONS = 20
MAX_DAYS = 3650

FIELD_LABELS = {
    "title": "title",
    "source": "source",
    "email": "email",
    "first_name": "first name",
    "last_name": "last name",
    "phone": "phone",
    "stage": "stage",
    "account.name": "account name",
    "account.domain": "account domain",
    "account.industry": "industry",
    "account.country": "country",
    "account.segment": "segment",
    "account.employees": "employees",
    "account.is_target": "target account",
    PERSONA_FIELD: "persona",
}


# --- validation ------------------------------------------------------------------------------


def _whole(value: Any, what: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{what} must be a whole number")
    if not low <= value <= high:
        raise ValueError(f"{what} must be from {low} to {high}")
    return int(value)


def _clean_score(condition: dict[str, Any]) -> dict[str, Any]:
    unknown = set(condition) - {"field", "op", "value"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    field, op, value = condition["field"], condition.get("op"), condition.get("value")
    if op not in SCORE_OPS:
        raise ValueError(f"unknown op {op!r}; {field} takes {', '.join(SCORE_OPS)}")
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("between needs [min, max]")
        low, high = (_whole(v, "each end", low=-SCORE_LIMIT, high=SCORE_LIMIT) for v in value)
        if low > high:
            raise ValueError("between needs min ≤ max")
        return {"field": field, "op": op, "value": [low, high]}
    return {
        "field": field,
        "op": op,
        "value": _whole(value, "the value", low=-SCORE_LIMIT, high=SCORE_LIMIT),
    }


def _clean_choices(values: Any, allowed: list[str], key: str) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise ValueError(f"{key} must be a list")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"unknown {key[:-1]} {bad[0]!r}; use one of {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def _clean_touches(condition: dict[str, Any]) -> dict[str, Any]:
    unknown = set(condition) - TOUCH_KEYS
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    if condition.get("op") != "at_least":
        raise ValueError(f"unknown op {condition.get('op')!r}; touches take at_least")
    within = condition.get("within_days")
    return {
        "field": TOUCHES,
        "op": "at_least",
        "value": _whole(condition.get("value"), "the number of touches", low=1, high=SCORE_LIMIT),
        "kinds": _clean_choices(condition.get("kinds"), TouchKind.values, "kinds"),
        "channels": _clean_choices(condition.get("channels"), Channel.values, "channels"),
        "within_days": None
        if within is None
        else _whole(within, "within_days", low=1, high=MAX_DAYS),
    }


def _clean_one(condition: Any) -> dict[str, Any]:
    if not isinstance(condition, dict):
        raise ValueError('each condition is an object {"field", "op", "value"}')
    field = condition.get("field")
    if field in SCORE_FIELDS:
        return _clean_score(condition)
    if field == TOUCHES:
        return _clean_touches(condition)
    return condition_clean(condition, allow_persona=True)


def definition_clean(
    definition: Any, *, name: str = "mql_definition"
) -> list[list[dict[str, Any]]]:
    """A validated definition (see the module docstring), or AccordError naming the group and
    condition at fault. None is no definition (``[]``)."""
    if definition is None:
        return []
    if not isinstance(definition, list):
        raise AccordError(
            f"{name} must be a list of groups of conditions",
            fields={name: ["a list of groups, each a list of conditions"]},
        )
    if len(definition) > MAX_GROUPS:
        raise AccordError(
            f"{name} takes at most {MAX_GROUPS} groups", fields={name: ["too many groups"]}
        )
    cleaned: list[list[dict[str, Any]]] = []
    for g, group in enumerate(definition, 1):
        if not isinstance(group, list) or not group:
            msg = f"group {g} must be a non-empty list of conditions"
            raise AccordError(f"{name}, {msg}", fields={name: [msg]})
        if len(group) > MAX_CONDITIONS:
            msg = f"group {g} has more than {MAX_CONDITIONS} conditions"
            raise AccordError(f"{name}, {msg}", fields={name: [msg]})
        conditions = []
        for n, condition in enumerate(group, 1):
            try:
                conditions.append(_clean_one(condition))
            except ValueError as exc:
                field = condition.get("field") if isinstance(condition, dict) else None
                where = f"group {g}, condition {n}" + (
                    f" ({field})" if isinstance(field, str) and field else ""
                )
                raise AccordError(
                    f"{name}, {where}: {exc}", fields={name: [f"{where}: {exc}"]}
                ) from exc
        cleaned.append(conditions)
    return cleaned


# --- description -----------------------------------------------------------------------------


def field_label(field: str) -> str:
    """A readable name for a condition field."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    if field.startswith(ACCOUNT_PROPERTY):
        return "account " + field[len(ACCOUNT_PROPERTY) :].replace("_", " ")
    if field.startswith(LEAD_PROPERTY):
        return field[len(LEAD_PROPERTY) :].replace("_", " ")
    return field


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _or(values: list[Any]) -> str:
    texts = [_text(v) for v in values]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " or " + texts[-1]


def _plural(label: str, n: int) -> str:
    if n == 1:
        return label
    return label + ("es" if label.endswith(("ch", "sh", "s")) else "s")


def _touches_text(condition: dict[str, Any]) -> str:
    n = condition["value"]
    kinds = condition.get("kinds") or []
    noun = (
        " or ".join(_plural(TouchKind(k).label.lower(), n) for k in kinds)
        if kinds
        else _plural("touch", n)
    )
    text = f"at least {n:,} {noun}"
    channels = condition.get("channels") or []
    if channels:
        text += " through " + _or([Channel(c).label.lower() for c in channels])
    days = condition.get("within_days")
    if days:
        text += " in the last day" if days == 1 else f" in the last {days:,} days"
    return text


def condition_describe(
    condition: dict[str, Any], *, persona_names: dict[int, str] | None = None
) -> str:
    """One readable line for one validated condition, e.g. "score ≥ 60"."""
    field, op = condition["field"], condition["op"]
    value: Any = condition.get("value")
    if field == TOUCHES:
        return _touches_text(condition)
    label = field_label(field)
    if field in SCORE_FIELDS:
        if op == "at_least":
            return f"{label} ≥ {value}"
        if op == "at_most":
            return f"{label} ≤ {value}"
        return f"{label} between {value[0]} and {value[1]}"
    if field == PERSONA_FIELD:
        names = persona_names or {}
        ids = value if isinstance(value, list) else [value]
        return "persona is " + _or([names.get(i, f"#{i}") for i in ids])
    if op == "contains":
        return f"{label} contains " + _or([f"“{w}”" for w in value])
    if op == "in":
        return f"{label} is " + _or(value)
    if op == "equals":
        return f"{label} is {_text(value)}"
    if op == "between":
        low, high = value
        if low is None:
            return f"{label} ≤ {_text(high)}"
        if high is None:
            return f"{label} ≥ {_text(low)}"
        return f"{label} between {_text(low)} and {_text(high)}"
    return f"{label} is set" if value is not False else f"{label} is not set"


def persona_names_for(definition: list[list[dict[str, Any]]]) -> dict[int, str]:
    """Names of the personas a definition names, in one query."""
    ids: set[int] = set()
    for group in definition:
        for condition in group:
            if condition.get("field") == PERSONA_FIELD:
                value: Any = condition.get("value")
                ids.update(value if isinstance(value, list) else [value])
    if not ids:
        return {}
    return dict(Persona.objects.filter(pk__in=ids).values_list("pk", "name"))


def definition_describe(definition: Any) -> list[str]:
    """One readable line per group, its conditions joined by "and", e.g. "score ≥ 60 and fit ≥ 30",
    "at least 1 demo request in the last 90 days". Empty for no definition."""
    if not definition:
        return []
    names = persona_names_for(definition)
    return [
        " and ".join(condition_describe(c, persona_names=names) for c in group)
        for group in definition
    ]


# --- evaluation ------------------------------------------------------------------------------


def _touches(condition: dict[str, Any], at: datetime) -> QuerySet[Touch]:
    """The touches a touch condition counts, as of ``at``."""
    touches = Touch.objects.filter(at__lte=at)
    if condition.get("within_days"):
        touches = touches.filter(at__gt=at - timedelta(days=condition["within_days"]))
    if condition.get("kinds"):
        touches = touches.filter(kind__in=condition["kinds"])
    if condition.get("channels"):
        touches = touches.filter(channel__in=condition["channels"])
    return touches.order_by()


def _score_passes(condition: dict[str, Any], scores: tuple[int, int, int]) -> bool:
    value = scores[SCORE_FIELDS[condition["field"]][1]]
    target: Any = condition["value"]
    if condition["op"] == "at_least":
        return bool(value >= target)
    if condition["op"] == "at_most":
        return bool(value <= target)
    return bool(target[0] <= value <= target[1])


def _sql_q(condition: dict[str, Any], at: datetime) -> Q:
    """The SQL condition on leads of one validated condition (scores read the stored columns)."""
    field, op = condition["field"], condition["op"]
    value: Any = condition.get("value")
    if field in SCORE_FIELDS:
        column = SCORE_FIELDS[field][0]
        if op == "at_least":
            return Q(**{f"{column}__gte": value})
        if op == "at_most":
            return Q(**{f"{column}__lte": value})
        return Q(**{f"{column}__gte": value[0], f"{column}__lte": value[1]})
    if field == TOUCHES:
        touches = _touches(condition, at)
        if value == 1:
            return Q(pk__in=touches.values("lead_id"))
        counted = touches.values("lead_id").annotate(n=Count("id")).filter(n__gte=value)
        return Q(pk__in=counted.values("lead_id"))
    return condition_q(condition)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def _ids(leads: QuerySet[Lead], q: Q, lead_ids: Sequence[int] | None) -> set[int]:
    """Ids of ``leads`` satisfying ``q``, among ``lead_ids`` (all when None)."""
    leads = leads.filter(q).order_by()
    if lead_ids is None:
        return set(leads.values_list("pk", flat=True))
    found: set[int] = set()
    for chunk in _chunks(lead_ids):
        found.update(leads.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def leads_meeting_among(
    definition: Sequence[Sequence[dict[str, Any]]],
    *,
    leads: QuerySet[Lead],
    at: datetime,
    lead_ids: Sequence[int] | None = None,
    scores: Mapping[int, tuple[int, int, int]] | None = None,
) -> set[int]:
    """``leads_meeting`` within ``leads`` (e.g. only leads in some stages)."""
    met: set[int] = set()
    for group in definition:
        if scores is None:
            met |= _ids(leads, _group_q(group, at), lead_ids)
            continue
        on_scores = [c for c in group if c["field"] in SCORE_FIELDS]
        in_sql = [c for c in group if c["field"] not in SCORE_FIELDS]

        def passes(
            triple: tuple[int, int, int], on_scores: list[dict[str, Any]] = on_scores
        ) -> bool:
            return all(_score_passes(c, triple) for c in on_scores)

        if not in_sql and not passes(NO_SCORES):
            # Only leads with scores can pass: no need to read every lead.
            candidates = [i for i, triple in scores.items() if passes(triple)]
            if lead_ids is not None:
                wanted = set(lead_ids)
                candidates = [i for i in candidates if i in wanted]
            if len(candidates) > ID_CHUNK:
                # Many: one read of every id beats a query per 5,000 candidates.
                met |= _ids(leads, Q(), None) & set(candidates)
            else:
                met |= _ids(leads, Q(), candidates)
            continue
        found = _ids(leads, _group_q(in_sql, at), lead_ids)
        met |= {i for i in found if passes(scores.get(i, NO_SCORES))}
    return met


def _group_q(group: Sequence[dict[str, Any]], at: datetime) -> Q:
    q = Q()
    for condition in group:
        q &= _sql_q(condition, at)
    return q


def leads_meeting(
    definition: Sequence[Sequence[dict[str, Any]]],
    *,
    at: datetime,
    lead_ids: Sequence[int] | None = None,
    scores: Mapping[int, tuple[int, int, int]] | None = None,
) -> set[int]:
    """Ids of the leads (among ``lead_ids``; all when None) that meet a validated definition.

    Set-based: one query per group (per 5,000 ids when ``lead_ids`` are given), never one per
    lead. Score conditions read ``scores[id] = (score, fit, engagement)`` when given (a lead
    without an entry scores (0, 0, 0)), else the stored columns; touch conditions count the
    touches up to ``at``; field and persona conditions read the current values. No definition
    (``[]``) is met by no lead. ``at`` does not hide leads created after it: pass ``lead_ids``
    to look at the leads that existed then.
    """
    return leads_meeting_among(
        definition, leads=Lead.objects.all(), at=at, lead_ids=lead_ids, scores=scores
    )


@dataclass(frozen=True)
class DefinitionCheck:
    """Whether a lead meets a definition and, when it does not, the conditions it fails in the
    group it comes closest to meeting, each with the lead's actual value: "score ≥ 60 (is 42)"."""

    met: bool
    failed: list[str] = field(default_factory=list)


def _actual(value: Any) -> str:
    if value is None or value == "":
        return "is empty"
    if isinstance(value, str):
        return f"is “{value}”"
    return f"is {_text(value)}"


def definition_check(
    *,
    lead: Lead,
    definition: Sequence[Sequence[dict[str, Any]]],
    at: datetime | None = None,
    scores: tuple[int, int, int] | None = None,
) -> DefinitionCheck:
    """Check one lead against a validated definition, the same way ``leads_meeting`` does.

    ``scores`` (score, fit, engagement) replaces the stored scores, as in ``leads_meeting``.
    No definition is met by no lead (and fails no condition).
    """
    at = at or timezone.now()
    if not definition:
        return DefinitionCheck(met=False)
    if scores is None:
        scores = tuple(  # type: ignore[assignment]
            Lead.objects.filter(pk=lead.pk)
            .values_list("score", "fit_score", "engagement_score")
            .get()
        )
    assert scores is not None
    names = persona_names_for([list(g) for g in definition])
    closest: list[str] | None = None
    for group in definition:
        failed = []
        for condition in group:
            passed, actual = _check_one(lead, condition, at, scores)
            if not passed:
                failed.append(f"{condition_describe(condition, persona_names=names)} ({actual})")
        if not failed:
            return DefinitionCheck(met=True)
        if closest is None or len(failed) < len(closest):
            closest = failed
    return DefinitionCheck(met=False, failed=closest or [])


def _check_one(
    lead: Lead, condition: dict[str, Any], at: datetime, scores: tuple[int, int, int]
) -> tuple[bool, str]:
    """Whether ``lead`` satisfies one condition, and its actual value in words."""
    field = condition["field"]
    if field in SCORE_FIELDS:
        return _score_passes(condition, scores), f"is {scores[SCORE_FIELDS[field][1]]}"
    if field == TOUCHES:
        n = _touches(condition, at).filter(lead_id=lead.pk).count()
        return n >= condition["value"], f"has {n:,}"
    passed = Lead.objects.filter(pk=lead.pk).filter(condition_q(condition)).exists()
    if field == PERSONA_FIELD:
        match = LeadPersona.objects.filter(lead_id=lead.pk).select_related("persona").first()
        return passed, f"is {match.persona.name}" if match else "has no persona"
    value = Lead.objects.filter(pk=lead.pk).values_list(field_path(field), flat=True).get()
    return passed, _actual(value)


# --- the stage gate --------------------------------------------------------------------------

# The stages a definition guards, and the agreement field holding it.
GATED = {Stage.MQL: "mql_definition", Stage.SQL: "sql_definition"}


def may_override_gate(user: User | None) -> bool:
    """Heads of marketing and of sales, and admins, may move a lead past the gate (with a
    reason)."""
    if user is None:
        return False
    return user.is_admin or (user.role == Role.HEAD and user.team in (Team.MARKETING, Team.SALES))


def stage_gate(*, lead: Lead, to_stage: str, by: User | None, reason: str) -> None:
    """Refuse a move of ``lead`` to ``mql`` or ``sql`` that the definition in force does not
    allow (Conflict listing the failed conditions), unless ``by`` may override the gate and
    gives a reason. No agreement in force, or no definition for the stage: no gate."""
    column = GATED.get(Stage(to_stage)) if to_stage in Stage.values else None
    if column is None:
        return
    agreement = agreement_in_force()
    definition = getattr(agreement, column) if agreement is not None else None
    if agreement is None or not definition:
        return
    check = definition_check(lead=lead, definition=definition)
    if check.met or (may_override_gate(by) and reason.strip()):
        return
    label = Stage(to_stage).label
    if may_override_gate(by):
        how = "give a reason to move it anyway"
    else:
        how = "a head of marketing or sales may move it anyway, giving a reason"
    message = (
        f"the lead does not meet the {label} definition of agreement v{agreement.version}: "
        f"{'; '.join(check.failed)}. {how.capitalize()}"
    )
    raise Conflict(message, fields={"to_stage": check.failed})
