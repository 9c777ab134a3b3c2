"""A person's API tokens over the API: list, create (shown once), revoke."""

import pytest

from accord.teams.models import ApiToken, hash_token
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_only_the_callers_tokens(client, auth, marketer, sales_rep):
    token_create(user=marketer, name="nightly sync")
    token_create(user=sales_rep, name="not mine")
    response = client.get("/api/v1/tokens", headers=auth)
    assert response.status_code == 200
    items = response.json()["items"]
    assert {t["name"] for t in items} == {"tests", "nightly sync"}
    assert all("raw" not in t and "key_hash" not in t for t in items)


def test_the_token_list_runs_the_same_queries_for_5_and_50(
    client, auth, marketer, django_assert_num_queries
):
    client.get("/api/v1/tokens", headers=auth)
    for n in range(4):
        token_create(user=marketer, name=f"t{n}")
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/tokens", headers=auth).json()["items"]) == 5
    for n in range(45):
        token_create(user=marketer, name=f"u{n}")
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/tokens", headers=auth).json()["items"]) == 50


def test_it_creates_a_token_and_shows_it_once(client, auth, marketer):
    response = client.post(
        "/api/v1/tokens", {"name": "CRM sync"}, content_type="application/json", headers=auth
    )
    assert response.status_code == 201
    body = response.json()
    raw = body["raw"]
    assert raw.startswith("acc_")
    token = ApiToken.objects.get(pk=body["token"]["id"])
    assert (token.user, token.name, token.key_hash) == (marketer, "CRM sync", hash_token(raw))
    # The new token works, and the list never shows the raw value again.
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {raw}"})
    assert raw not in listed.content.decode()


def test_it_rejects_a_token_without_a_name(client, auth):
    response = client.post(
        "/api/v1/tokens",
        {"name": "  ", "scope": "all"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "scope"}


def test_it_revokes_a_token(client, auth, marketer):
    token, raw = token_create(user=marketer, name="old script")
    response = client.delete(f"/api/v1/tokens/{token.pk}", headers=auth)
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    assert response.json()["is_active"] is False
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_it_rejects_a_token_id_that_is_not_a_number(client, auth):
    response = client.delete("/api/v1/tokens/abc", headers=auth)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["token_id"]


def test_another_persons_token_is_not_found(client, auth, sales_rep):
    token, _ = token_create(user=sales_rep, name="theirs")
    response = client.delete(f"/api/v1/tokens/{token.pk}", headers=auth)
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_token_is_not_found(client, auth):
    response = client.delete("/api/v1/tokens/999999", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "you have no API token with id 999999"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/tokens"), ("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/1")],
)
def test_it_requires_authentication(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
