"""Campaigns and the touches that tie leads to them."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from accord.funnel.models import Lead
from accord.teams.models import Team


class Channel(models.TextChoices):
    ORGANIC_SEARCH = "organic_search", "Organic search"
    PAID_SEARCH = "paid_search", "Paid search"
    PAID_SOCIAL = "paid_social", "Paid social"
    ORGANIC_SOCIAL = "organic_social", "Organic social"
    EMAIL = "email", "Email"
    WEBINAR = "webinar", "Webinar"
    EVENTS = "events", "Events"
    CONTENT = "content", "Content"
    REFERRAL = "referral", "Referral"
    PARTNER = "partner", "Partner"
    DIRECT = "direct", "Direct"
    OUTBOUND = "outbound", "Outbound sales"


class Campaign(models.Model):
    """A marketing effort with a channel, dates and a cost, owned by a team."""

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    description = models.TextField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    owner_team = models.CharField(max_length=20, choices=Team.choices, default=Team.MARKETING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class TouchKind(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    EMAIL_OPEN = "email_open", "Email open"
    EMAIL_CLICK = "email_click", "Email click"
    FORM_SUBMIT = "form_submit", "Form submit"
    CONTENT_DOWNLOAD = "content_download", "Content download"
    WEBINAR = "webinar", "Webinar"
    EVENT = "event", "Event"
    AD_CLICK = "ad_click", "Ad click"
    DEMO_REQUEST = "demo_request", "Demo request"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    SALES_EMAIL = "sales_email", "Sales email"


class Touch(models.Model):
    """One interaction of a lead with marketing or sales. Immutable; ``external_id`` makes
    ingestion idempotent."""

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="touches")
    kind = models.CharField(max_length=20, choices=TouchKind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches"
    )
    content = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["lead", "at"]),
            models.Index(fields=["campaign", "at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by lead {self.lead_id} at {self.at:%Y-%m-%d}"
