"""The nightly sweep: decay rescoring, qualification and the review reminder, booked by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accord.agreement.tasks import next_night, nightly_schedule, nightly_task

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_next_night_is_three_in_the_morning_in_the_organisation_time_zone(
    settings: Any,
) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    evening = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)  # 22:00 in Berlin
    run = next_night(evening)
    assert timezone.localtime(run).hour == 3
    assert run == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    early = datetime(2026, 3, 11, 1, 0, tzinfo=UTC)  # 02:00 in Berlin: tonight still
    assert next_night(early) == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_it_books_the_sweep_once_on_the_database_queue(settings: Any) -> None:
    settings.TASKS = DB_QUEUE
    assert nightly_schedule() is True
    assert nightly_schedule() is False
    rows = DBTaskResult.objects.filter(task_path=nightly_task.module_path)
    assert rows.count() == 1
    assert rows.get().run_after > timezone.now()
    assert rows.get().run_after < timezone.now() + timedelta(days=1, minutes=1)


@pytest.mark.django_db
def test_a_queue_that_cannot_hold_a_task_until_a_time_books_nothing() -> None:
    assert nightly_schedule() is False
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_sweep_runs_without_an_agreement_and_books_the_next_night(settings: Any) -> None:
    settings.TASKS = DB_QUEUE
    result = nightly_task.func()
    assert result == {"qualified": 0, "reminders": 0}
    assert DBTaskResult.objects.filter(task_path=nightly_task.module_path).count() == 1


@pytest.mark.django_db
def test_the_sweep_scores_every_lead_again_and_qualifies_those_meeting_the_definition(
    marketing_head: Any, sales_head: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from accord.agreement.signoff import (
        agreement_propose,
        agreement_sign,
        agreement_update,
        fit_rule_add,
    )
    from accord.funnel.models import Lead
    from accord.funnel.tests.factories import make_lead

    proposal = agreement_propose(by=marketing_head, title="Leaders first")
    assert proposal.scoring_model is not None
    fit_rule_add(
        model=proposal.scoring_model,
        by=marketing_head,
        label="VP",
        criteria=[{"field": "title", "op": "contains", "value": "VP"}],
        points=65,
    )
    agreement_update(
        agreement=proposal,
        by=marketing_head,
        mql_definition=[[{"field": "score", "op": "at_least", "value": 60}]],
    )
    agreement_sign(agreement=proposal, by=marketing_head)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_sign(agreement=proposal, by=sales_head)
    vp, engineer = make_lead(title="VP Sales"), make_lead(title="Engineer")
    # Scores gone stale (as decay leaves them) and a lead that slipped past qualification.
    Lead.objects.filter(pk=engineer.pk).update(score=99, fit_score=99)
    Lead.objects.filter(pk=vp.pk).update(stage="lead", score=0, fit_score=0)

    assert nightly_task.func() == {"qualified": 1, "reminders": 0}

    vp.refresh_from_db()
    engineer.refresh_from_db()
    assert (vp.score, vp.stage) == (65, "mql")
    assert (engineer.score, engineer.fit_score, engineer.stage) == (0, 0, "lead")
