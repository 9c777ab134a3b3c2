"""A lead's stage history as an import writes it, from stage dates and a lifecycle stage.

Pure functions: they plan the stage changes; the loaders write them in bulk.

The rules, in the words of the import format:
- each stage date column (``mql_at`` … ``customer_at``) is a move into that stage at that time;
  moves chain in funnel order, so a record whose export puts SQL before MQL still reaches SQL
  (reports flag such records rather than drop them);
- the lead's creation is no later than its first stage date;
- a lifecycle stage without a date, beyond the dated ones (or a side state such as disqualified),
  is a move at the time of the import;
- a stage the lead has already entered is never written again, so importing the same file twice
  changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from accord.funnel.models import FUNNEL_ORDER, Stage

RANK = {stage: i for i, stage in enumerate(FUNNEL_ORDER)}


@dataclass
class Move:
    from_stage: str
    to_stage: str
    at: datetime
    reason: str


@dataclass
class History:
    """The moves to write for one lead, and where they leave it."""

    moves: list[Move] = field(default_factory=list)
    stage: str = Stage.LEAD
    stage_changed_at: datetime | None = None
    created_at: datetime | None = None


def _dated(dates: dict[str, datetime]) -> list[tuple[str, datetime]]:
    return sorted(dates.items(), key=lambda item: RANK[item[0]])


def new_lead_history(
    *,
    created_at: datetime | None,
    stage: str | None,
    dates: dict[str, datetime],
    now: datetime,
    reasons: dict[str, str],
) -> History:
    """The history of a lead the import creates. ``reasons`` names the column of each stage."""
    chain = _dated(dates)
    times = [at for _, at in chain] + ([created_at] if created_at else [])
    created = min(times) if times else now
    if stage and stage != Stage.LEAD:
        last = chain[-1][0] if chain else None
        beyond = stage not in RANK or last is None or RANK[stage] > RANK[last]
        if beyond:
            chain.append((stage, now))
    history = History(created_at=created)
    if chain and chain[0][1] == created:
        first, _ = chain.pop(0)
    else:
        first = Stage.LEAD
    history.moves.append(Move("", first, created, "created (import)"))
    current = first
    for to_stage, at in chain:
        history.moves.append(Move(current, to_stage, at, reasons.get(to_stage, "import")))
        current = to_stage
    history.stage = current
    history.stage_changed_at = max(m.at for m in history.moves)
    return history


def existing_lead_history(
    *,
    stage_now: str,
    stage_changed_at: datetime,
    created_at: datetime,
    entered: Iterable[str],
    stage: str | None,
    dates: dict[str, datetime],
    now: datetime,
    reasons: dict[str, str],
) -> History:
    """The moves an import adds to a lead that exists.

    Raises ValueError when the lifecycle stage asks for a move the stage machine forbids from
    where the lead stands (a customer cannot become disqualified).
    """
    reached = set(entered)
    current = stage_now
    history = History()
    for to_stage, at in _dated(dates):
        if to_stage in reached:
            continue
        if current in RANK and RANK[to_stage] <= RANK[current]:
            continue
        history.moves.append(Move(current, to_stage, at, reasons.get(to_stage, "import")))
        reached.add(to_stage)
        current = to_stage
    if stage and stage != current:
        if stage in RANK:
            if current not in RANK or RANK[stage] > RANK[current]:
                history.moves.append(Move(current, stage, now, reasons.get(stage, "import")))
                current = stage
        elif current == Stage.CUSTOMER:
            raise ValueError(
                f"the lead is a customer; a customer cannot become {Stage(stage).label}"
            )
        else:
            history.moves.append(Move(current, stage, now, reasons.get(stage, "import")))
            current = stage
    history.stage = current
    ats = [m.at for m in history.moves]
    history.stage_changed_at = max([stage_changed_at, *ats])
    history.created_at = min([created_at, *ats])
    return history
