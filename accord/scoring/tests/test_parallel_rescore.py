"""Rescoring every lead over several connections at once gives every lead the score it gets
alone (PostgreSQL; committed data, as the other connections only see that)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from accord.funnel.models import Lead
from accord.scoring import engine
from accord.scoring.engine import id_ranges, lead_explain, rescore_all

from .test_bulk_rescore import NOW, world  # noqa: F401 (the fixture)


@pytest.mark.parametrize(
    ("low", "high", "parts", "expected"),
    [
        (1, 10, 2, [(1, 5), (6, 10)]),
        (1, 10, 3, [(1, 3), (4, 6), (7, 10)]),
        (5, 5, 4, [(5, 5)]),
        (1, 1_000_000, 2, [(1, 500_000), (500_001, 1_000_000)]),
    ],
)
def test_id_ranges_cover_every_id_once(low, high, parts, expected):
    assert id_ranges(low, high, parts) == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_gives_every_lead_the_same_score_over_several_connections(world, monkeypatch):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("rescoring runs over several connections on PostgreSQL only")
    model, leads = world
    calls: list[Any] = []
    parallel = engine._rescore_parallel

    def spy(*args: Any) -> int:
        calls.append(args)
        return parallel(*args)

    monkeypatch.setattr(engine, "PARALLEL_MIN_LEADS", 10)
    monkeypatch.setattr(engine, "_rescore_parallel", spy)

    changed = rescore_all(model, at=NOW, workers=3)

    assert len(calls) == 1 and calls[0][-1] == 3
    stored = {
        pk: (score, fit, engagement)
        for pk, score, fit, engagement in Lead.objects.values_list(
            "pk", "score", "fit_score", "engagement_score"
        )
    }
    assert changed == sum(1 for v in stored.values() if v != (0, 0, 0))
    for lead in leads:
        explained = lead_explain(lead=lead, model=model, at=NOW)
        assert stored[lead.pk] == (explained.score, explained.fit, explained.engagement)
    assert rescore_all(model, at=NOW, workers=3) == 0


@pytest.mark.django_db
def test_inside_a_transaction_it_rescores_in_one_statement(world, monkeypatch):  # noqa: F811
    model, _ = world
    monkeypatch.setattr(engine, "PARALLEL_MIN_LEADS", 1)
    monkeypatch.setattr(engine, "_rescore_parallel", lambda *a: pytest.fail("went parallel"))

    assert rescore_all(model, at=NOW, workers=4) > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_under_a_running_event_loop_the_ranges_run_one_after_the_other(world, monkeypatch):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("rescoring runs over several connections on PostgreSQL only")
    import asyncio

    # As under the browser tests' driver: Django's ORM called from a thread running a loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    model, leads = world
    low, high = min(lead.pk for lead in leads), max(lead.pk for lead in leads)

    async def inside_a_loop() -> int:
        try:
            return engine._rescore_parallel(model, NOW, low, high, 3)
        finally:
            connection.close()  # the loop's own Django connection

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        changed = asyncio.run(inside_a_loop())
    else:  # the browser tests' driver already runs a loop in this thread
        changed = engine._rescore_parallel(model, NOW, low, high, 3)

    for lead in leads:
        lead.refresh_from_db()
        explained = lead_explain(lead=lead, model=model, at=NOW)
        assert (lead.score, lead.fit_score, lead.engagement_score) == (
            explained.score,
            explained.fit,
            explained.engagement,
        )
    scored = [(lead.score, lead.fit_score, lead.engagement_score) for lead in leads]
    assert changed == sum(1 for values in scored if values != (0, 0, 0))
