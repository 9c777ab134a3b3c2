"""Input and output schemas of the scoring endpoints: the backtest and a lead's score."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from accord.scoring.backtest import MAX_MONTHS


class BacktestQuery(Schema):
    agreement: int | None = Field(
        None, description="The agreement version to backtest; the version in force when left out."
    )
    months: int = Field(12, ge=1, le=MAX_MONTHS, description="How many months to replay.")


class OutcomeOut(Schema):
    mqls: int = Field(description="Leads that would first have become MQLs.")
    sal: int = Field(description="Of those, how many really reached SAL (or a later stage).")
    sql: int = Field(description="… reached SQL (or a later stage).")
    customer: int = Field(description="… became customers.")
    sal_rate: float | None = Field(description="sal ÷ mqls; null when there were no MQLs.")
    sql_rate: float | None
    customer_rate: float | None


class BacktestMonthOut(OutcomeOut):
    month: str = Field(description="YYYY-MM, in the organisation's time zone.")
    at: datetime = Field(description="When the definition was evaluated: the month's end, or now.")
    partial: bool = Field(description="The current month, evaluated so far.")
    segments: dict[str, OutcomeOut] = Field(
        description="By account segment; the key is empty for leads without one."
    )


class BacktestOut(Schema):
    version: int = Field(description="The agreement version.")
    definition: list[list[dict[str, Any]]] = Field(description="Its MQL definition.")
    defined: bool = Field(description="False when it has no MQL definition (no lead qualifies).")
    scoring_model: int | None = Field(description="The scoring model version that scored leads.")
    time_zone: str
    since: datetime = Field(description="The end of the month before the window.")
    until: datetime
    months: list[BacktestMonthOut]
    segments: dict[str, OutcomeOut] = Field(description="Over the whole window, by segment.")
    total: OutcomeOut


class BacktestCompareOut(Schema):
    agreement: int = Field(description="The version asked for.")
    months: int
    proposed: BacktestOut = Field(description="The backtest of the version asked for.")
    in_force: BacktestOut | None = Field(
        description="The version in force over the same window; null when none is in force or "
        "when it is the version asked for."
    )


class ContributionOut(Schema):
    kind: str = Field(description="fit or engagement")
    rule_id: int
    label: str
    points: int


class ExplanationOut(Schema):
    scoring_model: int = Field(description="The version of the scoring model in force.")
    at: datetime
    score: int = Field(description="fit + engagement, held within 0-100.")
    fit: int
    engagement: int
    total: int = Field(description="fit + engagement before holding it within 0-100.")
    clamped: int = Field(description="How much holding the total within 0-100 changed it.")
    contributions: list[ContributionOut] = Field(description="Every rule that gave points.")


class SuggestionOut(Schema):
    score: int | None = Field(description="0-100; null when it could not be computed.")
    model_id: int
    target: str = Field(description="The stage the model predicts reaching.")
    algorithm: str
    auc: float = Field(description="Held-out ROC AUC of the model.")
    trained_at: datetime
    error: str = Field(description="Why no score could be computed; empty otherwise.")


class LeadScoreOut(Schema):
    lead_id: int
    score: int = Field(description="The stored score.")
    fit: int
    engagement: int
    explanation: ExplanationOut | None = Field(
        description="How the score comes about now; null before any scoring model is in force."
    )
    suggested: SuggestionOut | None = Field(
        description="The predictive model's suggested score; null before any model is trained."
    )
