"""POST /touches/bulk: up to 10,000 touches per call, idempotent on external_id."""

from typing import Any

import pytest

from accord.campaigns.models import Touch
from accord.campaigns.services import MAX_BULK_TOUCHES, campaign_create
from accord.funnel.tests.factories import make_lead
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/touches/bulk"


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def send(client: Any, auth: dict[str, str], touches: Any) -> Any:
    return client.post(URL, {"touches": touches}, content_type="application/json", headers=auth)


def test_it_stores_touches_naming_leads_and_campaigns_each_way(client, auth):
    lead = make_lead(email="ada@example.com", external_id="L-1")
    campaign = campaign_create(by=None, name="Launch", channel="webinar", external_id="C-1")
    touches = [
        {"external_id": "t1", "lead_id": lead.pk, "kind": "page_view", "at": "2025-03-01T10:00Z"},
        {
            "external_id": "t2",
            "lead_external_id": "L-1",
            "kind": "webinar",
            "campaign_external_id": "C-1",
            "at": "2025-03-02T10:00:00+00:00",
        },
        {
            "external_id": "t3",
            "lead_email": "ADA@example.com",
            "kind": "email_click",
            "campaign": "Launch",
            "channel": "email",
            "content": "Spring newsletter",
            "at": "2025-03-03",
        },
    ]
    response = send(client, auth, touches)
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 3, "unchanged": 0, "rejected": []}
    stored = {t.external_id: t for t in Touch.objects.all()}
    assert stored["t2"].campaign_id == campaign.pk
    assert stored["t3"].content == "Spring newsletter"


def test_sending_the_same_touches_again_changes_nothing(client, auth):
    lead = make_lead()
    touches = [
        {"external_id": f"t{n}", "lead_id": lead.pk, "kind": "page_view", "at": "2025-03-01"}
        for n in range(5)
    ]
    assert send(client, auth, touches).json()["created"] == 5
    again = send(client, auth, touches).json()
    assert again == {"created": 0, "unchanged": 5, "rejected": []}
    assert Touch.objects.count() == 5


def test_it_rejects_bad_touches_by_index_and_stores_the_rest(client, auth):
    lead = make_lead()
    touches = [
        {"lead_id": lead.pk, "kind": "page_view", "at": "2025-03-01T10:00:00Z"},
        {"lead_id": 999999, "kind": "page_view", "at": "2025-03-01T10:00:00Z"},
        {"lead_id": lead.pk, "kind": "carrier_pigeon", "at": "2025-03-01T10:00:00Z"},
        {"lead_id": lead.pk, "kind": "call", "at": "last tuesday"},
        {"kind": "call", "at": "2025-03-01"},
        {"lead_id": lead.pk, "kind": "call", "campaign_id": 999999, "at": "2025-03-01"},
    ]
    body = send(client, auth, touches).json()
    assert body["created"] == 1
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [
        (1, "lead_id"),
        (2, "kind"),
        (3, "at"),
        (4, "lead"),
        (5, "campaign_id"),
    ]
    assert body["rejected"][0]["reason"] == "no lead with id 999999"
    assert Touch.objects.count() == 1


def test_it_rejects_a_malformed_call_as_a_whole(client, auth):
    lead = make_lead()
    response = send(
        client,
        auth,
        [
            {"lead_id": lead.pk, "kind": "call", "at": "2025-03-01"},
            {"lead_id": "abc", "kind": "call", "at": "2025-03-01", "mood": "keen"},
        ],
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"touches.1.lead_id", "touches.1.mood"}
    assert not Touch.objects.exists()
    response = client.post(URL, {}, content_type="application/json", headers=auth)
    assert response.json()["errors"] == {"touches": ["required"]}


def test_it_takes_10000_touches_in_one_call(client, auth):
    lead = make_lead()
    touches = [
        {"external_id": f"t{n}", "lead_id": lead.pk, "kind": "page_view", "at": "2025-03-01"}
        for n in range(MAX_BULK_TOUCHES)
    ]
    response = send(client, auth, touches)
    assert response.json() == {"created": MAX_BULK_TOUCHES, "unchanged": 0, "rejected": []}
    assert Touch.objects.count() == MAX_BULK_TOUCHES


def test_it_refuses_more_than_10000_touches_with_a_clear_message(client, auth):
    lead = make_lead()
    touches = [{"lead_id": lead.pk, "kind": "page_view", "at": "2025-03-01"}] * (
        MAX_BULK_TOUCHES + 1
    )
    response = send(client, auth, touches)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "touches": ["at most 10,000 touches per call, got 10,001: send them in several calls"]
    }
    assert not Touch.objects.exists()


def test_it_rejects_a_body_that_is_not_json(client, auth):
    response = client.post(URL, "touches=1", content_type="application/json", headers=auth)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "the body is not valid JSON",
        "errors": {"body": ["not valid JSON"]},
    }


def test_it_requires_authentication(client):
    response = client.post(URL, {"touches": []}, content_type="application/json")
    assert response.status_code == 401


def test_a_touch_without_a_channel_takes_its_campaigns(db):
    from accord.campaigns.models import Touch
    from accord.campaigns.services import campaign_create, touches_ingest
    from accord.funnel.tests.factories import make_lead

    lead = make_lead(external_id="L-channel")
    campaign_create(by=None, name="Spring webinar", channel="webinar")
    result = touches_ingest(
        rows=[
            {
                "lead_external_id": "L-channel",
                "kind": "webinar",
                "campaign": "Spring webinar",
                "at": "2026-03-01T10:00:00Z",
            }
        ],
        by=None,
    )
    assert result.created == 1
    assert Touch.objects.get(lead=lead).channel == "webinar"


def test_bulk_touch_times_compare_like_any_other_time(db):
    from django.utils.dateparse import parse_datetime

    from accord.campaigns.models import Touch
    from accord.campaigns.services import touches_ingest
    from accord.funnel.tests.factories import make_lead

    make_lead(external_id="L-time")
    touches_ingest(
        rows=[
            {
                "lead_external_id": "L-time",
                "kind": "page_view",
                "at": "2026-03-01T10:00:00Z",
                "external_id": "t-1",
            }
        ],
        by=None,
    )
    at = parse_datetime("2026-03-01T10:00:00Z")
    assert at is not None
    assert Touch.objects.filter(at__lte=at).count() == 1
    assert Touch.objects.filter(at=at).count() == 1
