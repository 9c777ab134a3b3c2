"""Winning, losing and reopening a deal over the API."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import DealStatus, Stage
from accord.teams.services import token_create

from .factories import make_deal, make_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(sales_rep):
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def post(client: Any, auth: dict[str, str], url: str, payload: Any = None) -> Any:
    if payload is None:  # no body at all, as `curl -X POST URL` sends
        return client.post(url, "", content_type="application/json", headers=auth)
    return client.post(url, payload, content_type="application/json", headers=auth)


def test_winning_a_deal_makes_its_lead_a_customer(client, auth):
    lead = make_lead()
    deal = make_deal(primary_lead=lead)
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/win")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "won"
    lead.refresh_from_db()
    assert lead.stage == Stage.CUSTOMER


def test_it_wins_a_deal_at_a_given_time(client, auth):
    deal = make_deal(created_at=timezone.now() - timedelta(days=30))
    closed_at = timezone.now() - timedelta(days=1)
    response = post(
        client, auth, f"/api/v1/deals/{deal.pk}/win", {"closed_at": closed_at.isoformat()}
    )
    assert response.status_code == 200, response.json()
    deal.refresh_from_db()
    assert deal.closed_at == closed_at


def test_it_rejects_a_bad_win(client, auth):
    deal = make_deal()
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/win", {"closed_at": "soon"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["closed_at"]
    response = post(
        client, auth, f"/api/v1/deals/{deal.pk}/win", {"closed_at": "2000-01-01T00:00:00Z"}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["closed_at"]


def test_it_refuses_to_win_a_closed_deal_with_409(client, auth):
    deal = make_deal(status=DealStatus.LOST, loss_reason="price")
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/win")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the deal is already lost",
        "errors": {"status": ["already closed"]},
    }


def test_it_loses_a_deal_with_a_reason(client, auth):
    deal = make_deal()
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/lose", {"loss_reason": "budget"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["loss_reason"]) == ("lost", "budget")
    assert body["closed_at"]


def test_it_needs_a_loss_reason(client, auth):
    deal = make_deal()
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/lose", {"loss_reason": "  "})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["loss_reason"]
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/lose", {})
    assert response.json()["errors"] == {"loss_reason": ["required"]}


def test_it_reopens_a_lost_deal(client, auth):
    deal = make_deal(status=DealStatus.LOST, loss_reason="timing")
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/reopen")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["closed_at"], body["loss_reason"]) == ("open", None, "")


def test_it_refuses_to_reopen_a_won_deal_with_the_reason(client, auth):
    deal = make_deal(status=DealStatus.WON)
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/reopen")
    assert response.status_code == 409
    assert response.json()["errors"] == {"status": ["won"]}


def test_reopen_takes_no_fields(client, auth):
    deal = make_deal(status=DealStatus.LOST, loss_reason="timing")
    response = post(client, auth, f"/api/v1/deals/{deal.pk}/reopen", {"status": "open"})
    # No body is declared, so a stray one is ignored rather than half-understood.
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("action", "payload"), [("win", {}), ("lose", {"loss_reason": "x"}), ("reopen", None)]
)
def test_it_answers_404_for_an_unknown_deal(client, auth, action, payload):
    response = post(client, auth, f"/api/v1/deals/999999/{action}", payload)
    assert response.status_code == 404
    assert response.json()["detail"] == "no deal with id 999999"


@pytest.mark.parametrize("action", ["win", "lose", "reopen"])
def test_it_requires_authentication(client, action):
    deal = make_deal()
    response = client.post(f"/api/v1/deals/{deal.pk}/{action}", "", content_type="text/plain")
    assert response.status_code == 401
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN
