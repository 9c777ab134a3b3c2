"""Input and output schemas of the campaign and touch endpoints."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field, field_validator

from accord.campaigns.models import Channel, TouchKind
from accord.campaigns.services import MAX_BULK_TOUCHES
from accord.funnel.schemas import In, ListQuery, cents, optional
from accord.teams.models import Team


class CampaignOut(Schema):
    id: int
    external_id: str | None
    name: str
    channel: Channel
    description: str
    starts_on: date | None
    ends_on: date | None
    cost: Decimal
    owner_team: Team
    created_at: datetime

    @staticmethod
    def resolve_cost(obj: Any) -> Decimal:
        return cents(obj.cost)


class CampaignPageOut(Schema):
    items: list[CampaignOut]
    next_cursor: str | None


class CampaignListQuery(ListQuery):
    q: str | None = Field(None, description="Search the campaign name.")
    channel: Channel | None = None
    owner_team: Team | None = None


class CampaignCreateIn(In):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    channel: Channel
    external_id: str | None = Field(None, max_length=100)
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = Field(None, description="Not before starts_on.")
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    owner_team: Team = Team.MARKETING


class CampaignUpdateIn(In):
    name: str = optional(min_length=1, max_length=200, pattern=r"\S")
    channel: Channel = optional()
    external_id: str | None = Field(None, max_length=100)
    description: str = optional()
    starts_on: date | None = None
    ends_on: date | None = None
    cost: Decimal = optional(ge=0, max_digits=14, decimal_places=2)
    owner_team: Team = optional()


# --- touches -----------------------------------------------------------------------------------


class TouchOut(Schema):
    id: int
    external_id: str | None
    lead_id: int
    kind: TouchKind
    channel: Channel | None
    campaign_id: int | None
    content: str
    at: datetime

    @staticmethod
    def resolve_channel(obj: Any) -> str | None:
        return obj.channel or None


class TouchPageOut(Schema):
    items: list[TouchOut]
    next_cursor: str | None


class TouchListQuery(ListQuery):
    lead_id: int | None = None
    campaign_id: int | None = None
    kind: TouchKind | None = None
    since: str | None = Field(
        None, description="At or after this time (ISO 8601 date-time, or a date: its start)."
    )
    until: str | None = Field(None, description="Before this time (same formats as since).")


class TouchIn(In):
    """One touch of a bulk call. Values are checked row by row: a bad row is rejected with its
    index and reason while the others are stored."""

    external_id: str | None = Field(
        None, max_length=100, description="Makes the call idempotent: a stored id is unchanged."
    )
    lead_id: int | None = Field(None, description="The lead, by id …")
    lead_external_id: str | None = Field(None, description="… or by external id …")
    lead_email: str | None = Field(None, description="… or by email.")
    kind: str = Field(description="One of: " + ", ".join(TouchKind.values) + ".")
    channel: str = Field("", description="One of: " + ", ".join(Channel.values) + ".")
    campaign_id: int | None = Field(None, description="The campaign, by id …")
    campaign_external_id: str | None = Field(None, description="… or by external id …")
    campaign: str | None = Field(None, description="… or by name.")
    content: str = Field("", description="The asset or page (first 200 characters).")
    at: str = Field(
        description="When, in ISO 8601 (`2025-03-01T14:05:00Z`); without an offset, the "
        "organisation's time zone."
    )


class TouchBulkIn(In):
    touches: list[TouchIn] = Field(
        max_length=MAX_BULK_TOUCHES, description=f"At most {MAX_BULK_TOUCHES:,} per call."
    )

    @field_validator("touches", mode="before")
    @classmethod
    def _at_most_the_limit(cls, value: Any) -> Any:
        # Checked before the rows are validated, so an oversized call fails fast and clearly.
        if isinstance(value, list) and len(value) > MAX_BULK_TOUCHES:
            raise ValueError(
                f"at most {MAX_BULK_TOUCHES:,} touches per call, got {len(value):,}: "
                "send them in several calls"
            )
        return value


class TouchRejectionOut(Schema):
    index: int = Field(description="0-based position of the touch in the call.")
    field: str
    reason: str


class TouchBulkOut(Schema):
    created: int
    unchanged: int = Field(description="Touches whose external_id was already stored.")
    rejected: list[TouchRejectionOut]
