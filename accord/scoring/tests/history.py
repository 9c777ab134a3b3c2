"""A closed funnel history written straight to the database, for training tests.

Fast (bulk inserts, no stage machine per lead) and deterministic for a seed. Whether a lead
reaches SQL depends on its title, its account's industry and size, a webinar property and the
webinar touches it had before becoming an MQL; sales calls after the hand-off are more frequent
for leads that convert (and must never be counted); ``prop.sales_status`` is filled in only for
leads sales accepted.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accord.campaigns.models import Campaign, Touch
from accord.funnel.models import Account, Lead, Stage, StageChange

TITLES = {
    "Chief Marketing Officer": 1.0,
    "VP Marketing": 0.9,
    "Director of Sales": 0.7,
    "Head of Growth": 0.6,
    "Marketing Manager": 0.2,
    "Sales Manager": 0.1,
    "Marketing Specialist": -0.4,
    "Analyst": -0.5,
    "Marketing Intern": -1.2,
    "Student": -1.4,
}
INDUSTRIES = {"Software": 0.6, "Fintech": 0.4, "Healthcare": 0.0, "Retail": -0.3, "Education": -0.6}
SOURCES = ["Organic Search", "Paid Search", "Referral", "Events", "Direct"]


@dataclass
class _Plan:
    created: datetime
    mql_at: datetime | None
    converts: bool
    accepted: bool
    webinar_touches: int
    recycled: bool


def _employees_effect(employees: int) -> float:
    if employees < 10:
        return -0.8
    if employees <= 1000:
        return 0.5
    return 0.0


def build_history(*, leads: int = 400, seed: int = 1, now: datetime | None = None) -> list[int]:
    """Write ``leads`` leads with accounts, stage history, properties and touches; their ids."""
    rng = random.Random(seed)
    now = now or timezone.now()
    start = now - timedelta(days=540)
    campaign = Campaign.objects.create(name=f"Webinar series {seed}", channel="webinar")
    accounts = Account.objects.bulk_create(
        [
            Account(
                name=f"Company {seed}-{i}",
                domain=f"c{seed}-{i}.example",
                industry=rng.choice(list(INDUSTRIES)),
                employees=rng.choice([3, 8, 40, 120, 400, 900, 2500, 12000]),
                country=rng.choice(["Germany", "France", "United States"]),
                segment=rng.choice(["smb", "mid_market", "enterprise"]),
                is_target=rng.random() < 0.3,
            )
            for i in range(max(10, leads // 10))
        ]
    )
    rows: list[Lead] = []
    plans: list[_Plan] = []
    for i in range(leads):
        account = rng.choice(accounts)
        title = rng.choice(list(TITLES))
        webinar = rng.random() < 0.35
        created = start + timedelta(days=rng.uniform(0, 400))
        mql_at = created + timedelta(days=rng.uniform(1, 30)) if rng.random() < 0.9 else None
        webinar_touches = rng.randint(1, 3) if webinar else 0
        logit = (
            -1.3
            + TITLES[title]
            + INDUSTRIES[account.industry]
            + _employees_effect(account.employees or 0)
            + 0.5 * webinar_touches
            + rng.gauss(0, 0.6)
        )
        converts = mql_at is not None and rng.random() < 1 / (1 + math.exp(-logit))
        accepted = converts or (mql_at is not None and rng.random() < 0.4)
        status = ""
        if accepted:
            status = rng.choice(["Meeting booked", "Qualified"] if converts else ["Contacted"])
        properties: dict[str, object] = {
            "webinar_attended": "Yes" if webinar else rng.choice(["No", "", "N/A"]),
            "employee_band": rng.choice(["1,200", " 45 ", "n/a", "300", "-"]),
            "favourite_colour": rng.choice(["red", "blue", "green", "-- choose --"]),
        }
        if status:
            properties["sales_status"] = status
        rows.append(
            Lead(
                email=f"lead{seed}-{i}@" + ("gmail.com" if rng.random() < 0.2 else "corp.example"),
                first_name="Lee",
                last_name=f"Lead {i}",
                title=title,
                source=rng.choice(SOURCES),
                account=account,
                properties=properties,
                created_at=created,
                updated_at=created,
                stage_changed_at=created,
            )
        )
        plans.append(
            _Plan(created, mql_at, converts, accepted, webinar_touches, rng.random() < 0.5)
        )
    created_leads = Lead.objects.bulk_create(rows)
    changes: list[StageChange] = []
    touches: list[Touch] = []
    for lead, plan in zip(created_leads, plans, strict=True):
        created_at, mql_at = plan.created, plan.mql_at
        moves = [("", Stage.LEAD, created_at)]
        if mql_at is not None:
            moves.append((Stage.LEAD, Stage.MQL, mql_at))
            at = mql_at
            if plan.accepted:
                at = at + timedelta(days=2)
                moves.append((Stage.MQL, Stage.SAL, at))
            if plan.converts:
                moves.append((Stage.SAL, Stage.SQL, at + timedelta(days=10)))
            elif plan.recycled:
                moves.append((moves[-1][1], Stage.RECYCLED, at + timedelta(days=20)))
        for from_stage, to_stage, at in moves:
            changes.append(StageChange(lead=lead, from_stage=from_stage, to_stage=to_stage, at=at))
        lead.stage, lead.stage_changed_at = moves[-1][1], moves[-1][2]
        for n in range(plan.webinar_touches):
            touches.append(
                Touch(
                    lead=lead,
                    kind="webinar",
                    channel="webinar",
                    campaign=campaign,
                    at=created_at + timedelta(hours=1 + n),
                )
            )
        if mql_at is not None:
            calls = 6 if plan.converts else 1
            for n in range(calls):
                touches.append(
                    Touch(
                        lead=lead,
                        kind="call",
                        channel="outbound",
                        at=mql_at + timedelta(hours=n + 1),
                    )
                )
    StageChange.objects.bulk_create(changes)
    Touch.objects.bulk_create(touches)
    Lead.objects.bulk_update(created_leads, ["stage", "stage_changed_at"])
    return [lead.pk for lead in created_leads]
