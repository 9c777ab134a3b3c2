"""The MQL/SQL stage gate: a manual or API move to mql or sql must meet the definition in force,
unless a head of marketing or sales (or an admin) moves the lead with a reason."""

from typing import Any

import pytest

from accord.agreement.models import Agreement, AgreementStatus
from accord.errors import Conflict
from accord.funnel.models import Lead, StageChange, StageSource
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_lead
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

MQL = [
    [
        {"field": "score", "op": "at_least", "value": 60},
        {"field": "fit", "op": "at_least", "value": 30},
    ],
    [{"field": "touches", "op": "at_least", "value": 1, "kinds": ["demo_request"]}],
]
SQL = [[{"field": "touches", "op": "at_least", "value": 1, "kinds": ["meeting"]}]]


def in_force(version: int = 3, mql: Any = MQL, sql: Any = SQL) -> Agreement:
    return Agreement.objects.create(
        version=version,
        title=f"v{version}",
        status=AgreementStatus.IN_FORCE,
        mql_definition=mql,
        sql_definition=sql,
    )


def scored(score: int, fit: int, **fields: Any) -> Lead:
    lead = make_lead(**fields)
    Lead.objects.filter(pk=lead.pk).update(score=score, fit_score=fit, engagement_score=score - fit)
    lead.refresh_from_db()
    return lead


def test_a_lead_that_does_not_meet_the_mql_definition_cannot_be_moved_to_mql(marketer):
    in_force()
    lead = scored(42, 35)
    with pytest.raises(Conflict) as caught:
        lead_move(lead=lead, to_stage="mql", by=marketer, reason="looks keen")
    message = caught.value.message
    assert "does not meet the MQL definition of agreement v3" in message
    assert "score ≥ 60 (is 42)" in message
    assert caught.value.fields == {"to_stage": ["score ≥ 60 (is 42)"]}
    lead.refresh_from_db()
    assert lead.stage == "lead"
    assert not StageChange.objects.filter(lead=lead, to_stage="mql").exists()


def test_a_lead_that_meets_the_mql_definition_moves(marketer):
    in_force()
    lead = scored(61, 30)
    lead_move(lead=lead, to_stage="mql", by=marketer)
    lead.refresh_from_db()
    assert lead.stage == "mql"


def test_every_failed_criterion_of_the_closest_group_is_listed(marketer):
    in_force()
    lead = scored(20, 10)
    with pytest.raises(Conflict) as caught:
        lead_move(lead=lead, to_stage="mql", by=marketer)
    # Group 2 (a demo request) fails one condition, group 1 two: group 2 is the closest.
    assert caught.value.fields["to_stage"] == ["at least 1 demo request (has 0)"]


def test_the_sql_gate_reads_the_sql_definition(sales_rep):
    in_force()
    lead = scored(90, 50)
    with pytest.raises(Conflict) as caught:
        lead_move(lead=lead, to_stage="sql", by=sales_rep)
    assert "does not meet the SQL definition of agreement v3" in caught.value.message
    assert "at least 1 meeting (has 0)" in caught.value.message


@pytest.mark.parametrize("person", ["marketing_head", "sales_head", "admin_user"])
def test_a_head_or_an_admin_moves_a_lead_past_the_gate_with_a_reason(person, request):
    in_force()
    head = request.getfixturevalue(person)
    lead = scored(10, 0)
    change = lead_move(lead=lead, to_stage="mql", by=head, reason="met them at the fair")
    assert (change.to_stage, change.actor, change.reason) == ("mql", head, "met them at the fair")


def test_a_head_without_a_reason_is_refused_and_told_to_give_one(marketing_head):
    in_force()
    lead = scored(10, 0)
    with pytest.raises(Conflict) as caught:
        lead_move(lead=lead, to_stage="mql", by=marketing_head, reason="  ")
    assert "Give a reason to move it anyway" in caught.value.message


def test_a_member_or_rep_with_a_reason_is_still_refused(marketer, sales_rep):
    in_force()
    lead = scored(10, 0)
    for person in (marketer, sales_rep):
        with pytest.raises(Conflict) as caught:
            lead_move(lead=lead, to_stage="mql", by=person, reason="trust me")
        assert "A head of marketing or sales may move it anyway" in caught.value.message


def test_a_head_of_another_team_cannot_override_the_gate(django_user_model):
    in_force()
    ceo = django_user_model.objects.create_user("cleo", team="leadership", role="head")
    lead = scored(10, 0)
    with pytest.raises(Conflict):
        lead_move(lead=lead, to_stage="mql", by=ceo, reason="I said so")


def test_without_an_agreement_in_force_there_is_no_gate(marketer):
    Agreement.objects.create(version=1, title="draft", mql_definition=MQL)  # only a proposal
    lead = scored(0, 0)
    lead_move(lead=lead, to_stage="mql", by=marketer)
    lead.refresh_from_db()
    assert lead.stage == "mql"


def test_an_agreement_without_a_definition_does_not_gate_that_stage(marketer):
    in_force(mql=[], sql=SQL)
    lead = scored(0, 0)
    lead_move(lead=lead, to_stage="mql", by=marketer)
    with pytest.raises(Conflict):
        lead_move(lead=lead, to_stage="sql", by=marketer)


@pytest.mark.parametrize("source", [StageSource.IMPORT, StageSource.DEAL, StageSource.SYSTEM])
def test_moves_from_imports_deals_and_the_system_are_not_gated(source):
    in_force()
    lead = scored(0, 0)
    lead_move(lead=lead, to_stage="sql", by=None, source=source)
    lead.refresh_from_db()
    assert lead.stage == "sql"


def test_other_stages_are_not_gated(sales_rep):
    in_force()
    lead = scored(0, 0)
    lead_move(lead=lead, to_stage="sal", by=sales_rep)
    lead_move(lead=lead, to_stage="recycled", by=sales_rep)
    lead.refresh_from_db()
    assert lead.stage == "recycled"


def test_the_lead_page_shows_the_failed_criteria(marketer_client):
    in_force()
    lead = scored(42, 35)
    response = marketer_client.post(
        f"/leads/{lead.pk}/move/", {"to_stage": "mql", "reason": "keen"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "does not meet the MQL definition of agreement v3" in body
    assert "score ≥ 60 (is 42)" in body
    lead.refresh_from_db()
    assert lead.stage == "lead"


def test_the_api_refuses_with_409_and_the_failed_criteria(client, marketer):
    in_force()
    lead = scored(42, 35)
    _, raw = token_create(user=marketer, name="tests")
    response = client.post(
        f"/api/v1/leads/{lead.pk}/stage",
        {"to_stage": "mql", "reason": "keen"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 409
    body = response.json()
    assert "agreement v3" in body["detail"]
    assert body["errors"] == {"to_stage": ["score ≥ 60 (is 42)"]}


def test_a_head_overrides_through_the_api_with_a_reason(client, sales_head):
    in_force()
    lead = scored(0, 0)
    _, raw = token_create(user=sales_head, name="tests")
    response = client.post(
        f"/api/v1/leads/{lead.pk}/stage",
        {"to_stage": "sql", "reason": "signed the letter of intent"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    change = StageChange.objects.filter(lead=lead).latest("id")
    assert (change.to_stage, change.reason, change.source) == (
        "sql",
        "signed the letter of intent",
        "api",
    )
