"""The lead page says who the lead is (persona) and why it scores what it does (every rule
under the scoring model in force), with the predictive model's suggested score; the lead list
shows each lead's persona without a query per row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.agreement.models import ModelStatus
from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    persona_match,
    personas_match_all,
    scoring_model_create,
)
from accord.campaigns.services import touch_create
from accord.funnel.tests.factories import make_account, make_lead
from accord.scoring.engine import lead_rescore
from accord.scoring.services import predictive_train
from accord.scoring.tests.history import build_history

pytestmark = pytest.mark.django_db

# As accord/funnel/tests/test_pages_list_queries.py: session + user, the property declarations,
# the page of rows (personas joined in), and the people for the owner filter.
LEAD_LIST_QUERIES = 5


@pytest.fixture
def model(marketing_head):
    model = scoring_model_create(by=marketing_head)
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Executives",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=40,
    )
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Free mail",
        criteria=[{"field": "email", "op": "contains", "value": ["@gmail."]}],
        points=-10,
    )
    engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Demo requests",
        kinds=["demo_request"],
        points=30,
        cap=60,
    )
    model.status = ModelStatus.IN_FORCE
    model.save()
    return model


@pytest.fixture
def leader():
    return persona_create(
        by=None, name="Tech leader", criteria=[{"field": "title", "op": "contains", "value": "VP"}]
    )


def test_the_lead_page_shows_the_persona_and_every_rule_that_gave_points(
    marketer_client, model, leader
):
    lead = make_lead(title="VP Engineering", email="vp@gmail.com")
    touch_create(by=None, lead=lead, kind="demo_request", at=timezone.now() - timedelta(hours=1))
    persona_match(lead=lead)
    lead_rescore(lead=lead, model=model)

    response = marketer_client.get(f"/leads/{lead.pk}/")
    content = response.content.decode()
    assert 'data-testid="lead-persona"' in content
    assert "Tech leader" in content
    card = response.context["score_card"]
    assert card.model == model
    assert [(c.label, c.points) for c in card.explanation.contributions] == [
        ("Executives", 40),
        ("Free mail", -10),
        ("Demo requests", 30),
    ]
    assert "Why 60, under" in content
    assert "scoring model v" in content
    assert content.count('data-testid="contribution"') == 3


def test_without_a_model_in_force_the_lead_page_says_where_the_score_comes_from(
    marketer_client,
):
    lead = make_lead()
    content = marketer_client.get(f"/leads/{lead.pk}/").content.decode()
    assert "No scoring model is in force yet" in content
    assert "None matched" in content
    assert "no predictive model has been trained" in content


def test_the_lead_page_shows_the_predictive_models_suggested_score(marketer_client):
    build_history(leads=200, seed=7)
    predictive_train(by=None, target="sql", exclude=["sales_status"], seed=1)
    lead = make_lead(title="Chief Marketing Officer")

    response = marketer_client.get(f"/leads/{lead.pk}/")
    suggested = response.context["score_card"].suggested
    assert 0 <= suggested <= 100
    assert "Suggested score" in response.content.decode()


def test_the_lead_list_shows_each_leads_persona_in_a_fixed_number_of_queries(
    marketer_client, leader, django_assert_num_queries
):
    acme = make_account(name="Acme")
    for i in range(12):
        make_lead(title="VP Sales" if i % 2 else "Analyst", account=acme)
    personas_match_all()
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        response = marketer_client.get("/leads/?per_page=10")
    content = response.content.decode()
    assert content.count('data-testid="lead-persona"') == 5
    assert "Tech leader" in content
