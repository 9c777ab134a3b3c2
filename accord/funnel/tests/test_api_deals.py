"""The deals endpoints: list, get, create, update."""

from decimal import Decimal
from typing import Any

import pytest

from accord.funnel.models import Deal, DealStatus, PipelineStage, Stage
from accord.teams.services import token_create

from .factories import make_account, make_deal, make_lead

pytestmark = pytest.mark.django_db

URL = "/api/v1/deals"


@pytest.fixture
def auth(sales_rep):
    _, raw = token_create(user=sales_rep, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def post(client: Any, auth: dict[str, str], url: str, payload: Any) -> Any:
    return client.post(url, payload, content_type="application/json", headers=auth)


def patch(client: Any, auth: dict[str, str], url: str, payload: Any) -> Any:
    return client.patch(url, payload, content_type="application/json", headers=auth)


def test_it_lists_deals_with_their_leads(client, auth):
    lead, other = make_lead(), make_lead()
    deal = make_deal(primary_lead=lead, leads=[other], amount=5000)
    body = client.get(URL, headers=auth).json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert item["id"] == deal.pk
    assert item["lead_ids"] == sorted([lead.pk, other.pk])
    assert Decimal(item["amount"]) == Decimal("5000")


def test_it_filters_and_sorts_deals(client, auth):
    account = make_account()
    small = make_deal(account=account, amount=100)
    big = make_deal(account=account, amount=900)
    make_deal(amount=500)
    make_deal(account=account, amount=700, status=DealStatus.LOST, loss_reason="price")
    response = client.get(
        URL, {"account": account.pk, "status": "open", "sort": "-amount"}, headers=auth
    )
    assert [i["id"] for i in response.json()["items"]] == [big.pk, small.pk]


def test_it_rejects_bad_deal_filters(client, auth):
    response = client.get(URL, {"status": "pending"}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]
    response = client.get(URL, {"sort": "colour"}, headers=auth)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sort"]


def test_the_deal_list_runs_the_same_queries_for_5_and_50_deals(
    client, auth, django_assert_num_queries
):
    client.get(URL, headers=auth)
    lead = make_lead()
    for _ in range(5):
        make_deal(primary_lead=lead, leads=[make_lead()])
    with django_assert_num_queries(3):  # the token, the page, the linked leads
        assert len(client.get(URL, headers=auth).json()["items"]) == 5
    for _ in range(45):
        make_deal(primary_lead=lead, leads=[make_lead()])
    with django_assert_num_queries(3):
        assert len(client.get(URL, headers=auth).json()["items"]) == 50


def test_it_gets_a_deal(client, auth):
    deal = make_deal(name="Pilot")
    body = client.get(f"{URL}/{deal.pk}", headers=auth).json()
    assert (body["id"], body["name"], body["status"], body["lead_ids"]) == (
        deal.pk,
        "Pilot",
        "open",
        [],
    )


def test_it_answers_404_for_an_unknown_deal(client, auth):
    response = client.get(f"{URL}/999999", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "no deal with id 999999"


def test_creating_a_deal_makes_its_primary_lead_an_opportunity(client, auth, sales_rep):
    account = make_account()
    lead = make_lead(account=account, stage=Stage.SQL)
    other = make_lead()
    stage = PipelineStage.objects.order_by("-position")[0]
    response = post(
        client,
        auth,
        URL,
        {
            "name": "Pilot",
            "amount": "12000.50",
            "primary_lead_id": lead.pk,
            "lead_ids": [other.pk],
            "owner_id": sales_rep.pk,
            "pipeline_stage_id": stage.pk,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == "12000.50"
    assert body["account_id"] == account.pk  # taken from the primary lead
    assert body["lead_ids"] == sorted([lead.pk, other.pk])
    assert body["pipeline_stage_id"] == stage.pk
    deal = Deal.objects.get(pk=body["id"])
    assert deal.amount == Decimal("12000.50")
    lead.refresh_from_db()
    assert lead.stage == Stage.OPPORTUNITY


def test_it_records_a_won_deal_from_history(client, auth):
    lead = make_lead()
    response = post(
        client,
        auth,
        URL,
        {
            "name": "Old win",
            "primary_lead_id": lead.pk,
            "status": "won",
            "created_at": "2024-01-10T09:00:00Z",
            "closed_at": "2024-03-01T09:00:00Z",
        },
    )
    assert response.status_code == 201, response.json()
    lead.refresh_from_db()
    assert lead.stage == Stage.CUSTOMER


def test_it_rejects_a_bad_deal_payload_with_field_messages(client, auth):
    response = post(client, auth, URL, {"amount": -5, "stage": "won"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "amount", "stage"}
    response = post(client, auth, URL, {"name": "Lost", "status": "lost"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"loss_reason": ["required"]}


def test_it_names_missing_linked_leads_and_stage(client, auth):
    lead = make_lead()
    response = post(
        client,
        auth,
        URL,
        {"name": "Pilot", "lead_ids": [lead.pk, 999998, 999999], "pipeline_stage_id": 999999},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "lead_ids": ["no lead with id 999998, 999999"],
        "pipeline_stage_id": ["no pipeline stage with id 999999"],
    }
    assert not Deal.objects.exists()


def test_it_updates_only_the_fields_sent(client, auth):
    lead = make_lead()
    deal = make_deal(name="Pilot", amount=100)
    response = patch(client, auth, f"{URL}/{deal.pk}", {"amount": 250, "primary_lead_id": lead.pk})
    assert response.status_code == 200, response.json()
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.primary_lead) == ("Pilot", Decimal("250"), lead)
    lead.refresh_from_db()
    assert lead.stage == Stage.OPPORTUNITY


def test_it_refuses_to_close_a_deal_in_an_update(client, auth):
    deal = make_deal()
    response = patch(client, auth, f"{URL}/{deal.pk}", {"status": "won", "amount": "lots"})
    assert response.status_code == 422
    assert response.json()["errors"]["status"] == ["unknown field"]
    assert "amount" in response.json()["errors"]


def test_it_answers_404_when_updating_an_unknown_deal(client, auth):
    response = patch(client, auth, f"{URL}/999999", {"amount": 1})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/1"), ("patch", f"{URL}/1")],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
