"""The demo's history obeys the same rules as the stage machine and the deal services."""

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest

from accord.campaigns.models import Touch
from accord.demo.generator import demo_build
from accord.demo.tests.helpers import NOW
from accord.funnel.models import Deal, DealStatus, Lead, Stage, StageChange
from accord.funnel.services import TRANSITIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    demo_build(size="tiny", seed=3, now=NOW)
    changes = defaultdict(list)
    for change in StageChange.objects.order_by("at", "id"):
        changes[change.lead_id].append(change)
    return changes


def test_each_leads_stage_is_that_of_its_latest_stage_change(history):
    leads = list(Lead.objects.all())
    assert len(leads) == 200
    for lead in leads:
        latest = history[lead.pk][-1]
        assert lead.stage == latest.to_stage, lead.email
        assert lead.stage_changed_at == latest.at, lead.email


def test_each_lead_starts_with_its_creation_and_moves_only_where_the_stage_machine_allows(history):
    for lead in Lead.objects.all():
        changes = history[lead.pk]
        first = changes[0]
        assert (first.from_stage, first.to_stage) == ("", Stage.LEAD)
        assert lead.created_at <= first.at
        for before, after in pairwise(changes):
            assert after.from_stage == before.to_stage, lead.email
            assert after.at > before.at, lead.email
            assert after.to_stage in TRANSITIONS[after.from_stage], (lead.email, after)


def test_nothing_in_the_history_happens_after_now(history):
    assert not StageChange.objects.filter(at__gt=NOW).exists()
    assert not Touch.objects.filter(at__gt=NOW).exists()
    assert not Lead.objects.filter(created_at__gt=NOW).exists()
    assert not Deal.objects.filter(closed_at__gt=NOW).exists()
    assert StageChange.objects.filter(at__lt=NOW - timedelta(days=366)).count() == 0


def test_deals_agree_with_their_primary_leads(history):
    deals = list(Deal.objects.select_related("primary_lead"))
    assert deals
    for deal in deals:
        lead = deal.primary_lead
        assert lead is not None
        assert deal.leads.filter(pk=lead.pk).exists()
        moves = {(c.to_stage, c.at) for c in history[lead.pk]}
        assert (Stage.OPPORTUNITY, deal.created_at) in moves, deal.name
        if deal.status == DealStatus.WON:
            assert lead.stage == Stage.CUSTOMER
            assert (Stage.CUSTOMER, deal.closed_at) in moves
        if deal.status == DealStatus.LOST:
            assert deal.loss_reason
        if deal.status == DealStatus.OPEN:
            assert deal.closed_at is None
        else:
            assert deal.closed_at is not None
            assert deal.closed_at > deal.created_at
        assert deal.owner_id == lead.owner_id
        assert deal.account_id == lead.account_id
        assert deal.amount > 0


def test_touches_carry_their_campaigns_channel(history):
    touches = Touch.objects.filter(campaign__isnull=False).select_related("campaign")
    assert touches.exists()
    for touch in touches:
        campaign = touch.campaign
        assert campaign is not None
        assert campaign.starts_on is not None
        assert touch.channel == campaign.channel
        assert campaign.starts_on <= touch.at.date()
