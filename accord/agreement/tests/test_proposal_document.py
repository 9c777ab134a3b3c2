"""The agreement as a document of sections, and the diff of a proposal against the version in
force: one source for the page, the print view, the PDF and the diff."""

from __future__ import annotations

from typing import Any

import pytest

from accord.agreement.audit import audit_record
from accord.agreement.models import AuditEntry
from accord.agreement.selectors import (
    agreement_diff,
    agreement_document,
    agreement_versions,
    audit_for,
    proposals_open,
)
from accord.agreement.services import engagement_rule_create, fit_rule_create, persona_create
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    agreement_withdraw,
)

pytestmark = pytest.mark.django_db

SCORE_60 = [[{"field": "score", "op": "at_least", "value": 60}]]
SCORE_70_OR_DEMO = [
    [{"field": "score", "op": "at_least", "value": 70}],
    [{"field": "touches", "op": "at_least", "value": 1, "kinds": ["demo_request"]}],
]


def in_force(marketing_head: Any, sales_head: Any, **fields: Any) -> Any:
    proposal = agreement_propose(by=marketing_head, title="First")
    if fields:
        agreement_update(agreement=proposal, by=marketing_head, **fields)
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    return proposal


def items(sections: Any) -> dict[tuple[str, str], Any]:
    return {(s.key, i.key): i for s in sections for i in s.items}


def test_the_document_has_every_part_of_the_agreement_in_order(marketer):
    proposal = agreement_propose(by=marketer, title="First")

    sections = agreement_document(proposal)

    assert [s.title for s in sections] == [
        "This version",
        "Who the customer is",
        "What a good lead is",
        "How leads are scored",
        "Terminology",
        "Marketing commits to",
        "Sales commits to",
        "Rejection reasons",
        "Business hours",
        "Rules of engagement",
        "Rules of disengagement",
    ]
    found = items(sections)
    assert found[("sales", "accept_within_hours")].value == "Within 8 business hours"
    assert found[("sales", "attempts")].value == "6 attempts within 10 days"
    assert found[("hours", "business_days")].value == "Monday to Friday"
    assert found[("hours", "business_hours")].value == "09:00 to 17:00"
    assert found[("terminology", "term:MQL")].label == "MQL"


def test_definitions_and_rules_read_as_sentences(marketer):
    proposal = agreement_propose(by=marketer, title="First")
    agreement_update(agreement=proposal, by=marketer, mql_definition=SCORE_70_OR_DEMO)
    model = proposal.scoring_model
    assert model is not None
    fit_rule_create(
        model=model,
        by=marketer,
        label="VPs",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=15,
    )
    engagement_rule_create(
        model=model,
        by=marketer,
        label="Demos",
        kinds=["demo_request"],
        points=30,
        cap=60,
        half_life_days=30,
    )

    found = items(agreement_document(proposal))

    assert found[("definitions", "mql_definition")].lines == (
        "Either score ≥ 70",
        "or at least 1 demo request",
    )
    assert "No definition" in found[("definitions", "sql_definition")].value
    assert found[("scoring", "fit:VPs")].value == "+15 when title contains “VP”"
    assert found[("scoring", "engagement:Demos")].value == (
        "+30 per demo request touch, at most 60 points, halving every 30 days"
    )


def test_the_document_takes_a_few_queries_whatever_the_number_of_rules(
    marketer, django_assert_max_num_queries
):
    proposal = agreement_propose(by=marketer, title="First")
    model = proposal.scoring_model
    assert model is not None
    for n in range(10):
        fit_rule_create(
            model=model,
            by=marketer,
            label=f"Rule {n}",
            criteria=[{"field": "title", "op": "contains", "value": [f"w{n}"]}],
            points=5,
        )

    with django_assert_max_num_queries(6):
        agreement_document(proposal)


def test_a_version_in_force_shows_the_personas_as_they_were_signed(marketing_head, sales_head):
    persona = persona_create(by=marketing_head, name="Ops lead", pains="Spreadsheets")
    current = in_force(marketing_head, sales_head)
    persona.pains = "Something else"
    persona.save()

    found = items(agreement_document(current))

    assert "Pains: Spreadsheets" in found[("personas", f"persona:{persona.pk}")].lines


def test_the_diff_lists_changed_terms_definitions_rules_and_personas(
    marketing_head, sales_head, marketer
):
    ops = persona_create(by=marketing_head, name="Ops lead")
    current = in_force(marketing_head, sales_head, mql_definition=SCORE_60)
    proposal = agreement_propose(by=marketer, title="Stricter")
    cfo = persona_create(by=marketer, name="CFO")
    agreement_update(
        agreement=proposal,
        by=marketer,
        mql_definition=SCORE_70_OR_DEMO,
        accept_within_hours=4,
        personas=[cfo.pk],
    )
    assert proposal.scoring_model is not None
    fit_rule_create(
        model=proposal.scoring_model,
        by=marketer,
        label="VPs",
        criteria=[{"field": "title", "op": "contains", "value": ["VP"]}],
        points=15,
    )

    changes = {(c.section, c.label): (c.before, c.after) for c in agreement_diff(proposal, current)}

    assert changes[("What a good lead is", "MQL definition")] == (
        "A lead meets it when score ≥ 60",
        "Either score ≥ 70\nor at least 1 demo request",
    )
    assert changes[("Sales commits to", "Accept or reject an MQL")] == (
        "Within 8 business hours",
        "Within 4 business hours",
    )
    assert changes[("How leads are scored", "Fit: VPs")] == (None, "+15 when title contains “VP”")
    assert changes[("Who the customer is", "CFO")][0] is None
    assert changes[("Who the customer is", "Ops lead")][1] is None
    assert ("Who the customer is", ops.name) in changes
    assert ("How leads are scored", "Scoring model") in changes  # a new draft copy
    assert ("Sales commits to", "First contact") not in changes


def test_a_copy_with_nothing_changed_differs_only_in_its_scoring_model_and_review_date(
    marketing_head, sales_head, marketer
):
    current = in_force(marketing_head, sales_head, mql_definition=SCORE_60)
    proposal = agreement_propose(by=marketer, title="Same again")

    assert [c.label for c in agreement_diff(proposal, current)] == ["Scoring model", "Review date"]


def test_versions_and_open_proposals(marketing_head, sales_head, marketer):
    current = in_force(marketing_head, sales_head)
    open_one = agreement_propose(by=marketer, title="Open")
    gone = agreement_propose(by=marketer, title="Gone")
    agreement_withdraw(agreement=gone, by=marketer)

    assert list(proposals_open()) == [open_one]
    assert list(agreement_versions()) == [gone, open_one, current]


def test_the_audit_trail_of_a_version_includes_its_scoring_model(marketer):
    proposal = agreement_propose(by=marketer, title="First")
    assert proposal.scoring_model is not None
    audit_record(
        actor=marketer, action="rule", obj=proposal.scoring_model, summary="added a fit rule"
    )
    other = agreement_propose(by=marketer, title="Other")

    trail = list(audit_for(proposal))

    assert [e.action for e in trail] == ["rule", "propose"]
    assert AuditEntry.objects.count() == 3
    assert [e.action for e in audit_for(other)] == ["propose"]
