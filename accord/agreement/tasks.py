"""Background work of the agreement: thin tasks that load by id and call a service.

Both are safe to run twice: matching and scoring write the same values again, and a lead
already qualified is no longer in a stage that qualifies.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

from accord.agreement.models import Agreement
from accord.agreement.services import ID_CHUNK, agreement_apply, leads_refresh
from accord.funnel.models import Lead


@task()
def agreement_apply_task(agreement_id: int) -> int:
    """Apply a version that came into force to every lead; the number of leads qualified."""
    agreement = Agreement.objects.select_related("scoring_model").filter(pk=agreement_id).first()
    if agreement is None:
        return 0
    return agreement_apply(agreement=agreement)


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
