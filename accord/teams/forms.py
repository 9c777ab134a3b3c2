"""Forms of the people and token settings. The services in ``teams.services`` do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accord.funnel.forms import AccordForm, select, text_input
from accord.teams.models import Role, Team


class UserCreateForm(AccordForm):
    username = forms.CharField(
        max_length=150,
        widget=text_input(autocomplete="off"),
        help_text="What they log in with: letters, digits and @ . + - _ only.",
    )
    first_name = forms.CharField(max_length=150, required=False, widget=text_input())
    last_name = forms.CharField(max_length=150, required=False, widget=text_input())
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"class": "form-control"})
    )
    team = forms.ChoiceField(choices=Team.choices, widget=select())
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER, widget=select())
    password = forms.CharField(
        label="Initial password",
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}),
        help_text="Share it with them safely; they can change it after logging in.",
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        try:
            # The same rule Django's own user model applies.
            from django.contrib.auth.validators import UnicodeUsernameValidator

            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            raise ValidationError("Use letters, digits and @ . + - _ only (no spaces).") from exc
        return username

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        password = self.cleaned_data.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserEditForm(AccordForm):
    team = forms.ChoiceField(choices=Team.choices, widget=select())
    role = forms.ChoiceField(choices=Role.choices, widget=select())
    is_active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="Inactive people cannot log in and their API tokens stop working.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class TokenForm(AccordForm):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        widget=text_input(placeholder="e.g. Website form, nightly sync"),
        help_text="Say what will use it, so you know which to revoke later.",
    )
