"""The numbers on the home page, in a fixed handful of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accord.funnel.models import FUNNEL_ORDER, Deal, DealStatus, Lead, Stage, StageChange
from accord.funnel.selectors import stage_counts


@dataclass
class HomeSummary:
    stage_counts: list[tuple[str, str, int]]
    entered_30d: dict[str, int]
    open_pipeline: Decimal
    open_deals: int
    won_90d: Decimal
    won_deals_90d: int
    lost_deals_90d: int
    recent_leads: list[Lead]
    my_open_deals: list[Deal]

    @property
    def win_rate_90d(self) -> float | None:
        closed = self.won_deals_90d + self.lost_deals_90d
        return self.won_deals_90d / closed if closed else None


def home_summary(*, user: Any) -> HomeSummary:
    now = timezone.now()
    counts = stage_counts()
    entered = dict(
        StageChange.objects.filter(at__gte=now - timedelta(days=30), to_stage__in=FUNNEL_ORDER)
        .values("to_stage")
        .annotate(n=Count("lead_id", distinct=True))
        .values_list("to_stage", "n")
    )
    deals = Deal.objects.aggregate(
        pipeline=Sum("amount", filter=Q(status=DealStatus.OPEN)),
        open=Count("id", filter=Q(status=DealStatus.OPEN)),
        won=Sum("amount", filter=Q(status=DealStatus.WON, closed_at__gte=now - timedelta(days=90))),
        won_n=Count("id", filter=Q(status=DealStatus.WON, closed_at__gte=now - timedelta(days=90))),
        lost_n=Count(
            "id", filter=Q(status=DealStatus.LOST, closed_at__gte=now - timedelta(days=90))
        ),
    )
    return HomeSummary(
        stage_counts=[(s, Stage(s).label, counts[s]) for s in Stage.values],
        entered_30d={s: entered.get(s, 0) for s in FUNNEL_ORDER},
        open_pipeline=deals["pipeline"] or Decimal("0"),
        open_deals=deals["open"],
        won_90d=deals["won"] or Decimal("0"),
        won_deals_90d=deals["won_n"],
        lost_deals_90d=deals["lost_n"],
        recent_leads=list(Lead.objects.for_list().order_by("-created_at", "-id")[:8]),
        my_open_deals=list(
            Deal.objects.for_list().filter(owner_id=user.pk, status=DealStatus.OPEN)[:8]
        ),
    )
