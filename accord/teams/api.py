"""The people and token endpoints: who is calling, and their personal API tokens."""

from __future__ import annotations

from typing import cast

from django.http import Http404, HttpRequest
from ninja import Router, Status

from accord.teams.models import ApiToken, User
from accord.teams.schemas import (
    MeOut,
    PeopleOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenListOut,
    TokenOut,
)
from accord.teams.services import token_create, token_revoke

router = Router(tags=["people"])


def acting_user(request: HttpRequest) -> User:
    """The person the call is made as (by token or session); authentication ran before."""
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.get("/me", response=MeOut, summary="The calling person")
def get_me(request: HttpRequest) -> User:
    return acting_user(request)


@router.get("/people", response=PeopleOut, summary="Everyone at the organisation")
def list_people(request: HttpRequest, team: str = "", active: bool = True) -> dict[str, object]:
    """People with their ids, to fill owner_id and the like; ``team`` narrows to one team."""
    people = User.objects.filter(is_active=active)
    if team:
        people = people.filter(team=team)
    return {"items": list(people)}


@router.get("/tokens", response=TokenListOut, summary="The calling person's API tokens")
def list_tokens(request: HttpRequest) -> dict[str, object]:
    return {"items": list(ApiToken.objects.filter(user=acting_user(request)))}


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (shown once)")
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, object]]:
    token, raw = token_create(user=acting_user(request), name=payload.name)
    return Status(201, {"token": token, "raw": raw})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    user = acting_user(request)
    # Only the caller's own tokens: another person's token is "not found", not "forbidden".
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404(f"you have no API token with id {token_id}")
    return token_revoke(token=token, by=user)
