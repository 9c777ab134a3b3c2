"""The agreement endpoints: the version in force, versions, proposals, signatures, comments,
the diff and the audit trail. Each answers success, a bad payload, 401 and 404."""

from __future__ import annotations

from typing import Any

import pytest

from accord.agreement.models import AgreementStatus
from accord.agreement.signoff import agreement_propose, agreement_sign
from accord.teams.services import token_create

pytestmark = pytest.mark.django_db

SCORE_60 = [[{"field": "score", "op": "at_least", "value": 60}]]


def bearer(user: Any) -> dict[str, str]:
    _, raw = token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def auth(marketer):
    return bearer(marketer)


@pytest.fixture
def first(marketing_head, sales_head):
    proposal = agreement_propose(by=marketing_head, title="First")
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    return proposal


def patch(client: Any, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.patch(url, data, content_type="application/json", headers=headers)


def post(client: Any, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data, content_type="application/json", headers=headers)


# --- GET /agreement ------------------------------------------------------------------------------


def test_it_gets_the_agreement_in_force(client, auth, first):
    response = client.get("/api/v1/agreement", headers=auth)

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["status"], body["title"]) == (1, "in_force", "First")
    assert [s["team"] for s in body["signatures"]] == ["marketing", "sales"]
    assert body["business_start"] == "09:00:00"
    assert body["scoring_model"] == first.scoring_model.version


def test_it_answers_404_when_nothing_is_in_force(client, auth):
    response = client.get("/api/v1/agreement", headers=auth)

    assert response.status_code == 404
    assert "no agreement is in force" in response.json()["detail"]


def test_the_agreement_in_force_needs_authentication(client, first):
    assert client.get("/api/v1/agreement").status_code == 401


# --- GET /agreements, /agreements/{version} -------------------------------------------------------


def test_it_lists_every_version_newest_first_and_filters_by_status(client, auth, first, marketer):
    agreement_propose(by=marketer, title="Second")

    everything = client.get("/api/v1/agreements", headers=auth).json()["items"]
    drafts = client.get("/api/v1/agreements", {"status": "draft"}, headers=auth).json()["items"]

    assert [(a["version"], a["status"]) for a in everything] == [(2, "draft"), (1, "in_force")]
    assert everything[0]["based_on"] == 1
    assert [a["version"] for a in drafts] == [2]


def test_the_version_list_takes_the_same_queries_for_2_and_6_versions(
    client, auth, first, marketer, django_assert_num_queries
):
    client.get("/api/v1/agreements", headers=auth)
    agreement_propose(by=marketer, title="Second")
    with django_assert_num_queries(3):  # the token, the versions, their signatures
        assert len(client.get("/api/v1/agreements", headers=auth).json()["items"]) == 2
    for n in range(4):
        agreement_propose(by=marketer, title=f"More {n}")
    with django_assert_num_queries(3):
        assert len(client.get("/api/v1/agreements", headers=auth).json()["items"]) == 6


def test_it_refuses_an_unknown_status_filter(client, auth):
    response = client.get("/api/v1/agreements", {"status": "signed"}, headers=auth)

    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_it_gets_one_version_or_404(client, auth, first):
    assert client.get("/api/v1/agreements/1", headers=auth).json()["version"] == 1
    response = client.get("/api/v1/agreements/9", headers=auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "no agreement v9"


def test_versions_need_authentication(client, first):
    assert client.get("/api/v1/agreements").status_code == 401
    assert client.get("/api/v1/agreements/1").status_code == 401


# --- POST /agreements ----------------------------------------------------------------------------


def test_it_proposes_a_version_copied_from_the_one_in_force(client, auth, first):
    response = post(client, "/api/v1/agreements", {"title": "Tighter", "summary": "Why"}, auth)

    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["status"], body["based_on"]) == (2, "draft", 1)
    assert body["scoring_model"] != first.scoring_model.version


def test_a_proposal_needs_a_title_and_known_fields(client, auth):
    missing = post(client, "/api/v1/agreements", {"summary": "x"}, auth)
    unknown = post(client, "/api/v1/agreements", {"title": "x", "colour": "red"}, auth)
    blank = post(client, "/api/v1/agreements", {"title": "  "}, auth)

    assert missing.status_code == 422
    assert missing.json()["errors"] == {"title": ["required"]}
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"colour": ["unknown field"]}
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"title": ["required"]}


def test_a_proposal_copying_an_unknown_version_is_refused(client, auth):
    response = post(client, "/api/v1/agreements", {"title": "x", "based_on": 7}, auth)

    assert response.status_code == 400
    assert response.json()["errors"] == {"based_on": ["no such version"]}


def test_someone_outside_the_two_teams_cannot_propose(client, django_user_model):
    boss = django_user_model.objects.create_user(username="lee", team="leadership", role="head")

    response = post(client, "/api/v1/agreements", {"title": "x"}, bearer(boss))

    assert response.status_code == 403


def test_proposing_needs_authentication(client):
    assert post(client, "/api/v1/agreements", {"title": "x"}, {}).status_code == 401


# --- PATCH /agreements/{version} ----------------------------------------------------------------


def test_it_changes_a_proposal(client, auth, marketer):
    agreement_propose(by=marketer, title="Draft")

    response = patch(
        client,
        "/api/v1/agreements/1",
        {
            "mql_definition": SCORE_60,
            "accept_within_hours": 4,
            "business_start": "08:00",
            "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
            "review_date": "2027-03-01",
        },
        auth,
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["mql_definition"] == SCORE_60
    assert body["accept_within_hours"] == 4
    assert body["business_start"] == "08:00:00"
    assert body["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]
    assert body["review_date"] == "2027-03-01"
    assert body["title"] == "Draft"


def test_a_bad_change_names_the_field(client, auth, marketer):
    agreement_propose(by=marketer, title="Draft")

    bad_zone = patch(client, "/api/v1/agreements/1", {"time_zone": "Mars/Base"}, auth)
    bad_definition = patch(
        client,
        "/api/v1/agreements/1",
        {"mql_definition": [[{"field": "score", "op": "over", "value": 1}]]},
        auth,
    )
    bad_type = patch(client, "/api/v1/agreements/1", {"attempts": "many"}, auth)
    null = patch(client, "/api/v1/agreements/1", {"title": None}, auth)

    assert bad_zone.status_code == 400
    assert "time_zone" in bad_zone.json()["errors"]
    assert bad_definition.status_code == 400
    assert "group 1, condition 1" in bad_definition.json()["detail"]
    assert bad_type.status_code == 422
    assert "attempts" in bad_type.json()["errors"]
    assert null.status_code == 422


def test_a_version_in_force_cannot_be_changed(client, auth, first):
    response = patch(client, "/api/v1/agreements/1", {"attempts": 3}, auth)

    assert response.status_code == 409


def test_changing_an_unknown_version_is_404(client, auth):
    assert patch(client, "/api/v1/agreements/5", {"attempts": 3}, auth).status_code == 404


def test_changing_needs_authentication(client, marketer):
    agreement_propose(by=marketer, title="Draft")
    assert patch(client, "/api/v1/agreements/1", {"attempts": 3}, {}).status_code == 401


# --- POST /agreements/{version}/sign, /withdraw --------------------------------------------------


def test_the_two_heads_sign_and_the_proposal_comes_into_force(
    client, marketer, marketing_head, sales_head
):
    agreement_propose(by=marketer, title="Draft")

    once = post(client, "/api/v1/agreements/1/sign", {}, bearer(marketing_head))
    twice = post(client, "/api/v1/agreements/1/sign", {}, bearer(marketing_head))
    member = post(client, "/api/v1/agreements/1/sign", {}, bearer(marketer))
    final = post(client, "/api/v1/agreements/1/sign", {}, bearer(sales_head))

    assert once.status_code == 200
    assert once.json()["status"] == "draft"
    assert twice.status_code == 409
    assert "already signed" in twice.json()["detail"]
    assert member.status_code == 403
    assert final.status_code == 200
    assert final.json()["status"] == "in_force"
    assert [s["signed_by_name"] for s in final.json()["signatures"]] == [
        "Hana Head-of-Marketing",
        "Sam Head-of-Sales",
    ]


def test_signing_an_unknown_version_is_404_and_needs_authentication(client, sales_head):
    assert post(client, "/api/v1/agreements/3/sign", {}, bearer(sales_head)).status_code == 404
    assert post(client, "/api/v1/agreements/3/sign", {}, {}).status_code == 401


def test_the_proposer_withdraws_a_proposal(client, auth, marketer, first):
    agreement_propose(by=marketer, title="Draft")

    response = post(client, "/api/v1/agreements/2/withdraw", {}, auth)
    again = post(client, "/api/v1/agreements/2/withdraw", {}, auth)
    in_force = post(client, "/api/v1/agreements/1/withdraw", {}, auth)

    assert response.status_code == 200
    assert response.json()["status"] == AgreementStatus.WITHDRAWN
    assert again.status_code == 409
    assert in_force.status_code == 403  # the marketer proposed neither, nor may they archive


def test_withdrawing_an_unknown_version_is_404_and_needs_authentication(client, auth):
    assert post(client, "/api/v1/agreements/3/withdraw", {}, auth).status_code == 404
    assert post(client, "/api/v1/agreements/3/withdraw", {}, {}).status_code == 401


# --- comments ------------------------------------------------------------------------------------


def test_it_adds_and_lists_comments(client, auth, sales_rep, marketer):
    agreement_propose(by=marketer, title="Draft")

    added = post(client, "/api/v1/agreements/1/comments", {"body": "Too strict"}, bearer(sales_rep))
    listed = client.get("/api/v1/agreements/1/comments", headers=auth)

    assert added.status_code == 201
    assert added.json()["author_name"] == "Rory Rep"
    assert [c["body"] for c in listed.json()["items"]] == ["Too strict"]


def test_a_comment_needs_a_body(client, auth, marketer):
    agreement_propose(by=marketer, title="Draft")

    assert post(client, "/api/v1/agreements/1/comments", {}, auth).status_code == 422
    blank = post(client, "/api/v1/agreements/1/comments", {"body": " "}, auth)
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"body": ["required"]}


def test_comments_of_an_unknown_version_are_404_and_need_authentication(client, auth):
    assert client.get("/api/v1/agreements/4/comments", headers=auth).status_code == 404
    assert post(client, "/api/v1/agreements/4/comments", {"body": "x"}, auth).status_code == 404
    assert client.get("/api/v1/agreements/4/comments").status_code == 401
    assert post(client, "/api/v1/agreements/4/comments", {"body": "x"}, {}).status_code == 401


# --- diff and audit ------------------------------------------------------------------------------


def test_the_diff_of_a_proposal_is_against_the_version_in_force(client, auth, first, marketer):
    agreement_propose(by=marketer, title="Draft")
    patch(client, "/api/v1/agreements/2", {"attempts": 9}, auth)

    body = client.get("/api/v1/agreements/2/diff", headers=auth).json()

    assert (body["version"], body["against"]) == (2, 1)
    assert {
        "section": "Sales commits to",
        "label": "Follow-up attempts",
        "before": "6 attempts within 10 days",
        "after": "9 attempts within 10 days",
    } in body["changes"]


def test_the_diff_against_a_chosen_version_and_an_unknown_one(client, auth, first, marketer):
    agreement_propose(by=marketer, title="Draft")

    own = client.get("/api/v1/agreements/2/diff", {"against": 2}, headers=auth).json()
    unknown = client.get("/api/v1/agreements/2/diff", {"against": 8}, headers=auth)
    bad = client.get("/api/v1/agreements/2/diff", {"against": "v1"}, headers=auth)

    assert own["changes"] == []
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"against": ["no such version"]}
    assert bad.status_code == 422


def test_the_diff_of_an_unknown_version_is_404_and_needs_authentication(client, auth):
    assert client.get("/api/v1/agreements/4/diff", headers=auth).status_code == 404
    assert client.get("/api/v1/agreements/4/diff").status_code == 401


def test_the_audit_trail_lists_who_did_what(client, auth, first):
    body = client.get("/api/v1/agreements/1/audit", headers=auth).json()

    actions = [(e["action"], e["actor_name"]) for e in body["items"]]
    assert actions[0] == ("in_force", "Sam Head-of-Sales")
    assert ("sign", "Hana Head-of-Marketing") in actions
    assert actions[-1] == ("propose", "Hana Head-of-Marketing")
    limited = client.get("/api/v1/agreements/1/audit", {"limit": 1}, headers=auth).json()
    assert len(limited["items"]) == 1


def test_the_audit_trail_refuses_a_bad_limit_404s_and_needs_authentication(client, auth, first):
    assert client.get("/api/v1/agreements/1/audit", {"limit": 0}, headers=auth).status_code == 422
    assert client.get("/api/v1/agreements/4/audit", headers=auth).status_code == 404
    assert client.get("/api/v1/agreements/1/audit").status_code == 401


def test_comments_and_the_audit_trail_take_the_same_queries_for_few_and_many(
    client, auth, marketer, sales_rep, django_assert_num_queries
):
    from accord.agreement.signoff import comment_add

    proposal = agreement_propose(by=marketer, title="Draft")
    client.get("/api/v1/agreements/1/comments", headers=auth)
    comment_add(agreement=proposal, by=marketer, body="One")
    # The token, the version, its signatures and personas, then the comments or the entries.
    with django_assert_num_queries(5):
        client.get("/api/v1/agreements/1/comments", headers=auth)
    with django_assert_num_queries(5):
        client.get("/api/v1/agreements/1/audit", headers=auth)
    for n in range(5):
        comment_add(agreement=proposal, by=sales_rep, body=f"More {n}")
        patch(client, "/api/v1/agreements/1", {"attempts": n + 1}, auth)
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/agreements/1/comments", headers=auth).json()["items"]) == 6
    with django_assert_num_queries(5):
        assert len(client.get("/api/v1/agreements/1/audit", headers=auth).json()["items"]) > 5
