"""Each lead is matched to its best persona, or to none, one lead at a time or all at once."""

from __future__ import annotations

import pytest

from accord.agreement.models import LeadPersona
from accord.agreement.selectors import lead_persona, persona_leads
from accord.agreement.services import (
    persona_create,
    persona_match,
    persona_update,
    personas_match_all,
)
from accord.funnel.services import property_define
from accord.funnel.tests.factories import make_account, make_lead


@pytest.fixture
def personas(marketing_head):
    property_define(by=None, entity="lead", key="budget", label="Budget", type="number")
    property_define(by=None, entity="account", key="stack", label="Stack", type="text")
    leader = persona_create(
        by=marketing_head,
        name="Revenue leader",
        criteria=[
            {"field": "title", "op": "contains", "value": ["VP", "Head"]},
            {"field": "account.employees", "op": "between", "value": [50, 1000]},
        ],
    )
    analyst = persona_create(
        by=marketing_head,
        name="Analyst in software",
        criteria=[
            {"field": "account.industry", "op": "in", "value": ["Software", "SaaS"]},
        ],
    )
    budget = persona_create(
        by=marketing_head,
        name="Budget holder",
        priority=1,
        criteria=[
            {"field": "prop.budget", "op": "between", "value": [10000, None]},
            {"field": "account.prop.stack", "op": "equals", "value": "snowflake"},
        ],
    )
    return leader, analyst, budget


@pytest.mark.django_db
def test_it_matches_title_words_and_employee_range(personas):
    leader, _, _ = personas
    account = make_account(industry="Retail", employees=200)
    lead = make_lead(title="Head of Demand Gen", account=account)
    assert persona_match(lead=lead) == leader
    assert lead_persona(lead) == leader


@pytest.mark.django_db
def test_it_matches_no_persona_when_no_criteria_hold(personas):
    account = make_account(industry="Retail", employees=20)
    lead = make_lead(title="VP Sales", account=account)
    assert persona_match(lead=lead) is None
    assert not LeadPersona.objects.exists()


@pytest.mark.django_db
def test_it_prefers_the_persona_with_the_higher_priority(personas):
    _, analyst, budget = personas
    account = make_account(industry="software", properties={"stack": "Snowflake"})
    lead = make_lead(account=account, properties={"budget": 25000})
    assert persona_match(lead=lead) == budget
    poorer = make_lead(account=account, properties={"budget": 500})
    assert persona_match(lead=poorer) == analyst


@pytest.mark.django_db
def test_it_prefers_the_more_specific_persona_at_equal_priority(marketing_head):
    broad = persona_create(
        by=marketing_head, name="Anyone senior", criteria=[{"field": "title", "op": "is_set"}]
    )
    narrow = persona_create(
        by=marketing_head,
        name="Senior in France",
        criteria=[
            {"field": "title", "op": "is_set"},
            {"field": "account.country", "op": "equals", "value": "France"},
        ],
    )
    in_france = make_lead(title="CFO", account=make_account(country="France"))
    elsewhere = make_lead(title="CFO", account=make_account(country="Spain"))
    no_title = make_lead(account=make_account(country="France"))
    assert persona_match(lead=in_france) == narrow
    assert persona_match(lead=elsewhere) == broad
    assert persona_match(lead=no_title) is None


@pytest.mark.django_db
def test_it_moves_a_lead_to_another_persona_when_it_changes(personas):
    leader, analyst, _ = personas
    account = make_account(industry="SaaS", employees=10)
    lead = make_lead(title="VP Marketing", account=account)
    assert persona_match(lead=lead) == analyst
    account.employees = 300
    account.save()
    assert persona_match(lead=lead) == leader
    assert LeadPersona.objects.get(lead=lead).persona == leader


@pytest.mark.django_db
def test_it_matches_every_lead_at_once_like_one_at_a_time(personas, django_assert_max_num_queries):
    leader, analyst, budget = personas
    accounts = [
        make_account(industry="SaaS", employees=40),
        make_account(industry="Retail", employees=400, properties={"stack": "snowflake"}),
        make_account(industry="Software", employees=5000),
        None,
    ]
    titles = ["VP Sales", "Head of Ops", "Engineer", ""]
    leads = []
    for n in range(24):
        leads.append(
            make_lead(
                title=titles[n % 4],
                account=accounts[(n // 4) % 4],
                properties={"budget": 20000} if n % 5 == 0 else {},
            )
        )
    stale = leads[0]
    # Creating a lead matches it; start from no matches but one stale one.
    LeadPersona.objects.all().delete()
    LeadPersona.objects.create(lead=stale, persona=leader)

    with django_assert_max_num_queries(6):
        matched = personas_match_all()

    bulk = dict(LeadPersona.objects.values_list("lead_id", "persona_id"))
    single = {}
    for lead in leads:
        persona = persona_match(lead=lead)
        if persona is not None:
            single[lead.pk] = persona.pk
    assert bulk == single
    assert matched == len(bulk)
    assert {leader.pk, analyst.pk, budget.pk} <= set(bulk.values())
    assert set(persona_leads(analyst)) == {
        lead for lead in leads if bulk.get(lead.pk) == analyst.pk
    }


@pytest.mark.django_db
def test_it_keeps_the_match_time_of_an_unchanged_match(personas):
    leader = personas[0]
    lead = make_lead(title="VP Sales", account=make_account(employees=100))
    personas_match_all()
    assert lead_persona(lead) == leader
    first = LeadPersona.objects.get(lead=lead).matched_at
    personas_match_all()
    assert LeadPersona.objects.get(lead=lead).matched_at == first


@pytest.mark.django_db
def test_it_clears_every_match_when_no_persona_has_criteria(marketing_head):
    persona = persona_create(
        by=marketing_head, name="Anyone", criteria=[{"field": "title", "op": "is_set"}]
    )
    lead = make_lead(title="CTO")
    assert personas_match_all() == 1
    persona_update(persona=persona, by=marketing_head, criteria=[])
    assert personas_match_all() == 0
    assert persona_match(lead=lead) is None
    assert lead_persona(lead) is None
