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

from typing import Any

from accord.agreement.models import Persona
from accord.agreement.selectors import ACCOUNT_PROPERTY, LEAD_PROPERTY, PERSONA_FIELD
from accord.agreement.services import condition_clean
from accord.campaigns.models import Channel, TouchKind
from accord.errors import AccordError

SCORE_FIELDS = {"score": "score", "fit": "fit", "engagement": "engagement"}
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
