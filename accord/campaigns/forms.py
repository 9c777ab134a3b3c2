"""Forms of the campaign pages. ``campaigns.services`` validates and writes."""

from __future__ import annotations

from django import forms

from accord.campaigns.models import Channel
from accord.funnel.forms import RecordForm, select, text_input
from accord.teams.models import Team


class CampaignForm(RecordForm):
    name = forms.CharField(max_length=200, widget=text_input())
    channel = forms.ChoiceField(choices=Channel.choices, widget=select())
    owner_team = forms.ChoiceField(
        label="Owner team", choices=Team.choices, initial=Team.MARKETING, widget=select()
    )
    starts_on = forms.DateField(
        label="Starts on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    ends_on = forms.DateField(
        label="Ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    cost = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "form-control"}),
        help_text="What it cost in all; used for cost per lead and return on investment.",
    )
    external_id = forms.CharField(
        max_length=100, required=False, label="External id", widget=text_input()
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
