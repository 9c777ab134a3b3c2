"""The persona endpoints: list, get, create, update."""

from __future__ import annotations

from typing import Any

import pytest

from accord.agreement.services import persona_create
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/personas"
VP = [{"field": "title", "op": "contains", "value": ["VP"]}]


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def test_it_lists_personas_by_priority_with_their_lead_counts(client, auth, marketer):
    persona_create(by=marketer, name="Later", priority=200)
    persona_create(by=marketer, name="First", priority=10, criteria=VP)

    body = client.get(URL, headers=auth).json()

    assert [(p["name"], p["priority"], p["leads"]) for p in body["items"]] == [
        ("First", 10, 0),
        ("Later", 200, 0),
    ]
    assert body["items"][0]["criteria"] == VP


def test_the_persona_list_takes_the_same_queries_for_2_and_8(
    client, auth, marketer, django_assert_num_queries
):
    client.get(URL, headers=auth)
    for n in range(2):
        persona_create(by=marketer, name=f"P{n}")
    with django_assert_num_queries(2):
        client.get(URL, headers=auth)
    for n in range(2, 8):
        persona_create(by=marketer, name=f"P{n}")
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 8


def test_the_persona_list_needs_authentication(client):
    assert client.get(URL).status_code == 401


def test_it_gets_a_persona_or_404(client, auth, marketer):
    persona = persona_create(by=marketer, name="Ops lead", pains="Spreadsheets")

    body = client.get(f"{URL}/{persona.pk}", headers=auth).json()
    missing = client.get(f"{URL}/{persona.pk + 1}", headers=auth)

    assert (body["name"], body["pains"]) == ("Ops lead", "Spreadsheets")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"no persona with id {persona.pk + 1}"
    assert client.get(f"{URL}/{persona.pk}").status_code == 401


def test_it_creates_a_persona(client, auth):
    response = client.post(
        URL,
        {"name": "CFO", "criteria": VP, "messaging": "Cost", "priority": 5},
        content_type="application/json",
        headers=auth,
    )

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["priority"]) == ("CFO", 5)


def test_it_refuses_a_bad_persona(client, auth, marketer):
    persona_create(by=marketer, name="CFO")

    def create(data: Any) -> Any:
        return client.post(URL, data, content_type="application/json", headers=auth)

    taken = create({"name": "CFO"})
    criteria = create({"name": "X", "criteria": [{"field": "shoe_size", "op": "equals"}]})
    shape = create({"name": "X", "priority": -1})
    unknown = create({"name": "X", "colour": "red"})

    assert taken.status_code == 409
    assert criteria.status_code == 400
    assert "criteria" in criteria.json()["errors"] or "shoe_size" in criteria.json()["detail"]
    assert shape.status_code == 422
    assert unknown.json()["errors"] == {"colour": ["unknown field"]}


def test_creating_a_persona_needs_authentication(client):
    response = client.post(URL, {"name": "X"}, content_type="application/json")
    assert response.status_code == 401


def test_it_changes_a_persona(client, auth, marketer):
    persona = persona_create(by=marketer, name="Ops", pains="Old")

    response = client.patch(
        f"{URL}/{persona.pk}", {"pains": "New"}, content_type="application/json", headers=auth
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["pains"]) == ("Ops", "New")


def test_a_bad_persona_change_is_refused_unknown_ids_404_and_it_needs_authentication(
    client, auth, marketer
):
    persona = persona_create(by=marketer, name="Ops")

    def change(pk: int, data: Any, headers: Any = auth) -> Any:
        return client.patch(f"{URL}/{pk}", data, content_type="application/json", headers=headers)

    assert change(persona.pk, {"name": " "}).status_code == 400
    assert change(persona.pk, {"priority": "high"}).status_code == 422
    assert change(persona.pk + 1, {"name": "X"}).status_code == 404
    assert change(persona.pk, {"name": "X"}, {}).status_code == 401


def test_a_persona_counts_the_leads_matched_to_it(client, auth, marketer):
    from accord.agreement.services import personas_match_all
    from accord.funnel.services import lead_create

    persona = persona_create(by=marketer, name="VPs", criteria=VP)
    lead_create(by=marketer, email="a@example.com", title="VP Sales")
    lead_create(by=marketer, email="b@example.com", title="Intern")
    personas_match_all()

    assert client.get(f"{URL}/{persona.pk}", headers=auth).json()["leads"] == 1
