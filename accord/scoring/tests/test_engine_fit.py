"""Fit rules give their points, negative ones included, to the leads that satisfy them."""

from __future__ import annotations

import pytest

from accord.agreement.services import (
    fit_rule_create,
    persona_create,
    persona_match,
    scoring_model_create,
)
from accord.funnel.models import Lead
from accord.funnel.services import property_define
from accord.funnel.tests.factories import make_account, make_lead
from accord.scoring.engine import lead_explain, lead_rescore


@pytest.fixture
def model(marketing_head):
    property_define(by=None, entity="lead", key="budget", label="Budget", type="number")
    model = scoring_model_create(by=marketing_head)
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Mid-sized company",
        criteria=[{"field": "account.employees", "op": "between", "value": [50, 1000]}],
        points=20,
    )
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Senior title",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
        points=15,
    )
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Students",
        criteria=[{"field": "title", "op": "contains", "value": "student"}],
        points=-25,
    )
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Budget known",
        criteria=[{"field": "prop.budget", "op": "is_set"}],
        points=5,
    )
    return model


@pytest.mark.django_db
def test_it_adds_the_points_of_every_rule_a_lead_satisfies(model):
    lead = make_lead(
        title="VP Marketing",
        account=make_account(employees=200),
        properties={"budget": 10000},
    )
    explanation = lead_rescore(lead=lead, model=model)
    assert explanation.fit == 40
    assert [c.label for c in explanation.contributions] == [
        "Mid-sized company",
        "Senior title",
        "Budget known",
    ]
    lead.refresh_from_db()
    assert (lead.score, lead.fit_score, lead.engagement_score) == (40, 40, 0)


@pytest.mark.django_db
def test_it_takes_points_away_for_negative_rules(model):
    lead = make_lead(title="Student of marketing", account=make_account(employees=100))
    explanation = lead_rescore(lead=lead, model=model)
    assert explanation.fit == -5
    assert {c.label: c.points for c in explanation.contributions} == {
        "Mid-sized company": 20,
        "Students": -25,
    }
    lead.refresh_from_db()
    assert (lead.score, lead.fit_score) == (0, -5)


@pytest.mark.django_db
def test_it_gives_no_account_points_to_a_lead_without_an_account(model):
    lead = make_lead(title="Head of Growth")
    assert lead_explain(lead=lead, model=model).fit == 15


@pytest.mark.django_db
def test_it_gives_points_for_a_persona(marketing_head):
    persona = persona_create(
        by=marketing_head,
        name="Champion",
        criteria=[{"field": "title", "op": "contains", "value": "ops"}],
    )
    model = scoring_model_create(by=marketing_head)
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Champion persona",
        criteria=[{"field": "persona", "op": "equals", "value": persona.pk}],
        points=30,
    )
    champion = make_lead(title="RevOps lead")
    other = make_lead(title="Designer")
    persona_match(lead=champion)
    persona_match(lead=other)
    assert lead_rescore(lead=champion, model=model).fit == 30
    assert lead_rescore(lead=other, model=model).fit == 0
    assert Lead.objects.get(pk=champion.pk).score == 30
