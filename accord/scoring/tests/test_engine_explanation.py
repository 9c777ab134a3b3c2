"""A lead's score explains itself: every rule that gave points, summing to the score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    scoring_model_create,
)
from accord.campaigns.services import touch_create
from accord.funnel.models import Lead
from accord.funnel.tests.factories import make_account, make_lead
from accord.scoring.engine import lead_explain, lead_rescore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def model(marketing_head):
    model = scoring_model_create(by=marketing_head)
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Software",
        criteria=[{"field": "account.industry", "op": "in", "value": ["Software"]}],
        points=30,
    )
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Gmail address",
        criteria=[{"field": "email", "op": "contains", "value": "@gmail."}],
        points=-40,
    )
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Demo requests",
        kinds=["demo_request"],
        points=50,
        cap=60,
    )
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Content downloads",
        kinds=["content_download"],
        points=10,
        cap=30,
        half_life_days=30,
    )
    return model


def _touch(lead: Lead, kind: str, days_ago: float) -> None:
    touch_create(by=None, lead=lead, kind=kind, at=NOW - timedelta(days=days_ago))


@pytest.mark.django_db
def test_it_lists_every_rule_that_contributed_and_sums_to_the_score(model):
    lead = make_lead(account=make_account(industry="software"))
    _touch(lead, "content_download", 0)
    _touch(lead, "content_download", 30)
    explanation = lead_explain(lead=lead, model=model, at=NOW)
    assert [(c.kind, c.label, c.points) for c in explanation.contributions] == [
        ("fit", "Software", 30),
        ("engagement", "Content downloads", 15),
    ]
    assert sum(c.points for c in explanation.contributions) == explanation.total == 45
    assert explanation.score == 45
    assert explanation.clamped == 0


@pytest.mark.django_db
def test_it_shows_how_much_the_clamp_cut_above_100(model):
    lead = make_lead(account=make_account(industry="Software"))
    for days in (1, 2):
        _touch(lead, "demo_request", days)
    _touch(lead, "content_download", 0)
    explanation = lead_rescore(lead=lead, model=model, at=NOW)
    assert sum(c.points for c in explanation.contributions) == explanation.total == 100
    _touch(lead, "content_download", 0)
    explanation = lead_rescore(lead=lead, model=model, at=NOW)
    assert explanation.total == 110
    assert (explanation.score, explanation.clamped) == (100, -10)
    lead.refresh_from_db()
    assert (lead.score, lead.fit_score, lead.engagement_score) == (100, 30, 80)


@pytest.mark.django_db
def test_it_shows_how_much_the_clamp_added_below_0(model):
    lead = make_lead(email="someone@gmail.com")
    explanation = lead_rescore(lead=lead, model=model, at=NOW)
    assert explanation.total == -40
    assert (explanation.score, explanation.clamped) == (0, 40)


@pytest.mark.django_db
def test_it_explains_a_lead_no_rule_applies_to_as_empty(model):
    lead = make_lead()
    explanation = lead_explain(lead=lead, model=model, at=NOW)
    assert explanation.contributions == []
    assert (explanation.fit, explanation.engagement, explanation.score) == (0, 0, 0)
