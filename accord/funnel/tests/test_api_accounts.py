"""The accounts endpoints: list, get, create, update."""

import pytest

from accord.funnel.models import Account, Entity
from accord.funnel.services import property_define
from accord.teams.services import token_create

from .factories import make_account

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounts"


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_accounts_by_name_with_a_cursor(client, auth):
    for name in ("Cobalt", "Acme", "Birch"):
        make_account(name=name)
    first = client.get(URL, {"limit": 2}, headers=auth)
    assert first.status_code == 200
    body = first.json()
    assert [a["name"] for a in body["items"]] == ["Acme", "Birch"]
    assert body["next_cursor"]
    second = client.get(URL, {"limit": 2, "cursor": body["next_cursor"]}, headers=auth).json()
    assert [a["name"] for a in second["items"]] == ["Cobalt"]
    assert second["next_cursor"] is None


def test_it_filters_accounts_with_the_shared_filter(client, auth):
    property_define(entity=Entity.ACCOUNT, label="Fiscal year", type="number", by=None)
    make_account(name="Old", segment="smb", properties={"fiscal_year": 2019})
    make_account(name="New", segment="smb", properties={"fiscal_year": 2024})
    make_account(name="Big", segment="enterprise", properties={"fiscal_year": 2024})
    response = client.get(URL, {"segment": "smb", "prop.fiscal_year__gte": "2020"}, headers=auth)
    assert [a["name"] for a in response.json()["items"]] == ["New"]


def test_it_sorts_accounts_by_a_whitelisted_key(client, auth):
    make_account(name="A")
    make_account(name="B")
    response = client.get(URL, {"sort": "-name"}, headers=auth)
    assert [a["name"] for a in response.json()["items"]] == ["B", "A"]


def test_it_rejects_a_bad_list_query_with_field_messages(client, auth):
    response = client.get(URL, {"sort": "colour"}, headers=auth)
    assert response.status_code == 400
    assert "sort" in response.json()["errors"]
    response = client.get(URL, {"limit": 500}, headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": ["Input should be less than or equal to 200"]}
    response = client.get(URL, {"prop.nope": "1"}, headers=auth)
    assert response.status_code == 400
    assert response.json()["errors"] == {"prop.nope": ["not a declared property"]}
    response = client.get(URL, {"cursor": "garbage"}, headers=auth)
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_the_account_list_runs_the_same_queries_for_5_and_50_accounts(
    client, auth, django_assert_num_queries
):
    client.get(URL, headers=auth)  # the token's first use is recorded once
    for _ in range(5):
        make_account()
    with django_assert_num_queries(2):  # the token, the page
        assert len(client.get(URL, headers=auth).json()["items"]) == 5
    for _ in range(45):
        make_account()
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 50


def test_it_gets_an_account(client, auth):
    account = make_account(name="Acme", domain="acme.example", segment="smb")
    response = client.get(f"{URL}/{account.pk}", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["domain"], body["segment"]) == (
        account.pk,
        "Acme",
        "acme.example",
        "smb",
    )


def test_it_answers_404_for_an_unknown_account(client, auth):
    response = client.get(f"{URL}/999999", headers=auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "no account with id 999999", "errors": {}}


def test_it_creates_an_account_through_the_service(client, auth, marketer):
    property_define(entity=Entity.ACCOUNT, label="Fiscal year", type="number", by=None)
    payload = {
        "name": "Acme",
        "domain": "https://www.Acme.example/",
        "segment": "enterprise",
        "owner_id": marketer.pk,
        "properties": {"fiscal_year": "2025"},
    }
    response = client.post(URL, payload, content_type="application/json", headers=auth)
    assert response.status_code == 201, response.json()
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    # The service normalised the domain and coerced the property.
    assert account.domain == "acme.example"
    assert account.properties == {"fiscal_year": 2025}
    assert body["owner_id"] == marketer.pk
    assert body["properties"] == {"fiscal_year": 2025}


def test_it_rejects_a_bad_account_payload_with_field_messages(client, auth):
    response = client.post(
        URL, {"name": "", "colour": "red"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": ["String should have at least 1 character"],
        "colour": ["unknown field"],
    }
    assert not Account.objects.exists()


def test_it_rejects_an_unknown_property_and_a_missing_owner(client, auth):
    response = client.post(
        URL,
        {"name": "Acme", "owner_id": 999999, "properties": {"mood": "happy"}},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner_id": ["no active person with id 999999"]}
    response = client.post(
        URL,
        {"name": "Acme", "properties": {"mood": "happy"}},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["properties.mood"]


def test_it_refuses_a_duplicate_domain_with_409(client, auth):
    make_account(domain="acme.example")
    response = client.post(
        URL,
        {"name": "Acme 2", "domain": "acme.example"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 409
    assert response.json()["errors"] == {"domain": ["already used by another record"]}


def test_it_updates_only_the_fields_sent(client, auth):
    account = make_account(name="Acme", industry="Software", segment="smb")
    response = client.patch(
        f"{URL}/{account.pk}",
        {"is_target": True, "segment": None},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200, response.json()
    account.refresh_from_db()
    assert (account.name, account.industry, account.is_target, account.segment) == (
        "Acme",
        "Software",
        True,
        "",
    )


def test_it_rejects_a_bad_account_update(client, auth):
    account = make_account(name="Acme")
    response = client.patch(
        f"{URL}/{account.pk}",
        {"name": None, "employees": -3},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "employees"}
    account.refresh_from_db()
    assert account.name == "Acme"


def test_it_answers_404_when_updating_an_unknown_account(client, auth):
    response = client.patch(
        f"{URL}/999999", {"name": "X"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/1"), ("patch", f"{URL}/1")],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "authentication required: send a Bearer token or log in",
        "errors": {},
    }
