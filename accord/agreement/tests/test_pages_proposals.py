"""Proposals: drafting, editing every term (with the faults next to the fields), the diff
against the version in force, the backtest beside it, signatures by role, withdrawal and
comments."""

from __future__ import annotations

from typing import Any

import pytest

from accord.agreement.forms import ProposalForm
from accord.agreement.models import Agreement, AgreementStatus, ProposalComment
from accord.agreement.signoff import agreement_propose, agreement_sign, agreement_update
from accord.teams.services import user_create

pytestmark = pytest.mark.django_db

# session + user, the open proposals, and their signatures.
PROPOSAL_LIST_QUERIES = 4
MQL_60 = [[{"field": "score", "op": "at_least", "value": 60}]]
MQL_70 = [[{"field": "score", "op": "at_least", "value": 70}]]


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def form_data(agreement: Agreement, **changes: Any) -> dict[str, Any]:
    """The proposal form as the page fills it in, with some fields changed."""
    data: dict[str, Any] = {}
    for name, value in ProposalForm.values_of(agreement).items():
        if value is None or value is False:
            continue
        if name in ("business_start", "business_end"):
            value = value.strftime("%H:%M")
        data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def in_force(marketer, marketing_head, sales_head):
    agreement = agreement_propose(by=marketer, title="First")
    agreement_update(agreement=agreement, by=marketer, mql_definition=MQL_60)
    agreement_sign(agreement=agreement, by=marketing_head)
    agreement_sign(agreement=agreement, by=sales_head)
    return agreement


@pytest.fixture
def proposal(in_force, marketing_head):
    return agreement_propose(by=marketing_head, title="Raise the MQL threshold")


def test_a_marketer_drafts_a_proposal_from_the_version_in_force(client, marketer, in_force):
    login(client, marketer)
    assert client.get("/agreement/proposals/new/").status_code == 200
    response = client.post(
        "/agreement/proposals/new/", {"title": "Faster follow-up", "summary": "Sales asks for it."}
    )
    proposal = Agreement.objects.get(title="Faster follow-up")
    assert response.status_code == 302
    assert response["Location"] == f"/agreement/v{proposal.version}/edit/"
    assert proposal.based_on == in_force
    assert proposal.mql_definition == MQL_60
    assert proposal.proposed_by == marketer


def test_a_proposal_needs_a_title(client, marketer):
    login(client, marketer)
    response = client.post("/agreement/proposals/new/", {"title": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    assert not Agreement.objects.exists()


def test_leadership_cannot_draft_a_proposal(client):
    ceo = user_create(username="ceo", team="leadership", role="head", password="Test-pass-123")
    login(client, ceo)
    response = client.get("/agreement/proposals/new/")
    assert response.status_code == 403
    assert "marketing or sales" in response.content.decode()
    assert client.post("/agreement/proposals/new/", {"title": "Mine"}).status_code == 403
    assert not Agreement.objects.exists()


def test_the_edit_form_saves_only_what_changed_and_the_diff_shows_it(
    client, marketing_head, proposal
):
    login(client, marketing_head)
    assert client.get(f"/agreement/v{proposal.version}/edit/").status_code == 200
    response = client.post(
        f"/agreement/v{proposal.version}/edit/",
        form_data(
            proposal,
            mql_definition='[[{"field": "score", "op": "at_least", "value": 70}]]',
            accept_within_hours="4",
            holidays="2026-12-25 | Christmas Day",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.mql_definition == MQL_70
    assert proposal.accept_within_hours == 4
    assert proposal.holidays == [{"date": "2026-12-25", "name": "Christmas Day"}]

    page = client.get(f"/agreement/v{proposal.version}/")
    assert page.status_code == 200
    changes = {(c.label, c.before, c.after) for c in page.context["changes"]}
    assert any("60" in (before or "") and "70" in (after or "") for _, before, after in changes)
    assert 'data-testid="change"' in page.content.decode()
    assert "score ≥ 70" in page.content.decode()


def test_saving_an_unchanged_form_changes_nothing(client, marketing_head, proposal):
    login(client, marketing_head)
    before = proposal.updated_at
    response = client.post(f"/agreement/v{proposal.version}/edit/", form_data(proposal))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.updated_at == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mql_definition": "[[{"}, "mql_definition", "not valid JSON"),
        (
            {"mql_definition": '[[{"field": "shoe_size", "op": "equals", "value": 1}]]'},
            "mql_definition",
            "shoe_size",
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
        ({"rejection_reasons": "bad_fit"}, "rejection_reasons", "line 1"),
        ({"mql_commitments": "enterprise | lots"}, "mql_commitments", "whole number"),
        ({"accept_within_hours": "-1"}, "accept_within_hours", "greater than or equal"),
    ],
)
def test_a_bad_term_comes_back_next_to_its_field_and_nothing_is_saved(
    client, marketing_head, proposal, changes, field, message
):
    login(client, marketing_head)
    response = client.post(f"/agreement/v{proposal.version}/edit/", form_data(proposal, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    proposal.refresh_from_db()
    assert proposal.mql_definition == MQL_60


def test_a_version_in_force_is_not_edited(client, marketing_head, in_force):
    login(client, marketing_head)
    response = client.get(f"/agreement/v{in_force.version}/edit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/agreement/v{in_force.version}/"
    assert "only proposals take changes" in response.content.decode()


def test_the_sign_button_shows_only_for_a_head_who_has_not_signed(
    client, marketer, marketing_head, sales_head, proposal
):
    assert (
        'data-testid="sign"'
        not in login(client, marketer).get(f"/agreement/v{proposal.version}/").content.decode()
    )
    assert (
        'data-testid="sign"'
        in login(client, sales_head).get(f"/agreement/v{proposal.version}/").content.decode()
    )
    agreement_sign(agreement=proposal, by=marketing_head)
    assert (
        'data-testid="sign"'
        not in login(client, marketing_head)
        .get(f"/agreement/v{proposal.version}/")
        .content.decode()
    )


def test_a_member_who_posts_a_signature_is_told_only_heads_sign(client, marketer, proposal):
    login(client, marketer)
    response = client.post(f"/agreement/v{proposal.version}/sign/", follow=True)
    assert "only the head of marketing or the head of sales can sign" in (
        response.content.decode().lower()
    )
    assert not proposal.signatures.exists()


def test_both_heads_sign_and_the_proposal_comes_into_force(
    client, marketing_head, sales_head, proposal, in_force
):
    login(client, marketing_head)
    response = client.post(f"/agreement/v{proposal.version}/sign/", follow=True)
    assert "It needs the other head" in response.content.decode()
    response = client.post(f"/agreement/v{proposal.version}/sign/", follow=True)
    assert "has already signed" in response.content.decode()

    login(client, sales_head)
    response = client.post(f"/agreement/v{proposal.version}/sign/", follow=True)
    assert f"Agreement v{proposal.version} is in force" in response.content.decode()
    proposal.refresh_from_db()
    in_force.refresh_from_db()
    assert proposal.status == AgreementStatus.IN_FORCE
    assert in_force.status == AgreementStatus.ARCHIVED
    assert client.get("/agreement/").context["agreement"] == proposal


def test_the_proposer_withdraws_a_proposal(client, marketing_head, proposal):
    login(client, marketing_head)
    response = client.post(f"/agreement/v{proposal.version}/withdraw/", follow=True)
    assert "withdrawn" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.WITHDRAWN


def test_comments_are_added_and_an_empty_one_is_refused(client, sales_rep, proposal):
    login(client, sales_rep)
    response = client.post(f"/agreement/v{proposal.version}/comments/", {"body": "70 is too high"})
    assert response["Location"] == f"/agreement/v{proposal.version}/#comments"
    assert ProposalComment.objects.get().body == "70 is too high"
    assert "70 is too high" in client.get(f"/agreement/v{proposal.version}/").content.decode()

    response = client.post(f"/agreement/v{proposal.version}/comments/", {"body": ""})
    assert response.status_code == 400
    assert response.context["comment_form"].errors["body"]
    assert ProposalComment.objects.count() == 1


def test_the_backtest_sits_beside_the_version_in_force(client, marketer, proposal, in_force):
    login(client, marketer)
    response = client.get(
        f"/agreement/v{proposal.version}/backtest/?months=6", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "agreement/_backtest.html"
    assert len(response.context["months"]) == 6
    assert response.context["in_force_result"] is not None
    content = response.content.decode()
    assert f"In force (v{in_force.version})" in content
    assert 'data-testid="backtest-total"' in content


def test_the_backtest_opens_as_a_page_and_ignores_a_bad_window(client, marketer, proposal):
    login(client, marketer)
    response = client.get(f"/agreement/v{proposal.version}/backtest/?months=lots")
    assert response.status_code == 200
    assert len(response.context["months"]) == 12
    assert "<html" in response.content.decode()


def test_the_proposal_list_shows_open_proposals_in_a_fixed_number_of_queries(
    client, marketer, marketing_head, proposal, django_assert_num_queries
):
    for n in range(3):
        other = agreement_propose(by=marketer, title=f"Idea {n}")
        agreement_sign(agreement=other, by=marketing_head)
    login(client, marketer)
    with django_assert_num_queries(PROPOSAL_LIST_QUERIES):
        response = client.get("/agreement/proposals/")
    content = response.content.decode()
    assert content.count('data-testid="proposal-row"') == 4
    assert "Raise the MQL threshold" in content


def test_a_proposal_overtaken_by_another_version_says_so_and_offers_no_signature(
    client, marketer, marketing_head, sales_head, proposal
):
    overtaking = agreement_propose(by=marketer, title="Quicker")
    agreement_sign(agreement=overtaking, by=marketing_head)
    agreement_sign(agreement=overtaking, by=sales_head)
    content = login(client, sales_head).get(f"/agreement/v{proposal.version}/").content.decode()
    assert 'data-testid="stale"' in content
    assert f"v{overtaking.version} is now in force" in content
    assert 'data-testid="sign"' not in content
