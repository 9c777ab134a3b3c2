"""Touches count only up to the hand-off: what sales did afterwards is not a feature."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_lead
from accord.scoring.predictive.features import read_features
from accord.scoring.predictive.outcomes import closed_outcomes

pytestmark = pytest.mark.django_db


def test_touch_aggregates_exclude_touches_after_the_hand_off():
    now = timezone.now()
    start = now - timedelta(days=200)
    webinar = campaign_create(by=None, name="Spring webinar", channel="webinar")
    ebook = campaign_create(by=None, name="Pricing ebook", channel="content")
    lead = make_lead(created_at=start)
    touch_create(by=None, lead=lead, kind="webinar", campaign=webinar, at=start + timedelta(days=1))
    touch_create(
        by=None, lead=lead, kind="content_download", campaign=ebook, at=start + timedelta(days=3)
    )
    touch_create(
        by=None, lead=lead, kind="email_open", channel="email", at=start + timedelta(days=4)
    )
    handoff = start + timedelta(days=5)
    lead_move(lead=lead, to_stage="mql", by=None, at=handoff)
    # After the hand-off: sales' calls and meetings, and another webinar.
    touch_create(
        by=None, lead=lead, kind="call", channel="outbound", at=handoff + timedelta(hours=2)
    )
    touch_create(by=None, lead=lead, kind="meeting", at=handoff + timedelta(days=3))
    touch_create(
        by=None, lead=lead, kind="webinar", campaign=webinar, at=handoff + timedelta(days=9)
    )
    lead_move(lead=lead, to_stage="sql", by=None, at=handoff + timedelta(days=10))

    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=now)
    assert list(outcomes.lead_ids) == [lead.pk]
    assert outcomes.cutoffs[lead.pk] == handoff

    row = read_features(outcomes.lead_ids, outcomes.cutoffs).loc[lead.pk]

    assert row["touches.total"] == 3
    assert row["touches.kind.webinar"] == 1
    assert row["touches.kind.content_download"] == 1
    assert row["touches.kind.email_open"] == 1
    assert "touches.kind.call" not in row.index
    assert "touches.kind.meeting" not in row.index
    assert row["touches.channel.webinar"] == 1
    assert row["touches.channel.content"] == 1
    assert row["touches.channel.email"] == 1
    assert row["touches.campaigns"] == 2
    assert row["touches.days_since_first"] == pytest.approx(4.0)


def test_a_lead_without_touches_before_the_hand_off_counts_zero():
    now = timezone.now()
    quiet = make_lead(created_at=now - timedelta(days=200))
    busy = make_lead(created_at=now - timedelta(days=200))
    touch_create(by=None, lead=busy, kind="page_view", at=now - timedelta(days=199))
    for lead in (quiet, busy):
        lead_move(lead=lead, to_stage="mql", by=None, at=now - timedelta(days=150))
        touch_create(by=None, lead=lead, kind="call", at=now - timedelta(days=149))
        lead_move(lead=lead, to_stage="disqualified", by=None, at=now - timedelta(days=140))

    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=now)
    frame = read_features(outcomes.lead_ids, outcomes.cutoffs)

    assert frame.loc[quiet.pk, "touches.total"] == 0
    assert frame.loc[quiet.pk, "touches.kind.page_view"] == 0
    assert frame.loc[busy.pk, "touches.total"] == 1
    assert "touches.kind.call" not in frame.columns
