"""Settings pages for people, teams and API tokens.

Everyone sees the people and the teams; only admins add people or change their team, role or
access. Everyone manages their own API tokens; admins see and may revoke everyone's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst

from accord.teams.forms import TokenForm, UserCreateForm, UserEditForm
from accord.teams.models import ApiToken, Role, Team, User
from accord.teams.services import TeamsError, token_create, token_revoke, user_create, user_update

ADMIN_ONLY = "only an admin can add people or change their team, role or access"


def refused(request: HttpRequest, message: str) -> HttpResponse:
    """The page for an action the person may not take."""
    return render(request, "teams/refused.html", {"message": message}, status=403)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def settings_users(request: HttpRequest) -> HttpResponse:
    people = User.objects.order_by("-is_active", "first_name", "last_name", "username")
    context = {"people": list(people), "settings_section": "users"}
    return render(request, "teams/settings_users.html", context)


@login_required
def settings_user_create(request: HttpRequest) -> HttpResponse:
    if not _me(request).is_admin:
        return refused(request, ADMIN_ONLY)
    status = 200
    if request.method == "POST":
        form = UserCreateForm(request.POST)
        if form.is_valid():
            try:
                person = user_create(**form.cleaned_data)
            except TeamsError as exc:
                where = "username" if "already exists" in str(exc) else None
                form.add_error(where, capfirst(str(exc)))
            else:
                messages.success(request, f"{person} can now log in as {person.username}.")
                return redirect("settings_users")
        status = 400
    else:
        form = UserCreateForm()
    context = {"form": form, "settings_section": "users", "title": "Add a person"}
    return render(request, "teams/settings_user_form.html", context, status=status)


@login_required
def settings_user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    me = _me(request)
    if not me.is_admin:
        return refused(request, ADMIN_ONLY)
    status = 200
    if request.method == "POST":
        form = UserEditForm(request.POST)
        if form.is_valid():
            try:
                user_update(user=person, by=me, **form.cleaned_data)
            except TeamsError as exc:
                form.add_error(None, capfirst(str(exc)))
            else:
                messages.success(request, f"{person} saved.")
                return redirect("settings_users")
        status = 400
    else:
        form = UserEditForm(
            initial={"team": person.team, "role": person.role, "is_active": person.is_active}
        )
    context = {
        "form": form,
        "person": person,
        "settings_section": "users",
        "title": f"Edit {person}",
    }
    return render(request, "teams/settings_user_form.html", context, status=status)


@login_required
def settings_teams(request: HttpRequest) -> HttpResponse:
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(Role.values)),
        output_field=IntegerField(),
    )
    people = list(
        User.objects.filter(is_active=True)
        .annotate(role_order=role_order)
        .order_by("role_order", "first_name", "last_name", "username")
    )
    teams = [
        (value, label, [p for p in people if p.team == value]) for value, label in Team.choices
    ]
    context = {"teams": teams, "settings_section": "teams"}
    return render(request, "teams/settings_teams.html", context)


def _tokens_page(
    request: HttpRequest,
    form: TokenForm,
    *,
    created: tuple[ApiToken, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    me = _me(request)
    tokens = ApiToken.objects.select_related("user").order_by("revoked_at", "-created_at")
    if not me.is_admin:
        tokens = tokens.filter(user=me)
    context: dict[str, Any] = {
        "form": form,
        "tokens": list(tokens),
        "created": created,
        "settings_section": "tokens",
    }
    return render(request, "teams/settings_tokens.html", context, status=status)


@login_required
def settings_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, raw = token_create(user=_me(request), name=form.cleaned_data["name"])
            except TeamsError as exc:
                form.add_error("name", capfirst(str(exc)))
            else:
                # The raw token is shown on this response only; it is never stored.
                return _tokens_page(request, TokenForm(), created=(token, raw))
        return _tokens_page(request, form, status=400)
    return _tokens_page(request, TokenForm())


@login_required
def settings_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    if request.method == "POST":
        try:
            token_revoke(token=token, by=_me(request))
        except TeamsError as exc:
            return refused(request, str(exc))
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("settings_tokens")
