"""Proposals: drafted by either team as a copy of the version in force, validated field by field,
audited, and withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.agreement.models import (
    Agreement,
    AgreementStatus,
    AuditEntry,
    ModelStatus,
    ProposalComment,
)
from accord.agreement.services import fit_rule_create, persona_create
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    agreement_withdraw,
    comment_add,
    scoring_model_copy,
)
from accord.errors import AccordError, Conflict, NotAllowed
from accord.teams.services import user_create

pytestmark = pytest.mark.django_db

SCORE_60 = [[{"field": "score", "op": "at_least", "value": 60}]]


def in_force(marketing_head: Any, sales_head: Any, **fields: Any) -> Any:
    proposal = agreement_propose(by=marketing_head, title="First agreement")
    if fields:
        agreement_update(agreement=proposal, by=marketing_head, **fields)
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    return proposal


def test_a_first_proposal_starts_from_sensible_defaults(marketer, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    persona = persona_create(by=marketer, name="Ops lead")

    proposal = agreement_propose(by=marketer, title="Our first SLA")

    assert proposal.version == 1
    assert proposal.status == AgreementStatus.DRAFT
    assert proposal.proposed_by == marketer
    assert proposal.based_on is None
    assert [t["term"] for t in proposal.terminology] == ["MQL", "SAL", "SQL"]
    assert proposal.rejection_reasons
    assert proposal.business_days == [1, 2, 3, 4, 5]
    assert (proposal.business_start, proposal.business_end) == (dt.time(9), dt.time(17))
    assert proposal.time_zone == "Europe/Berlin"
    assert proposal.mql_definition == []
    assert list(proposal.personas.all()) == [persona]
    assert proposal.scoring_model is not None
    assert proposal.scoring_model.status == ModelStatus.DRAFT


def test_a_proposal_copies_the_version_in_force_and_a_new_draft_of_its_scoring_model(
    marketing_head, sales_head, marketer
):
    current = in_force(marketing_head, sales_head, mql_definition=SCORE_60, attempts=4)
    model = current.scoring_model
    model.status = ModelStatus.DRAFT  # rules may only be added to drafts; put it back after
    model.save()
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="Big",
        criteria=[{"field": "account.employees", "op": "between", "value": [500, None]}],
        points=20,
    )
    model.status = ModelStatus.IN_FORCE
    model.save()

    proposal = agreement_propose(by=marketer, title="Tighter", summary="Raise the bar")

    assert proposal.version == current.version + 1
    assert proposal.based_on == current
    assert proposal.mql_definition == SCORE_60
    assert proposal.attempts == 4
    assert proposal.scoring_model is not None
    assert proposal.scoring_model != model
    assert proposal.scoring_model.status == ModelStatus.DRAFT
    assert proposal.scoring_model.version > model.version
    assert [(r.label, r.points) for r in proposal.scoring_model.fit_rules.all()] == [("Big", 20)]


def test_a_proposal_can_copy_another_version_but_still_replaces_the_one_in_force(
    marketing_head, sales_head, marketer
):
    current = in_force(marketing_head, sales_head)
    other = agreement_propose(by=marketer, title="Other")
    agreement_update(agreement=other, by=marketer, attempts=9)

    proposal = agreement_propose(by=marketer, title="From the other", based_on=other)

    assert proposal.attempts == 9
    assert proposal.based_on == current


def test_someone_outside_marketing_and_sales_cannot_propose(db):
    boss = user_create(username="lee", team="leadership", role="member", password="Test-pass-123")

    with pytest.raises(NotAllowed):
        agreement_propose(by=boss, title="Mine")


def test_a_proposal_needs_a_title(marketer):
    with pytest.raises(AccordError) as error:
        agreement_propose(by=marketer, title="  ")
    assert error.value.fields == {"title": ["required"]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mql_definition", [[{"field": "score", "op": "at_least", "value": "lots"}]], "group 1"),
        ("sql_definition", "score > 60", "list"),
        ("time_zone", "Mars/Olympus", "unknown time zone"),
        ("business_days", [1, 8], "from 1 to 7"),
        ("business_days", [], "at least one day"),
        ("business_start", "25:00", "HH:MM"),
        ("holidays", [{"date": "2026-02-30", "name": "Nope"}], "YYYY-MM-DD"),
        ("holidays", [{"date": "2026-12-25"}, {"date": "2026-12-25"}], "twice"),
        ("rejection_reasons", [{"code": "Bad Fit", "label": "x"}], "lower case"),
        ("rejection_reasons", [{"code": "bad_fit", "label": ""}], "needs a label"),
        ("terminology", [{"term": "MQL"}, {"term": "mql"}], "twice"),
        ("mql_commitments", [{"segment": "galactic", "per_month": 3}], "unknown segment"),
        ("mql_commitments", [{"segment": "", "per_month": -1}], "from 0"),
        ("min_acceptance_rate", 101, "from 0 to 100"),
        ("accept_within_hours", 0, "from 1"),
        ("attempts", True, "whole number"),
        ("reason_required", "yes", "true or false"),
        ("feedback_cadence", "daily", "weekly"),
        ("review_date", "next spring", "YYYY-MM-DD"),
        ("review_cadence_months", 0, "from 1"),
        ("personas", [999999], "no persona"),
        ("scoring_model", 999999, "no scoring model"),
        ("colour", "red", "unknown"),
    ],
)
def test_it_refuses_a_bad_value_naming_the_field(marketer, field, value, message):
    proposal = agreement_propose(by=marketer, title="Draft")

    with pytest.raises(AccordError) as error:
        agreement_update(agreement=proposal, by=marketer, **{field: value})

    assert message in str(error.value.message) + str(error.value.fields)
    assert field in error.value.fields


def test_a_business_day_must_start_before_it_ends(marketer):
    proposal = agreement_propose(by=marketer, title="Draft")

    with pytest.raises(AccordError, match="start before it ends"):
        agreement_update(agreement=proposal, by=marketer, business_start="18:00")


def test_a_required_reason_needs_reasons_to_choose_from(marketer):
    proposal = agreement_propose(by=marketer, title="Draft")

    with pytest.raises(AccordError, match="at least one rejection reason"):
        agreement_update(agreement=proposal, by=marketer, rejection_reasons=[])
    agreement_update(agreement=proposal, by=marketer, reason_required=False, rejection_reasons=[])


def test_it_stores_clean_values(marketer):
    proposal = agreement_propose(by=marketer, title="Draft")

    agreement_update(
        agreement=proposal,
        by=marketer,
        business_days=[5, 1, 3],
        business_start="08:30",
        holidays=[{"date": "2026-12-26", "name": "Boxing Day"}, {"date": "2026-12-25"}],
        review_date="2027-03-01",
        time_zone="America/New_York",
    )

    proposal.refresh_from_db()
    assert proposal.business_days == [1, 3, 5]
    assert proposal.business_start == dt.time(8, 30)
    assert proposal.holidays == [
        {"date": "2026-12-25", "name": ""},
        {"date": "2026-12-26", "name": "Boxing Day"},
    ]
    assert proposal.review_date == dt.date(2027, 3, 1)
    assert proposal.time_zone == "America/New_York"


def test_it_audits_only_the_fields_that_changed(marketer):
    proposal = agreement_propose(by=marketer, title="Draft")

    agreement_update(
        agreement=proposal,
        by=marketer,
        attempts=8,
        attempts_within_days=proposal.attempts_within_days,
    )

    entry = AuditEntry.objects.filter(object_id=str(proposal.pk), action="update").get()
    assert entry.actor == marketer
    assert entry.before == {"attempts": 6}
    assert entry.after == {"attempts": 8}


def test_an_update_that_changes_nothing_is_not_audited(marketer):
    proposal = agreement_propose(by=marketer, title="Draft")

    agreement_update(agreement=proposal, by=marketer, attempts=proposal.attempts)

    assert not AuditEntry.objects.filter(action="update").exists()


def test_a_change_to_the_terms_withdraws_the_signatures_given_so_far(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="Draft")
    agreement_sign(agreement=proposal, by=marketing_head)

    agreement_update(agreement=proposal, by=marketer, mql_definition=SCORE_60)

    assert not proposal.signatures.exists()
    assert AuditEntry.objects.filter(object_id=str(proposal.pk), action="unsign").count() == 1


def test_a_new_title_leaves_the_signatures_standing(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="Draft")
    agreement_sign(agreement=proposal, by=marketing_head)

    agreement_update(agreement=proposal, by=marketer, title="Better title")

    assert proposal.signatures.count() == 1


def test_only_proposals_take_changes(marketing_head, sales_head):
    current = in_force(marketing_head, sales_head)

    with pytest.raises(Conflict, match="only proposals"):
        agreement_update(agreement=current, by=marketing_head, attempts=3)


def test_the_proposer_withdraws_a_proposal_and_it_can_no_longer_be_signed(marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="Draft")

    agreement_withdraw(agreement=proposal, by=marketer)

    proposal.refresh_from_db()
    assert proposal.status == AgreementStatus.WITHDRAWN
    assert AuditEntry.objects.filter(object_id=str(proposal.pk), action="withdraw").exists()
    with pytest.raises(Conflict):
        agreement_sign(agreement=proposal, by=marketing_head)


def test_another_member_cannot_withdraw_someone_elses_proposal(marketer, sales_rep):
    proposal = agreement_propose(by=marketer, title="Draft")

    with pytest.raises(NotAllowed):
        agreement_withdraw(agreement=proposal, by=sales_rep)
    assert Agreement.objects.get(pk=proposal.pk).status == AgreementStatus.DRAFT


def test_anyone_comments_on_a_proposal_but_not_with_an_empty_body(marketer, sales_rep):
    proposal = agreement_propose(by=marketer, title="Draft")

    comment = comment_add(agreement=proposal, by=sales_rep, body="  Too strict for SMB.  ")

    assert comment.body == "Too strict for SMB."
    assert list(ProposalComment.objects.filter(agreement=proposal)) == [comment]
    with pytest.raises(AccordError):
        comment_add(agreement=proposal, by=sales_rep, body=" ")


def test_copying_a_scoring_model_makes_a_new_draft_with_the_same_rules(marketing_head):
    proposal = agreement_propose(by=marketing_head, title="Draft")
    model = proposal.scoring_model
    assert model is not None
    fit_rule_create(
        model=model,
        by=marketing_head,
        label="VPs",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=15,
    )

    copy = scoring_model_copy(model=model, by=marketing_head)

    assert copy.version == model.version + 1
    assert copy.status == ModelStatus.DRAFT
    assert [(r.label, r.criteria, r.points) for r in copy.fit_rules.all()] == [
        ("VPs", [{"field": "title", "op": "contains", "value": ["VP"]}], 15)
    ]
    assert model.fit_rules.count() == 1


def test_a_copy_gets_its_own_review_date(marketing_head, sales_head, marketer):
    in_force(marketing_head, sales_head, review_date="2027-01-31")

    proposal = agreement_propose(by=marketer, title="Next")

    assert proposal.review_date is None
