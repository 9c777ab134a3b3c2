"""The demo looks like a real B2B funnel: every stage, kind and channel, at believable rates."""

from datetime import datetime, timedelta
from statistics import median

import pytest
from django.db.models import Count, Min

from accord.campaigns.models import Campaign, Channel, Touch, TouchKind
from accord.demo.generator import demo_build
from accord.demo.tests.helpers import NOW
from accord.funnel.models import (
    Account,
    Deal,
    DealStatus,
    Lead,
    Note,
    PipelineStage,
    PropertyDefinition,
    Segment,
    Stage,
    StageChange,
)
from accord.teams.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def small():
    return demo_build(size="small", now=NOW)


def first_entries() -> dict[int, dict[str, datetime]]:
    """lead id → stage → time of first entry."""
    entries: dict[int, dict[str, datetime]] = {}
    rows = StageChange.objects.values_list("lead_id", "to_stage").annotate(at=Min("at"))
    for lead_id, stage, at in rows:
        entries.setdefault(lead_id, {})[stage] = at
    return entries


def test_it_reaches_every_stage_kind_channel_and_pipeline_stage(small):
    assert small.leads == 2000
    assert 10 <= small.touches / small.leads <= 20
    reached = set(StageChange.objects.values_list("to_stage", flat=True))
    assert reached == set(Stage.values)
    assert set(Lead.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Touch.objects.values_list("kind", flat=True)) == set(TouchKind.values)
    assert set(Channel.values) <= set(Touch.objects.values_list("channel", flat=True))
    open_stages = set(
        Deal.objects.filter(status=DealStatus.OPEN).values_list("pipeline_stage", flat=True)
    )
    assert open_stages == set(PipelineStage.objects.values_list("id", flat=True))
    assert set(Deal.objects.values_list("status", flat=True)) == set(DealStatus.values)
    assert 25 <= Campaign.objects.count() <= 35
    assert Campaign.objects.values("channel").distinct().count() >= 10
    assert Campaign.objects.filter(cost__gt=0).count() == Campaign.objects.count()


def test_accounts_span_segments_industries_and_countries(small):
    assert set(Account.objects.values_list("segment", flat=True)) == set(Segment.values)
    assert Account.objects.values("industry").distinct().count() >= 8
    assert Account.objects.values("country").distinct().count() >= 8
    assert Account.objects.filter(is_target=True).exists()
    assert not Account.objects.filter(employees__isnull=True).exists()
    assert Lead.objects.filter(account__isnull=True).exists()  # personal sign-ups


def test_leads_are_owned_by_reps_and_custom_properties_are_filled(small):
    owners = Lead.objects.filter(owner__isnull=False).values_list("owner__role", flat=True)
    assert set(owners) == {Role.REP}
    # Every lead sales has seen has an owner; marketing's leads wait unowned.
    assert (
        not Lead.objects.filter(stage__in=[Stage.SAL, Stage.SQL, Stage.OPPORTUNITY])
        .filter(owner__isnull=True)
        .exists()
    )
    keys = set(PropertyDefinition.objects.values_list("entity", "key", "type"))
    assert {
        ("lead", "lead_rating", "text"),
        ("lead", "newsletter", "boolean"),
        ("account", "annual_revenue", "number"),
        ("deal", "go_live_date", "date"),
    } <= keys
    assert Lead.objects.filter(properties__lead_rating="Hot").exists()
    assert Lead.objects.filter(properties__newsletter=True).exists()
    assert Account.objects.filter(properties__annual_revenue__gt=0).exists()
    assert Deal.objects.filter(properties__contract_term_months=12).exists()
    assert Note.objects.exists()


def test_conversion_rates_are_those_of_a_healthy_b2b_funnel(small):
    entries = first_entries().values()

    def rate(a: str, b: str) -> float:
        entered = [e for e in entries if a in e]
        return sum(1 for e in entered if b in e) / len(entered)

    assert 0.20 <= rate(Stage.LEAD, Stage.MQL) <= 0.32
    assert 0.60 <= rate(Stage.MQL, Stage.SAL) <= 0.78
    assert 0.36 <= rate(Stage.SAL, Stage.SQL) <= 0.54
    assert 0.45 <= rate(Stage.SQL, Stage.OPPORTUNITY) <= 0.65
    closed = Deal.objects.exclude(status=DealStatus.OPEN).values("status").annotate(n=Count("id"))
    by_status = {row["status"]: row["n"] for row in closed}
    win_rate = by_status[DealStatus.WON] / (by_status[DealStatus.WON] + by_status[DealStatus.LOST])
    assert 0.15 <= win_rate <= 0.35


def test_stages_take_believable_time_and_big_deals_take_longer(small):
    entries = first_entries().values()

    def median_days(a: str, b: str) -> float:
        return median((e[b] - e[a]) / timedelta(days=1) for e in entries if a in e and b in e)

    assert 1 <= median_days(Stage.LEAD, Stage.MQL) <= 30
    assert median_days(Stage.MQL, Stage.SAL) <= 3  # the SLA: accept within a working day or so
    assert 3 <= median_days(Stage.SAL, Stage.SQL) <= 20
    assert 2 <= median_days(Stage.SQL, Stage.OPPORTUNITY) <= 15

    def cycle(segment: str) -> float:
        return median(
            ((d.closed_at or NOW) - d.created_at) / timedelta(days=1)
            for d in Deal.objects.filter(status=DealStatus.WON, account__segment=segment)
        )

    assert 10 <= cycle(Segment.SMB) < cycle(Segment.ENTERPRISE) <= 200
    amounts = {
        s: median(Deal.objects.filter(account__segment=s).values_list("amount", flat=True))
        for s in Segment.values
    }
    assert amounts[Segment.SMB] < amounts[Segment.MID_MARKET] < amounts[Segment.ENTERPRISE]


def test_touches_come_before_and_around_stage_moves(small):
    mql_leads = StageChange.objects.filter(to_stage=Stage.MQL).values_list("lead_id", "at")[:100]
    for lead_id, at in mql_leads:
        assert Touch.objects.filter(lead_id=lead_id, at__lte=at).exists()
    customers = StageChange.objects.filter(to_stage=Stage.CUSTOMER).values_list("lead_id", "at")
    for lead_id, at in customers:
        kinds = set(
            Touch.objects.filter(lead_id=lead_id, at__lte=at).values_list("kind", flat=True)
        )
        assert kinds & {TouchKind.MEETING, TouchKind.CALL, TouchKind.SALES_EMAIL}
