"""The scoring model endpoints: list, get, and rules added to drafts."""

from __future__ import annotations

from typing import Any

import pytest

from accord.agreement.models import ModelStatus
from accord.agreement.services import scoring_model_create
from accord.agreement.signoff import agreement_propose, agreement_sign
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/scoring-models"
VP = [{"field": "title", "op": "contains", "value": ["VP"]}]


@pytest.fixture
def auth(marketer):
    _, raw = token_create(user=marketer, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def post(client: Any, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data, content_type="application/json", headers=headers)


def test_it_lists_scoring_models_newest_first(client, auth, marketer):
    scoring_model_create(by=marketer, name="One")
    scoring_model_create(by=marketer, name="Two")

    body = client.get(URL, headers=auth).json()

    assert [(m["version"], m["name"], m["status"]) for m in body["items"]] == [
        (2, "Two", "draft"),
        (1, "One", "draft"),
    ]
    assert client.get(URL).status_code == 401


def test_it_gets_a_scoring_model_with_its_rules_or_404(client, auth, marketer):
    scoring_model_create(by=marketer)
    post(client, f"{URL}/1/fit-rules", {"label": "VPs", "criteria": VP, "points": 20}, auth)

    body = client.get(f"{URL}/1", headers=auth).json()
    missing = client.get(f"{URL}/2", headers=auth)

    assert [(r["label"], r["points"]) for r in body["fit_rules"]] == [("VPs", 20)]
    assert body["engagement_rules"] == []
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no scoring model v2"
    assert client.get(f"{URL}/1").status_code == 401


def test_it_adds_a_fit_rule_to_a_draft(client, auth, marketer):
    scoring_model_create(by=marketer)

    response = post(
        client, f"{URL}/1/fit-rules", {"label": "VPs", "criteria": VP, "points": -20}, auth
    )

    assert response.status_code == 201
    assert (response.json()["label"], response.json()["points"]) == ("VPs", -20)


def test_a_bad_fit_rule_is_refused(client, auth, marketer):
    scoring_model_create(by=marketer)

    zero = post(client, f"{URL}/1/fit-rules", {"label": "x", "criteria": VP, "points": 0}, auth)
    empty = post(client, f"{URL}/1/fit-rules", {"label": "x", "criteria": [], "points": 5}, auth)
    missing = post(client, f"{URL}/1/fit-rules", {"label": "x", "criteria": VP}, auth)

    assert zero.status_code == 400
    assert "points" in zero.json()["errors"]
    assert empty.status_code == 400
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"points": ["required"]}


def test_rules_are_only_added_to_drafts(client, auth, marketer, marketing_head, sales_head):
    proposal = agreement_propose(by=marketer, title="First")
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    model = proposal.scoring_model
    assert model is not None
    assert model.status == ModelStatus.IN_FORCE
    version = model.version

    response = post(
        client, f"{URL}/{version}/fit-rules", {"label": "x", "criteria": VP, "points": 5}, auth
    )

    assert response.status_code == 409


def test_a_new_rule_withdraws_the_signatures_on_proposals_using_the_model(
    client, auth, marketer, marketing_head
):
    proposal = agreement_propose(by=marketer, title="Draft")
    agreement_sign(agreement=proposal, by=marketing_head)
    assert proposal.scoring_model is not None
    version = proposal.scoring_model.version

    post(client, f"{URL}/{version}/fit-rules", {"label": "x", "criteria": VP, "points": 5}, auth)

    assert not proposal.signatures.exists()


def test_fit_rules_of_an_unknown_model_are_404_and_need_authentication(client, auth):
    data = {"label": "x", "criteria": VP, "points": 5}
    assert post(client, f"{URL}/3/fit-rules", data, auth).status_code == 404
    assert post(client, f"{URL}/3/fit-rules", data, {}).status_code == 401


def test_it_adds_an_engagement_rule_to_a_draft(client, auth, marketer):
    scoring_model_create(by=marketer)

    response = post(
        client,
        f"{URL}/1/engagement-rules",
        {
            "label": "Demos",
            "points": 30,
            "cap": 60,
            "kinds": ["demo_request"],
            "half_life_days": 30,
        },
        auth,
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kinds"], body["cap"], body["half_life_days"]) == (["demo_request"], 60, 30.0)


def test_a_bad_engagement_rule_is_refused(client, auth, marketer):
    scoring_model_create(by=marketer)

    def add(data: Any) -> Any:
        return post(client, f"{URL}/1/engagement-rules", data, auth)

    cap = add({"label": "x", "points": 5, "cap": 0})
    kind = add({"label": "x", "points": 5, "cap": 10, "kinds": ["telepathy"]})
    campaign = add({"label": "x", "points": 5, "cap": 10, "campaign_ids": [99]})

    assert cap.status_code == 400
    assert cap.json()["errors"] == {"cap": ["1 to 100"]}
    assert kind.status_code == 422
    assert campaign.status_code == 400
    assert campaign.json()["errors"] == {"campaign_ids": ["unknown"]}


def test_engagement_rules_of_an_unknown_model_are_404_and_need_authentication(client, auth):
    data = {"label": "x", "points": 5, "cap": 10}
    assert post(client, f"{URL}/3/engagement-rules", data, auth).status_code == 404
    assert post(client, f"{URL}/3/engagement-rules", data, {}).status_code == 401


def test_someone_outside_the_two_teams_cannot_add_rules(client, django_user_model, marketer):
    boss = django_user_model.objects.create_user(username="lee", team="leadership", role="head")
    _, raw = token_create(user=boss, name="t")
    scoring_model_create(by=marketer)

    response = post(
        client,
        f"{URL}/1/fit-rules",
        {"label": "x", "criteria": VP, "points": 5},
        {"Authorization": f"Bearer {raw}"},
    )

    assert response.status_code == 403


def test_the_model_list_takes_the_same_queries_for_2_and_6(
    client, auth, marketer, django_assert_num_queries
):
    client.get(URL, headers=auth)
    for _ in range(2):
        scoring_model_create(by=marketer)
    with django_assert_num_queries(2):
        client.get(URL, headers=auth)
    for _ in range(4):
        scoring_model_create(by=marketer)
    with django_assert_num_queries(2):
        assert len(client.get(URL, headers=auth).json()["items"]) == 6
