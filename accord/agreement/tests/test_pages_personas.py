"""Persona pages: the list with each persona's leads and conversion, a persona with its leads,
and the forms that create and edit personas (criteria typed one condition a line)."""

from __future__ import annotations

import pytest

from accord.agreement.models import Persona
from accord.agreement.services import persona_create, personas_match_all
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_account, make_lead

pytestmark = pytest.mark.django_db

# session + user, and the personas with their counts in one query.
PERSONA_LIST_QUERIES = 3


@pytest.fixture
def leaders(sales_rep):
    persona = persona_create(
        by=None,
        name="Tech leader",
        description="Runs engineering at a software company.",
        pains="Too many tools",
        criteria=[
            {"field": "title", "op": "contains", "value": ["CTO", "VP"]},
            {"field": "account.employees", "op": "between", "value": [50, 1000]},
        ],
    )
    acme = make_account(name="Acme", employees=200)
    leads = [make_lead(title="CTO", account=acme, first_name=f"L{i}") for i in range(4)]
    make_lead(title="Intern", account=acme)
    lead_move(lead=leads[0], to_stage="mql", by=sales_rep)
    lead_move(lead=leads[0], to_stage="sal", by=sales_rep)
    lead_move(lead=leads[0], to_stage="sql", by=sales_rep)
    lead_move(lead=leads[1], to_stage="mql", by=sales_rep)
    personas_match_all()
    return persona


def test_the_list_shows_each_persona_with_its_leads_and_how_far_they_went(marketer_client, leaders):
    response = marketer_client.get("/personas/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Tech leader" in content
    assert "title contains CTO, VP" in content
    assert "account.employees between 50..1000" in content
    [(persona, conversions, _)] = response.context["rows"]
    assert persona.lead_count == 4
    assert [(c.stage, c.reached) for c in conversions] == [("mql", 2), ("sql", 1), ("customer", 0)]
    assert conversions[0].rate == 0.5


def test_the_persona_list_runs_a_fixed_number_of_queries(
    marketer_client, leaders, django_assert_num_queries
):
    for n in range(5):
        persona_create(
            by=None,
            name=f"Persona {n}",
            criteria=[{"field": "title", "op": "contains", "value": "x"}],
        )
    with django_assert_num_queries(PERSONA_LIST_QUERIES):
        response = marketer_client.get("/personas/")
    assert len(response.context["rows"]) == 6


def test_a_persona_page_shows_its_leads_and_their_conversion(marketer_client, leaders):
    response = marketer_client.get(f"/personas/{leaders.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Runs engineering at a software company." in content
    assert "Too many tools" in content
    assert len(response.context["leads"]) == 4
    assert 'data-testid="reached-mql">50 %' in content
    assert 'data-testid="reached-sql">25 %' in content
    assert f"/leads/?persona={leaders.pk}" in content


def test_the_lead_list_filters_by_persona_and_says_so(marketer_client, leaders):
    response = marketer_client.get(f"/leads/?persona={leaders.pk}")
    assert len(response.context["listing"].items) == 4
    assert 'data-testid="persona-filter"' in response.content.decode()


def test_a_persona_that_does_not_exist_answers_404(marketer_client):
    assert marketer_client.get("/personas/999999/").status_code == 404


def test_a_marketer_creates_a_persona_with_criteria_typed_one_a_line(marketer_client, marketer):
    response = marketer_client.post(
        "/personas/new/",
        {
            "name": "Finance buyer",
            "priority": "50",
            "description": "Signs the cheques.",
            "criteria": "title contains CFO, Finance\naccount.employees between 200..\n"
            "account.industry in Software, Fintech",
        },
    )
    persona = Persona.objects.get(name="Finance buyer")
    assert response.status_code == 302
    assert response["Location"] == f"/personas/{persona.pk}/"
    assert persona.priority == 50
    assert persona.created_by == marketer
    assert persona.criteria == [
        {"field": "title", "op": "contains", "value": ["CFO", "Finance"]},
        {"field": "account.employees", "op": "between", "value": [200, None]},
        {"field": "account.industry", "op": "in", "value": ["Software", "Fintech"]},
    ]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ("title", "write FIELD OP VALUE"),
        ("title resembles CTO", "unknown op"),
        ("shoe_size equals 42", "unknown field"),
        ("account.employees between lots", "between takes min..max"),
        ("account.employees between a..b", "condition 1 (account.employees)"),
        ("[not json", "not valid JSON"),
    ],
)
def test_bad_criteria_come_back_next_to_the_field_without_saving(
    marketer_client, criteria, message
):
    response = marketer_client.post(
        "/personas/new/", {"name": "Broken", "priority": "100", "criteria": criteria}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["criteria"])
    assert not Persona.objects.filter(name="Broken").exists()


def test_a_taken_name_is_refused_next_to_the_name(marketer_client, leaders):
    response = marketer_client.post("/personas/new/", {"name": "Tech leader", "priority": "100"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]


def test_the_edit_form_shows_the_criteria_as_lines_and_saves_changes(marketer_client, leaders):
    response = marketer_client.get(f"/personas/{leaders.pk}/edit/")
    assert response.status_code == 200
    assert response.context["form"].initial["criteria"] == (
        "title contains CTO, VP\naccount.employees between 50..1000"
    )
    response = marketer_client.post(
        f"/personas/{leaders.pk}/edit/",
        {"name": "Tech leader", "priority": "10", "criteria": "title contains CTO"},
    )
    assert response.status_code == 302
    leaders.refresh_from_db()
    assert leaders.priority == 10
    assert leaders.criteria == [{"field": "title", "op": "contains", "value": ["CTO"]}]
