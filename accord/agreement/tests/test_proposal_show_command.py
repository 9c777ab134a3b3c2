"""`accord agreement show`: a version as text or JSON, the same sections as the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accord.agreement.signoff import agreement_propose, agreement_sign, agreement_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_force(marketing_head: Any, sales_head: Any) -> Any:
    proposal = agreement_propose(by=marketing_head, title="First")
    agreement_update(
        agreement=proposal,
        by=marketing_head,
        mql_definition=[[{"field": "score", "op": "at_least", "value": 60}]],
    )
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    return proposal


def test_it_shows_the_version_in_force_as_text(in_force, capsys):
    call_command("agreement", "show")

    out = capsys.readouterr().out
    assert out.startswith("Agreement v1: First (in force)")
    assert "What a good lead is" in out
    assert "A lead meets it when score ≥ 60" in out
    assert "Within 8 business hours" in out
    assert "Marketing   Hana Head-of-Marketing" in out
    assert "Sales       Sam Head-of-Sales" in out


def test_it_shows_a_proposal_as_json(in_force, marketer, capsys):
    agreement_propose(by=marketer, title="Next")

    call_command("agreement", "show", "2", "--format", "json")

    body = json.loads(capsys.readouterr().out)
    assert (body["version"], body["status"], body["signatures"]) == (2, "draft", [])
    sections = {s["key"]: s for s in body["sections"]}
    assert sections["definitions"]["items"][0]["label"] == "MQL definition"
    assert {"key", "label", "value", "lines"} == set(sections["hours"]["items"][0])


def test_an_unknown_version_or_nothing_in_force_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="no agreement is in force yet"):
        call_command("agreement", "show")
    with pytest.raises(CommandError, match="there is no agreement v4"):
        call_command("agreement", "show", "4")
