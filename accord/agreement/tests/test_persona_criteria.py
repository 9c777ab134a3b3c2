"""Persona criteria are validated with messages that name the condition at fault."""

from __future__ import annotations

import pytest

from accord.agreement.services import persona_create, persona_update
from accord.errors import AccordError, Conflict
from accord.funnel.services import property_define


@pytest.mark.django_db
def test_it_stores_cleaned_criteria(marketing_head):
    persona = persona_create(
        by=marketing_head,
        name=" Economic buyer ",
        criteria=[
            {"field": "title", "op": "contains", "value": "VP"},
            {"field": "account.employees", "op": "between", "value": [50, None]},
            {"field": "account.is_target", "op": "is_set"},
        ],
        pains="Forecasts nobody trusts",
    )
    assert persona.name == "Economic buyer"
    assert persona.criteria == [
        {"field": "title", "op": "contains", "value": ["VP"]},
        {"field": "account.employees", "op": "between", "value": [50, None]},
        {"field": "account.is_target", "op": "is_set", "value": True},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ("title", "criteria must be a list of conditions"),
        ([{"field": "salary", "op": "equals", "value": 1}], "condition 1 (salary): unknown field"),
        ([{"field": "title", "op": "like", "value": "x"}], "unknown op 'like'"),
        ([{"field": "title", "op": "between", "value": [1, 2]}], "between needs a number"),
        ([{"field": "account.employees", "op": "contains", "value": "5"}], "contains needs a text"),
        ([{"field": "account.employees", "op": "between", "value": [9, 1]}], "min ≤ max"),
        ([{"field": "account.employees", "op": "between", "value": 5}], "between needs [min, max]"),
        ([{"field": "account.employees", "op": "equals", "value": "many"}], "is not a number"),
        ([{"field": "account.industry", "op": "in", "value": []}], "non-empty list"),
        ([{"field": "title", "op": "contains", "value": [" "]}], "non-empty value"),
        ([{"field": "prop.budget", "op": "is_set"}], "'prop.budget' is not a declared lead"),
        ([{"field": "persona", "op": "equals", "value": 1}], "only be used in scoring rules"),
        ([{"field": "title", "op": "is_set", "value": "yes"}], "is_set takes true or false"),
        (["title"], "each condition is an object"),
        ([{"field": "title", "op": "equals", "value": "x", "weight": 2}], "unknown key 'weight'"),
    ],
)
def test_it_rejects_bad_criteria_with_a_clear_message(marketing_head, criteria, message):
    with pytest.raises(AccordError) as caught:
        persona_create(by=marketing_head, name="Broken", criteria=criteria)
    assert message in caught.value.message
    assert "criteria" in caught.value.fields


@pytest.mark.django_db
def test_it_accepts_declared_custom_properties(marketing_head):
    property_define(by=None, entity="lead", key="budget", label="Budget", type="number")
    persona = persona_create(
        by=marketing_head,
        name="Has budget",
        criteria=[{"field": "prop.budget", "op": "between", "value": ["1,000", None]}],
    )
    assert persona.criteria[0]["value"] == [1000, None]


@pytest.mark.django_db
def test_it_refuses_a_second_persona_with_the_same_name(marketing_head):
    persona_create(by=marketing_head, name="Champion")
    with pytest.raises(Conflict, match="a persona named 'Champion' exists"):
        persona_create(by=marketing_head, name="Champion")


@pytest.mark.django_db
def test_it_validates_criteria_on_update(marketing_head):
    persona = persona_create(by=marketing_head, name="Champion")
    with pytest.raises(AccordError, match="unknown field"):
        persona_update(persona=persona, by=marketing_head, criteria=[{"field": "x", "op": "in"}])
