"""The shared record's endpoints: accounts, leads, deals, custom properties, pipeline stages.

Each endpoint fetches (scoped to the caller), checks links, and calls the one service that
writes; lists go through the same filter definitions and keyset pagination as the pages. A
list's query schema types and documents its parameters; the shared filter then reads the query
string itself, so it also sees the ``prop.KEY`` filters no schema can declare.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from accord.errors import AccordError
from accord.funnel import services
from accord.funnel.models import (
    Account,
    Deal,
    Lead,
    PipelineStage,
    PropertyDefinition,
    StageSource,
)
from accord.funnel.schemas import (
    AccountCreateIn,
    AccountListQuery,
    AccountOut,
    AccountPageOut,
    AccountUpdateIn,
    DealCreateIn,
    DealListQuery,
    DealLoseIn,
    DealOut,
    DealPageOut,
    DealUpdateIn,
    DealWinIn,
    LeadCreateIn,
    LeadListQuery,
    LeadOut,
    LeadPageOut,
    LeadUpdateIn,
    PipelineStageListOut,
    PropertyCreateIn,
    PropertyListOut,
    PropertyListQuery,
    PropertyOut,
    StageMoveIn,
    TimelineOut,
    TimelineQuery,
)
from accord.funnel.selectors import (
    ACCOUNT_SORTS,
    DEAL_SORTS,
    LEAD_SORTS,
    AccountFilter,
    DealFilter,
    LeadFilter,
    lead_timeline,
    resolve_sort,
)
from accord.pagination import Page, paginate
from accord.teams.api import acting_user
from accord.teams.models import User

router = Router()

M = TypeVar("M", bound=models.Model)


# --- shared plumbing ---------------------------------------------------------------------------


def query_params(request: HttpRequest) -> dict[str, str]:
    """The query string as the filters read it; a repeated parameter becomes a comma list."""
    return {key: ",".join(request.GET.getlist(key)) for key in request.GET}


def page_of(
    qs: models.QuerySet[M],
    *,
    sorts: dict[str, str],
    default_sort: str,
    limit: int,
    cursor: str | None,
    sort: str | None,
) -> dict[str, Any]:
    page: Page[M] = paginate(
        qs, sort=resolve_sort(sort, sorts, default_sort), cursor=cursor, limit=limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def get_or_404(qs: models.QuerySet[M], pk: int, noun: str) -> M:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"no {noun} with id {pk}")
    return obj


# Link fields of the input schemas: field → (model, noun, the service's keyword).
_LINKS: dict[str, tuple[type[models.Model], str, str]] = {
    "account_id": (Account, "account", "account"),
    "owner_id": (User, "active person", "owner"),
    "primary_lead_id": (Lead, "lead", "primary_lead"),
    "pipeline_stage_id": (PipelineStage, "pipeline stage", "pipeline_stage"),
}


def resolve_links(data: dict[str, Any], user: User) -> dict[str, Any]:
    """Replace linked ids by their records; every id that names nothing is reported at once."""
    faults: dict[str, list[str]] = {}
    for field, (model, noun, keyword) in _LINKS.items():
        if field not in data:
            continue
        pk = data.pop(field)
        if pk is None:
            data[keyword] = None
            continue
        qs = model._default_manager.filter(pk=pk)
        if model is User:
            qs = qs.filter(is_active=True)
        elif model is Lead:
            qs = Lead.objects.visible_to(user).filter(pk=pk)
        data[keyword] = qs.first()
        if data[keyword] is None:
            faults[field] = [f"no {noun} with id {pk}"]
    if "lead_ids" in data:
        wanted = list(dict.fromkeys(data.pop("lead_ids")))
        leads = list(Lead.objects.visible_to(user).filter(pk__in=wanted))
        missing = sorted(set(wanted) - {lead.pk for lead in leads})
        if missing:
            faults["lead_ids"] = [f"no lead with id {', '.join(map(str, missing))}"]
        data["leads"] = leads
    if faults:
        raise AccordError(
            "some linked records do not exist: " + ", ".join(sorted(faults)), fields=faults
        )
    return data


def _blank_for_none(data: dict[str, Any], *names: str) -> dict[str, Any]:
    # Text columns that are never NULL: an empty value is "".
    for name in names:
        if name in data and data[name] is None:
            data[name] = ""
    return data


def _deals(user: User) -> models.QuerySet[Deal]:
    # Only the ids of linked leads are shown: one extra query per page, not one per deal.
    return Deal.objects.visible_to(user).prefetch_related(
        Prefetch("leads", queryset=Lead.objects.only("id"))
    )


# --- accounts ----------------------------------------------------------------------------------


@router.get("/accounts", response=AccountPageOut, tags=["accounts"], summary="List accounts")
def list_accounts(request: HttpRequest, params: Query[AccountListQuery]) -> dict[str, Any]:
    qs = AccountFilter.from_params(query_params(request)).apply(Account.objects.all())
    return page_of(
        qs,
        sorts=ACCOUNT_SORTS,
        default_sort="name",
        limit=params.limit,
        cursor=params.cursor,
        sort=params.sort,
    )


@router.get("/accounts/{account_id}", response=AccountOut, tags=["accounts"])
def get_account(request: HttpRequest, account_id: int) -> Account:
    return get_or_404(Account.objects.all(), account_id, "account")


@router.post("/accounts", response={201: AccountOut}, tags=["accounts"])
def create_account(request: HttpRequest, payload: AccountCreateIn) -> Status[Account]:
    user = acting_user(request)
    data = _blank_for_none(resolve_links(payload.model_dump(), user), "segment")
    account = services.account_create(by=user, **data)
    return Status(201, account)


@router.patch("/accounts/{account_id}", response=AccountOut, tags=["accounts"])
def update_account(request: HttpRequest, account_id: int, payload: AccountUpdateIn) -> Account:
    account = get_or_404(Account.objects.all(), account_id, "account")
    user = acting_user(request)
    data = _blank_for_none(resolve_links(payload.model_dump(exclude_unset=True), user), "segment")
    return services.account_update(account=account, by=user, **data)


# --- leads -------------------------------------------------------------------------------------


@router.get("/leads", response=LeadPageOut, tags=["leads"], summary="List leads")
def list_leads(request: HttpRequest, params: Query[LeadListQuery]) -> dict[str, Any]:
    visible = Lead.objects.visible_to(acting_user(request))
    qs = LeadFilter.from_params(query_params(request)).apply(visible)
    return page_of(
        qs,
        sorts=LEAD_SORTS,
        default_sort="-created",
        limit=params.limit,
        cursor=params.cursor,
        sort=params.sort,
    )


@router.get("/leads/{lead_id}", response=LeadOut, tags=["leads"])
def get_lead(request: HttpRequest, lead_id: int) -> Lead:
    return get_or_404(Lead.objects.visible_to(acting_user(request)), lead_id, "lead")


@router.post("/leads", response={201: LeadOut}, tags=["leads"])
def create_lead(request: HttpRequest, payload: LeadCreateIn) -> Status[Lead]:
    user = acting_user(request)
    data = resolve_links(payload.model_dump(), user)
    lead = services.lead_create(by=user, source_of_change=StageSource.API, **data)
    return Status(201, lead)


@router.patch("/leads/{lead_id}", response=LeadOut, tags=["leads"])
def update_lead(request: HttpRequest, lead_id: int, payload: LeadUpdateIn) -> Lead:
    user = acting_user(request)
    lead = get_or_404(Lead.objects.visible_to(user), lead_id, "lead")
    data = resolve_links(payload.model_dump(exclude_unset=True), user)
    return services.lead_update(lead=lead, by=user, **data)


@router.get(
    "/leads/{lead_id}/timeline",
    response=TimelineOut,
    tags=["leads"],
    summary="A lead's touches, stage changes, deals and notes, newest first",
)
def get_lead_timeline(
    request: HttpRequest, lead_id: int, params: Query[TimelineQuery]
) -> dict[str, Any]:
    lead = get_or_404(Lead.objects.visible_to(acting_user(request)), lead_id, "lead")
    return {"items": lead_timeline(lead, limit=params.limit)}


@router.post(
    "/leads/{lead_id}/stage",
    response=LeadOut,
    tags=["leads"],
    summary="Move a lead through the stage machine",
)
def move_lead(request: HttpRequest, lead_id: int, payload: StageMoveIn) -> Lead:
    user = acting_user(request)
    lead = get_or_404(Lead.objects.visible_to(user), lead_id, "lead")
    services.lead_move(
        lead=lead,
        to_stage=payload.to_stage,
        by=user,
        reason=payload.reason,
        at=payload.at,
        source=StageSource.API,
    )
    return lead


# --- deals -------------------------------------------------------------------------------------


@router.get("/deals", response=DealPageOut, tags=["deals"], summary="List deals")
def list_deals(request: HttpRequest, params: Query[DealListQuery]) -> dict[str, Any]:
    visible = _deals(acting_user(request))
    qs = DealFilter.from_params(query_params(request)).apply(visible)
    return page_of(
        qs,
        sorts=DEAL_SORTS,
        default_sort="-created",
        limit=params.limit,
        cursor=params.cursor,
        sort=params.sort,
    )


def _deal(request: HttpRequest, deal_id: int) -> Deal:
    visible = _deals(acting_user(request))
    return get_or_404(visible, deal_id, "deal")


@router.get("/deals/{deal_id}", response=DealOut, tags=["deals"])
def get_deal(request: HttpRequest, deal_id: int) -> Deal:
    return _deal(request, deal_id)


@router.post("/deals", response={201: DealOut}, tags=["deals"])
def create_deal(request: HttpRequest, payload: DealCreateIn) -> Status[Deal]:
    user = acting_user(request)
    data = resolve_links(payload.model_dump(), user)
    deal = services.deal_create(by=user, **data)
    return Status(201, deal)


@router.patch("/deals/{deal_id}", response=DealOut, tags=["deals"])
def update_deal(request: HttpRequest, deal_id: int, payload: DealUpdateIn) -> Deal:
    deal = _deal(request, deal_id)
    user = acting_user(request)
    data = resolve_links(payload.model_dump(exclude_unset=True), user)
    return services.deal_update(deal=deal, by=user, **data)


@router.post("/deals/{deal_id}/win", response=DealOut, tags=["deals"], summary="Win a deal")
def win_deal(request: HttpRequest, deal_id: int, payload: DealWinIn | None = None) -> Deal:
    deal = _deal(request, deal_id)
    closed_at = payload.closed_at if payload else None
    return services.deal_win(deal=deal, by=acting_user(request), closed_at=closed_at)


@router.post("/deals/{deal_id}/lose", response=DealOut, tags=["deals"], summary="Lose a deal")
def lose_deal(request: HttpRequest, deal_id: int, payload: DealLoseIn) -> Deal:
    deal = _deal(request, deal_id)
    return services.deal_lose(
        deal=deal,
        by=acting_user(request),
        loss_reason=payload.loss_reason,
        closed_at=payload.closed_at,
    )


@router.post(
    "/deals/{deal_id}/reopen", response=DealOut, tags=["deals"], summary="Reopen a lost deal"
)
def reopen_deal(request: HttpRequest, deal_id: int) -> Deal:
    deal = _deal(request, deal_id)
    return services.deal_reopen(deal=deal, by=acting_user(request))


# --- settings ----------------------------------------------------------------------------------


@router.get(
    "/properties",
    response=PropertyListOut,
    tags=["settings"],
    summary="Custom property definitions",
)
def list_properties(request: HttpRequest, params: Query[PropertyListQuery]) -> dict[str, Any]:
    qs = PropertyDefinition.objects.all()
    if params.entity:
        qs = qs.filter(entity=params.entity)
    return {"items": list(qs)}


@router.post(
    "/properties",
    response={201: PropertyOut},
    tags=["settings"],
    summary="Declare a custom property",
)
def create_property(request: HttpRequest, payload: PropertyCreateIn) -> Status[PropertyDefinition]:
    definition = services.property_define(by=acting_user(request), **payload.model_dump())
    return Status(201, definition)


@router.get(
    "/pipeline-stages",
    response=PipelineStageListOut,
    tags=["settings"],
    summary="The deal pipeline's stages, in order",
)
def list_pipeline_stages(request: HttpRequest) -> dict[str, Any]:
    return {"items": list(PipelineStage.objects.all())}
