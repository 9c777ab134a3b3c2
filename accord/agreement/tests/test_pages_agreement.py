"""The agreement's pages: the version in force as a readable document, its versions, its print
view and its PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accord.agreement.models import AgreementStatus
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    review_reminders_raise,
)

pytestmark = pytest.mark.django_db

# session + user, and the versions with their authors in one query.
VERSION_LIST_QUERIES = 3
MQL = [[{"field": "score", "op": "at_least", "value": 60}]]


def in_force(marketer: Any, marketing_head: Any, sales_head: Any, **terms: Any) -> Any:
    proposal = agreement_propose(by=marketer, title="Our first agreement")
    if terms:
        agreement_update(agreement=proposal, by=marketer, **terms)
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.IN_FORCE
    return proposal


@pytest.fixture
def agreement(marketer, marketing_head, sales_head):
    return in_force(
        marketer,
        marketing_head,
        sales_head,
        mql_definition=MQL,
        consequences="Missed MQL volume two months running: a joint review.",
    )


def test_with_nothing_in_force_the_page_says_how_an_agreement_comes_about(marketer_client):
    response = marketer_client.get("/agreement/")
    assert response.status_code == 200
    assert 'data-testid="no-agreement"' in response.content.decode()


def test_the_agreement_in_force_reads_as_a_document_with_both_signatures(
    marketer_client, agreement
):
    response = marketer_client.get("/agreement/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"v{agreement.version} · Our first agreement" in content
    assert 'data-testid="agreement-status">In force<' in content
    assert "score ≥ 60" in content
    assert "Missed MQL volume two months running: a joint review." in content
    assert [s.title for s in response.context["sections"]]
    assert content.count('data-testid="section"') == len(response.context["sections"])
    signatures = {slot.team: slot.signature for slot in response.context["slots"]}
    assert signatures["marketing"].signed_by.username == "hana"
    assert signatures["sales"].signed_by.username == "sam"
    assert "Propose a change" in content


def test_a_version_page_shows_the_document_and_the_audit_trail(marketer_client, agreement):
    response = marketer_client.get(f"/agreement/v{agreement.version}/")
    assert response.status_code == 200
    assert response.context["audit"]
    assert 'data-testid="audit"' in response.content.decode()


def test_an_archived_version_says_which_version_is_in_force(
    marketer_client, marketer, marketing_head, sales_head, agreement
):
    newer = agreement_propose(by=marketer, title="Second")
    agreement_sign(agreement=newer, by=marketing_head)
    agreement_sign(agreement=newer, by=sales_head)
    content = marketer_client.get(f"/agreement/v{agreement.version}/").content.decode()
    assert 'data-testid="agreement-status">Archived<' in content
    assert f"v{newer.version} is in force now." in content


def test_a_version_that_does_not_exist_answers_404(marketer_client):
    assert marketer_client.get("/agreement/v99/").status_code == 404
    assert marketer_client.get("/agreement/v99/print/").status_code == 404
    assert marketer_client.get("/agreement/v99/pdf/").status_code == 404


def test_the_version_list_shows_every_version_in_a_fixed_number_of_queries(
    marketer_client, marketer, agreement, django_assert_num_queries
):
    for n in range(3):
        agreement_propose(by=marketer, title=f"Idea {n}")
    with django_assert_num_queries(VERSION_LIST_QUERIES):
        response = marketer_client.get("/agreement/versions/")
    assert response.status_code == 200
    assert len(response.context["versions"]) == 4
    content = response.content.decode()
    assert content.count('data-testid="version-row"') == 4
    assert "Idea 2" in content


def test_the_print_view_is_the_whole_document_without_the_application_around_it(
    marketer_client, agreement
):
    response = marketer_client.get(f"/agreement/v{agreement.version}/print/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "@media print" in content
    assert "@page" in content
    assert "navbar" not in content
    assert f"Agreement v{agreement.version}: Our first agreement" in content
    assert content.count('data-testid="print-section"') == len(response.context["sections"])
    assert "Missed MQL volume two months running" in content
    assert "Hana Head-of-Marketing" in content
    assert "Sam Head-of-Sales" in content


def test_a_raised_review_reminder_shows_on_the_agreement_in_force(marketer_client, agreement):
    content = marketer_client.get("/agreement/").content.decode()
    assert 'data-testid="review-reminder"' not in content
    agreement_update_review(agreement, days=5)
    [reminder] = review_reminders_raise()
    content = marketer_client.get("/agreement/").content.decode()
    assert 'data-testid="review-reminder"' in content
    assert f"due on {reminder.review_date:%-d %b %Y}" in content


def agreement_update_review(agreement: Any, *, days: int) -> None:
    agreement.review_date = timezone.localdate() + timedelta(days=days)
    agreement.save(update_fields=["review_date"])
