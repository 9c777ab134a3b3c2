"""Input and output schemas of the people and token endpoints."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from accord.teams.models import Role, Team


class MeOut(Schema):
    id: int
    username: str
    name: str = Field(description="Full name, or the username when none is set.")
    first_name: str
    last_name: str
    email: str
    team: Team
    role: Role
    is_admin: bool

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj)


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The token's first characters, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class TokenListOut(Schema):
    items: list[TokenOut]


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"\S",
        description="What the token is for, e.g. the script that will use it.",
    )


class TokenCreatedOut(Schema):
    token: TokenOut
    raw: str = Field(
        description="The token itself (`acc_…`). Shown this once and never stored: keep it now."
    )


class PersonOut(MeOut):
    is_active: bool


class PeopleOut(Schema):
    items: list[PersonOut]
