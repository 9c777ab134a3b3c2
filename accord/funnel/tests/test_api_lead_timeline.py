"""GET /leads/{id}/timeline: touches, stage changes, deals and notes, newest first."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.campaigns.services import touch_create
from accord.funnel.models import Stage
from accord.funnel.services import lead_move, note_add
from accord.teams.services import token_create

from .factories import make_deal, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(sales_rep: Any) -> dict[str, str]:
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_shows_a_leads_timeline_newest_first(client, auth, marketer):
    now = timezone.now()
    lead = make_lead(created_at=now - timedelta(days=5))
    touch_create(by=None, lead=lead, kind="webinar", at=now - timedelta(days=4))
    lead_move(lead=lead, to_stage=Stage.MQL, by=marketer, reason="webinar", at=now - timedelta(3))
    make_deal(primary_lead=lead, name="Pilot", created_at=now - timedelta(days=2))
    note_add(lead=lead, by=marketer, body="Asked for pricing")
    response = client.get(f"/api/v1/leads/{lead.pk}/timeline", headers=auth)
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["kind"] for i in items] == [
        "note",
        "stage",
        "deal_opened",
        "stage",
        "touch",
        "stage",
    ]
    assert items[0]["detail"] == "Asked for pricing"
    assert items[0]["actor"] == "Mia Marketer"
    assert items[2]["title"] == "Deal opened: Pilot"


def test_it_limits_the_timeline(client, auth):
    lead = make_lead()
    for _ in range(3):
        touch_create(by=None, lead=lead, kind="page_view")
    response = client.get(f"/api/v1/leads/{lead.pk}/timeline", {"limit": 2}, headers=auth)
    assert len(response.json()["items"]) == 2
    response = client.get(f"/api/v1/leads/{lead.pk}/timeline", {"limit": 0}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["limit"]


def test_it_answers_404_for_the_timeline_of_an_unknown_lead(client, auth):
    response = client.get("/api/v1/leads/999999/timeline", headers=auth)
    assert response.status_code == 404


def test_the_timeline_runs_the_same_queries_for_5_and_50_entries(
    client, auth, marketer, django_assert_num_queries
):
    lead = make_lead()
    url = f"/api/v1/leads/{lead.pk}/timeline"
    client.get(url, headers=auth)

    def add_entries(n: int) -> None:
        for _ in range(n):
            touch_create(by=None, lead=lead, kind="page_view")
            note_add(lead=lead, by=marketer, body="Called")

    add_entries(2)  # with the creation stage change: 5 entries
    # The token, the lead, then touches, stage changes, deals and notes.
    with django_assert_num_queries(6):
        assert len(client.get(url, headers=auth).json()["items"]) == 5
    add_entries(21)
    make_deal(primary_lead=lead)  # the deal and the move it makes
    touch_create(by=None, lead=lead, kind="call")
    with django_assert_num_queries(6):
        assert len(client.get(url, headers=auth).json()["items"]) == 50


def test_it_requires_authentication(client):
    lead = make_lead()
    assert client.get(f"/api/v1/leads/{lead.pk}/timeline").status_code == 401
