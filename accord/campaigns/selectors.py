"""Reads of campaigns and touches that pages, the API and commands share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accord.campaigns.models import Campaign, Channel, Touch, TouchKind
from accord.errors import AccordError
from accord.teams.models import Team

# Sort keys a list accepts: key → field. Only non-null fields (see accord.pagination).
CAMPAIGN_SORTS = {"name": "name", "created": "created_at", "cost": "cost"}
TOUCH_SORTS = {"at": "at"}


def _whole_number(params: Any, name: str) -> int | None:
    raw = params.get(name) or ""
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise AccordError(
            f"{name} must be a whole number", fields={name: ["not a whole number"]}
        ) from exc


def _moment(raw: str, name: str) -> datetime:
    """A date-time or a bare date (its start) in ISO 8601; naive values are local time."""
    parsed = parse_datetime(raw)
    if parsed is None:
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            msg = f"{raw!r} is not a date or date-time (use ISO 8601, e.g. 2025-01-31)"
            raise AccordError(f"{name}: {msg}", fields={name: [msg]})
        parsed = datetime.combine(day, datetime.min.time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@dataclass
class CampaignFilter:
    """The one definition of campaign filters, for the list page and the API."""

    q: str = ""
    channel: str = ""
    owner_team: str = ""

    @classmethod
    def from_params(cls, params: Any) -> CampaignFilter:
        return cls(
            q=(params.get("q") or "").strip(),
            channel=params.get("channel") or "",
            owner_team=params.get("owner_team") or "",
        )

    def apply(self, qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
        if self.channel and self.channel not in Channel.values:
            raise AccordError(
                f"unknown channel {self.channel!r}",
                fields={"channel": [f"one of {', '.join(Channel.values)}"]},
            )
        if self.owner_team and self.owner_team not in Team.values:
            raise AccordError(
                f"unknown team {self.owner_team!r}",
                fields={"owner_team": [f"one of {', '.join(Team.values)}"]},
            )
        if self.q:
            qs = qs.filter(name__icontains=self.q)
        if self.channel:
            qs = qs.filter(channel=self.channel)
        if self.owner_team:
            qs = qs.filter(owner_team=self.owner_team)
        return qs


@dataclass
class TouchFilter:
    """Touch filters: by lead, campaign, kind and a time window (``since`` ≤ at < ``until``)."""

    lead_id: int | None = None
    campaign_id: int | None = None
    kind: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def from_params(cls, params: Any) -> TouchFilter:
        return cls(
            lead_id=_whole_number(params, "lead_id"),
            campaign_id=_whole_number(params, "campaign_id"),
            kind=params.get("kind") or "",
            since=(params.get("since") or "").strip(),
            until=(params.get("until") or "").strip(),
        )

    def apply(self, qs: QuerySet[Touch]) -> QuerySet[Touch]:
        if self.kind and self.kind not in TouchKind.values:
            raise AccordError(
                f"unknown touch kind {self.kind!r}",
                fields={"kind": [f"one of {', '.join(TouchKind.values)}"]},
            )
        if self.lead_id is not None:
            qs = qs.filter(lead_id=self.lead_id)
        if self.campaign_id is not None:
            qs = qs.filter(campaign_id=self.campaign_id)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.since:
            qs = qs.filter(at__gte=_moment(self.since, "since"))
        if self.until:
            qs = qs.filter(at__lt=_moment(self.until, "until"))
        return qs


@dataclass(frozen=True)
class CampaignSummary:
    """What a campaign's page shows at a glance, in one aggregate query."""

    touches: int
    leads: int
    first_touch: datetime | None
    last_touch: datetime | None
    cost_per_lead: Decimal | None


def campaign_summary(campaign: Campaign) -> CampaignSummary:
    from django.db.models import Count, Max, Min

    row = Touch.objects.filter(campaign=campaign).aggregate(
        touches=Count("id"), leads=Count("lead_id", distinct=True), first=Min("at"), last=Max("at")
    )
    return CampaignSummary(
        touches=row["touches"],
        leads=row["leads"],
        first_touch=row["first"],
        last_touch=row["last"],
        cost_per_lead=campaign.cost / row["leads"] if row["leads"] else None,
    )
