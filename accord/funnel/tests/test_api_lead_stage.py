"""Moving a lead through the stage machine over the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import Stage, StageChange, StageSource
from accord.funnel.services import lead_move
from accord.teams.services import token_create

from .factories import make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(sales_rep):
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def move(client: Any, auth: dict[str, str], lead_id: int, payload: Any) -> Any:
    return client.post(
        f"/api/v1/leads/{lead_id}/stage", payload, content_type="application/json", headers=auth
    )


def test_it_moves_a_lead_and_records_who_why_and_how(client, auth, sales_rep):
    lead = make_lead(stage=Stage.MQL)
    response = move(client, auth, lead.pk, {"to_stage": "sal", "reason": "accepted"})
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "sal"
    change = StageChange.objects.filter(lead=lead).latest("at", "id")
    assert (change.from_stage, change.to_stage, change.actor, change.reason, change.source) == (
        "mql",
        "sal",
        sales_rep,
        "accepted",
        StageSource.API,
    )


def test_it_moves_a_lead_at_a_past_time(client, auth):
    lead = make_lead(created_at=timezone.now() - timedelta(days=10))
    at = timezone.now() - timedelta(days=2)
    response = move(client, auth, lead.pk, {"to_stage": "mql", "at": at.isoformat()})
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert lead.stage_changed_at == at


def test_it_refuses_an_illegal_move_with_409_and_the_reason(client, auth):
    lead = make_lead(stage=Stage.SQL)
    response = move(client, auth, lead.pk, {"to_stage": "mql"})
    assert response.status_code == 409
    body = response.json()
    assert "cannot move from SQL to MQL" in body["detail"]
    assert body["errors"]["to_stage"] == [body["detail"]]
    lead.refresh_from_db()
    assert lead.stage == Stage.SQL


def test_it_refuses_a_move_dated_before_the_last_one(client, auth):
    lead = make_lead()
    lead_move(lead=lead, to_stage=Stage.MQL, by=None)
    response = move(
        client,
        auth,
        lead.pk,
        {"to_stage": "sal", "at": (timezone.now() - timedelta(days=30)).isoformat()},
    )
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["at"]


def test_it_rejects_a_bad_move_payload_with_field_messages(client, auth):
    lead = make_lead()
    response = move(client, auth, lead.pk, {"to_stage": "hot", "when": "now"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"to_stage", "when"}
    response = move(client, auth, lead.pk, {})
    assert response.json()["errors"] == {"to_stage": ["required"]}


def test_it_answers_404_when_moving_an_unknown_lead(client, auth):
    response = move(client, auth, 999999, {"to_stage": "mql"})
    assert response.status_code == 404


def test_it_requires_authentication(client):
    lead = make_lead()
    response = client.post(
        f"/api/v1/leads/{lead.pk}/stage", {"to_stage": "mql"}, content_type="application/json"
    )
    assert response.status_code == 401
    lead.refresh_from_db()
    assert lead.stage == Stage.LEAD
