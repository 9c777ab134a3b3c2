"""The leads endpoints: list, get, create, update."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.funnel.models import Entity, Lead, Stage, StageChange, StageSource
from accord.funnel.services import property_define
from accord.teams.services import token_create

from .factories import make_account, make_lead

pytestmark = pytest.mark.django_db

URL = "/api/v1/leads"


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def post(client: Any, auth: dict[str, str], url: str, payload: Any) -> Any:
    return client.post(url, payload, content_type="application/json", headers=auth)


def patch(client: Any, auth: dict[str, str], url: str, payload: Any) -> Any:
    return client.patch(url, payload, content_type="application/json", headers=auth)


def test_it_lists_leads_newest_first_with_a_cursor(client, auth):
    now = timezone.now()
    leads = [make_lead(created_at=now - timedelta(days=d)) for d in (3, 2, 1)]
    body = client.get(URL, {"limit": 2}, headers=auth).json()
    assert [item["id"] for item in body["items"]] == [leads[2].pk, leads[1].pk]
    rest = client.get(URL, {"limit": 2, "cursor": body["next_cursor"]}, headers=auth).json()
    assert [item["id"] for item in rest["items"]] == [leads[0].pk]
    assert rest["next_cursor"] is None


def test_it_filters_leads_by_stage_in_either_spelling(client, auth, marketer):
    mql = make_lead(stage=Stage.MQL)
    sql = make_lead(stage=Stage.SQL)
    make_lead()
    repeated = client.get(f"{URL}?stage=mql&stage=sql", headers=auth).json()
    commas = client.get(URL, {"stage": "mql,sql"}, headers=auth).json()
    assert {i["id"] for i in repeated["items"]} == {mql.pk, sql.pk}
    assert {i["id"] for i in commas["items"]} == {mql.pk, sql.pk}


def test_it_filters_leads_by_owner_account_and_property(client, auth, marketer):
    property_define(entity=Entity.LEAD, label="Webinars", type="number", by=None)
    account = make_account()
    wanted = make_lead(owner=marketer, account=account, properties={"webinars": 3})
    make_lead(owner=marketer, account=account, properties={"webinars": 1})
    make_lead(account=account, properties={"webinars": 5})
    response = client.get(
        URL,
        {"owner": marketer.pk, "account": account.pk, "prop.webinars__gte": 2},
        headers=auth,
    )
    assert [i["id"] for i in response.json()["items"]] == [wanted.pk]


def test_it_sorts_leads_by_score(client, auth):
    low, high = make_lead(), make_lead()
    Lead.objects.filter(pk=high.pk).update(score=90)
    Lead.objects.filter(pk=low.pk).update(score=10)
    items = client.get(URL, {"sort": "-score"}, headers=auth).json()["items"]
    assert [i["id"] for i in items] == [high.pk, low.pk]


def test_it_rejects_bad_lead_filters_with_field_messages(client, auth):
    response = client.get(URL, {"stage": "hot"}, headers=auth)
    assert response.status_code == 400
    assert "stage" in response.json()["errors"]
    response = client.get(URL, {"owner": "me"}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["owner"]
    response = client.get(URL, {"created_after": "yesterday"}, headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["created_after"]


def test_the_lead_list_runs_the_same_queries_for_5_and_50_leads(
    client, auth, marketer, django_assert_num_queries
):
    client.get(URL, headers=auth)
    account = make_account()
    for _ in range(5):
        make_lead(account=account, owner=marketer)
    with django_assert_num_queries(2):  # the token, the page
        assert len(client.get(URL, headers=auth).json()["items"]) == 5
    for _ in range(45):
        make_lead(account=account, owner=marketer)
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 50


def test_it_gets_a_lead(client, auth):
    lead = make_lead(email="pat@example.com", first_name="Pat", last_name="Lee")
    body = client.get(f"{URL}/{lead.pk}", headers=auth).json()
    assert (body["id"], body["email"], body["name"], body["stage"]) == (
        lead.pk,
        "pat@example.com",
        "Pat Lee",
        "lead",
    )


def test_it_answers_404_for_an_unknown_lead(client, auth):
    response = client.get(f"{URL}/999999", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "no lead with id 999999"


def test_it_creates_a_lead_with_links_and_properties(client, auth, marketer):
    property_define(entity=Entity.LEAD, label="Newsletter", type="boolean", by=None)
    account = make_account()
    response = post(
        client,
        auth,
        URL,
        {
            "email": "Ada@Example.com",
            "first_name": "Ada",
            "account_id": account.pk,
            "owner_id": marketer.pk,
            "stage": "mql",
            "properties": {"newsletter": "yes"},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    lead = Lead.objects.get(pk=body["id"])
    assert (lead.email, lead.account, lead.owner, lead.stage) == (
        "ada@example.com",
        account,
        marketer,
        "mql",
    )
    assert body["properties"] == {"newsletter": True}
    change = StageChange.objects.get(lead=lead)
    assert (change.to_stage, change.actor, change.source) == ("mql", marketer, StageSource.API)


def test_it_rejects_a_lead_without_email_or_external_id(client, auth):
    response = post(client, auth, URL, {"first_name": "Nobody"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"email": ["give an email or an external id"]}


def test_it_rejects_a_bad_lead_payload_with_field_messages(client, auth):
    response = post(client, auth, URL, {"email": "a@example.com", "stage": "hot", "stag": "mql"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"stage", "stag"}
    assert errors["stag"] == ["unknown field"]
    assert "'mql'" in errors["stage"][0]


def test_it_names_each_missing_linked_record(client, auth):
    response = post(
        client, auth, URL, {"email": "a@example.com", "account_id": 999998, "owner_id": 999999}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "account_id": ["no account with id 999998"],
        "owner_id": ["no active person with id 999999"],
    }
    assert not Lead.objects.exists()


def test_it_refuses_a_duplicate_email_with_409(client, auth):
    make_lead(email="ada@example.com")
    response = post(client, auth, URL, {"email": "ada@example.com"})
    assert response.status_code == 409
    assert response.json()["errors"] == {"email": ["already used by another record"]}


def test_it_updates_only_the_fields_sent(client, auth):
    property_define(entity=Entity.LEAD, label="Webinars", type="number", by=None)
    property_define(entity=Entity.LEAD, label="Team size", type="number", by=None)
    account = make_account()
    lead = make_lead(
        first_name="Ada", title="CTO", account=account, properties={"webinars": 1, "team_size": 9}
    )
    response = patch(
        client,
        auth,
        f"{URL}/{lead.pk}",
        {"title": "CEO", "account_id": None, "properties": {"webinars": 2, "team_size": None}},
    )
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert (lead.first_name, lead.title, lead.account) == ("Ada", "CEO", None)
    assert lead.properties == {"webinars": 2}


def test_it_refuses_to_change_the_stage_in_an_update(client, auth):
    lead = make_lead()
    response = patch(client, auth, f"{URL}/{lead.pk}", {"stage": "customer", "title": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "stage": ["unknown field"],
        "title": ["Input should be a valid string"],
    }


def test_it_answers_404_when_updating_an_unknown_lead(client, auth):
    response = patch(client, auth, f"{URL}/999999", {"title": "CEO"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/1"), ("patch", f"{URL}/1")],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["errors"] == {}
