"""Reads of the agreement app: criteria as SQL conditions, personas in matching order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from accord.agreement.models import Agreement, AgreementStatus, LeadPersona, Persona
from accord.funnel.models import Lead

TEXT = "text"
NUMBER = "number"
BOOLEAN = "boolean"
DATE = "date"

# Condition field → (ORM path from Lead, type). Custom properties are ``prop.KEY`` and
# ``account.prop.KEY``; their type is the declared one.
CRITERIA_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", TEXT),
    "source": ("source", TEXT),
    "email": ("email", TEXT),
    "first_name": ("first_name", TEXT),
    "last_name": ("last_name", TEXT),
    "phone": ("phone", TEXT),
    "stage": ("stage", TEXT),
    "account.name": ("account__name", TEXT),
    "account.domain": ("account__domain", TEXT),
    "account.industry": ("account__industry", TEXT),
    "account.country": ("account__country", TEXT),
    "account.segment": ("account__segment", TEXT),
    "account.employees": ("account__employees", NUMBER),
    "account.is_target": ("account__is_target", BOOLEAN),
}
LEAD_PROPERTY = "prop."
ACCOUNT_PROPERTY = "account.prop."
PERSONA_FIELD = "persona"
OPS = ("contains", "in", "equals", "between", "is_set")


def field_path(field: str) -> str:
    """The ORM path of a condition field already validated by ``criteria_clean``."""
    if field.startswith(ACCOUNT_PROPERTY):
        return "account__properties__" + field[len(ACCOUNT_PROPERTY) :]
    if field.startswith(LEAD_PROPERTY):
        return "properties__" + field[len(LEAD_PROPERTY) :]
    return CRITERIA_FIELDS[field][0]


def _equals(path: str, value: Any) -> Q:
    if isinstance(value, str):
        return Q(**{f"{path}__iexact": value})
    return Q(**{path: value})


def _is_set(field: str, path: str) -> Q:
    if field.startswith((LEAD_PROPERTY, ACCOUNT_PROPERTY)):
        container, _, key = path.rpartition("__")
        return (
            Q(**{f"{container}__has_key": key}) & ~Q(**{path: None}) & ~Q(**{f"{path}__exact": ""})
        )
    kind = CRITERIA_FIELDS[field][1]
    present = Q(**{f"{path}__isnull": False})
    return present & ~Q(**{path: ""}) if kind == TEXT else present


def condition_q(condition: dict[str, Any]) -> Q:
    """The SQL condition of one validated condition."""
    field, op = condition["field"], condition["op"]
    value: Any = condition.get("value")
    if field == PERSONA_FIELD:
        ids: list[int] = value if isinstance(value, list) else [value]
        return Q(Exists(LeadPersona.objects.filter(lead_id=OuterRef("pk"), persona_id__in=ids)))
    path = field_path(field)
    if op == "contains":
        words = value if isinstance(value, list) else [value]
        q = Q()
        for word in words:
            q |= Q(**{f"{path}__icontains": word})
        return q
    if op == "in":
        q = Q()
        for item in value:
            q |= _equals(path, item)
        return q
    if op == "equals":
        return _equals(path, value)
    if op == "between":
        low, high = value
        q = Q()
        if low is not None:
            q &= Q(**{f"{path}__gte": low})
        if high is not None:
            q &= Q(**{f"{path}__lte": high})
        return q
    # is_set
    present = _is_set(field, path)
    return present if value is not False else ~present


def criteria_q(criteria: Sequence[dict[str, Any]]) -> Q:
    """The SQL condition a lead satisfies when it satisfies every condition of ``criteria``."""
    q = Q()
    for condition in criteria:
        q &= condition_q(condition)
    return q


def personas_in_matching_order() -> list[Persona]:
    """Personas that can recognise leads, best first (see ``Persona``)."""
    personas = [p for p in Persona.objects.all() if p.criteria]
    return sorted(personas, key=lambda p: (p.priority, -len(p.criteria), p.pk))


def leads_with_persona(leads: QuerySet[Lead], personas: Sequence[Persona]) -> QuerySet[Any]:
    """``leads`` as rows ``{"id", "persona_id"}``: the best persona each satisfies, or None."""
    leads = leads.order_by()
    if not personas:
        nothing = Cast(Value(None), output_field=IntegerField())
        return leads.annotate(persona_id=nothing).values("id", "persona_id")
    best = Case(
        *[When(criteria_q(p.criteria), then=Value(p.pk)) for p in personas],
        default=Value(None),
        output_field=IntegerField(),
    )
    return leads.annotate(persona_id=best).values("id", "persona_id")


def lead_persona(lead: Lead) -> Persona | None:
    """The persona a lead was last matched to."""
    match = LeadPersona.objects.select_related("persona").filter(lead=lead).first()
    return match.persona if match else None


def persona_leads(persona: Persona) -> QuerySet[Lead]:
    return Lead.objects.filter(persona_match__persona=persona)


def agreement_in_force() -> Agreement | None:
    """The version of the agreement in force, or None before the first is signed."""
    return (
        Agreement.objects.select_related("scoring_model")
        .filter(status=AgreementStatus.IN_FORCE)
        .first()
    )
