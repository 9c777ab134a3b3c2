"""The rule score: fit (who the lead is) + engagement (what the lead did, decaying with time),
clamped to 0-100.

One SQL statement computes every rule's points for a set of leads; the same statement serves one
lead (``lead_explain``, ``lead_rescore``) and every lead (``rescore_all``), so the incremental and
the bulk scores cannot drift apart. Per lead and engagement rule:

    points * sum of 2^(-age in days / half-life) over the rule's touches up to ``at``,
    rounded to a whole number, then held within ±cap.

Fit is the sum of the points of the fit rules the lead satisfies. Persona conditions read the
stored persona matches (``accord.agreement.services.personas_match_all`` refreshes them).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Value, When
from django.utils import timezone

from accord.agreement.models import EngagementRule, FitRule, ScoringModel
from accord.agreement.selectors import criteria_q
from accord.bulk import is_postgres, update_rows
from accord.campaigns.models import Touch
from accord.funnel.models import Lead

SCORE_MIN, SCORE_MAX = 0, 100
SQLITE_BATCH = 5000
# Below this many leads, one statement is quicker than starting connections.
PARALLEL_MIN_LEADS = 100_000
MAX_WORKERS = 4


@dataclass(frozen=True)
class Contribution:
    """What one rule gave one lead."""

    kind: str  # "fit" or "engagement"
    rule_id: int
    label: str
    points: int


@dataclass(frozen=True)
class Explanation:
    """Every rule that gave a lead points. ``total`` is their sum; ``score`` is ``total`` held
    within 0-100, and ``clamped`` says by how much it was cut (0 when it was not)."""

    lead_id: int
    version: int
    at: datetime
    fit: int
    engagement: int
    contributions: list[Contribution]

    @property
    def total(self) -> int:
        return self.fit + self.engagement

    @property
    def score(self) -> int:
        return clamp(self.total)

    @property
    def clamped(self) -> int:
        return self.score - self.total


def clamp(value: int) -> int:
    return max(SCORE_MIN, min(SCORE_MAX, value))


# --- SQL -------------------------------------------------------------------------------------


def _epoch(column: str) -> str:
    if is_postgres():
        return f"date_part('epoch', {column})"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _bounded(expr: str, low: str, high: str) -> str:
    if is_postgres():
        return f"LEAST(GREATEST({expr}, {low}), {high})"
    return f"MIN(MAX({expr}, {low}), {high})"


def _round(expr: str) -> str:
    # numeric rounds halves away from zero on PostgreSQL, as SQLite's ROUND does.
    return f"ROUND(CAST({expr} AS numeric))" if is_postgres() else f"ROUND({expr})"


def _like_escape(word: str) -> str:
    return "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _touch_condition(rule: EngagementRule) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("t.kind", rule.kinds),
        ("t.channel", rule.channels),
        ("t.campaign_id", rule.campaign_ids),
    ):
        if values:
            parts.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    if rule.content_contains:
        likes = " OR ".join(["LOWER(t.content) LIKE %s ESCAPE '\\'"] * len(rule.content_contains))
        parts.append(f"({likes})")
        params.extend(_like_escape(w) for w in rule.content_contains)
    return (" AND ".join(parts) or "1 = 1"), params


def _engagement_sql(
    rules: list[EngagementRule],
    at: datetime,
    lead_ids: Sequence[int] | None,
    id_range: tuple[int, int] | None = None,
) -> tuple[str, list[Any]]:
    """One row per lead with touches: ``lead_id, e_<rule id>…`` (each rule's capped points)."""
    columns: list[str] = []
    params: list[Any] = []
    at_epoch = at.timestamp()
    for rule in rules:
        condition, condition_params = _touch_condition(rule)
        if rule.half_life_days:
            two = "CAST(2 AS double precision)" if is_postgres() else "2.0"
            weight = f"%s * POWER({two}, -(%s - {_epoch('t.at')}) / (86400.0 * %s))"
            weight_params: list[Any] = [rule.points, at_epoch, rule.half_life_days]
        else:
            weight, weight_params = "%s", [rule.points]
        total = f"SUM(CASE WHEN {condition} THEN {weight} ELSE 0 END)"
        columns.append(f"CAST({_bounded(_round(total), '%s', '%s')} AS integer) AS e_{rule.pk}")
        params.extend([*condition_params, *weight_params, -rule.cap, rule.cap])
    table = Touch._meta.db_table
    where = "t.at <= %s"
    params.append(connection.ops.adapt_datetimefield_value(at))
    if lead_ids is not None:
        where += f" AND t.lead_id IN ({', '.join(['%s'] * len(lead_ids)) or 'NULL'})"
        params.extend(lead_ids)
    if id_range is not None:
        where += " AND t.lead_id BETWEEN %s AND %s"
        params.extend(id_range)
    sql = (
        f"SELECT t.lead_id AS lead_id, {', '.join(columns)} "
        f"FROM {table} t WHERE {where} GROUP BY t.lead_id"
    )
    return sql, params


def _fit_sql(
    rules: list[FitRule],
    lead_ids: Sequence[int] | None,
    id_range: tuple[int, int] | None = None,
) -> tuple[str, list[Any]]:
    """One row per lead: ``id, f_<rule id>…`` (each rule's points, or 0)."""
    leads = Lead.objects.order_by()
    if lead_ids is not None:
        leads = leads.filter(pk__in=lead_ids)
    if id_range is not None:
        leads = leads.filter(pk__range=id_range)
    annotations = {
        f"f_{rule.pk}": Case(
            When(criteria_q(rule.criteria), then=Value(rule.points)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for rule in rules
    }
    sql, params = leads.annotate(**annotations).values("id", *annotations).query.sql_with_params()
    return sql, list(params)


@dataclass(frozen=True)
class _Rules:
    fit: list[FitRule]
    engagement: list[EngagementRule]


def _rules(model: ScoringModel) -> _Rules:
    return _Rules(fit=list(model.fit_rules.all()), engagement=list(model.engagement_rules.all()))


def _scores_sql(
    rules: _Rules,
    at: datetime,
    *,
    lead_ids: Sequence[int] | None = None,
    id_range: tuple[int, int] | None = None,
    per_rule: bool = False,
) -> tuple[str, list[Any]]:
    """Rows ``id, fit, engagement`` (and each rule's points when ``per_rule``) for every lead,
    or for the leads ``lead_ids``, or for the leads with ids in ``id_range`` (inclusive)."""
    fit_sql, fit_params = _fit_sql(rules.fit, lead_ids, id_range)
    fit_columns = [f"f.f_{r.pk}" for r in rules.fit]
    fit = " + ".join(fit_columns) or "0"
    select = ["f.id AS id", f"{fit} AS fit"]
    params = list(fit_params)
    if rules.engagement:
        eng_sql, eng_params = _engagement_sql(rules.engagement, at, lead_ids, id_range)
        eng_columns = [f"COALESCE(e.e_{r.pk}, 0)" for r in rules.engagement]
        select.append(f"{' + '.join(eng_columns)} AS engagement")
        join = f" LEFT JOIN ({eng_sql}) e ON e.lead_id = f.id"
        params.extend(eng_params)
    else:
        eng_columns = []
        select.append("0 AS engagement")
        join = ""
    if per_rule:
        select.extend(fit_columns)
        select.extend(eng_columns)
    return f"SELECT {', '.join(select)} FROM ({fit_sql}) f{join}", params


def scores_as_of(
    model: ScoringModel | None, *, at: datetime, lead_ids: Sequence[int] | None = None
) -> dict[int, tuple[int, int, int]]:
    """Every lead's (or the leads ``lead_ids``') ``(score, fit, engagement)`` under ``model``
    as of ``at``, one query per 5,000 leads, leaving out leads at ``(0, 0, 0)`` (the mapping
    ``definitions.leads_meeting`` reads, where a lead not listed scores 0). No model: every
    lead scores 0.

    Fit reads the leads' fields and persona as they are now; engagement counts the touches up
    to ``at``, decayed to ``at``.
    """
    if model is None or (lead_ids is not None and not lead_ids):
        return {}
    rules = _rules(model)
    chunks: list[Sequence[int] | None] = [None]
    if lead_ids is not None:
        chunks = [lead_ids[i : i + SQLITE_BATCH] for i in range(0, len(lead_ids), SQLITE_BATCH)]
    scores: dict[int, tuple[int, int, int]] = {}
    with connection.cursor() as cursor:
        for chunk in chunks:
            sql, params = _scores_sql(rules, at, lead_ids=chunk)
            cursor.execute(
                f"SELECT s.id, s.fit, s.engagement FROM ({sql}) s "
                "WHERE s.fit <> 0 OR s.engagement <> 0",
                params,
            )
            for lead_id, fit, engagement in cursor.fetchall():
                fit, engagement = int(fit), int(engagement)
                scores[lead_id] = (clamp(fit + engagement), fit, engagement)
    return scores


# --- one lead --------------------------------------------------------------------------------


def lead_explain(*, lead: Lead, model: ScoringModel, at: datetime | None = None) -> Explanation:
    """Every rule of ``model`` that gives ``lead`` points as of ``at`` (now), and how many."""
    at = at or timezone.now()
    rules = _rules(model)
    sql, params = _scores_sql(rules, at, lead_ids=[lead.pk], per_rule=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Lead.DoesNotExist(f"lead {lead.pk} does not exist")
    values = [int(v) for v in row[3:]]
    labelled: list[tuple[str, FitRule | EngagementRule]] = [
        *(("fit", r) for r in rules.fit),
        *(("engagement", r) for r in rules.engagement),
    ]
    contributions = [
        Contribution(kind=kind, rule_id=rule.pk, label=rule.label, points=points)
        for (kind, rule), points in zip(labelled, values, strict=True)
        if points
    ]
    return Explanation(
        lead_id=lead.pk,
        version=model.version,
        at=at,
        fit=int(row[1]),
        engagement=int(row[2]),
        contributions=contributions,
    )


def lead_rescore(*, lead: Lead, model: ScoringModel, at: datetime | None = None) -> Explanation:
    """Score one lead under ``model`` and store its score, fit and engagement.

    Not yet called by touch or lead writes; those hooks come with the agreement's sign-off.
    """
    explanation = lead_explain(lead=lead, model=model, at=at)
    Lead.objects.filter(pk=lead.pk).update(
        score=explanation.score,
        fit_score=explanation.fit,
        engagement_score=explanation.engagement,
    )
    lead.score = explanation.score
    lead.fit_score = explanation.fit
    lead.engagement_score = explanation.engagement
    return explanation


# --- every lead ------------------------------------------------------------------------------


def rescore_all(
    model: ScoringModel, at: datetime | None = None, *, workers: int | None = None
) -> int:
    """Score every lead under ``model`` in set-based SQL; returns the number of leads whose
    score, fit or engagement changed.

    On PostgreSQL, called outside a transaction with at least ``PARALLEL_MIN_LEADS`` leads, the
    leads are split into ``workers`` ranges of ids (default: the number of CPUs, at most
    ``MAX_WORKERS``) rescored at once over as many connections, each range in its own
    transaction; one thread drives them all asynchronously, no thread is started. Rewriting a
    million rows and their indexes is CPU-bound, and one statement uses one core. The scores are
    derived data: a failure in one range leaves the other ranges rescored, and running it again
    completes the work. Inside a transaction (and on SQLite) it is one statement, all or nothing.
    """
    at = at or timezone.now()
    workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
    if is_postgres() and workers > 1 and not connection.in_atomic_block:
        bounds = Lead.objects.aggregate(low=Min("id"), high=Max("id"), n=Count("id"))
        if bounds["n"] >= PARALLEL_MIN_LEADS:
            return _rescore_parallel(model, at, bounds["low"], bounds["high"], workers)
    return rescore_leads(model, None, at)


def id_ranges(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    """``[low, high]`` cut into ``parts`` contiguous, inclusive ranges of (nearly) equal span."""
    span = high - low + 1
    parts = max(1, min(parts, span))
    edges = [low + span * i // parts for i in range(parts + 1)]
    return [(edges[i], edges[i + 1] - 1) for i in range(parts)]


def _rescore_parallel(model: ScoringModel, at: datetime, low: int, high: int, workers: int) -> int:
    """Rescore the id ranges at once, each over its own connection in its own transaction.

    No thread is started: this thread drives one asynchronous psycopg connection per range, and
    the server does the work on as many cores. The statements are built here, with Django, and
    are the same ``_rescore`` runs on one connection.
    """
    ranges = id_ranges(low, high, workers)
    batches = [_pg_statements(model, at, None, id_range) for id_range in ranges]
    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k not in ("cursor_factory", "context", "prepare_threshold")
    }

    async def one(statements: list[tuple[str, Sequence[Any]]]) -> int:
        async with (
            await psycopg.AsyncConnection.connect(
                **params, cursor_factory=psycopg.AsyncClientCursor
            ) as conn,
            conn.transaction(),
            conn.cursor() as cursor,
        ):
            for sql, sql_params in statements:
                await cursor.execute(sql, sql_params)
            return int(cursor.rowcount)

    async def run_all() -> int:
        return sum(await asyncio.gather(*(one(batch) for batch in batches)))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run_all())
    # An event loop already runs in this thread (an async caller, or a test's browser driver):
    # it cannot be given another, so the ranges run one after the other, each committed alone.
    changed = 0
    for id_range in ranges:
        with transaction.atomic():
            changed += _rescore(model, at, None, id_range)
    return changed


def _pg_statements(
    model: ScoringModel,
    at: datetime,
    lead_ids: Sequence[int] | None,
    id_range: tuple[int, int] | None,
) -> list[tuple[str, Sequence[Any]]]:
    """The statements that rescore the leads selected on PostgreSQL, in one transaction; the
    last one's row count is the number of leads whose score changed.

    The aggregate over every touch hashes per lead: give it room in memory. It is computed into
    a temporary table first because PostgreSQL runs the query of a CREATE TABLE AS in parallel,
    and never that of an UPDATE. JIT compiles these wide CASE expressions for longer than they
    take to run. Scores are derived and rescoring is idempotent, so the commit need not wait for
    the disk: a server crash can only lose a rescore that running again restores.
    """
    sql, params = _scores_sql(_rules(model), at, lead_ids=lead_ids, id_range=id_range)
    table = Lead._meta.db_table
    score = _bounded("s.fit + s.engagement", str(SCORE_MIN), str(SCORE_MAX))
    return [
        ("SET LOCAL work_mem = '256MB'", []),
        ("SET LOCAL jit = off", []),
        ("SET LOCAL synchronous_commit = off", []),
        ("DROP TABLE IF EXISTS _accord_scores", []),
        (f"CREATE TEMP TABLE _accord_scores ON COMMIT DROP AS {sql}", params),
        ("ANALYZE _accord_scores", []),
        (
            f"UPDATE {table} l SET fit_score = s.fit, engagement_score = s.engagement, "
            f"score = {score} FROM _accord_scores s WHERE l.id = s.id AND "
            f"(l.fit_score, l.engagement_score, l.score) IS DISTINCT FROM "
            f"(s.fit, s.engagement, {score})",
            [],
        ),
    ]


@transaction.atomic
def rescore_leads(
    model: ScoringModel, lead_ids: Sequence[int] | None, at: datetime | None = None
) -> int:
    """Score the leads ``lead_ids`` (every lead when None) under ``model`` in set-based SQL;
    returns the number of leads whose score, fit or engagement changed. Callers pass lead ids in
    chunks of a few thousand (each id is one SQL parameter).
    """
    at = at or timezone.now()
    if lead_ids is not None and not lead_ids:
        return 0
    return _rescore(model, at, lead_ids, None)


def _rescore(
    model: ScoringModel,
    at: datetime,
    lead_ids: Sequence[int] | None,
    id_range: tuple[int, int] | None,
) -> int:
    """Rescore the leads selected (see ``_scores_sql``), inside the caller's transaction.

    PostgreSQL: the aggregate into a temporary table, then one UPDATE … FROM of the rows that
    change. SQLite: the aggregate is read once and written back with executemany in batches (no
    query per lead).
    """
    if is_postgres():
        with connection.cursor() as cursor:
            for statement, statement_params in _pg_statements(model, at, lead_ids, id_range):
                cursor.execute(statement, statement_params)
            return int(cursor.rowcount)
    sql, params = _scores_sql(_rules(model), at, lead_ids=lead_ids, id_range=id_range)
    table = Lead._meta.db_table
    score = _bounded("s.fit + s.engagement", str(SCORE_MIN), str(SCORE_MAX))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.fit, s.engagement, {score} FROM ({sql}) s JOIN {table} l "
            f"ON l.id = s.id WHERE l.fit_score <> s.fit OR l.engagement_score <> s.engagement "
            f"OR l.score <> {score}",
            params,
        )
        # Read to the end before writing: SQLite must not update a table under an open read.
        rows = [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in cursor.fetchall()]
    for start in range(0, len(rows), SQLITE_BATCH):
        update_rows(
            table,
            "id",
            ["fit_score", "engagement_score", "score"],
            rows[start : start + SQLITE_BATCH],
        )
    return len(rows)
