"""Background work of the agreement: thin tasks that load by id and call a service.

Both are safe to run twice: matching and scoring write the same values again, and a lead
already qualified is no longer in a stage that qualifies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends

from accord.agreement.models import Agreement, LeadPersona
from accord.agreement.services import (
    ID_CHUNK,
    agreement_apply,
    leads_refresh,
    personas_match_all,
)
from accord.funnel.models import Lead


@task()
def agreement_apply_task(agreement_id: int) -> int:
    """Apply a version that came into force to every lead; the number of leads qualified."""
    agreement = Agreement.objects.select_related("scoring_model").filter(pk=agreement_id).first()
    if agreement is None:
        return 0
    return agreement_apply(agreement=agreement)


@task()
def personas_rematch_task() -> int:
    """Match every lead again after personas changed, and bring the scores and qualification
    in line under the agreement in force (fit rules may name personas). The number of leads
    with a persona."""
    from accord.agreement.selectors import agreement_in_force

    agreement = agreement_in_force()
    if agreement is not None:
        agreement_apply(agreement=agreement)
    else:
        personas_match_all()
    return LeadPersona.objects.count()


@task()
def leads_refresh_task(lead_ids: list[int]) -> None:
    """Match, score and qualify leads whose touches or fields changed in bulk."""
    leads_refresh(lead_ids=lead_ids)


@task()
def accounts_refresh_task(account_ids: list[int]) -> None:
    """Match, score and qualify the leads of accounts whose fields changed in bulk."""
    lead_ids: list[int] = []
    for start in range(0, len(account_ids), ID_CHUNK):
        chunk = account_ids[start : start + ID_CHUNK]
        lead_ids.extend(Lead.objects.filter(account_id__in=chunk).values_list("pk", flat=True))
    leads_refresh(lead_ids=lead_ids)


def leads_refresh_later(lead_ids: Iterable[int]) -> None:
    """Refresh ``lead_ids`` in the background once the current transaction commits (at once
    outside one). The bulk paths call this once per batch, never once per lead."""
    ids = sorted(set(lead_ids))
    if ids:
        transaction.on_commit(lambda: leads_refresh_task.enqueue(ids))


def accounts_refresh_later(account_ids: Iterable[int]) -> None:
    """Refresh the leads of ``account_ids`` in the background once the transaction commits."""
    ids = sorted(set(account_ids))
    if ids:
        transaction.on_commit(lambda: accounts_refresh_task.enqueue(ids))


# --- the nightly sweep --------------------------------------------------------------------------

NIGHTLY_HOUR = 3  # local time of the organisation


@task()
def nightly_task() -> dict[str, int]:
    """The nightly sweep: engagement decays with time, so every lead is matched and scored again
    under the agreement in force and the leads now meeting its MQL definition are qualified;
    the review reminder is raised when the review date is near. Then the next night is booked.

    Safe to run twice (every step is derived from the data; one reminder per version).
    """
    from accord.agreement.selectors import agreement_in_force
    from accord.agreement.signoff import review_reminders_raise

    agreement = agreement_in_force()
    qualified = agreement_apply(agreement=agreement) if agreement is not None else 0
    reminders = len(review_reminders_raise())
    nightly_schedule()
    return {"qualified": qualified, "reminders": reminders}


def next_night(now: datetime | None = None) -> datetime:
    """The next ``NIGHTLY_HOUR`` o'clock in the organisation's time zone, as an aware time."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=NIGHTLY_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run = timezone.make_aware(
            datetime.combine(run.date() + timedelta(days=1), run.time().replace(tzinfo=None)),
            local.tzinfo,
        )
    return run


def nightly_schedule(now: datetime | None = None) -> bool:
    """Book the nightly sweep for the next night unless one is already booked; True when booked.

    Only a queue that can hold a task until a time (the database queue the workers use) takes
    the booking; ``accord worker`` calls this when it starts, and each sweep books the next.
    """
    backend = task_backends[nightly_task.backend]
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    booked = DBTaskResult.objects.filter(
        task_path=nightly_task.module_path, status=TaskResultStatus.READY
    )
    if booked.exists():
        return False
    nightly_task.using(run_after=next_night(now)).enqueue()
    return True
