"""Review reminders: raised once per version in force, 14 days before its review date; and
`accord agreement remind`, which raises them from the command line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command

from accord.agreement.models import AuditEntry, ReviewReminder
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    review_reminders_raise,
)

pytestmark = pytest.mark.django_db

REVIEW = dt.date(2027, 3, 31)


@pytest.fixture
def in_force(marketing_head: Any, sales_head: Any) -> Any:
    proposal = agreement_propose(by=marketing_head, title="First")
    agreement_update(agreement=proposal, by=marketing_head, review_date=REVIEW)
    agreement_sign(agreement=proposal, by=marketing_head)
    agreement_sign(agreement=proposal, by=sales_head)
    proposal.refresh_from_db()
    return proposal


def test_nothing_is_raised_more_than_14_days_before_the_review(in_force):
    assert review_reminders_raise(today=REVIEW - dt.timedelta(days=15)) == []
    assert not ReviewReminder.objects.exists()


def test_the_reminder_is_raised_14_days_before_the_review_and_only_once(in_force):
    raised = review_reminders_raise(today=REVIEW - dt.timedelta(days=14))

    assert [(r.agreement, r.review_date) for r in raised] == [(in_force, REVIEW)]
    assert review_reminders_raise(today=REVIEW) == []
    assert ReviewReminder.objects.count() == 1
    assert AuditEntry.objects.filter(action="remind", object_id=str(in_force.pk)).count() == 1


def test_a_review_date_already_past_raises_the_reminder(in_force):
    assert len(review_reminders_raise(today=REVIEW + dt.timedelta(days=30))) == 1


def test_proposals_and_archived_versions_get_no_reminder(in_force, marketer, marketing_head):
    proposal = agreement_propose(by=marketer, title="Next")
    agreement_update(agreement=proposal, by=marketer, review_date=REVIEW)

    raised = review_reminders_raise(today=REVIEW)

    assert [r.agreement for r in raised] == [in_force]


def test_the_command_raises_the_reminder_and_says_so(in_force, capsys):
    call_command("agreement", "remind", "--today", "2027-03-20")
    first = capsys.readouterr().out
    call_command("agreement", "remind", "--today", "2027-03-21")
    second = capsys.readouterr().out

    assert first.strip() == "Review of agreement v1 is due on 2027-03-31: reminder raised."
    assert "already raised" in second


def test_the_command_says_when_nothing_is_due(in_force, capsys):
    call_command("agreement", "remind", "--today", "2027-01-01")

    assert "No review due within 14 days" in capsys.readouterr().out


def test_the_command_says_when_nothing_is_in_force(db, capsys):
    call_command("agreement", "remind")

    assert "No agreement is in force" in capsys.readouterr().out


def test_a_bad_date_exits_1_with_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "accord.cli", "agreement", "remind", "--today", "soon"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "is not a date" in result.stderr
    assert "Traceback" not in result.stderr
