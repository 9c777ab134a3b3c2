"""Engagement rules give points per touch, decayed by their half-life and held within their cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.agreement.services import engagement_rule_create, scoring_model_create
from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.models import Lead
from accord.funnel.tests.factories import make_lead
from accord.scoring.engine import lead_explain, lead_rescore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _touches(lead: Lead, kind: str, *days_ago: float, **fields: Any) -> None:
    for days in days_ago:
        touch_create(by=None, lead=lead, kind=kind, at=NOW - timedelta(days=days), **fields)


@pytest.fixture
def model(marketing_head):
    return scoring_model_create(by=marketing_head)


@pytest.mark.django_db
def test_it_gives_points_per_touch_up_to_the_cap(model, marketing_head):
    engagement_rule_create(
        model=model, by=marketing_head, label="Page views", kinds=["page_view"], points=3, cap=10
    )
    few, many = make_lead(), make_lead()
    _touches(few, "page_view", 1, 2)
    _touches(many, "page_view", 1, 2, 3, 4, 5)
    _touches(few, "email_open", 1)
    assert lead_explain(lead=few, model=model, at=NOW).engagement == 6
    assert lead_explain(lead=many, model=model, at=NOW).engagement == 10


@pytest.mark.django_db
def test_it_halves_a_touch_worth_each_half_life(model, marketing_head):
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Webinars",
        kinds=["webinar"],
        points=12,
        cap=100,
        half_life_days=7,
    )
    fresh, week, fortnight = make_lead(), make_lead(), make_lead()
    _touches(fresh, "webinar", 0)
    _touches(week, "webinar", 7)
    _touches(fortnight, "webinar", 7, 14)
    assert lead_explain(lead=fresh, model=model, at=NOW).engagement == 12
    assert lead_explain(lead=week, model=model, at=NOW).engagement == 6
    assert lead_explain(lead=fortnight, model=model, at=NOW).engagement == 9
    # A month later the same touches are worth less.
    later = NOW + timedelta(days=28)
    assert lead_explain(lead=fortnight, model=model, at=later).engagement == 1


@pytest.mark.django_db
def test_it_ignores_touches_after_the_scoring_time(model, marketing_head):
    engagement_rule_create(
        model=model, by=marketing_head, label="Demo", kinds=["demo_request"], points=40, cap=40
    )
    lead = make_lead()
    _touches(lead, "demo_request", -1)
    assert lead_explain(lead=lead, model=model, at=NOW).engagement == 0
    assert lead_explain(lead=lead, model=model, at=NOW + timedelta(days=2)).engagement == 40


@pytest.mark.django_db
def test_it_matches_touches_on_channel_campaign_and_content(model, marketing_head):
    campaign = campaign_create(by=marketing_head, name="Pricing week", channel="email")
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Pricing emails clicked",
        kinds=["email_click"],
        channels=["email"],
        campaign_ids=[campaign.pk],
        content_contains=["pricing", "100%_off"],
        points=5,
        cap=50,
    )
    lead = make_lead()
    _touches(lead, "email_click", 1, campaign=campaign, content="Our PRICING page")
    _touches(lead, "email_click", 1, campaign=campaign, content="get 100%_off now")
    _touches(lead, "email_click", 1, campaign=campaign, content="get 100% off now")
    _touches(lead, "email_click", 1, content="pricing without a campaign")
    _touches(lead, "page_view", 1, campaign=campaign, content="pricing")
    assert lead_explain(lead=lead, model=model, at=NOW).engagement == 10


@pytest.mark.django_db
def test_it_holds_negative_engagement_within_the_cap(model, marketing_head):
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Careers page",
        kinds=["page_view"],
        content_contains=["careers"],
        points=-4,
        cap=10,
    )
    lead = make_lead()
    _touches(lead, "page_view", 1, 2, 3, 4, content="/careers")
    explanation = lead_rescore(lead=lead, model=model, at=NOW)
    assert explanation.engagement == -10
    lead.refresh_from_db()
    assert (lead.score, lead.engagement_score) == (0, -10)
