"""Writes for people and tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accord.errors import AccordError, NotAllowed
from accord.teams.models import ApiToken, Role, Team, User, hash_token


class TeamsError(AccordError):
    """A request about people or tokens that cannot be carried out."""


class TeamsNotAllowed(NotAllowed, TeamsError):
    """The acting person may not do this to people or tokens (403)."""


@transaction.atomic
def user_create(
    *,
    username: str,
    team: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    if team not in Team.values:
        raise TeamsError(f"unknown team {team!r}; expected one of {', '.join(Team.values)}")
    if role not in Role.values:
        raise TeamsError(f"unknown role {role!r}; expected one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise TeamsError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        team=team,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, by: User, team: str, role: str, is_active: bool) -> User:
    if not by.is_admin:
        raise TeamsNotAllowed("only an admin can change a person's team or role")
    if user == by and not is_active:
        raise TeamsError("you cannot deactivate yourself")
    user.team, user.role, user.is_active = team, role, is_active
    # The admin role is the one that manages the installation, the admin site included.
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["team", "role", "is_active", "is_staff", "is_superuser"])
    return user


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with the raw value, which is never stored."""
    name = name.strip()
    if not name:
        raise TeamsError("give the token a name, e.g. the script that will use it")
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=hash_token(raw), hint=raw[:10]
    )
    return token, raw


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if token.user_id != by.pk and not by.is_admin:
        raise TeamsNotAllowed("you can only revoke your own tokens")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    token = (
        ApiToken.objects.active().select_related("user").filter(key_hash=hash_token(raw)).first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute so busy clients do not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
