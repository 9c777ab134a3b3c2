"""The campaigns endpoints: list, get, create, update."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from accord.campaigns.models import Campaign
from accord.campaigns.services import campaign_create
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns"


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def make_campaign(**fields: Any) -> Campaign:
    fields.setdefault("name", f"Campaign {Campaign.objects.count() + 1}")
    fields.setdefault("channel", "email")
    return campaign_create(by=None, **fields)


def test_it_lists_campaigns_newest_first_with_a_cursor(client, auth):
    first, second, third = make_campaign(), make_campaign(), make_campaign()
    body = client.get(URL, {"limit": 2}, headers=auth).json()
    assert [c["id"] for c in body["items"]] == [third.pk, second.pk]
    rest = client.get(URL, {"limit": 2, "cursor": body["next_cursor"]}, headers=auth).json()
    assert [c["id"] for c in rest["items"]] == [first.pk]
    assert rest["next_cursor"] is None


def test_it_filters_and_sorts_campaigns(client, auth):
    make_campaign(name="Spring webinar", channel="webinar")
    make_campaign(name="Autumn webinar", channel="webinar")
    make_campaign(name="Webinar ads", channel="paid_social")
    response = client.get(URL, {"q": "webinar", "channel": "webinar", "sort": "name"}, headers=auth)
    assert [c["name"] for c in response.json()["items"]] == ["Autumn webinar", "Spring webinar"]


def test_it_rejects_bad_campaign_filters(client, auth):
    response = client.get(URL, {"channel": "carrier_pigeon"}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["channel"]
    response = client.get(URL, {"sort": "starts_on"}, headers=auth)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sort"]


def test_the_campaign_list_runs_the_same_queries_for_5_and_50(
    client, auth, django_assert_num_queries
):
    client.get(URL, headers=auth)
    for _ in range(5):
        make_campaign()
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 5
    for _ in range(45):
        make_campaign()
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 50


def test_it_gets_a_campaign(client, auth):
    campaign = make_campaign(name="Launch", cost=Decimal("1500"), starts_on=date(2025, 3, 1))
    body = client.get(f"{URL}/{campaign.pk}", headers=auth).json()
    assert (body["name"], Decimal(body["cost"]), body["starts_on"], body["owner_team"]) == (
        "Launch",
        Decimal("1500"),
        "2025-03-01",
        "marketing",
    )


def test_it_answers_404_for_an_unknown_campaign(client, auth):
    response = client.get(f"{URL}/999999", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "no campaign with id 999999"


def test_it_creates_a_campaign(client, auth):
    response = client.post(
        URL,
        {
            "name": "Q3 webinar series",
            "channel": "webinar",
            "starts_on": "2025-07-01",
            "ends_on": "2025-09-30",
            "cost": 4200,
            "external_id": "cmp-7",
        },
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cost"] == "4200.00"  # money always has two decimals
    campaign = Campaign.objects.get(pk=response.json()["id"])
    assert (campaign.channel, campaign.cost, campaign.external_id) == (
        "webinar",
        Decimal("4200.00"),
        "cmp-7",
    )


def test_it_rejects_a_bad_campaign_payload(client, auth):
    response = client.post(
        URL,
        {"name": "X", "channel": "fax", "cost": -1, "budget": 5},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"channel", "cost", "budget"}
    response = client.post(
        URL,
        {"name": "X", "channel": "email", "starts_on": "2025-05-01", "ends_on": "2025-04-01"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"ends_on": ["before starts_on"]}


def test_it_refuses_a_duplicate_campaign_name_with_409(client, auth):
    make_campaign(name="Launch")
    response = client.post(
        URL, {"name": "Launch", "channel": "email"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["name"]


def test_it_updates_only_the_fields_sent(client, auth):
    campaign = make_campaign(name="Launch", cost=Decimal("100"), description="Big")
    response = client.patch(
        f"{URL}/{campaign.pk}", {"cost": 250}, content_type="application/json", headers=auth
    )
    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert (campaign.name, campaign.cost, campaign.description) == ("Launch", Decimal("250"), "Big")


def test_it_rejects_a_bad_campaign_update(client, auth):
    campaign = make_campaign()
    response = client.patch(
        f"{URL}/{campaign.pk}",
        {"channel": None, "name": ""},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"channel", "name"}


def test_it_answers_404_when_updating_an_unknown_campaign(client, auth):
    response = client.patch(
        f"{URL}/999999", {"cost": 1}, content_type="application/json", headers=auth
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/1"), ("patch", f"{URL}/1")],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
