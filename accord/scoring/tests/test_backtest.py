"""The backtest's numbers equal a direct recomputation over the same history, lead by lead."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from accord.agreement.definitions import definition_check
from accord.errors import AccordError
from accord.funnel.models import Lead, Stage
from accord.scoring.backtest import BacktestResult, Outcome, backtest, month_ends
from accord.scoring.engine import lead_explain

from .backtest_history import DEFINITION, build_history

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 17, 15, 30, tzinfo=UTC)
LATER = {
    Stage.SAL: {Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER},
    Stage.SQL: {Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER},
    Stage.CUSTOMER: {Stage.CUSTOMER},
}


def recompute(*, definition: Any, model: Any, result: BacktestResult) -> dict[str, Any]:
    """The backtest the slow way: each lead alone at each month end, through ``lead_explain``
    and ``definition_check``, outcomes and segments read from each lead's own rows."""
    instants = [result.since] + [m.at for m in result.months]
    met_at: list[set[int]] = []
    leads = list(Lead.objects.select_related("account").prefetch_related("stage_changes"))
    for at in instants:
        met = set()
        for lead in leads:
            if lead.created_at > at:
                continue
            explained = lead_explain(lead=lead, model=model, at=at)
            scores = (explained.score, explained.fit, explained.engagement)
            if definition_check(lead=lead, definition=definition, at=at, scores=scores).met:
                met.add(lead.pk)
        met_at.append(met)
    by_id = {lead.pk: lead for lead in leads}
    cohorts: dict[date, set[int]] = {}
    seen = set(met_at[0])
    for month, met in zip(result.months, met_at[1:], strict=True):
        cohorts[month.month] = met - seen
        seen |= met

    def outcome(ids: set[int]) -> Outcome:
        entered = {i: {c.to_stage for c in by_id[i].stage_changes.all()} for i in ids}
        return Outcome(
            mqls=len(ids),
            **{stage: sum(1 for i in ids if entered[i] & LATER[stage]) for stage in LATER},
        )

    def segment(i: int) -> str:
        account = by_id[i].account
        return account.segment if account is not None else ""

    months = {}
    for first_day, ids in cohorts.items():
        groups: dict[str, set[int]] = defaultdict(set)
        for i in ids:
            groups[segment(i)].add(i)
        months[first_day] = (outcome(ids), {k: outcome(v) for k, v in groups.items()})
    everyone = set().union(*cohorts.values())
    segments: dict[str, set[int]] = defaultdict(set)
    for i in everyone:
        segments[segment(i)].add(i)
    return {
        "cohorts": cohorts,
        "months": months,
        "segments": {k: outcome(v) for k, v in segments.items()},
        "total": outcome(everyone),
    }


# Every group with a touch or field condition: only the leads meeting those are scored.
NARROWED = [
    [
        {"field": "score", "op": "at_least", "value": 40},
        {"field": "touches", "op": "at_least", "value": 1, "within_days": 60},
    ],
    [
        {"field": "engagement", "op": "at_least", "value": 20},
        {"field": "account.segment", "op": "in", "value": ["smb", "enterprise"]},
    ],
]


@pytest.mark.parametrize("definition", [DEFINITION, NARROWED], ids=["any", "narrowed"])
def test_the_backtest_equals_a_direct_recomputation_lead_by_lead(definition):
    history = build_history(now=NOW, leads=110, seed=5)

    result = backtest(definition=definition, model=history.model, months=5, now=NOW)
    direct = recompute(definition=definition, model=history.model, result=result)

    assert {m: set(ids) for m, ids in result.cohorts.items()} == direct["cohorts"]
    for month in result.months:
        total, segments = direct["months"][month.month]
        assert month.total == total
        assert month.segments == segments
    assert result.segments == direct["segments"]
    assert result.total == direct["total"]
    # The history exercises every rule: several months, segments and outcomes, and leads that
    # already qualified before the window (left out).
    assert sum(1 for m in result.months if m.total.mqls) >= 4
    assert len(result.segments) >= 3
    assert result.total.sal > result.total.sql > result.total.customer > 0
    assert result.total.mqls < len(history.lead_ids)


def test_a_definition_on_touches_alone_equals_the_recomputation_too():
    history = build_history(now=NOW, leads=60, seed=9)
    definition = [
        [{"field": "touches", "op": "at_least", "value": 2, "kinds": ["page_view"]}],
        [{"field": "title", "op": "contains", "value": ["VP"]}],
    ]

    result = backtest(definition=definition, model=history.model, months=4, now=NOW)
    direct = recompute(definition=definition, model=history.model, result=result)

    assert {m: set(ids) for m, ids in result.cohorts.items()} == direct["cohorts"]
    assert result.total == direct["total"]
    assert result.total.mqls > 0


def test_months_end_at_midnight_in_the_organisations_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"

    since, window = month_ends(months=3, now=NOW)

    assert since == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # 1 April, 00:00 in Paris
    assert [m for m, _ in window] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert [at for _, at in window] == [
        datetime(2026, 4, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 5, 31, 22, 0, tzinfo=UTC),
        NOW,
    ]


def test_a_lead_counts_in_the_month_it_first_meets_the_definition_only(marketer):
    from accord.campaigns.models import Touch

    history = build_history(now=NOW, leads=0)
    lead = Lead.objects.create(email="once@example.com", created_at=NOW - timedelta(days=200))
    # A demo request in March meets the 30-day group at the end of March only; another in May
    # qualifies the lead again, but it is no new MQL.
    Touch.objects.create(lead=lead, kind="demo_request", at=datetime(2026, 3, 20, tzinfo=UTC))
    Touch.objects.create(lead=lead, kind="demo_request", at=datetime(2026, 5, 20, tzinfo=UTC))
    definition = [DEFINITION[1]]

    result = backtest(definition=definition, model=history.model, months=4, now=NOW)

    assert [m.total.mqls for m in result.months] == [1, 0, 0, 0]
    assert result.cohorts[date(2026, 3, 1)] == {lead.pk}
    assert [m.partial for m in result.months] == [False, False, False, True]


def test_a_lead_that_qualified_before_the_window_is_no_new_mql():
    from accord.campaigns.models import Touch

    history = build_history(now=NOW, leads=0)
    lead = Lead.objects.create(email="early@example.com", created_at=NOW - timedelta(days=300))
    Touch.objects.create(lead=lead, kind="demo_request", at=datetime(2026, 2, 20, tzinfo=UTC))
    Touch.objects.create(lead=lead, kind="demo_request", at=datetime(2026, 5, 25, tzinfo=UTC))

    result = backtest(definition=[DEFINITION[1]], model=history.model, months=4, now=NOW)

    assert result.total.mqls == 0


def test_a_lead_created_after_a_month_end_is_not_counted_in_that_month():
    history = build_history(now=NOW, leads=0)
    # A VP at an enterprise account has fit 35 whenever it is evaluated; it exists only from May.
    lead = Lead.objects.create(
        email="new@example.com", title="VP Sales", created_at=datetime(2026, 5, 3, tzinfo=UTC)
    )
    from accord.agreement.services import personas_match_all

    personas_match_all()
    definition = [[{"field": "fit", "op": "at_least", "value": 20}]]

    result = backtest(definition=definition, model=history.model, months=3, now=NOW)

    assert [m.total.mqls for m in result.months] == [0, 1, 0]
    assert result.cohorts[date(2026, 5, 1)] == {lead.pk}


def test_reaching_a_later_stage_counts_as_reaching_the_earlier_ones():
    from accord.funnel.models import StageChange

    history = build_history(now=NOW, leads=0)
    lead = Lead.objects.create(
        email="skip@example.com", title="VP Sales", created_at=datetime(2026, 5, 3, tzinfo=UTC)
    )
    StageChange.objects.create(
        lead=lead, from_stage=Stage.LEAD, to_stage=Stage.OPPORTUNITY, at=NOW - timedelta(days=5)
    )
    from accord.agreement.services import personas_match_all

    personas_match_all()

    result = backtest(
        definition=[[{"field": "fit", "op": "at_least", "value": 20}]],
        model=history.model,
        months=2,
        now=NOW,
    )

    assert result.total == Outcome(mqls=1, sal=1, sql=1, customer=0)
    assert result.total.rate(Stage.SQL) == 1.0
    assert result.segments == {"": Outcome(mqls=1, sal=1, sql=1, customer=0)}


def test_no_definition_produces_no_mqls():
    history = build_history(now=NOW, leads=30, seed=2)

    result = backtest(definition=[], model=history.model, months=3, now=NOW)

    assert not result.defined
    assert result.total == Outcome(mqls=0, sal=0, sql=0, customer=0)
    assert [m.total.mqls for m in result.months] == [0, 0, 0]
    assert result.total.rate(Stage.SAL) is None


@pytest.mark.parametrize("months", [0, 37, -1])
def test_it_refuses_a_window_out_of_range(months):
    history = build_history(now=NOW, leads=0)

    with pytest.raises(AccordError, match="months must be"):
        backtest(definition=DEFINITION, model=history.model, months=months, now=NOW)


def test_it_refuses_a_definition_that_is_not_valid():
    history = build_history(now=NOW, leads=0)

    with pytest.raises(AccordError, match="group 1"):
        backtest(definition=[[{"field": "score", "op": "over"}]], model=history.model, now=NOW)
