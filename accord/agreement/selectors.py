"""Reads of the agreement app: criteria as SQL conditions, personas in matching order, the
agreement as a document of sections, the diff between two versions, proposals and audit trails."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    AuditEntry,
    EngagementRule,
    LeadPersona,
    Persona,
    ScoringModel,
    Signature,
)
from accord.campaigns.models import Campaign, Channel, TouchKind
from accord.funnel.models import Lead, Segment

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


# --- the agreement document ---------------------------------------------------------------------

WEEKDAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday"}
WEEKDAYS[7] = "Sunday"
SEGMENT_ALL = "all segments"


@dataclass(frozen=True)
class Item:
    """One term of the document: ``value`` is its text, ``lines`` its lines when it is a list
    (then ``value`` holds them joined). ``key`` identifies it across versions for the diff."""

    key: str
    label: str
    value: str
    lines: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines) if self.lines else self.value


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Change:
    """A term that differs between two versions; ``before`` is None for a term added,
    ``after`` None for a term removed."""

    section: str
    label: str
    before: str | None
    after: str | None


def _item(key: str, label: str, value: Any = "", lines: Sequence[str] = ()) -> Item:
    lines = tuple(str(line) for line in lines)
    text = "; ".join(lines) if lines else ("" if value is None else str(value))
    return Item(key=key, label=label, value=text, lines=lines)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _days_text(days: Sequence[int]) -> str:
    days = sorted(days)
    if not days:
        return ""
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]} to {WEEKDAYS[days[-1]]}"
    return ", ".join(WEEKDAYS.get(d, str(d)) for d in days)


def _unique_keys(prefix: str, labels: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    keys = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        keys.append(f"{prefix}:{label}" + (f" ({seen[label]})" if seen[label] > 1 else ""))
    return keys


def _persona_items(agreement: Agreement) -> list[Item]:
    # The texts both teams signed: the snapshot once in force, the live personas before.
    from accord.agreement.definitions import definition_describe

    if agreement.status == AgreementStatus.DRAFT or not agreement.persona_snapshot:
        people: list[dict[str, Any]] = [
            {
                "id": p.pk,
                "name": p.name,
                "description": p.description,
                "pains": p.pains,
                "goals": p.goals,
                "objections": p.objections,
                "messaging": p.messaging,
                "criteria": p.criteria,
            }
            for p in agreement.personas.all()
        ]
    else:
        people = list(agreement.persona_snapshot)
    items = []
    for person in people:
        lines = [person.get("description") or ""]
        for key, label in (
            ("pains", "Pains"),
            ("goals", "Goals"),
            ("objections", "Objections"),
            ("messaging", "Messaging"),
        ):
            if person.get(key):
                lines.append(f"{label}: {person[key]}")
        recognised = definition_describe([person["criteria"]]) if person.get("criteria") else []
        lines.append(
            f"Recognised by: {recognised[0]}" if recognised else "Recognises no lead (no criteria)"
        )
        items.append(
            _item(f"persona:{person['id']}", person["name"], lines=[x for x in lines if x])
        )
    return items or [_item("personas", "Personas", "No persona agreed")]


def _definition_item(key: str, label: str, definition: Any, stage: str) -> Item:
    from accord.agreement.definitions import definition_describe

    groups = definition_describe(definition)
    if not groups:
        return _item(key, label, f"No definition: no lead is moved to {stage} automatically")
    if len(groups) == 1:
        return _item(key, label, f"A lead meets it when {groups[0]}", lines=())
    return _item(key, label, lines=[f"Either {groups[0]}", *(f"or {g}" for g in groups[1:])])


def _engagement_text(rule: EngagementRule, campaigns: dict[int, str]) -> str:
    what = ", ".join(TouchKind(k).label.lower() for k in rule.kinds if k in TouchKind.values)
    text = f"{rule.points:+d} per {what or 'any'} touch"
    if rule.channels:
        channels = ", ".join(Channel(c).label.lower() for c in rule.channels if c in Channel.values)
        text += f" through {channels}"
    if rule.campaign_ids:
        names = ", ".join(campaigns.get(c, f"#{c}") for c in rule.campaign_ids)
        text += f" in {names}"
    if rule.content_contains:
        text += " about " + ", ".join(f"“{w}”" for w in rule.content_contains)
    text += f", at most {rule.cap} points"
    if rule.half_life_days:
        text += f", halving every {rule.half_life_days:g} days"
    return text


def _scoring_items(agreement: Agreement) -> list[Item]:
    from accord.agreement.definitions import definition_describe

    model = agreement.scoring_model
    if model is None:
        return [_item("scoring_model", "Scoring model", "No scoring model")]
    items = [
        _item(
            "scoring_model",
            "Scoring model",
            f"v{model.version}" + (f", {model.name}" if model.name else ""),
        )
    ]
    fit = list(model.fit_rules.all())
    engagement = list(model.engagement_rules.all())
    campaign_ids = {c for rule in engagement for c in rule.campaign_ids}
    campaigns = (
        dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "name"))
        if campaign_ids
        else {}
    )
    for key, rule in zip(_unique_keys("fit", [r.label for r in fit]), fit, strict=True):
        described = definition_describe([rule.criteria])
        when = described[0] if described else "always"
        items.append(_item(key, f"Fit: {rule.label}", f"{rule.points:+d} when {when}"))
    labels = [r.label for r in engagement]
    for key, touch_rule in zip(_unique_keys("engagement", labels), engagement, strict=True):
        text = _engagement_text(touch_rule, campaigns)
        items.append(_item(key, f"Engagement: {touch_rule.label}", text))
    if not fit and not engagement:
        items.append(_item("rules", "Rules", "No rules yet: every lead scores 0"))
    return items


def _commitment_lines(commitments: Sequence[dict[str, Any]]) -> list[str]:
    labels = dict(Segment.choices)
    return [
        f"{_plural(c['per_month'], 'MQL')} a month, {labels.get(c['segment'], SEGMENT_ALL)}"
        for c in commitments
    ]


def agreement_document(agreement: Agreement) -> list[Section]:
    """The version as ordered, labelled sections of items: the one source of the page, the print
    view, the PDF and the diff. A handful of queries, whatever the number of rules."""
    a = agreement
    proposer = str(a.proposed_by) if a.proposed_by else ""
    about = [
        _item("version", "Version", f"v{a.version}"),
        _item("status", "Status", a.get_status_display()),
        _item("title", "Title", a.title),
        _item("summary", "What this version changes", a.summary),
        _item("proposed_by", "Proposed by", proposer),
    ]
    if a.in_force_at:
        about.append(_item("in_force_at", "In force since", f"{a.in_force_at:%Y-%m-%d}"))
    if a.archived_at:
        about.append(_item("archived_at", "Archived on", f"{a.archived_at:%Y-%m-%d}"))
    hours = "business hour"
    sections = [
        Section("version", "This version", tuple(about)),
        Section("personas", "Who the customer is", tuple(_persona_items(a))),
        Section(
            "definitions",
            "What a good lead is",
            (
                _definition_item("mql_definition", "MQL definition", a.mql_definition, "mql"),
                _definition_item("sql_definition", "SQL definition", a.sql_definition, "sql"),
            ),
        ),
        Section("scoring", "How leads are scored", tuple(_scoring_items(a))),
        Section(
            "terminology",
            "Terminology",
            tuple(
                _item(
                    f"term:{t['term']}",
                    t["term"],
                    t["meaning"] + (f" (we say “{t['our_words']}”)" if t.get("our_words") else ""),
                )
                for t in a.terminology
            ),
        ),
        Section(
            "marketing",
            "Marketing commits to",
            (
                _item(
                    "mql_commitments",
                    "MQLs per month",
                    "No volume agreed" if not a.mql_commitments else "",
                    _commitment_lines(a.mql_commitments),
                ),
                _item(
                    "min_acceptance_rate",
                    "Acceptance rate",
                    f"At least {a.min_acceptance_rate} % of MQLs accepted by sales",
                ),
                _item("marketing_other", "Also", a.marketing_other),
            ),
        ),
        Section(
            "sales",
            "Sales commits to",
            (
                _item(
                    "accept_within_hours",
                    "Accept or reject an MQL",
                    f"Within {_plural(a.accept_within_hours, hours)}",
                ),
                _item(
                    "first_contact_within_hours",
                    "First contact",
                    f"Within {_plural(a.first_contact_within_hours, hours)}",
                ),
                _item(
                    "attempts",
                    "Follow-up attempts",
                    f"{_plural(a.attempts, 'attempt')} within "
                    f"{_plural(a.attempts_within_days, 'day')}",
                ),
                _item(
                    "reason_required",
                    "A reason on every rejection",
                    "Required" if a.reason_required else "Not required",
                ),
                _item(
                    "feedback_cadence", "Feedback to marketing", a.get_feedback_cadence_display()
                ),
                _item("sales_other", "Also", a.sales_other),
            ),
        ),
        Section(
            "rejection_reasons",
            "Rejection reasons",
            (
                _item(
                    "rejection_reasons",
                    "Reasons",
                    "None listed" if not a.rejection_reasons else "",
                    [f"{r['label']} ({r['code']})" for r in a.rejection_reasons],
                ),
            ),
        ),
        Section(
            "hours",
            "Business hours",
            (
                _item("time_zone", "Time zone", a.time_zone),
                _item("business_days", "Business days", _days_text(a.business_days)),
                _item(
                    "business_hours",
                    "Hours",
                    f"{a.business_start:%H:%M} to {a.business_end:%H:%M}",
                ),
                _item(
                    "holidays",
                    "Holidays",
                    "None" if not a.holidays else "",
                    [f"{h['date']} {h['name']}".strip() for h in a.holidays],
                ),
            ),
        ),
        Section(
            "engagement",
            "Rules of engagement",
            (
                _item("points_of_contact", "Points of contact", a.points_of_contact),
                _item("meeting_cadence", "Meetings", a.meeting_cadence),
                _item("feedback_loops", "Feedback loops", a.feedback_loops),
            ),
        ),
        Section(
            "disengagement",
            "Rules of disengagement",
            (
                _item("consequences", "When a side misses its commitments", a.consequences),
                _item("disputes", "Disputes", a.disputes),
                _item("dissolution", "What dissolves the agreement", a.dissolution),
                _item(
                    "review_date",
                    "Review date",
                    a.review_date.isoformat() if a.review_date else "Set when it comes into force",
                ),
                _item(
                    "review_cadence_months",
                    "Reviewed",
                    f"Every {_plural(a.review_cadence_months, 'month')}",
                ),
            ),
        ),
    ]
    return sections


# Sections that describe the version rather than what it says: left out of the diff.
NOT_COMPARED = frozenset({"version"})


def agreement_diff(proposal: Agreement, against: Agreement | None) -> list[Change]:
    """What ``proposal`` says differently from ``against`` (usually the version in force), in
    document order: terms changed, added and removed, including the definitions, each scoring
    rule and each persona. Everything is "added" against nothing."""
    after_sections = [s for s in agreement_document(proposal) if s.key not in NOT_COMPARED]
    before_items: dict[tuple[str, str], Item] = {}
    before_sections: list[Section] = []
    if against is not None:
        before_sections = [s for s in agreement_document(against) if s.key not in NOT_COMPARED]
        for section in before_sections:
            for item in section.items:
                before_items[(section.key, item.key)] = item
    result: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for section in after_sections:
        for item in section.items:
            seen.add((section.key, item.key))
            old = before_items.get((section.key, item.key))
            if old is None:
                result.append(Change(section.title, item.label, None, item.text))
            elif old.text != item.text:
                result.append(Change(section.title, item.label, old.text, item.text))
    for section in before_sections:
        for item in section.items:
            if (section.key, item.key) not in seen:
                result.append(Change(section.title, item.label, item.text, None))
    order = {s.title: i for i, s in enumerate(after_sections)}
    return sorted(result, key=lambda c: order.get(c.section, len(order)))


def document_fingerprint(agreement: Agreement) -> str:
    """A digest of what a version says (every compared term, not its title or status): two
    versions, or one version at two moments, say the same exactly when their digests match."""
    terms = [
        [section.key, item.key, item.text]
        for section in agreement_document(agreement)
        if section.key not in NOT_COMPARED
        for item in section.items
    ]
    return hashlib.sha256(json.dumps(terms, ensure_ascii=False).encode()).hexdigest()


# --- versions, proposals and their audit trail ---------------------------------------------------


def agreement_versions() -> QuerySet[Agreement]:
    """Every version, newest first, proposals and withdrawn ones included."""
    return Agreement.objects.select_related("proposed_by", "based_on", "scoring_model").order_by(
        "-version"
    )


def proposals_open() -> QuerySet[Agreement]:
    """Proposals still open for signature, newest first, with their signatures."""
    return (
        agreement_versions()
        .filter(status=AgreementStatus.DRAFT)
        .prefetch_related(
            Prefetch("signatures", queryset=Signature.objects.select_related("signed_by"))
        )
    )


def agreement_by_version(version: int) -> Agreement | None:
    return agreement_versions().filter(version=version).first()


def audit_for(obj: models.Model) -> QuerySet[AuditEntry]:
    """The audit trail of ``obj``, newest first. A version's trail includes its scoring model's."""
    from accord.agreement.audit import object_type

    q = Q(object_type=object_type(obj), object_id=str(obj.pk))
    if isinstance(obj, Agreement) and obj.scoring_model_id:
        q |= Q(object_type=object_type(ScoringModel), object_id=str(obj.scoring_model_id))
    return AuditEntry.objects.select_related("actor").filter(q).order_by("-at", "-id")
