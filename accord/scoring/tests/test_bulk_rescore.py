"""Rescoring every lead at once gives exactly the scores of rescoring each lead alone."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    personas_match_all,
    scoring_model_create,
)
from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.models import Lead
from accord.funnel.services import property_define
from accord.funnel.tests.factories import make_account, make_lead
from accord.scoring.engine import lead_explain, lead_rescore, rescore_all

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KINDS = ["page_view", "email_open", "email_click", "content_download", "webinar", "demo_request"]


@pytest.fixture
def world(marketing_head):
    rng = random.Random(7)
    property_define(by=None, entity="lead", key="budget", label="Budget", type="number")
    campaign = campaign_create(by=marketing_head, name="Launch", channel="webinar")
    persona = persona_create(
        by=marketing_head,
        name="Leader",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
    )
    accounts = [
        make_account(industry=industry, employees=employees, is_target=n % 2 == 0)
        for n, (industry, employees) in enumerate(
            [("Software", 40), ("Retail", 300), ("software", 900), ("Finance", 5000)]
        )
    ]
    titles = ["VP Sales", "Head of Ops", "Engineer", "Student", ""]
    leads = []
    for n in range(36):
        lead = make_lead(
            title=titles[n % len(titles)],
            account=accounts[n % 4] if n % 7 else None,
            properties={"budget": rng.choice([500, 20000])} if n % 3 == 0 else {},
        )
        for _ in range(rng.randint(0, 6)):
            touch_create(
                by=None,
                lead=lead,
                kind=rng.choice(KINDS),
                at=NOW - timedelta(days=rng.uniform(-5, 120)),
                campaign=campaign if rng.random() < 0.3 else None,
                content=rng.choice(["", "pricing page", "careers", "blog: pricing tiers"]),
            )
        leads.append(lead)
    personas_match_all()

    model = scoring_model_create(by=marketing_head)
    fit = [
        ("Leader persona", [{"field": "persona", "op": "equals", "value": persona.pk}], 20),
        ("Software", [{"field": "account.industry", "op": "in", "value": ["Software"]}], 15),
        ("Mid-size", [{"field": "account.employees", "op": "between", "value": [50, 1000]}], 10),
        ("Target account", [{"field": "account.is_target", "op": "equals", "value": True}], 5),
        ("Students", [{"field": "title", "op": "contains", "value": "student"}], -30),
        ("Big budget", [{"field": "prop.budget", "op": "between", "value": [10000, None]}], 10),
    ]
    for label, criteria, points in fit:
        fit_rule_create(
            model=model, by=marketing_head, label=label, criteria=criteria, points=points
        )
    engagement: list[dict[str, Any]] = [
        {"label": "Demo", "kinds": ["demo_request"], "points": 40, "cap": 40},
        {"label": "Views", "kinds": ["page_view"], "points": 2, "cap": 10, "half_life_days": 14},
        {
            "label": "Webinar",
            "campaign_ids": [campaign.pk],
            "points": 7,
            "cap": 20,
            "half_life_days": 30,
        },
        {
            "label": "Pricing",
            "content_contains": ["pricing"],
            "points": 4,
            "cap": 12,
            "half_life_days": 3.5,
        },
        {"label": "Careers", "content_contains": ["careers"], "points": -5, "cap": 15},
    ]
    for rule in engagement:
        engagement_rule_create(model=model, by=marketing_head, **rule)
    return model, leads


@pytest.mark.django_db
def test_it_gives_every_lead_the_same_score_in_bulk_as_alone(world, django_assert_max_num_queries):
    model, leads = world
    with django_assert_max_num_queries(12):
        changed = rescore_all(model, at=NOW)
    bulk = {
        pk: (score, fit, engagement)
        for pk, score, fit, engagement in Lead.objects.values_list(
            "pk", "score", "fit_score", "engagement_score"
        )
    }
    assert changed == sum(1 for v in bulk.values() if v != (0, 0, 0))
    for lead in leads:
        explanation = lead_rescore(lead=lead, model=model, at=NOW)
        assert (explanation.score, explanation.fit, explanation.engagement) == bulk[lead.pk]
        assert sum(c.points for c in explanation.contributions) == explanation.total
    # The data is varied enough for the comparison to mean something.
    assert len({v[0] for v in bulk.values()}) > 8
    assert any(v[1] < 0 for v in bulk.values())
    assert any(v[2] < 0 for v in bulk.values()) or any(v[2] > 0 for v in bulk.values())


@pytest.mark.django_db
def test_it_changes_nothing_when_rescoring_twice(world):
    model, _ = world
    assert rescore_all(model, at=NOW) > 0
    assert rescore_all(model, at=NOW) == 0


@pytest.mark.django_db
def test_it_rescores_for_decay_as_time_passes(world):
    model, leads = world
    rescore_all(model, at=NOW)
    later = NOW + timedelta(days=60)
    rescore_all(model, at=later)
    for lead in leads:
        lead.refresh_from_db()
        assert lead.engagement_score == lead_explain(lead=lead, model=model, at=later).engagement


@pytest.mark.django_db
def test_it_scores_all_leads_under_a_model_without_rules(marketing_head):
    lead = make_lead()
    Lead.objects.filter(pk=lead.pk).update(score=50, fit_score=20, engagement_score=30)
    assert rescore_all(scoring_model_create(by=marketing_head), at=NOW) == 1
    lead.refresh_from_db()
    assert (lead.score, lead.fit_score, lead.engagement_score) == (0, 0, 0)
