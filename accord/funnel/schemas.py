"""Input and output schemas of the shared record's endpoints: one input schema per write.

Input schemas forbid unknown fields, so a typo is an error rather than a silently dropped value.
Update (PATCH) schemas are partial: only the fields sent change. A field that cannot be empty
may be left out of an update but not sent as ``null``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from accord.funnel.models import DealStatus, Entity, PropertyType, Segment, Stage


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# A time in ISO 8601; without an offset it is read in the organisation's time zone.
Moment = Annotated[datetime, AfterValidator(_aware)]

Properties = Annotated[
    dict[str, Any],
    Field(
        description="Custom property values by key (declared under `/properties`). On update "
        "only the keys sent change; `null` removes a value."
    ),
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """An update field that may be left out, but not sent as null."""
    return Field(default=None, json_schema_extra=_no_default, **kwargs)


def cents(value: Any) -> Decimal:
    """Money as stored, two decimals, whether or not the record was just read back."""
    return Decimal(value).quantize(Decimal("0.01"))


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- lists -------------------------------------------------------------------------------------


class ListQuery(Schema):
    """Paging and sorting, shared by every list."""

    limit: int = Field(50, ge=1, le=200, description="Items per page, 1 to 200.")
    cursor: str | None = Field(
        None, description="The `next_cursor` of the previous page; leave out for the first."
    )
    sort: str | None = Field(
        None, description="A sort key; prefix with `-` for descending (e.g. `-created`)."
    )


_PROP_FILTERS = (
    " Custom properties filter as `prop.KEY=value`, and numbers and dates also as "
    "`prop.KEY__gte=` / `prop.KEY__lte=`."
)


class LeadListQuery(ListQuery):
    q: str | None = Field(
        None, description="Search email, names, account name, external id." + _PROP_FILTERS
    )
    stage: list[str] = Field([], description="Stages (repeat the parameter or use commas).")
    source: str | None = None
    owner: int | None = Field(None, description="Owner's person id.")
    account: int | None = Field(None, description="Account id.")
    segment: Segment | None = Field(None, description="The account's segment.")
    score_min: int | None = None
    created_after: date | None = Field(None, description="Created on or after this day.")
    created_before: date | None = Field(None, description="Created before this day.")


class AccountListQuery(ListQuery):
    q: str | None = Field(None, description="Search name and domain." + _PROP_FILTERS)
    segment: Segment | None = None
    industry: str | None = None
    is_target: bool | None = None


class DealListQuery(ListQuery):
    q: str | None = Field(None, description="Search the deal name." + _PROP_FILTERS)
    status: DealStatus | None = None
    pipeline_stage: int | None = Field(None, description="Pipeline stage id.")
    owner: int | None = Field(None, description="Owner's person id.")
    account: int | None = Field(None, description="Account id.")


# --- accounts ----------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    external_id: str | None
    name: str
    domain: str | None
    industry: str
    employees: int | None
    country: str
    segment: Segment | None
    is_target: bool
    owner_id: int | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_segment(obj: Any) -> str | None:
        return obj.segment or None


class AccountPageOut(Schema):
    items: list[AccountOut]
    next_cursor: str | None


class AccountCreateIn(In):
    name: str = Field(min_length=1, max_length=200)
    external_id: str | None = Field(None, max_length=100)
    domain: str | None = Field(None, max_length=200, description="e.g. `example.com`.")
    industry: str = Field("", max_length=100)
    employees: int | None = Field(None, ge=0)
    country: str = Field("", max_length=100)
    segment: Segment | None = None
    is_target: bool = False
    owner_id: int | None = None
    properties: Properties = {}


class AccountUpdateIn(In):
    name: str = optional(min_length=1, max_length=200)
    external_id: str | None = Field(None, max_length=100)
    domain: str | None = Field(None, max_length=200)
    industry: str = optional(max_length=100)
    employees: int | None = Field(None, ge=0)
    country: str = optional(max_length=100)
    segment: Segment | None = None
    is_target: bool = optional()
    owner_id: int | None = None
    properties: Properties = optional()


# --- leads -------------------------------------------------------------------------------------


class LeadOut(Schema):
    id: int
    external_id: str | None
    email: str | None
    name: str = Field(description="Full name, else email or external id.")
    first_name: str
    last_name: str
    title: str
    phone: str
    source: str
    account_id: int | None
    owner_id: int | None
    stage: Stage
    stage_changed_at: datetime
    score: int
    fit_score: int
    engagement_score: int
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadCreateIn(In):
    email: str | None = Field(None, max_length=254, description="Needed unless external_id.")
    external_id: str | None = Field(None, max_length=100, description="Needed unless email.")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    source: str = Field("", max_length=100)
    account_id: int | None = None
    owner_id: int | None = None
    stage: Stage = Field(
        Stage.LEAD,
        description="Where the lead enters the funnel: lead, mql, sal, sql, recycled or "
        "disqualified (a deal makes it an opportunity).",
    )
    created_at: Moment | None = Field(None, description="When it was created, for history.")
    properties: Properties = {}


class LeadUpdateIn(In):
    email: str | None = Field(None, max_length=254)
    external_id: str | None = Field(None, max_length=100)
    first_name: str = optional(max_length=100)
    last_name: str = optional(max_length=100)
    title: str = optional(max_length=200)
    phone: str = optional(max_length=50)
    source: str = optional(max_length=100)
    account_id: int | None = None
    owner_id: int | None = None
    properties: Properties = optional()


class StageMoveIn(In):
    to_stage: Stage
    reason: str = Field("", max_length=500, description="Why; shown on the timeline.")
    at: Moment | None = Field(
        None, description="When it happened (default now); not before the lead's last move."
    )


class TimelineItemOut(Schema):
    at: datetime
    kind: str = Field(description="touch, stage, deal_opened, deal_won, deal_lost or note.")
    title: str
    detail: str
    actor: str


class TimelineOut(Schema):
    items: list[TimelineItemOut]


class TimelineQuery(Schema):
    limit: int = Field(200, ge=1, le=500, description="The latest this many entries.")


# --- deals -------------------------------------------------------------------------------------


class DealOut(Schema):
    id: int
    external_id: str | None
    name: str
    account_id: int | None
    primary_lead_id: int | None
    lead_ids: list[int]
    owner_id: int | None
    amount: Decimal
    pipeline_stage_id: int | None
    status: DealStatus
    loss_reason: str
    properties: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_amount(obj: Any) -> Decimal:
        return cents(obj.amount)

    @staticmethod
    def resolve_lead_ids(obj: Any) -> list[int]:
        # Reads the prefetched leads on lists: no query per deal.
        return sorted(lead.pk for lead in obj.leads.all())


class DealPageOut(Schema):
    items: list[DealOut]
    next_cursor: str | None


class DealCreateIn(In):
    name: str = Field(min_length=1, max_length=200)
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    external_id: str | None = Field(None, max_length=100)
    account_id: int | None = Field(None, description="Default: the primary lead's account.")
    primary_lead_id: int | None = Field(
        None, description="Moves to opportunity (and to customer when the deal is won)."
    )
    lead_ids: list[int] = Field([], description="Other leads on the deal.")
    owner_id: int | None = None
    pipeline_stage_id: int | None = Field(None, description="Default: the first stage.")
    status: DealStatus = Field(DealStatus.OPEN, description="won or lost to record history.")
    closed_at: Moment | None = Field(None, description="For a won or lost deal; default now.")
    loss_reason: str = Field("", max_length=200, description="Needed for a lost deal.")
    created_at: Moment | None = None
    properties: Properties = {}


class DealUpdateIn(In):
    name: str = optional(min_length=1, max_length=200)
    amount: Decimal = optional(ge=0, max_digits=14, decimal_places=2)
    external_id: str | None = Field(None, max_length=100)
    account_id: int | None = None
    primary_lead_id: int | None = None
    owner_id: int | None = None
    pipeline_stage_id: int | None = None
    loss_reason: str = optional(max_length=200)
    properties: Properties = optional()


class DealWinIn(In):
    closed_at: Moment | None = Field(None, description="When it was won; default now.")


class DealLoseIn(In):
    loss_reason: str = Field(min_length=1, max_length=200, pattern=r"\S")
    closed_at: Moment | None = Field(None, description="When it was lost; default now.")


# --- settings ----------------------------------------------------------------------------------


class PropertyOut(Schema):
    id: int
    entity: Entity
    key: str
    label: str
    type: PropertyType
    created_at: datetime


class PropertyListOut(Schema):
    items: list[PropertyOut]


class PropertyListQuery(Schema):
    entity: Entity | None = Field(None, description="Only the properties of this record type.")


class PropertyCreateIn(In):
    entity: Entity
    label: str = Field(min_length=1, max_length=120, pattern=r"\S")
    type: PropertyType
    key: str = Field(
        "",
        max_length=80,
        description="Default: the label in snake_case (`Fiscal year` → `fiscal_year`).",
    )


class PipelineStageOut(Schema):
    id: int
    name: str
    position: int
    probability: int = Field(description="Win probability, %.")


class PipelineStageListOut(Schema):
    items: list[PipelineStageOut]
