"""Campaign pages: the list (filtered in place like the record's lists), a campaign, its forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accord.campaigns import services
from accord.campaigns.forms import CampaignForm
from accord.campaigns.models import Campaign, Channel, Touch
from accord.campaigns.selectors import CAMPAIGN_SORTS, CampaignFilter, campaign_summary
from accord.errors import AccordError
from accord.funnel.views import Listing, failed_listing, keyset_listing, list_response
from accord.teams.models import Team


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    try:
        campaigns = CampaignFilter.from_params(request.GET).apply(Campaign.objects.all())
        listing: Listing = keyset_listing(
            request,
            campaigns,
            sorts=CAMPAIGN_SORTS,
            default_sort="-created",
            ascending_first=("name",),
        )
    except AccordError as exc:
        listing = failed_listing(request, exc)
    context = {
        "listing": listing,
        "params": request.GET,
        "channels": Channel.choices,
        "teams": Team.choices,
        "per_page_choices": (25, 50, 100),
    }
    return list_response(
        request,
        page="campaigns/campaign_list.html",
        results="campaigns/_campaign_results.html",
        context=context,
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    recent = list(
        Touch.objects.filter(campaign=campaign)
        .select_related("lead", "lead__account")
        .order_by("-at", "-id")[:20]
    )
    context = {"campaign": campaign, "summary": campaign_summary(campaign), "recent": recent}
    return render(request, "campaigns/campaign_detail.html", context)


def _fields(form: CampaignForm) -> dict[str, Any]:
    return form.cleaned_fields()


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_create(by=request.user, **_fields(form))  # type: ignore[arg-type]
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, f"Campaign {campaign} created.")
                return redirect("campaign_detail", pk=campaign.pk)
        status = 400
    else:
        form = CampaignForm()
    context = {"form": form, "title": "New campaign", "cancel": reverse("campaigns")}
    return render(request, "funnel/record_form.html", context, status=status)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_update(campaign=campaign, by=request.user, **_fields(form))  # type: ignore[arg-type]
            except AccordError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, "Campaign saved.")
                return redirect("campaign_detail", pk=campaign.pk)
        status = 400
    else:
        form = CampaignForm(
            initial={name: getattr(campaign, name) for name in services.CAMPAIGN_FIELDS}
        )
    context = {
        "form": form,
        "title": f"Edit {campaign.name}",
        "pretitle": "Campaign",
        "cancel": reverse("campaign_detail", args=[campaign.pk]),
    }
    return render(request, "funnel/record_form.html", context, status=status)
