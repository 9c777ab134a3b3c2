"""Sign-off: both heads sign a proposal, and the second signature puts it in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    AuditEntry,
    ModelStatus,
    ScoringModel,
    Signature,
)
from accord.agreement.selectors import document_fingerprint
from accord.agreement.services import fit_rule_create, persona_create
from accord.agreement.signoff import agreement_propose, agreement_sign, agreement_update
from accord.errors import Conflict, NotAllowed
from accord.funnel.models import Lead, Stage
from accord.funnel.services import lead_create

pytestmark = pytest.mark.django_db


def signed(proposal: Any, *heads: Any) -> Any:
    for head in heads:
        agreement_sign(agreement=proposal, by=head)
    proposal.refresh_from_db()
    return proposal


def test_a_proposal_comes_into_force_only_after_both_heads_sign(
    marketer, marketing_head, sales_head
):
    proposal = agreement_propose(by=marketer, title="First")

    agreement_sign(agreement=proposal, by=marketing_head)
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.DRAFT
    assert proposal.in_force_at is None

    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.IN_FORCE
    assert proposal.in_force_at is not None
    assert sorted(Signature.objects.values_list("team", "signed_by__username")) == [
        ("marketing", "hana"),
        ("sales", "sam"),
    ]


def test_either_head_may_sign_first(marketer, marketing_head, sales_head):
    proposal = signed(agreement_propose(by=marketer, title="First"), sales_head, marketing_head)

    assert proposal.status == AgreementStatus.IN_FORCE


@pytest.mark.parametrize("persona", ["marketer", "sales_rep", "admin_user"])
def test_a_member_a_rep_or_an_admin_cannot_sign(request, marketer, persona):
    proposal = agreement_propose(by=marketer, title="First")
    user = request.getfixturevalue(persona)

    with pytest.raises(NotAllowed, match="only the head"):
        agreement_sign(agreement=proposal, by=user)

    assert not proposal.signatures.exists()


def test_a_head_of_another_team_cannot_sign(marketer, django_user_model):
    boss = django_user_model.objects.create_user(username="ceo", team="leadership", role="head")
    proposal = agreement_propose(by=marketer, title="First")

    with pytest.raises(NotAllowed):
        agreement_sign(agreement=proposal, by=boss)


def test_signing_twice_for_the_same_team_is_refused(marketer, marketing_head, django_user_model):
    other_head = django_user_model.objects.create_user(
        username="hugo", team="marketing", role="head"
    )
    proposal = agreement_propose(by=marketer, title="First")
    agreement_sign(agreement=proposal, by=marketing_head)

    with pytest.raises(Conflict, match="Marketing has already signed"):
        agreement_sign(agreement=proposal, by=marketing_head)
    with pytest.raises(Conflict, match="already signed"):
        agreement_sign(agreement=proposal, by=other_head)

    assert proposal.signatures.count() == 1


def test_a_version_in_force_cannot_be_signed_again(marketer, marketing_head, sales_head):
    proposal = signed(agreement_propose(by=marketer, title="First"), marketing_head, sales_head)

    with pytest.raises(Conflict, match="only proposals"):
        agreement_sign(agreement=proposal, by=sales_head)


def test_the_second_signature_archives_the_old_version_and_switches_the_scoring_models(
    marketer, marketing_head, sales_head
):
    first = signed(agreement_propose(by=marketer, title="First"), marketing_head, sales_head)
    second = agreement_propose(by=marketer, title="Second")

    signed(second, marketing_head, sales_head)

    first.refresh_from_db()
    assert first.status == AgreementStatus.ARCHIVED
    assert first.archived_at == second.in_force_at
    assert second.status == AgreementStatus.IN_FORCE
    assert list(Agreement.objects.filter(status=AgreementStatus.IN_FORCE)) == [second]
    assert ScoringModel.objects.get(agreements=first).status == ModelStatus.ARCHIVED
    assert ScoringModel.objects.get(agreements=second).status == ModelStatus.IN_FORCE
    actions = set(
        AuditEntry.objects.filter(object_type="agreement").values_list("action", "object_id")
    )
    assert ("archive", str(first.pk)) in actions
    assert ("in_force", str(second.pk)) in actions


def test_a_proposal_drafted_before_another_came_into_force_cannot_be_signed(
    marketer, marketing_head, sales_head
):
    v1 = signed(agreement_propose(by=marketer, title="First"), marketing_head, sales_head)
    v2 = agreement_propose(by=marketer, title="Second")
    v3 = agreement_propose(by=marketer, title="Third")
    agreement_sign(agreement=v3, by=marketing_head)
    signed(v2, marketing_head, sales_head)

    with pytest.raises(Conflict, match="v2 is now in force; draft again from it"):
        agreement_sign(agreement=v3, by=sales_head)

    v3.refresh_from_db()
    assert v3.status == AgreementStatus.DRAFT
    assert v1.pk != v2.pk


def test_it_snapshots_the_personas_when_it_comes_into_force(marketer, marketing_head, sales_head):
    persona = persona_create(by=marketer, name="Ops lead", pains="Spreadsheets")
    proposal = agreement_propose(by=marketer, title="First")

    signed(proposal, marketing_head, sales_head)
    persona.pains = "Changed later"
    persona.save()

    proposal.refresh_from_db()
    assert [(p["name"], p["pains"]) for p in proposal.persona_snapshot] == [
        ("Ops lead", "Spreadsheets")
    ]


def test_it_sets_the_review_date_from_the_cadence_when_none_was_agreed(
    marketer, marketing_head, sales_head
):
    proposal = agreement_propose(by=marketer, title="First")
    agreement_update(agreement=proposal, by=marketer, review_cadence_months=6, time_zone="UTC")
    agreement_sign(agreement=proposal, by=marketing_head)

    agreement_sign(
        agreement=proposal, by=sales_head, at=dt.datetime(2026, 8, 31, 12, tzinfo=dt.UTC)
    )

    proposal.refresh_from_db()
    assert proposal.review_date == dt.date(2027, 2, 28)


def test_signatures_are_audited(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="First")

    agreement_sign(agreement=proposal, by=marketing_head)

    entry = AuditEntry.objects.get(action="sign")
    assert entry.actor == marketing_head
    assert entry.after["team"] == "marketing"


def test_coming_into_force_applies_the_agreement_to_leads_after_commit(
    marketer, marketing_head, sales_head, django_capture_on_commit_callbacks, monkeypatch
):
    applied = []

    class FakeTask:
        @staticmethod
        def enqueue(agreement_id):
            applied.append(agreement_id)

    monkeypatch.setattr(
        "accord.agreement.signoff.import_string",
        lambda path: FakeTask if path.endswith("agreement_apply_task") else None,
    )
    proposal = agreement_propose(by=marketer, title="First")

    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(agreement=proposal, by=marketing_head)
    assert applied == []
    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(agreement=proposal, by=sales_head)

    assert applied == [proposal.pk]


def test_once_in_force_leads_are_rescored_and_qualified_under_it(
    marketer, marketing_head, sales_head, django_capture_on_commit_callbacks
):
    vp = lead_create(by=marketer, email="vp@example.com", title="VP Operations")
    intern = lead_create(by=marketer, email="intern@example.com", title="Intern")
    proposal = agreement_propose(by=marketer, title="First")
    assert proposal.scoring_model is not None
    fit_rule_create(
        model=proposal.scoring_model,
        by=marketer,
        label="VPs",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=60,
    )
    agreement_update(
        agreement=proposal,
        by=marketer,
        mql_definition=[[{"field": "score", "op": "at_least", "value": 50}]],
    )
    agreement_sign(agreement=proposal, by=marketing_head)

    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(agreement=proposal, by=sales_head)

    vp = Lead.objects.get(pk=vp.pk)
    assert (vp.score, vp.stage) == (60, Stage.MQL)
    assert Lead.objects.get(pk=intern.pk).stage == Stage.LEAD


def test_a_persona_edited_after_one_head_signed_withdraws_that_signature(
    marketer, marketing_head, sales_head
):
    persona = persona_create(by=marketer, name="Ops lead", pains="Spreadsheets")
    proposal = agreement_propose(by=marketer, title="First")
    agreement_sign(agreement=proposal, by=marketing_head)
    persona.pains = "Something marketing never saw"
    persona.save()

    agreement_sign(agreement=proposal, by=sales_head)

    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.DRAFT
    assert list(proposal.signatures.values_list("team", flat=True)) == ["sales"]
    assert AuditEntry.objects.filter(action="unsign", summary__contains="changed after").exists()
    agreement_sign(agreement=proposal, by=marketing_head)
    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.IN_FORCE


def test_a_rule_added_behind_the_sign_off_withdraws_the_earlier_signature(
    marketer, marketing_head, sales_head
):
    proposal = agreement_propose(by=marketer, title="First")
    agreement_sign(agreement=proposal, by=marketing_head)
    assert proposal.scoring_model is not None
    fit_rule_create(  # the bare service, which does not know about signatures
        model=proposal.scoring_model,
        by=marketer,
        label="VPs",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=10,
    )

    agreement_sign(agreement=proposal, by=sales_head)

    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.DRAFT
    assert list(proposal.signatures.values_list("team", flat=True)) == ["sales"]


def test_a_signature_records_a_digest_of_what_was_signed(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="First")

    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_update(agreement=proposal, by=marketer, title="Renamed")  # wording only

    entry = AuditEntry.objects.get(action="sign")
    assert entry.after["document"] == document_fingerprint(proposal)
    assert len(entry.after["document"]) == 64
