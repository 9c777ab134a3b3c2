"""GET /touches: filtered by lead, campaign, kind and time, newest first, with a cursor."""

from datetime import UTC, datetime, timedelta

import pytest

from accord.campaigns.services import campaign_create, touch_create
from accord.funnel.tests.factories import make_lead
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/touches"


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def test_it_lists_touches_newest_first_with_a_cursor(client, auth):
    lead = make_lead()
    touches = [touch_create(by=None, lead=lead, kind="page_view", at=at(d)) for d in (1, 2, 3)]
    body = client.get(URL, {"limit": 2}, headers=auth).json()
    assert [t["id"] for t in body["items"]] == [touches[2].pk, touches[1].pk]
    rest = client.get(URL, {"limit": 2, "cursor": body["next_cursor"]}, headers=auth).json()
    assert [t["id"] for t in rest["items"]] == [touches[0].pk]
    assert rest["next_cursor"] is None


def test_it_filters_touches(client, auth):
    lead, other = make_lead(), make_lead()
    campaign = campaign_create(by=None, name="Launch", channel="webinar")
    wanted = touch_create(by=None, lead=lead, kind="webinar", campaign=campaign, at=at(5))
    touch_create(by=None, lead=lead, kind="webinar", campaign=campaign, at=at(1))
    touch_create(by=None, lead=lead, kind="page_view", campaign=campaign, at=at(5))
    touch_create(by=None, lead=other, kind="webinar", campaign=campaign, at=at(5))
    response = client.get(
        URL,
        {
            "lead_id": lead.pk,
            "campaign_id": campaign.pk,
            "kind": "webinar",
            "since": "2025-03-02",
            "until": "2025-03-06T00:00:00Z",
        },
        headers=auth,
    )
    assert [t["id"] for t in response.json()["items"]] == [wanted.pk]
    assert response.json()["items"][0]["channel"] == "webinar"


def test_it_rejects_bad_touch_filters(client, auth):
    response = client.get(URL, {"since": "last week"}, headers=auth)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["since"]
    response = client.get(URL, {"kind": "carrier_pigeon", "lead_id": "x"}, headers=auth)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind", "lead_id"}


def test_the_touch_list_runs_the_same_queries_for_5_and_50(client, auth, django_assert_num_queries):
    client.get(URL, headers=auth)
    lead = make_lead()
    start = at(1)
    for n in range(5):
        touch_create(by=None, lead=lead, kind="page_view", at=start + timedelta(minutes=n))
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 5
    for n in range(5, 50):
        touch_create(by=None, lead=lead, kind="page_view", at=start + timedelta(minutes=n))
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 50


def test_it_requires_authentication(client):
    assert client.get(URL).status_code == 401
