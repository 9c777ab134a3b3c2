"""The backtest: how many MQLs a definition and scoring model would have produced, month by
month and per account segment, and how far those leads really went.

The rules, in the words of the report:

- **Months** are calendar months in the organisation's time zone (``settings.TIME_ZONE``): the
  last ``months`` of them, the current month included (evaluated as of now, so partial).
- A lead is **evaluated at each month's end**: its score, fit and engagement under the model as
  of that instant (touches up to then, decayed to then), and the definition's touch conditions
  counted as of then. Lead and account fields, custom properties and personas are read as they
  are now: Accord keeps no history of them.
- A lead **would have become an MQL in a month** when it existed at that month's end, met the
  definition then, and had met it at none of the earlier month ends of the window, nor at the
  end of the month before the window (a lead that already qualified then is no new MQL).
- Of those leads, the share that **really reached** SAL, SQL and customer: a stage change into
  that stage or a later funnel stage, at any time up to now (DESIGN §4: "reached X" means
  entered at least once).
- A lead's **segment** is its account's segment now; "" for a lead with no account or an account
  with no segment.

Cost: per month end (13 for 12 months), one ``leads_meeting`` call and one score query over
every lead, or, when every group of the definition has a touch or field condition, over only
the leads meeting those; then two queries per 5,000 cohort leads for segments and outcomes.
Never a query per lead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accord.agreement.definitions import definition_clean, leads_meeting
from accord.agreement.models import Agreement, ScoringModel
from accord.agreement.selectors import agreement_in_force
from accord.errors import AccordError
from accord.funnel.models import Lead, Segment, Stage, StageChange
from accord.scoring.engine import scores_as_of
from accord.scoring.predictive.outcomes import stages_from

MAX_MONTHS = 36
CHUNK = 5_000
SCORE_FIELDS = ("score", "fit", "engagement")
OUTCOMES: tuple[str, ...] = (Stage.SAL, Stage.SQL, Stage.CUSTOMER)


@dataclass(frozen=True)
class Outcome:
    """A cohort of would-be MQLs and how many of them really reached each later stage."""

    mqls: int
    sal: int
    sql: int
    customer: int

    def rate(self, stage: str) -> float | None:
        """The share of the cohort that reached ``stage``; None for an empty cohort."""
        return getattr(self, stage) / self.mqls if self.mqls else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "mqls": self.mqls,
            "sal": self.sal,
            "sql": self.sql,
            "customer": self.customer,
            "sal_rate": self.rate(Stage.SAL),
            "sql_rate": self.rate(Stage.SQL),
            "customer_rate": self.rate(Stage.CUSTOMER),
        }


@dataclass(frozen=True)
class Month:
    """One month of the window: its would-be MQLs in all and per segment."""

    month: date  # the first day, in the organisation's time zone
    at: datetime  # the instant the definition was evaluated: the month's end, or now
    partial: bool  # the current month, evaluated as of now
    total: Outcome
    segments: dict[str, Outcome]

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.strftime("%Y-%m"),
            "at": self.at.isoformat(),
            "partial": self.partial,
            **self.total.as_dict(),
            "segments": {key: value.as_dict() for key, value in self.segments.items()},
        }


@dataclass(frozen=True)
class BacktestResult:
    """What ``backtest`` found. ``cohorts`` maps each month (its first day) to the ids of the
    leads that would first have become MQLs in it."""

    definition: list[list[dict[str, Any]]]
    model_version: int | None
    time_zone: str
    since: datetime  # the end of the month before the window
    until: datetime  # now
    months: list[Month]
    segments: dict[str, Outcome]
    total: Outcome
    cohorts: dict[date, frozenset[int]] = field(repr=False)

    @property
    def defined(self) -> bool:
        """False for an empty definition, which moves no lead."""
        return bool(self.definition)

    def as_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition,
            "defined": self.defined,
            "scoring_model": self.model_version,
            "time_zone": self.time_zone,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "months": [m.as_dict() for m in self.months],
            "segments": {key: value.as_dict() for key, value in self.segments.items()},
            "total": self.total.as_dict(),
        }


# --- the window ------------------------------------------------------------------------------


def month_ends(*, months: int, now: datetime) -> tuple[datetime, list[tuple[date, datetime]]]:
    """The end of the month before the window, and each month of the window with the instant
    it is evaluated at (its end; now for the current month), in UTC."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    first = date(local.year, local.month, 1)
    starts = [first]
    for _ in range(months):
        previous = starts[-1] - timedelta(days=1)
        starts.append(previous.replace(day=1))
    starts.reverse()  # the month before the window, then the window's months, oldest first

    def instant(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)

    window: list[tuple[date, datetime]] = []
    for index, month in enumerate(starts[1:]):
        following = starts[index + 2] if index + 2 < len(starts) else None
        at = instant(following) if following is not None else now.astimezone(UTC)
        window.append((month, min(at, now.astimezone(UTC))))
    return instant(starts[1]), window


def _uses_scores(definition: Sequence[Sequence[Mapping[str, Any]]]) -> bool:
    return any(c.get("field") in SCORE_FIELDS for group in definition for c in group)


def _created_by(at: datetime) -> set[int]:
    return set(Lead.objects.filter(created_at__lte=at).values_list("id", flat=True))


def _meeting(
    definition: list[list[dict[str, Any]]], model: ScoringModel | None, at: datetime
) -> set[int]:
    """The leads that existed at ``at`` and met ``definition`` then.

    Scoring every lead as of ``at`` is the expensive part. When every group of the definition
    also has a condition on touches or fields, only the leads meeting those conditions of some
    group can meet the definition: they are found first, and only they are scored.
    """
    existing = _created_by(at)
    if not _uses_scores(definition):
        return leads_meeting(definition, at=at, scores={}) & existing
    others = [[c for c in group if c["field"] not in SCORE_FIELDS] for group in definition]
    if all(others):
        candidates = sorted(leads_meeting(others, at=at) & existing)
        scores = scores_as_of(model, at=at, lead_ids=candidates)
        return leads_meeting(definition, at=at, lead_ids=candidates, scores=scores)
    scores = scores_as_of(model, at=at)
    return leads_meeting(definition, at=at, scores=scores) & existing


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _segments_of(ids: Iterable[int]) -> dict[int, str]:
    segments: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = Lead.objects.filter(pk__in=chunk).values_list("id", "account__segment")
        segments.update((lead_id, segment or "") for lead_id, segment in rows)
    return segments


def _reached_of(ids: Iterable[int]) -> dict[str, set[int]]:
    """For each outcome stage, the leads of ``ids`` that ever entered it or a later stage."""
    later = stages_from(Stage.SAL)
    entered: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        rows = (
            StageChange.objects.filter(lead_id__in=chunk, to_stage__in=later)
            .values_list("lead_id", "to_stage")
            .distinct()
        )
        for lead_id, stage in rows:
            entered[stage].add(lead_id)
    reached: dict[str, set[int]] = {}
    for stage in OUTCOMES:
        reached[stage] = set().union(*(entered[s] for s in stages_from(stage)))
    return reached


def _outcome(ids: set[int], reached: Mapping[str, set[int]]) -> Outcome:
    return Outcome(
        mqls=len(ids),
        sal=len(ids & reached[Stage.SAL]),
        sql=len(ids & reached[Stage.SQL]),
        customer=len(ids & reached[Stage.CUSTOMER]),
    )


# --- the backtest ----------------------------------------------------------------------------


def backtest(
    *,
    definition: Any,
    model: ScoringModel | None,
    months: int = 12,
    now: datetime | None = None,
) -> BacktestResult:
    """Replay the last ``months`` months with ``definition`` (an MQL definition) and the scores
    of ``model`` (no model: every score 0). See the module docstring for the rules."""
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
        raise AccordError(
            f"months must be a whole number from 1 to {MAX_MONTHS}",
            fields={"months": [f"from 1 to {MAX_MONTHS}"]},
        )
    definition = definition_clean(definition)
    now = now or timezone.now()
    since, window = month_ends(months=months, now=now)

    cohorts: dict[date, frozenset[int]] = {}
    if definition:
        seen = _meeting(definition, model, since)
        for month, at in window:
            met = _meeting(definition, model, at)
            cohorts[month] = frozenset(met - seen)
            seen |= met
    else:
        cohorts = {month: frozenset() for month, _ in window}

    everyone = set().union(*cohorts.values())
    segments_of = _segments_of(everyone)
    reached = _reached_of(everyone)

    rows: list[Month] = []
    for month, at in window:
        cohort = cohorts[month]
        by_segment: dict[str, set[int]] = defaultdict(set)
        for lead_id in cohort:
            by_segment[segments_of.get(lead_id, "")].add(lead_id)
        rows.append(
            Month(
                month=month,
                at=at,
                partial=at < _next_month_start(month),
                total=_outcome(set(cohort), reached),
                segments={key: _outcome(by_segment[key], reached) for key in sorted(by_segment)},
            )
        )
    segment_ids: dict[str, set[int]] = defaultdict(set)
    for lead_id in everyone:
        segment_ids[segments_of.get(lead_id, "")].add(lead_id)
    return BacktestResult(
        definition=definition,
        model_version=model.version if model is not None else None,
        time_zone=settings.TIME_ZONE,
        since=since,
        until=now,
        months=rows,
        segments={key: _outcome(segment_ids[key], reached) for key in sorted(segment_ids)},
        total=_outcome(everyone, reached),
        cohorts=cohorts,
    )


def _next_month_start(month: date) -> datetime:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(following, time(0), tzinfo=zone).astimezone(UTC)


def backtest_agreement(
    *, agreement: Agreement, months: int = 12, now: datetime | None = None
) -> BacktestResult:
    """The backtest of a version's MQL definition and scoring model."""
    return backtest(
        definition=agreement.mql_definition,
        model=agreement.scoring_model,
        months=months,
        now=now,
    )


def backtest_compare(
    *, proposal: Agreement, months: int = 12, now: datetime | None = None
) -> dict[str, BacktestResult | None]:
    """``proposal``'s backtest side by side with that of the version in force (None when no
    version is in force, or when ``proposal`` is the version in force), over the same window."""
    now = now or timezone.now()
    proposed = backtest_agreement(agreement=proposal, months=months, now=now)
    current = agreement_in_force()
    in_force = None
    if current is not None and current.pk != proposal.pk:
        in_force = backtest_agreement(agreement=current, months=months, now=now)
    return {"proposed": proposed, "in_force": in_force}


def segment_label(segment: str) -> str:
    """How a segment key reads in a table."""
    if not segment:
        return "(no segment)"
    return str(dict(Segment.choices).get(segment, segment))
