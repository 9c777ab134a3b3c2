"""Who the model learns from, what it predicts, and the moment its features are read.

The rules, in the words of the report:

- **Reached the target** means the lead has a stage change into the target stage or into a later
  funnel stage (a lead moved straight from MQL to opportunity did become sales-qualified; the stage
  machine allows such skips). Whatever happened afterwards does not matter (DESIGN §4).
- **Hand-off** is the lead's first entry into the hand-off stage (``mql`` unless asked otherwise),
  when that comes no later than its first entry into the target. Otherwise it is the time of the
  lead's latest stage change before the target (for a lead that never reached the target, its
  latest stage change), and failing that the moment the target was reached, or now. Touches are
  counted up to the hand-off, never after.
- **The population** is the leads whose outcome is closed: those that reached the target, and
  those handed off that did not and either stand disqualified or recycled now, or were handed
  off at least ``maturity_days`` ago (long enough that they would have converted by now if they
  were going to). Leads still open (handed off recently, not yet converted) are left out:
  counting them as failures would teach the model that recent leads are bad. Leads never handed
  off are left out too: they have no hand-off to read their features at, and reading them at
  their creation would set touch-less failures against successes read at hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from accord.funnel.models import FUNNEL_ORDER, Lead, Stage, StageChange

CLOSED_STAGES = (Stage.DISQUALIFIED, Stage.RECYCLED)
CHUNK = 20_000


@dataclass
class Outcomes:
    """The population of one training run, one entry per lead, sorted by lead id."""

    lead_ids: np.ndarray  # int64
    reached: np.ndarray  # bool: the label
    progressed: np.ndarray  # bool: reached any funnel stage after the hand-off stage
    cutoffs: pd.Series  # lead id → hand-off time (UTC)
    counts: dict[str, int]

    def __len__(self) -> int:
        return len(self.lead_ids)


def stages_from(stage: str) -> list[str]:
    """The funnel stages from ``stage`` on: reaching any of them is reaching ``stage``."""
    return FUNNEL_ORDER[FUNNEL_ORDER.index(stage) :]


def _stage_changes() -> pd.DataFrame:
    rows = StageChange.objects.values_list("lead_id", "to_stage", "at").iterator(chunk_size=CHUNK)
    frame = pd.DataFrame.from_records(rows, columns=["lead_id", "to_stage", "at"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["to_stage"] = frame["to_stage"].astype("category")
    return frame


def _first(changes: pd.DataFrame, stages: list[str]) -> pd.Series:
    return changes.loc[changes["to_stage"].isin(stages)].groupby("lead_id")["at"].min()


def closed_outcomes(*, target: str, handoff: str, maturity_days: int, now: datetime) -> Outcomes:
    """The leads with a closed outcome for ``target``, their labels and hand-off times.

    Two queries (stage changes, leads' current stages) read as plain values; the rest is
    vectorised in pandas, so the cost grows with the number of stage changes, not with a query
    per lead.
    """
    changes = _stage_changes()
    leads = pd.DataFrame.from_records(
        Lead.objects.values_list("id", "stage").iterator(chunk_size=CHUNK),
        columns=["id", "stage"],
    ).set_index("id")
    leads = leads.sort_index()
    if changes.empty:
        return _nobody(len(leads))
    now_ts = pd.Timestamp(now).tz_convert("UTC")

    target_at = _first(changes, stages_from(target)).reindex(leads.index)
    handoff_at = _first(changes, [handoff]).reindex(leads.index)
    after_handoff = FUNNEL_ORDER[FUNNEL_ORDER.index(handoff) + 1 :]
    progressed_ids = changes.loc[changes["to_stage"].isin(after_handoff), "lead_id"].unique()

    # The latest change before the target (any change at all for leads that never reached it).
    limit = changes["lead_id"].map(target_at)
    before = changes.loc[limit.isna() | (changes["at"] < limit)]
    latest_before = before.groupby("lead_id")["at"].max().reindex(leads.index)

    on_time = handoff_at.notna() & (target_at.isna() | (handoff_at <= target_at))
    cutoffs = handoff_at.where(on_time, latest_before)
    cutoffs = cutoffs.fillna(target_at).fillna(now_ts)

    reached = target_at.notna()
    closed_now = leads["stage"].isin(list(CLOSED_STAGES))
    stale = cutoffs <= now_ts - timedelta(days=maturity_days)
    # A lead never handed off has no moment comparable to the others' hand-off: reading it at
    # its creation would teach the model that "has touches" (which hand-off needs) means
    # success. It is left out unless it reached the target some other way.
    handed_off = handoff_at.notna()
    population = reached | (handed_off & (closed_now | stale))

    counts = {
        "leads": len(leads),
        "outcomes": int(population.sum()),
        "reached": int(reached.sum()),
        "disqualified_or_recycled": int((~reached & handed_off & closed_now).sum()),
        "stale": int((~reached & handed_off & ~closed_now & stale).sum()),
        "never_handed_off": int((~reached & ~handed_off).sum()),
        "open": int((~reached & handed_off & ~closed_now & ~stale).sum()),
    }
    ids = leads.index[population.to_numpy()]
    return Outcomes(
        lead_ids=ids.to_numpy(dtype="int64"),
        reached=reached.loc[ids].to_numpy(dtype=bool),
        progressed=np.isin(ids.to_numpy(), progressed_ids),
        cutoffs=cutoffs.loc[ids],
        counts=counts,
    )


def _nobody(leads: int) -> Outcomes:
    """No history to learn from (an empty workspace)."""
    counts = dict.fromkeys(
        ("outcomes", "reached", "disqualified_or_recycled", "stale", "never_handed_off"), 0
    )
    return Outcomes(
        lead_ids=np.array([], dtype="int64"),
        reached=np.array([], dtype=bool),
        progressed=np.array([], dtype=bool),
        cutoffs=pd.Series([], dtype="datetime64[us, UTC]"),
        counts={"leads": leads, **counts, "open": leads},
    )


def live_cutoffs(*, lead_ids: list[int], handoff: str, now: datetime) -> pd.Series:
    """The moment to read each lead's features at when scoring it now: its hand-off when it has
    been handed off (the model learnt from that moment), else now."""
    rows = StageChange.objects.filter(lead_id__in=lead_ids, to_stage=handoff).values_list(
        "lead_id", "at"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["lead_id", "at"])
    first = (
        pd.to_datetime(frame["at"], utc=True).groupby(frame["lead_id"]).min()
        if not frame.empty
        else pd.Series(dtype="datetime64[us, UTC]")
    )
    index = pd.Index(sorted(set(lead_ids)), dtype="int64")
    return first.reindex(index).fillna(pd.Timestamp(now).tz_convert("UTC"))
