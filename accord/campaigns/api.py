"""Campaign and touch endpoints, including the bulk touch ingestion."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from accord.campaigns import services
from accord.campaigns.models import Campaign, Touch
from accord.campaigns.schemas import (
    CampaignCreateIn,
    CampaignListQuery,
    CampaignOut,
    CampaignPageOut,
    CampaignUpdateIn,
    TouchBulkIn,
    TouchBulkOut,
    TouchListQuery,
    TouchPageOut,
)
from accord.campaigns.selectors import CAMPAIGN_SORTS, TOUCH_SORTS, CampaignFilter, TouchFilter
from accord.funnel.api import get_or_404, page_of, query_params
from accord.teams.api import acting_user

router = Router()


@router.get("/campaigns", response=CampaignPageOut, tags=["campaigns"], summary="List campaigns")
def list_campaigns(request: HttpRequest, params: Query[CampaignListQuery]) -> dict[str, Any]:
    qs = CampaignFilter.from_params(query_params(request)).apply(Campaign.objects.all())
    return page_of(
        qs,
        sorts=CAMPAIGN_SORTS,
        default_sort="-created",
        limit=params.limit,
        cursor=params.cursor,
        sort=params.sort,
    )


@router.get("/campaigns/{campaign_id}", response=CampaignOut, tags=["campaigns"])
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_or_404(Campaign.objects.all(), campaign_id, "campaign")


@router.post("/campaigns", response={201: CampaignOut}, tags=["campaigns"])
def create_campaign(request: HttpRequest, payload: CampaignCreateIn) -> Status[Campaign]:
    campaign = services.campaign_create(by=acting_user(request), **payload.model_dump())
    return Status(201, campaign)


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, tags=["campaigns"])
def update_campaign(request: HttpRequest, campaign_id: int, payload: CampaignUpdateIn) -> Campaign:
    campaign = get_or_404(Campaign.objects.all(), campaign_id, "campaign")
    data = payload.model_dump(exclude_unset=True)
    return services.campaign_update(campaign=campaign, by=acting_user(request), **data)


@router.get("/touches", response=TouchPageOut, tags=["touches"], summary="List touches")
def list_touches(request: HttpRequest, params: Query[TouchListQuery]) -> dict[str, Any]:
    qs = TouchFilter.from_params(query_params(request)).apply(Touch.objects.all())
    return page_of(
        qs,
        sorts=TOUCH_SORTS,
        default_sort="-at",
        limit=params.limit,
        cursor=params.cursor,
        sort=params.sort,
    )


@router.post(
    "/touches/bulk",
    response=TouchBulkOut,
    tags=["touches"],
    summary="Store up to 10,000 touches, idempotent on external_id",
)
def ingest_touches(request: HttpRequest, payload: TouchBulkIn) -> services.IngestResult:
    rows = [touch.model_dump(exclude_none=True) for touch in payload.touches]
    return services.touches_ingest(rows=rows, by=acting_user(request))
