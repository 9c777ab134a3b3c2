"""GET /people: everyone's ids, for owner_id and the like."""

import pytest

from accord.teams.models import User
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db


def _auth(user: User) -> dict[str, str]:
    _, raw = token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_everyone_and_narrows_to_a_team(client, marketer, sales_rep, sales_head):
    response = client.get("/api/v1/people", headers=_auth(marketer))
    assert response.status_code == 200
    assert {p["username"] for p in response.json()["items"]} == {"mia", "rory", "sam"}
    response = client.get("/api/v1/people?team=sales", headers=_auth(marketer))
    assert {p["username"] for p in response.json()["items"]} == {"rory", "sam"}


def test_deactivated_people_are_left_out_unless_asked(client, marketer, sales_rep):
    sales_rep.is_active = False
    sales_rep.save()
    response = client.get("/api/v1/people", headers=_auth(marketer))
    assert [p["username"] for p in response.json()["items"]] == ["mia"]
    response = client.get("/api/v1/people?active=false", headers=_auth(marketer))
    assert [p["username"] for p in response.json()["items"]] == ["rory"]


def test_a_bad_filter_is_a_field_error(client, marketer):
    response = client.get("/api/v1/people?active=perhaps", headers=_auth(marketer))
    assert response.status_code == 422
    assert "active" in response.json()["errors"]


def test_it_needs_authentication(client):
    response = client.get("/api/v1/people")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_query_count_does_not_grow_with_the_team(client, marketer, django_assert_num_queries):
    from accord.teams.services import user_create

    headers = _auth(marketer)
    client.get("/api/v1/people", headers=headers)  # the token's first use is recorded once
    with django_assert_num_queries(2) as small:
        client.get("/api/v1/people", headers=headers)
    for n in range(20):
        user_create(username=f"p{n}", team="sales", role="rep")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/api/v1/people", headers=headers)
