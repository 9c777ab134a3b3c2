"""Who is learnt from: leads with a closed outcome, labelled by reaching the target."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accord.funnel.models import Lead
from accord.funnel.services import lead_move
from accord.funnel.tests.factories import make_lead
from accord.scoring.predictive.outcomes import closed_outcomes

pytestmark = pytest.mark.django_db


def _lead_moved(moves: list[tuple[str, int]], *, created_days_ago: int = 300) -> Lead:
    now = timezone.now()
    lead = make_lead(created_at=now - timedelta(days=created_days_ago))
    for stage, days_ago in moves:
        lead_move(lead=lead, to_stage=stage, by=None, at=now - timedelta(days=days_ago))
    return lead


def test_it_labels_reaching_the_target_or_a_later_stage_and_leaves_open_and_unhanded_leads_out():
    converted = _lead_moved([("mql", 200), ("sal", 199), ("sql", 190)])
    skipped = _lead_moved([("mql", 200), ("opportunity", 180)])
    later_lost = _lead_moved([("mql", 200), ("sql", 190), ("disqualified", 100)])
    disqualified = _lead_moved([("mql", 20), ("disqualified", 10)])
    recycled = _lead_moved([("mql", 30), ("sal", 29), ("recycled", 5)])
    stale = _lead_moved([("mql", 200)])
    fresh = _lead_moved([("mql", 10)])
    never_handed_off = _lead_moved([], created_days_ago=400)

    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=timezone.now())
    labels = dict(zip(outcomes.lead_ids.tolist(), outcomes.reached.tolist(), strict=True))

    assert labels == {
        converted.pk: True,
        skipped.pk: True,
        later_lost.pk: True,
        disqualified.pk: False,
        recycled.pk: False,
        stale.pk: False,
    }
    assert fresh.pk not in labels
    assert never_handed_off.pk not in labels
    assert outcomes.counts == {
        "leads": 8,
        "outcomes": 6,
        "reached": 3,
        "disqualified_or_recycled": 2,
        "stale": 1,
        "never_handed_off": 1,
        "open": 1,
    }
    progressed = dict(zip(outcomes.lead_ids.tolist(), outcomes.progressed.tolist(), strict=True))
    assert progressed[recycled.pk] is True  # accepted by sales, then recycled
    assert progressed[disqualified.pk] is False


def test_the_hand_off_is_the_first_entry_into_the_hand_off_stage():
    now = timezone.now()
    lead = _lead_moved([("mql", 200), ("recycled", 150), ("mql", 120), ("sql", 100)])

    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=now)

    first_mql = lead.stage_changes.filter(to_stage="mql").order_by("at")[0]
    assert outcomes.cutoffs[lead.pk] == first_mql.at


def test_without_a_hand_off_it_reads_the_lead_as_of_its_last_move_before_the_target():
    straight = _lead_moved([("sal", 150), ("sql", 100)], created_days_ago=300)
    dropped = _lead_moved([("disqualified", 250)], created_days_ago=300)

    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=timezone.now())

    sal = straight.stage_changes.get(to_stage="sal")
    assert outcomes.cutoffs[straight.pk] == sal.at
    # Dropped before any hand-off: no outcome after a hand-off to learn from.
    assert dropped.pk not in outcomes.cutoffs.index


def test_an_empty_workspace_has_no_outcomes():
    outcomes = closed_outcomes(target="sql", handoff="mql", maturity_days=90, now=timezone.now())
    assert len(outcomes) == 0
    assert outcomes.counts["leads"] == 0
