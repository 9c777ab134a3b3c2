"""The wizard's forms: the upload, and the choice of a target for every column."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.funnel.properties import property_key
from accord.imports.fields import FIELDS, LINK_LABELS, MUST_MAP, PROPERTY_ENTITY
from accord.imports.mapping import Plan, Target
from accord.imports.models import ImportEntity, ImportPreset

PROPERTY = "__property__"
SKIP = "__ignore__"


class UploadForm(forms.Form):
    entity = forms.ChoiceField(
        label="The file holds",
        choices=ImportEntity.choices,
        initial=ImportEntity.LEADS,
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "entity"}),
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Comma, semicolon or tab separated; UTF-8 or Latin-1. Exports of any size.",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.tsv,.txt,text/csv"}
        ),
    )
    preset = forms.ChoiceField(
        label="Exported from",
        choices=ImportPreset.choices,
        required=False,
        help_text="Knows the export's column names and its lifecycle stages.",
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "preset"}),
    )


def target_choices(entity: str) -> list[tuple[str, Any]]:
    """The select's options: the entity's fields (links once per way to find the record), then
    a custom property, then leaving the column out."""
    fields: list[tuple[str, str]] = []
    for spec in FIELDS[entity].values():
        if spec.kind == "link":
            for by in spec.by:
                fields.append((f"{spec.name}:{by}", f"{spec.label} (by {LINK_LABELS[by]})"))
        else:
            fields.append((spec.name, spec.label))
    other: list[tuple[str, str]] = []
    if entity in PROPERTY_ENTITY:
        other.append((PROPERTY, "Custom property"))
    other.append((SKIP, "Ignore this column"))
    return [("Fields", fields), ("Other", other)]


def choice_of(target: Target) -> str:
    if target.kind == "ignore":
        return SKIP
    if target.kind == "property":
        return PROPERTY
    return f"{target.field}:{target.by}" if target.by else target.field


class MappingForm(forms.Form):
    """One select per column of the file, named by the column's position."""

    def __init__(self, *args: Any, plan: Plan, suggested: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.suggested = suggested
        choices = target_choices(plan.entity)
        for index, (header, target) in enumerate(zip(plan.headers, plan.targets, strict=True)):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                initial=choice_of(target),
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "data-column": header}
                ),
            )

    def rows(self) -> list[tuple[str, forms.BoundField, str]]:
        """(header, its select, a hint on what the choice does) for each column."""
        out = []
        for index, header in enumerate(self.plan.headers):
            bound = self[f"col_{index}"]
            value = str(bound.value())
            suggested = self.suggested.targets[index]
            hint = ""
            if value == PROPERTY:
                hint = f"custom property “{property_key(header)}”"
            elif suggested.values and value == choice_of(suggested):
                hint = "values translated by the preset"
            out.append((header, bound, hint))
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen: dict[str, str] = {}
        for index, header in enumerate(self.plan.headers):
            value = cleaned.get(f"col_{index}")
            if value is None:
                continue
            if value not in (PROPERTY, SKIP):
                field = value.split(":")[0]
                if field in chosen:
                    raise forms.ValidationError(
                        f"“{chosen[field]}” and “{header}” both go to "
                        f"{FIELDS[self.plan.entity][field].label}; choose one"
                    )
                chosen[field] = header
        for options in MUST_MAP[self.plan.entity]:
            if not any(option in chosen for option in options):
                labels = " or ".join(FIELDS[self.plan.entity][o].label for o in options)
                raise forms.ValidationError(f"map a column to {labels}: every row needs one")
        return cleaned

    def mapping(self) -> dict[str, Any]:
        """The choices as a mapping file; a preset's value map is kept where its field is kept."""
        columns: dict[str, Any] = {}
        ignore: list[str] = []
        for index, header in enumerate(self.plan.headers):
            value = self.cleaned_data[f"col_{index}"]
            suggested = self.suggested.targets[index]
            if value == SKIP:
                ignore.append(header)
                continue
            if value == PROPERTY:
                columns[header] = "property"  # keyed by the header in snake_case
                continue
            field, _, by = value.partition(":")
            values = suggested.values if suggested.field == field and not by else ()
            columns[header] = Target("field", field=field, by=by, values=values).as_json(header)
        return {
            "columns": columns,
            "empty_values": list(self.plan.empty_values),
            "ignore": ignore,
        }
