"""GET /me: who the caller is."""

import pytest

from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


def test_it_says_who_is_calling(client, sales_head):
    _, raw = token_create(user=sales_head, name="tests")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": sales_head.pk,
        "username": "sam",
        "name": "Sam Head-of-Sales",
        "first_name": "Sam",
        "last_name": "Head-of-Sales",
        "email": "sam@example.com",
        "team": "sales",
        "role": "head",
        "is_admin": False,
    }


def test_it_works_with_a_session(marketer_client):
    response = marketer_client.get("/api/v1/me")
    assert response.json()["username"] == "mia"


def test_it_takes_no_parameters(client, sales_head):
    # Nothing to get wrong in a payload: unknown query parameters are ignored.
    _, raw = token_create(user=sales_head, name="tests")
    response = client.get("/api/v1/me", {"id": 1}, headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["username"] == "sam"


def test_it_requires_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
