"""Forms for the pages of the shared record.

Forms parse and present; the services in ``funnel.services`` validate and write. A service's
AccordError comes back to the form through ``add_service_error`` so its messages sit next to the
fields they are about.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.text import capfirst

from accord.errors import AccordError
from accord.funnel.models import (
    Account,
    Entity,
    Lead,
    PipelineStage,
    PropertyDefinition,
    PropertyType,
    Segment,
    Stage,
)
from accord.funnel.services import TRANSITIONS
from accord.teams.models import User

PROPERTY_PREFIX = "prop_"
# Stages a lead may be created in (the rest are reached by deals).
STARTING_STAGES = [Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL, Stage.RECYCLED, Stage.DISQUALIFIED]
# How many records a picker lists before the person searches.
PICKER_SIZE = 30


def _classed(widget: forms.Widget, css: str) -> forms.Widget:
    widget.attrs["class"] = css
    return widget


def text_input(**attrs: Any) -> forms.Widget:
    return _classed(forms.TextInput(attrs=attrs), "form-control")


def select(**attrs: Any) -> forms.Widget:
    return _classed(forms.Select(attrs=attrs), "form-select")


class AccordForm(forms.Form):
    """A form with Tabler classes, invalid markers on faulty fields and service error mapping."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()

    def field_for(self, key: str) -> str | None:
        """The form field a service error key points at, if the form shows it."""
        if key.startswith("properties."):
            key = PROPERTY_PREFIX + key.removeprefix("properties.")
        return key if key in self.fields else None

    def add_service_error(self, exc: AccordError) -> None:
        placed = False
        for key, messages in exc.fields.items():
            name = self.field_for(key)
            if name is None:
                continue
            # A lone fault reads best in the service's own sentence ("the amount cannot be
            # negative"); property faults carry the detail in their field message.
            if len(exc.fields) == 1 and not key.startswith("properties."):
                messages = [exc.message]
            for message in messages:
                self.add_error(name, capfirst(message))
            placed = True
        if not placed:
            self.add_error(None, capfirst(exc.message))


class RecordForm(AccordForm):
    """A record's form with one input per declared custom property, typed like the property."""

    entity: str = ""

    def __init__(
        self,
        *args: Any,
        definitions: Iterable[PropertyDefinition] = (),
        properties: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(definitions)
        for definition in self.definitions:
            name = PROPERTY_PREFIX + definition.key
            self.fields[name] = property_field(definition)
            if properties and definition.key in properties and not self.is_bound:
                self.initial[name] = property_initial(definition, properties[definition.key])

    @property
    def property_fields(self) -> list[forms.BoundField]:
        return [self[PROPERTY_PREFIX + d.key] for d in self.definitions]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(PROPERTY_PREFIX)]

    def cleaned_properties(self) -> dict[str, Any]:
        """Raw values for the service to coerce; an emptied input removes the property."""
        values: dict[str, Any] = {}
        for definition in self.definitions:
            raw = self.cleaned_data.get(PROPERTY_PREFIX + definition.key)
            if definition.type == PropertyType.BOOLEAN:
                values[definition.key] = {"yes": True, "no": False}.get(raw or "")
            else:
                values[definition.key] = None if raw in (None, "") else raw
        return values

    def cleaned_fields(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith(PROPERTY_PREFIX)
        }


def property_field(definition: PropertyDefinition) -> forms.Field:
    label = definition.label
    if definition.type == PropertyType.NUMBER:
        widget = _classed(forms.NumberInput(attrs={"step": "any"}), "form-control")
        return forms.CharField(label=label, required=False, widget=widget)
    if definition.type == PropertyType.DATE:
        widget = _classed(forms.DateInput(attrs={"type": "date"}), "form-control")
        return forms.CharField(label=label, required=False, widget=widget)
    if definition.type == PropertyType.BOOLEAN:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
            widget=select(),
        )
    return forms.CharField(label=label, required=False, widget=text_input())


def property_initial(definition: PropertyDefinition, value: Any) -> Any:
    if definition.type == PropertyType.BOOLEAN:
        return "yes" if value else "no"
    return value


class PickerSelect(forms.Select):
    """A select of a few records with a search box that fetches more (for big tables)."""

    template_name = "funnel/widgets/picker.html"

    def __init__(self, *, search_url: str, placeholder: str) -> None:
        super().__init__(attrs={"class": "form-select"})
        self.search_url = search_url
        self.placeholder = placeholder

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        context["widget"]["placeholder"] = self.placeholder
        return context


def limit_picker(field: forms.Field, choices: Iterable[Model], current: Model | None) -> None:
    """Show only a handful of records in a picker (plus the chosen one); validation still sees
    every record through the field's queryset."""
    assert isinstance(field, forms.ModelChoiceField)
    shown: list[Any] = [("", "—")]
    seen: set[Any] = set()
    for obj in [current, *choices]:
        if obj is not None and obj.pk not in seen:
            seen.add(obj.pk)
            shown.append((obj.pk, field.label_from_instance(obj)))
    field.widget.choices = shown


def people() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def lead_label(lead: Lead) -> str:
    return f"{lead.name} <{lead.email}>" if lead.email and lead.name != lead.email else lead.name


class OwnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class LeadChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return lead_label(obj)


def owner_field() -> OwnerField:
    return OwnerField(queryset=people(), required=False, label="Owner", widget=select())


def account_field() -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        queryset=Account.objects.all(),
        required=False,
        label="Account",
        widget=PickerSelect(search_url="account_options", placeholder="Search accounts…"),
    )


def lead_field(label: str) -> LeadChoiceField:
    return LeadChoiceField(
        queryset=Lead.objects.all(),
        required=False,
        label=label,
        widget=PickerSelect(search_url="lead_options", placeholder="Search leads…"),
    )


# --- leads -------------------------------------------------------------------------------------


class LeadForm(RecordForm):
    entity = Entity.LEAD

    first_name = forms.CharField(max_length=100, required=False, widget=text_input())
    last_name = forms.CharField(max_length=100, required=False, widget=text_input())
    email = forms.CharField(
        max_length=254,
        required=False,
        widget=_classed(forms.EmailInput(attrs={"autocomplete": "off"}), "form-control"),
        help_text="A lead needs an email or an external id.",
    )
    title = forms.CharField(max_length=200, required=False, widget=text_input())
    phone = forms.CharField(max_length=50, required=False, widget=text_input())
    source = forms.CharField(
        max_length=100,
        required=False,
        widget=text_input(placeholder="e.g. Webinar, Organic search"),
    )
    account = account_field()
    owner = owner_field()
    external_id = forms.CharField(
        max_length=100,
        required=False,
        label="External id",
        widget=text_input(),
        help_text="The lead's id in another system, used to match imports.",
    )

    def __init__(
        self,
        *args: Any,
        lead: Lead | None = None,
        chosen_account: Account | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        if lead is None:
            self.fields["stage"] = forms.ChoiceField(
                label="Starting stage",
                choices=[(s, Stage(s).label) for s in STARTING_STAGES],
                initial=Stage.LEAD,
                widget=select(),
                help_text="Later moves go through the stage machine on the lead's page.",
            )
            # Keep custom properties last.
            self.order_fields([n for n in self.fields if not n.startswith(PROPERTY_PREFIX)])
        current = lead.account if lead else chosen_account
        if self.is_bound:
            current = _pick(self.data.get("account"), Account) or current
        first_accounts = Account.objects.order_by("name")[:PICKER_SIZE]
        limit_picker(self.fields["account"], first_accounts, current)


# --- accounts ----------------------------------------------------------------------------------


class AccountForm(RecordForm):
    entity = Entity.ACCOUNT

    name = forms.CharField(max_length=200, widget=text_input())
    domain = forms.CharField(
        max_length=200, required=False, widget=text_input(placeholder="example.com")
    )
    industry = forms.CharField(max_length=100, required=False, widget=text_input())
    employees = forms.IntegerField(
        min_value=0,
        required=False,
        widget=_classed(forms.NumberInput(), "form-control"),
    )
    country = forms.CharField(max_length=100, required=False, widget=text_input())
    segment = forms.ChoiceField(
        choices=[("", "—"), *Segment.choices], required=False, widget=select()
    )
    is_target = forms.BooleanField(
        required=False,
        label="Target account",
        help_text="On the account-based marketing list.",
        widget=_classed(forms.CheckboxInput(), "form-check-input"),
    )
    owner = owner_field()
    external_id = forms.CharField(
        max_length=100, required=False, label="External id", widget=text_input()
    )


# --- deals -------------------------------------------------------------------------------------


class PipelineStageField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.probability} %)"


class DealForm(RecordForm):
    entity = Entity.DEAL

    name = forms.CharField(max_length=200, widget=text_input())
    amount = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        widget=_classed(forms.NumberInput(attrs={"step": "0.01", "min": "0"}), "form-control"),
    )
    pipeline_stage = PipelineStageField(
        queryset=PipelineStage.objects.all(),
        required=False,
        label="Pipeline stage",
        empty_label=None,
        widget=select(),
    )
    account = account_field()
    primary_lead = lead_field("Primary lead")
    owner = owner_field()
    external_id = forms.CharField(
        max_length=100, required=False, label="External id", widget=text_input()
    )

    def __init__(
        self,
        *args: Any,
        deal_account: Account | None = None,
        deal_lead: Lead | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        account, lead = deal_account, deal_lead
        if self.is_bound:
            account = _pick(self.data.get("account"), Account) or account
            lead = _pick(self.data.get("primary_lead"), Lead) or lead
        first_accounts = Account.objects.order_by("name")[:PICKER_SIZE]
        limit_picker(self.fields["account"], first_accounts, account)
        newest = Lead.objects.order_by("-created_at", "-id")[:PICKER_SIZE]
        limit_picker(self.fields["primary_lead"], newest, lead)


def _pick(raw: Any, model: type[Any]) -> Any:
    if raw and str(raw).isdigit():
        return model._default_manager.filter(pk=raw).first()
    return None


# --- actions on a record -----------------------------------------------------------------------


class MoveForm(AccordForm):
    """Move a lead to one of the stages the stage machine allows from where it is."""

    to_stage = forms.ChoiceField(label="Move to", widget=select())
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=text_input(placeholder="Why? e.g. asked for a demo"),
    )

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = sorted(TRANSITIONS[lead.stage], key=Stage.values.index)
        # Any stage validates, so an illegal move gets the stage machine's own reason; only the
        # allowed ones are offered.
        self.fields["to_stage"].choices = Stage.choices  # type: ignore[attr-defined]
        self.fields["to_stage"].widget.choices = [(s, Stage(s).label) for s in allowed]
        self.allowed = allowed

    def add_service_error(self, exc: AccordError) -> None:
        # Every stage-machine refusal is about the move itself.
        self.add_error("to_stage", capfirst(exc.message))


class NoteForm(AccordForm):
    body = forms.CharField(
        label="Note",
        widget=_classed(
            forms.Textarea(attrs={"rows": 2, "placeholder": "What happened? What's next?"}),
            "form-control",
        ),
    )


class LoseForm(AccordForm):
    loss_reason = forms.CharField(
        label="Why was it lost?",
        max_length=200,
        widget=text_input(placeholder="e.g. Chose a competitor, no budget"),
    )


class DealStageForm(AccordForm):
    pipeline_stage = PipelineStageField(
        queryset=PipelineStage.objects.all(), label="Pipeline stage", widget=select()
    )


# --- settings ----------------------------------------------------------------------------------


class PropertyForm(AccordForm):
    entity = forms.ChoiceField(label="Record", choices=Entity.choices, widget=select())
    label = forms.CharField(max_length=120, widget=text_input(placeholder="e.g. Annual revenue"))
    type = forms.ChoiceField(choices=PropertyType.choices, widget=select())
    key = forms.CharField(
        max_length=80,
        required=False,
        widget=text_input(placeholder="made from the label"),
        help_text="The name in imports, the API and filters (prop.KEY).",
    )


class PipelineStageForm(AccordForm):
    name = forms.CharField(max_length=60, widget=text_input())
    probability = forms.IntegerField(
        label="Win probability (%)",
        min_value=0,
        max_value=100,
        widget=_classed(forms.NumberInput(attrs={"min": 0, "max": 100}), "form-control"),
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        widget=_classed(forms.NumberInput(attrs={"min": 0}), "form-control"),
        help_text="Stages are listed by position, lowest first.",
    )
