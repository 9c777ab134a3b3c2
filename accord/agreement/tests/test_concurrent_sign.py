"""Acceptance 2 of issue 3: two final signatures at the same moment leave exactly one version in
force (PostgreSQL: two threads, two connections, real row locks).

The first signer's transaction is held open at the point of commit; the second signer must then
wait (it is blocked on a row lock, not racing past a check) and, once the first commits, be
refused with a Conflict, leaving one version in force and one apply task enqueued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from accord.agreement import signoff
from accord.agreement.models import Agreement, AgreementStatus, ModelStatus, ScoringModel
from accord.agreement.signoff import agreement_propose, agreement_sign
from accord.errors import Conflict

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10.0


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… to test row locks")


@pytest.fixture
def applied(monkeypatch: Any) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(signoff, "_enqueue_apply", calls.append)
    return calls


class Signer(threading.Thread):
    """Signs in its own connection; ``hold`` keeps the transaction open until released."""

    def __init__(self, sign: Callable[[], Any], hold: threading.Event | None = None) -> None:
        super().__init__(daemon=True)
        self.sign = sign
        self.hold = hold
        self.signed = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.sign()
                self.signed.set()
                if self.hold is not None:
                    assert self.hold.wait(WAIT)
        except BaseException as exc:
            self.error = exc
        finally:
            self.signed.set()
            connection.close()


def race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Signer, Signer]:
    """Run ``first`` up to its commit, start ``second``, check it is blocked, then let both end."""
    release = threading.Event()
    a = Signer(first, hold=release)
    a.start()
    assert a.signed.wait(WAIT)
    assert a.error is None, a.error
    b = Signer(second)
    b.start()
    b.join(1.0)
    blocked = b.is_alive()
    release.set()
    a.join(WAIT)
    b.join(WAIT)
    assert not a.is_alive() and not b.is_alive()
    assert blocked, "the second signature did not wait for the first one's lock"
    return a, b


def in_force_versions() -> list[int]:
    return list(
        Agreement.objects.filter(status=AgreementStatus.IN_FORCE).values_list("version", flat=True)
    )


def first_version(marketing_head: Any, sales_head: Any) -> Agreement:
    v1 = agreement_propose(by=marketing_head, title="First")
    agreement_sign(agreement=v1, by=marketing_head)
    agreement_sign(agreement=v1, by=sales_head)
    return v1


def test_two_proposals_signed_at_once_leave_exactly_one_in_force(
    marketing_head, sales_head, applied
):
    first_version(marketing_head, sales_head)
    v2 = agreement_propose(by=marketing_head, title="Second")
    v3 = agreement_propose(by=marketing_head, title="Third")
    agreement_sign(agreement=v2, by=marketing_head)
    agreement_sign(agreement=v3, by=marketing_head)
    applied.clear()

    a, b = race(
        lambda: agreement_sign(agreement=v2, by=sales_head),
        lambda: agreement_sign(agreement=v3, by=sales_head),
    )

    assert a.error is None
    assert isinstance(b.error, Conflict)
    assert "v2 is now in force" in str(b.error)
    assert in_force_versions() == [2]
    assert list(
        ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).values_list(
            "agreements__version", flat=True
        )
    ) == [2]
    assert applied == [v2.pk]
    assert not v3.signatures.filter(team="sales").exists()


def test_two_first_proposals_signed_at_once_leave_exactly_one_in_force(
    marketing_head, sales_head, applied
):
    v1 = agreement_propose(by=marketing_head, title="One")
    v2 = agreement_propose(by=marketing_head, title="Two")
    agreement_sign(agreement=v1, by=marketing_head)
    agreement_sign(agreement=v2, by=marketing_head)

    a, b = race(
        lambda: agreement_sign(agreement=v1, by=sales_head),
        lambda: agreement_sign(agreement=v2, by=sales_head),
    )

    assert a.error is None
    assert isinstance(b.error, Conflict)
    assert in_force_versions() == [1]
    assert ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).count() == 1
    assert applied == [v1.pk]


def test_the_same_final_signature_sent_twice_at_once_counts_once(
    marketing_head, sales_head, applied
):
    first_version(marketing_head, sales_head)
    v2 = agreement_propose(by=marketing_head, title="Second")
    agreement_sign(agreement=v2, by=marketing_head)
    applied.clear()

    a, b = race(
        lambda: agreement_sign(agreement=v2, by=sales_head),
        lambda: agreement_sign(agreement=v2, by=sales_head),
    )

    assert a.error is None
    assert isinstance(b.error, Conflict)
    assert in_force_versions() == [2]
    assert v2.signatures.count() == 2
    assert applied == [v2.pk]


def test_many_free_races_never_leave_two_versions_in_force(marketing_head, sales_head, applied):
    first_version(marketing_head, sales_head)
    for _ in range(5):
        proposals = [agreement_propose(by=marketing_head, title=f"P{i}") for i in range(4)]
        for p in proposals:
            agreement_sign(agreement=p, by=marketing_head)
        start = threading.Barrier(len(proposals))

        def signing(p: Agreement, start: threading.Barrier = start) -> Callable[[], None]:
            def sign() -> None:
                start.wait(WAIT)
                agreement_sign(agreement=p, by=sales_head)

            return sign

        signers = [Signer(signing(p)) for p in proposals]
        for s in signers:
            s.start()
        for s in signers:
            s.join(WAIT)
        assert sum(s.error is None for s in signers) == 1
        assert all(isinstance(s.error, Conflict) for s in signers if s.error is not None)
        assert len(in_force_versions()) == 1
        assert ScoringModel.objects.filter(status=ModelStatus.IN_FORCE).count() == 1
