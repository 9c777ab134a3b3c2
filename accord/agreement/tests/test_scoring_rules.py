"""Scoring models are numbered drafts whose rules are validated before they are stored."""

from __future__ import annotations

import pytest

from accord.agreement.models import ModelStatus
from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    scoring_model_create,
)
from accord.campaigns.services import campaign_create
from accord.errors import AccordError, Conflict


@pytest.mark.django_db
def test_it_numbers_each_new_model_after_the_last(marketing_head):
    first = scoring_model_create(by=marketing_head)
    second = scoring_model_create(by=marketing_head, name="Tighter fit")
    assert (first.version, second.version) == (1, 2)
    assert second.status == ModelStatus.DRAFT


@pytest.mark.django_db
def test_it_adds_fit_rules_with_negative_points_and_personas(marketing_head):
    model = scoring_model_create(by=marketing_head)
    persona = persona_create(by=marketing_head, name="Champion")
    rule = fit_rule_create(
        model=model,
        by=marketing_head,
        label="Students",
        criteria=[{"field": "title", "op": "contains", "value": "student"}],
        points=-20,
    )
    by_persona = fit_rule_create(
        model=model,
        by=marketing_head,
        label="Champions",
        criteria=[{"field": "persona", "op": "equals", "value": persona.pk}],
        points=15,
    )
    assert rule.points == -20
    assert by_persona.position == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"criteria": []}, "at least one condition"),
        ({"points": 0}, "not 0"),
        ({"points": 101}, "between -100 and 100"),
        ({"points": 2.5}, "whole number"),
        ({"label": " "}, "needs a label"),
        ({"criteria": [{"field": "persona", "op": "equals", "value": 999}]}, "no persona with id"),
        ({"criteria": [{"field": "persona", "op": "contains", "value": 1}]}, "equals or in"),
    ],
)
def test_it_rejects_bad_fit_rules(marketing_head, fields, message):
    model = scoring_model_create(by=marketing_head)
    args = {
        "label": "Big",
        "criteria": [{"field": "account.employees", "op": "between", "value": [100, None]}],
        "points": 10,
        **fields,
    }
    with pytest.raises(AccordError) as caught:
        fit_rule_create(model=model, by=marketing_head, **args)
    assert message in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kinds": ["fax"]}, "unknown kinds 'fax'"),
        ({"channels": ["radio"]}, "unknown channels 'radio'"),
        ({"campaign_ids": [999]}, "no campaign with id 999"),
        ({"cap": 0}, "cap must be a whole number from 1 to 100"),
        ({"half_life_days": 0}, "half-life must be a number of days above 0"),
        ({"content_contains": [" "]}, "content words must not be empty"),
    ],
)
def test_it_rejects_bad_engagement_rules(marketing_head, fields, message):
    model = scoring_model_create(by=marketing_head)
    args = {"label": "Demo", "kinds": ["demo_request"], "points": 30, "cap": 30, **fields}
    with pytest.raises(AccordError) as caught:
        engagement_rule_create(model=model, by=marketing_head, **args)
    assert message in caught.value.message


@pytest.mark.django_db
def test_it_adds_engagement_rules_on_campaigns_and_content(marketing_head):
    model = scoring_model_create(by=marketing_head)
    campaign = campaign_create(by=marketing_head, name="Spring webinar", channel="webinar")
    rule = engagement_rule_create(
        model=model,
        by=marketing_head,
        label="Pricing interest",
        campaign_ids=[campaign.pk],
        content_contains=["pricing"],
        points=5,
        cap=20,
        half_life_days=14,
    )
    assert rule.half_life_days == 14.0
    assert rule.campaign_ids == [campaign.pk]


@pytest.mark.django_db
def test_it_refuses_rule_changes_once_a_model_is_no_longer_a_draft(marketing_head):
    model = scoring_model_create(by=marketing_head)
    model.status = ModelStatus.IN_FORCE
    model.save()
    with pytest.raises(Conflict, match="v1 is in force; only drafts take rule changes"):
        engagement_rule_create(model=model, by=marketing_head, label="Any", points=1, cap=5)
