"""Forms of the agreement pages: personas, scoring rules, proposals and comments.

Forms parse and present; the services validate and write. Criteria are typed one condition a
line (``title contains VP, Head``; ``account.employees between 50..1000``) and parsed here into
the JSON conditions the services take; the services still validate every field, type and value,
and their AccordError comes back next to the field at fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import Any

from django import forms

from accord.agreement.models import (
    Agreement,
    FeedbackCadence,
    Persona,
    ScoringModel,
)
from accord.agreement.selectors import OPS, PERSONA_FIELD
from accord.campaigns.models import Channel, TouchKind
from accord.funnel.forms import AccordForm, select, text_input

WEEKDAYS = [
    (1, "Mon"),
    (2, "Tue"),
    (3, "Wed"),
    (4, "Thu"),
    (5, "Fri"),
    (6, "Sat"),
    (7, "Sun"),
]
CRITERIA_HELP = (
    "One condition a line, all must hold: FIELD OP VALUE. Ops: contains (any of the words), "
    "in (one of the values), equals, between (min..max, either end may be left out), is_set "
    "(yes or no). E.g. “title contains VP, Head”, “account.employees between 50..1000”, "
    "“account.industry in Software, Fintech”, “prop.trial is_set yes”."
)
DEFINITION_HELP = (
    "A list of groups; a lead meets the definition when it meets every condition of at least "
    'one group. E.g. [[{"field": "score", "op": "at_least", "value": 60}], '
    '[{"field": "touches", "op": "at_least", "value": 1, "kinds": ["demo_request"], '
    '"within_days": 90}]]. Leave empty for no definition (no lead is moved automatically).'
)


def textarea(rows: int = 3, **attrs: Any) -> forms.Widget:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", **attrs})


def number_input(**attrs: Any) -> forms.Widget:
    return forms.NumberInput(attrs={"class": "form-control", **attrs})


# --- criteria, one condition a line ---------------------------------------------------------


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _persona_ids(names: Sequence[str]) -> list[int | str]:
    """Persona conditions are typed by name (or id); the service takes ids."""
    by_name = {p.name.lower(): p.pk for p in Persona.objects.all()}
    ids: list[int | str] = []
    for name in names:
        if name.isdigit():
            ids.append(int(name))
        elif name.lower() in by_name:
            ids.append(by_name[name.lower()])
        else:
            raise forms.ValidationError(f"no persona named “{name}”")
    return ids


def parse_condition(line: str) -> dict[str, Any]:
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise forms.ValidationError(f"“{line}”: write FIELD OP VALUE")
    field, op = parts[0], parts[1].lower()
    rest = parts[2].strip() if len(parts) > 2 else ""
    if op not in OPS:
        raise forms.ValidationError(f"“{line}”: unknown op {op!r}; use one of {', '.join(OPS)}")
    value: Any
    if field == PERSONA_FIELD:
        ids = _persona_ids(_split(rest))
        value = ids if op == "in" else (ids[0] if ids else None)
    elif op in ("contains", "in"):
        value = _split(rest)
    elif op == "between":
        if ".." not in rest:
            raise forms.ValidationError(f"“{line}”: between takes min..max")
        low, _, high = rest.partition("..")
        value = [low.strip() or None, high.strip() or None]
    elif op == "is_set":
        value = rest.lower() not in ("no", "false", "0")
    else:
        value = rest
    return {"field": field, "op": op, "value": value}


def parse_criteria(text: str) -> list[dict[str, Any]]:
    """Conditions from the lines of ``text`` (or a JSON list, as the API takes them)."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        if not isinstance(loaded, list):
            raise forms.ValidationError("a list of conditions")
        return loaded
    return [parse_condition(line.strip()) for line in text.splitlines() if line.strip()]


def _value_text(condition: dict[str, Any], persona_names: dict[int, str]) -> str:
    op, value = condition.get("op"), condition.get("value")
    if condition.get("field") == PERSONA_FIELD:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(
            persona_names.get(i, str(i)) if isinstance(i, int) else str(i) for i in ids
        )
    if op == "between" and isinstance(value, list) and len(value) == 2:
        low, high = ("" if v is None else str(v) for v in value)
        return f"{low}..{high}"
    if op == "is_set":
        return "yes" if value is not False else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def criteria_lines(criteria: Iterable[dict[str, Any]]) -> str:
    """The criteria as the lines the form takes (and the pages show)."""
    conditions = list(criteria)
    persona_names: dict[int, str] = {}
    if any(c.get("field") == PERSONA_FIELD for c in conditions):
        persona_names = dict(Persona.objects.values_list("pk", "name"))
    return "\n".join(
        f"{c.get('field')} {c.get('op')} {_value_text(c, persona_names)}".rstrip()
        for c in conditions
    )


class CriteriaField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", textarea(4, spellcheck="false"))
        kwargs.setdefault("help_text", CRITERIA_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        return parse_criteria(super().clean(value) or "")


# --- personas --------------------------------------------------------------------------------


class PersonaForm(AccordForm):
    name = forms.CharField(max_length=120, widget=text_input())
    priority = forms.IntegerField(
        min_value=0,
        max_value=32767,
        initial=100,
        widget=number_input(),
        help_text="A lead matching several personas gets the one with the lowest priority.",
    )
    description = forms.CharField(required=False, widget=textarea())
    pains = forms.CharField(required=False, widget=textarea())
    goals = forms.CharField(required=False, widget=textarea())
    objections = forms.CharField(required=False, widget=textarea())
    messaging = forms.CharField(required=False, widget=textarea())
    criteria = CriteriaField(required=False, label="Matching criteria")

    wide = ("name", "description", "criteria")

    def initial_from(self, persona: Persona) -> None:
        for name in self.fields:
            self.initial[name] = getattr(persona, name)
        self.initial["criteria"] = criteria_lines(persona.criteria)


# --- scoring rules ---------------------------------------------------------------------------


class FitRuleForm(AccordForm):
    label = forms.CharField(max_length=200, widget=text_input(placeholder="Decision maker"))
    points = forms.IntegerField(
        widget=number_input(), help_text="From -100 to 100; negative points push a lead down."
    )
    criteria = CriteriaField(
        help_text=CRITERIA_HELP + " In scoring rules “persona in NAME, NAME” also works."
    )


def _multi(choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )


class EngagementRuleForm(AccordForm):
    label = forms.CharField(max_length=200, widget=text_input(placeholder="Demo requests"))
    points = forms.IntegerField(widget=number_input(), help_text="Points per matching touch.")
    cap = forms.IntegerField(
        min_value=1,
        max_value=100,
        widget=number_input(),
        help_text="The most (or, with negative points, the least) the rule gives.",
    )
    half_life_days = forms.FloatField(
        required=False,
        label="Half-life (days)",
        widget=number_input(step="any"),
        help_text="A touch this old counts half. Empty: no decay.",
    )
    kinds = _multi(TouchKind.choices)
    channels = _multi(Channel.choices)
    content_contains = forms.CharField(
        required=False,
        label="Content contains",
        widget=text_input(placeholder="pricing, case study"),
        help_text="Words, separated by commas; empty: any content.",
    )

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["content_contains"] = _split(data.get("content_contains") or "")
        return data


# --- proposals -------------------------------------------------------------------------------


class ProposalCreateForm(AccordForm):
    title = forms.CharField(
        max_length=200, widget=text_input(placeholder="Raise the MQL threshold to 70")
    )
    summary = forms.CharField(
        required=False, widget=textarea(4), help_text="What this version changes, and why."
    )
    based_on = forms.ModelChoiceField(
        queryset=Agreement.objects.all(),
        required=False,
        label="Start from",
        empty_label="The version in force",
        widget=select(),
    )


class _LinesField(forms.CharField):
    """A list of records typed one a line, the parts separated by “|”."""

    def __init__(self, *, keys: Sequence[str], required_keys: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", textarea(4, spellcheck="false"))
        super().__init__(**kwargs)
        self.keys = keys
        self.required_keys = required_keys

    def to_records(self, text: str) -> list[dict[str, Any]]:
        records = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) > len(self.keys):
                raise forms.ValidationError(
                    f"line {n}: at most {len(self.keys)} parts separated by “|”"
                )
            if len([p for p in parts if p]) < self.required_keys:
                raise forms.ValidationError(f"line {n}: needs {' | '.join(self.keys)}")
            parts += [""] * (len(self.keys) - len(parts))
            records.append(dict(zip(self.keys, parts, strict=True)))
        return records

    def clean(self, value: Any) -> Any:
        return self.to_records(super().clean(value) or "")

    @staticmethod
    def lines(records: Iterable[dict[str, Any]], keys: Sequence[str]) -> str:
        out = []
        for record in records:
            parts = ["" if record.get(k) is None else str(record.get(k)) for k in keys]
            while parts and not parts[-1]:
                parts.pop()
            out.append(" | ".join(parts))
        return "\n".join(out)


class CommitmentsField(_LinesField):
    def clean(self, value: Any) -> Any:
        records = super().clean(value)
        out = []
        for n, record in enumerate(records, 1):
            segment, per_month = record["segment"], record["per_month"]
            if not per_month and segment.isdigit():
                # “40” alone: 40 MQLs a month over every segment.
                segment, per_month = "", segment
            if not per_month.isdigit():
                raise forms.ValidationError(f"line {n}: MQLs per month must be a whole number")
            out.append(
                {
                    "segment": "" if segment.lower() == "all" else segment,
                    "per_month": int(per_month),
                }
            )
        return out


class DefinitionField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", textarea(6, spellcheck="false", **{"class": "form-control font-monospace"})
        )
        kwargs.setdefault("help_text", DEFINITION_HELP)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = (super().clean(value) or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc


def definition_text(definition: Any) -> str:
    """A definition as the form shows it: one group a line."""
    if not definition:
        return ""
    groups = [json.dumps(group, ensure_ascii=False) for group in definition]
    return "[\n  " + ",\n  ".join(groups) + "\n]"


# Fields of the proposal form in the order and sections the page shows them.
PROPOSAL_SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("About this version", ("title", "summary")),
    (
        "Who the customer is, and what a good lead is",
        ("personas", "mql_definition", "sql_definition", "scoring_model"),
    ),
    ("Terminology", ("terminology",)),
    ("Marketing commits to", ("mql_commitments", "min_acceptance_rate", "marketing_other")),
    (
        "Sales commits to",
        (
            "accept_within_hours",
            "first_contact_within_hours",
            "attempts",
            "attempts_within_days",
            "reason_required",
            "feedback_cadence",
            "sales_other",
        ),
    ),
    ("Rejection reasons", ("rejection_reasons",)),
    (
        "Business hours",
        ("time_zone", "business_days", "business_start", "business_end", "holidays"),
    ),
    ("Rules of engagement", ("points_of_contact", "meeting_cadence", "feedback_loops")),
    (
        "Rules of disengagement",
        ("consequences", "disputes", "dissolution", "review_date", "review_cadence_months"),
    ),
]
TERM_KEYS = ("term", "meaning", "our_words")
REASON_KEYS = ("code", "label")
HOLIDAY_KEYS = ("date", "name")
COMMITMENT_KEYS = ("segment", "per_month")


class ProposalForm(AccordForm):
    """Every term of a proposal. ``changes`` gives only what differs from the proposal."""

    title = forms.CharField(max_length=200, widget=text_input())
    summary = forms.CharField(required=False, widget=textarea(3))
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="The personas both teams agree on.",
    )
    mql_definition = DefinitionField(label="MQL definition")
    sql_definition = DefinitionField(label="SQL definition")
    scoring_model = forms.ModelChoiceField(
        queryset=ScoringModel.objects.all(),
        required=False,
        label="Scoring model",
        empty_label="No scoring model",
        widget=select(),
    )
    terminology = _LinesField(
        keys=TERM_KEYS,
        help_text="One term a line: TERM | what it means | our own words for it.",
    )
    mql_commitments = CommitmentsField(
        keys=COMMITMENT_KEYS,
        label="MQLs per month",
        help_text="One a line: SEGMENT | MQLs per month; “all | 40” or “40” for every segment.",
    )
    min_acceptance_rate = forms.IntegerField(
        min_value=0, max_value=100, label="Minimum acceptance rate (%)", widget=number_input()
    )
    marketing_other = forms.CharField(
        required=False, label="Marketing also commits to", widget=textarea()
    )
    accept_within_hours = forms.IntegerField(
        min_value=0, label="Accept or reject within (business hours)", widget=number_input()
    )
    first_contact_within_hours = forms.IntegerField(
        min_value=0, label="First contact within (business hours)", widget=number_input()
    )
    attempts = forms.IntegerField(min_value=0, label="Contact attempts", widget=number_input())
    attempts_within_days = forms.IntegerField(
        min_value=0, label="Attempts within (days)", widget=number_input()
    )
    reason_required = forms.BooleanField(
        required=False,
        label="A reason on every rejection",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    feedback_cadence = forms.ChoiceField(choices=FeedbackCadence.choices, widget=select())
    sales_other = forms.CharField(required=False, label="Sales also commits to", widget=textarea())
    rejection_reasons = _LinesField(
        keys=REASON_KEYS,
        required_keys=2,
        help_text="One a line: code | what it means (e.g. “bad_fit | Not our customer profile”).",
    )
    time_zone = forms.CharField(max_length=64, label="Time zone", widget=text_input())
    business_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        label="Business days",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    business_start = forms.TimeField(
        label="Business hours from",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    business_end = forms.TimeField(
        label="Business hours until",
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    holidays = _LinesField(
        keys=HOLIDAY_KEYS,
        help_text="One a line: YYYY-MM-DD | name. SLA clocks stop on these days.",
    )
    points_of_contact = forms.CharField(
        required=False, label="Points of contact", widget=textarea()
    )
    meeting_cadence = forms.CharField(required=False, label="Meeting cadence", widget=textarea())
    feedback_loops = forms.CharField(required=False, label="Feedback loops", widget=textarea())
    consequences = forms.CharField(
        required=False, label="When a side misses its commitments", widget=textarea()
    )
    disputes = forms.CharField(
        required=False, label="How disputes are raised and resolved", widget=textarea()
    )
    dissolution = forms.CharField(
        required=False, label="What dissolves the agreement", widget=textarea()
    )
    review_date = forms.DateField(
        required=False,
        label="Review date",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    review_cadence_months = forms.IntegerField(
        min_value=1, max_value=60, label="Review every (months)", widget=number_input()
    )

    wide = (
        "title",
        "summary",
        "personas",
        "mql_definition",
        "sql_definition",
        "terminology",
        "mql_commitments",
        "rejection_reasons",
        "holidays",
        "business_days",
    )

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        # A proposal takes its own draft scoring model or one that is not tied to another
        # proposal; the service has the last word.
        self.fields["scoring_model"].queryset = ScoringModel.objects.order_by("-version")  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.update(self.values_of(agreement))

    @staticmethod
    def values_of(agreement: Agreement) -> dict[str, Any]:
        """The proposal's current terms as the form shows them."""
        values: dict[str, Any] = {
            name: getattr(agreement, name)
            for name in (
                "title",
                "summary",
                "min_acceptance_rate",
                "marketing_other",
                "accept_within_hours",
                "first_contact_within_hours",
                "attempts",
                "attempts_within_days",
                "reason_required",
                "feedback_cadence",
                "sales_other",
                "time_zone",
                "business_days",
                "business_start",
                "business_end",
                "points_of_contact",
                "meeting_cadence",
                "feedback_loops",
                "consequences",
                "disputes",
                "dissolution",
                "review_date",
                "review_cadence_months",
            )
        }
        values["personas"] = [p.pk for p in agreement.personas.all()]
        values["scoring_model"] = agreement.scoring_model_id
        values["mql_definition"] = definition_text(agreement.mql_definition)
        values["sql_definition"] = definition_text(agreement.sql_definition)
        values["terminology"] = _LinesField.lines(agreement.terminology, TERM_KEYS)
        values["mql_commitments"] = _LinesField.lines(
            [
                {**c, "segment": c.get("segment") or "all"}
                for c in agreement.mql_commitments
                if isinstance(c, dict)
            ],
            COMMITMENT_KEYS,
        )
        values["rejection_reasons"] = _LinesField.lines(agreement.rejection_reasons, REASON_KEYS)
        values["holidays"] = _LinesField.lines(agreement.holidays, HOLIDAY_KEYS)
        return values

    def changes(self) -> dict[str, Any]:
        """Only the terms the form changed, so an unchanged save keeps the signatures."""
        data = self.cleaned_data
        diff: dict[str, Any] = {}
        agreement = self.agreement
        for name, value in data.items():
            if name == "personas":
                now = sorted(p.pk for p in value)
                if now != sorted(p.pk for p in agreement.personas.all()):
                    diff[name] = list(value)
                continue
            if name == "scoring_model":
                if (value.pk if value else None) != agreement.scoring_model_id:
                    diff[name] = value
                continue
            current = getattr(agreement, name)
            if name == "business_days":
                if sorted(value) != sorted(current or []):
                    diff[name] = sorted(value)
                continue
            if isinstance(current, time | date) or current is None:
                if value != current:
                    diff[name] = value
                continue
            if current != value and not (current in ("", None) and value in ("", None)):
                diff[name] = value
        return diff

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in PROPOSAL_SECTIONS]


class CommentForm(AccordForm):
    body = forms.CharField(
        label="Comment",
        max_length=5000,
        widget=textarea(3, placeholder="What do you think of this proposal?"),
    )
