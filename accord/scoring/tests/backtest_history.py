"""A varied funnel history for backtest tests, written straight to the database.

Leads created over the last eight months at accounts of every segment (and at none), touches of
several kinds spread between each lead's creation and now, personas matched, and real outcomes:
some leads reached SAL, SQL or customer, some skipped straight to a later stage. Deterministic
for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accord.agreement.models import ScoringModel
from accord.agreement.services import (
    engagement_rule_create,
    fit_rule_create,
    persona_create,
    personas_match_all,
    scoring_model_create,
)
from accord.campaigns.models import Touch
from accord.funnel.models import Account, Lead, Stage, StageChange

TITLES = ["VP Marketing", "Head of Sales", "Marketing Manager", "Analyst", "Student", ""]
SEGMENTS = ["smb", "mid_market", "enterprise", ""]
KINDS = ["page_view", "page_view", "page_view", "email_click", "webinar", "demo_request"]
CHANNELS = ["organic_search", "email", "webinar", "direct", "paid_search"]
PATHS: list[list[str]] = [
    [],
    [],
    [Stage.MQL],
    [Stage.MQL, Stage.SAL],
    [Stage.MQL, Stage.SAL, Stage.SQL],
    [Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER],
    [Stage.MQL, Stage.RECYCLED],
    [Stage.CUSTOMER],  # imported straight as a customer: it reached SAL and SQL too
    [Stage.MQL, Stage.OPPORTUNITY],  # skipped SAL and SQL
]

# "Score 50 and fit 20, or a demo request in the last 30 days, or engaged SMB leads."
DEFINITION: list[list[dict[str, Any]]] = [
    [
        {"field": "score", "op": "at_least", "value": 50},
        {"field": "fit", "op": "at_least", "value": 20},
    ],
    [
        {
            "field": "touches",
            "op": "at_least",
            "value": 1,
            "kinds": ["demo_request"],
            "within_days": 30,
        }
    ],
    [
        {"field": "engagement", "op": "at_least", "value": 25},
        {"field": "account.segment", "op": "in", "value": ["smb"]},
    ],
]


@dataclass
class History:
    model: ScoringModel
    lead_ids: list[int]


def build_model() -> ScoringModel:
    """A model with fit rules on title, segment and persona, and decaying, capped engagement."""
    leader = persona_create(
        by=None,
        name="Revenue leader",
        criteria=[{"field": "title", "op": "contains", "value": ["VP", "Head"]}],
    )
    model = scoring_model_create(by=None, name="Backtest")
    fit = [
        ("Leader", [{"field": "persona", "op": "equals", "value": leader.pk}], 25),
        ("Enterprise", [{"field": "account.segment", "op": "in", "value": ["enterprise"]}], 10),
        ("Students", [{"field": "title", "op": "contains", "value": "student"}], -20),
    ]
    for label, criteria, points in fit:
        fit_rule_create(model=model, by=None, label=label, criteria=criteria, points=points)
    engagement_rule_create(
        model=model, by=None, label="Demo", kinds=["demo_request"], points=40, cap=40
    )
    engagement_rule_create(
        model=model,
        by=None,
        label="Pages",
        kinds=["page_view"],
        points=6,
        cap=24,
        half_life_days=14,
    )
    engagement_rule_create(
        model=model,
        by=None,
        label="Webinars",
        kinds=["webinar"],
        points=15,
        cap=30,
        half_life_days=45,
    )
    return model


def build_history(*, now: datetime, leads: int = 120, seed: int = 3) -> History:
    rng = random.Random(seed)
    accounts = [
        Account.objects.create(
            name=f"Backtest {seed}-{i}", domain=f"bt{seed}-{i}.example", segment=segment
        )
        for i, segment in enumerate(SEGMENTS * 3)
    ]
    lead_ids: list[int] = []
    touches: list[Touch] = []
    changes: list[StageChange] = []
    for n in range(leads):
        created = now - timedelta(days=rng.uniform(0, 240))
        path = rng.choice(PATHS)
        lead = Lead.objects.create(
            email=f"bt{seed}-{n}@example.com",
            title=rng.choice(TITLES),
            account=rng.choice(accounts) if rng.random() < 0.85 else None,
            stage=path[-1] if path else Stage.LEAD,
            created_at=created,
            stage_changed_at=created,
        )
        lead_ids.append(lead.pk)
        changes.append(StageChange(lead=lead, from_stage="", to_stage=Stage.LEAD, at=created))
        at, previous = created, str(Stage.LEAD)
        for stage in path:
            at += timedelta(days=rng.uniform(1, 40))
            changes.append(StageChange(lead=lead, from_stage=previous, to_stage=stage, at=at))
            previous = stage
        span = (now - created).total_seconds()
        for _ in range(rng.choice([0, 1, 2, 4, 8])):
            touches.append(
                Touch(
                    lead=lead,
                    kind=rng.choice(KINDS),
                    channel=rng.choice(CHANNELS),
                    at=created + timedelta(seconds=rng.uniform(0, span)),
                )
            )
    Touch.objects.bulk_create(touches)
    StageChange.objects.bulk_create(changes)
    model = build_model()
    personas_match_all()
    return History(model=model, lead_ids=lead_ids)
