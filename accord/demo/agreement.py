"""The demo's agreement: Northwind's personas, its lead score, the signed SLA and a proposal.

The personas and rules fit the simulated history in ``accord.demo.generator`` (its buyer titles,
segments, sources and touches): data, finance and revenue-operations leaders at mid-market and
enterprise accounts convert best there, practitioners at those accounts become champions, and
students, interns and people without a company rarely buy. Everything is written through the
agreement's services, as a team would through the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max

from accord.agreement.models import (
    Agreement,
    AuditEntry,
    Persona,
    ProposalComment,
    ReviewReminder,
    ScoringModel,
)
from accord.agreement.selectors import agreement_in_force
from accord.agreement.services import (
    agreement_apply,
    engagement_rule_create,
    fit_rule_create,
    persona_create,
)
from accord.agreement.signoff import (
    agreement_propose,
    agreement_sign,
    agreement_update,
    comment_add,
    review_reminders_raise,
)
from accord.campaigns.models import TouchKind
from accord.demo import catalogue as cat
from accord.funnel.models import Segment
from accord.teams.models import User

# Words of seniority in a title. "contains" ignores case and matches inside words, so short
# words like "CTO" (in "Director") or "COO" (in "Coordinator") are avoided where they would mislead.
SENIOR = ["VP", "Head of", "Chief", "Director", "CTO"]


@dataclass(frozen=True)
class PersonaSpec:
    name: str
    priority: int
    criteria: list[dict[str, Any]]
    description: str
    pains: str
    goals: str
    objections: str
    messaging: str


PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec(
        "Dana, data leader",
        10,
        [
            {"field": "title", "op": "contains", "value": SENIOR},
            {
                "field": "title",
                "op": "contains",
                "value": ["Data", "Analytics", "Business Intelligence", "CTO"],
            },
            {"field": "account.employees", "op": "between", "value": [50, None]},
        ],
        "Runs data and analytics (VP of Data, Head of Analytics, CDO, CTO) at a company of 50 "
        "people or more. Owns the warehouse and the budget for tools on top of it.",
        "Forty dashboards that disagree; every board meeting starts with a reconciliation; "
        "analysts spend their week answering the same questions.",
        "One governed set of metrics on the warehouse they already pay for; fewer tools.",
        "“We could build this in dbt ourselves.” Security review; yet another tool to run.",
        "A metrics layer on your warehouse: define a metric once, use it everywhere.",
    ),
    PersonaSpec(
        "Felix, finance leader",
        20,
        [
            {"field": "title", "op": "contains", "value": ["CFO", "Finance", "Chief Financial"]},
            {"field": "account.employees", "op": "between", "value": [50, None]},
        ],
        "CFO or VP Finance. Signs off the forecast and presents it to the board.",
        "Sales' forecast and finance's never match; month-end close takes days of spreadsheets.",
        "One revenue forecast that sales and finance both trust; board packs in hours.",
        "“Our spreadsheets work.” Price, and the time of their analysts to set it up.",
        "One forecast for sales and finance, straight from the numbers you already have.",
    ),
    PersonaSpec(
        "Riley, revenue operations",
        30,
        [
            {"field": "title", "op": "contains", "value": ["Revenue Operations", "RevOps"]},
        ],
        "Revenue operations manager or VP: owns the CRM, the funnel reports and the pipeline "
        "numbers that sales and marketing argue about.",
        "Marketing's and sales' numbers disagree; reports are rebuilt by hand every week.",
        "One funnel, one pipeline number, reports that build themselves.",
        "The CRM's reports are “good enough”; integration work with the CRM.",
        "Pipeline and funnel numbers both teams agree on, from the CRM and the warehouse.",
    ),
    PersonaSpec(
        "Alex, analytics practitioner",
        40,
        [
            {
                "field": "title",
                "op": "contains",
                "value": [
                    "Analytics Engineer",
                    "Analytics Manager",
                    "Data Engineer",
                    "Senior Data Analyst",
                    "BI Developer",
                    "Data Scientist",
                    "Marketing Analyst",
                    "FP&A Manager",
                ],
            },
            {"field": "account.employees", "op": "between", "value": [50, None]},
        ],
        "The analyst or engineer who evaluates the product hands-on and champions it to a "
        "leader. Rarely signs, often decides.",
        "Ad-hoc requests all day; the same metric coded three ways; brittle dashboards.",
        "Define metrics once in code; fewer tickets; a tool worth putting on a CV.",
        "Learning curve; lock-in; “does it work with our dbt project?”",
        "Metrics as code on your warehouse, with the tools you already use.",
    ),
)


@dataclass(frozen=True)
class FitSpec:
    label: str
    criteria: list[dict[str, Any]]
    points: int


@dataclass(frozen=True)
class EngagementSpec:
    label: str
    points: int
    cap: int
    half_life_days: float | None
    kinds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    content_contains: tuple[str, ...] = ()


def _persona(*names: str) -> dict[str, Any]:
    """A persona condition, by persona name (ids are looked up when the rule is written)."""
    return {"field": "persona", "op": "in", "value": list(names)}


FIT_RULES: tuple[FitSpec, ...] = (
    FitSpec("Data or finance leader", [_persona("Dana, data leader", "Felix, finance leader")], 22),
    FitSpec("Revenue operations", [_persona("Riley, revenue operations")], 16),
    FitSpec("Analytics practitioner", [_persona("Alex, analytics practitioner")], 10),
    FitSpec(
        "Enterprise account",
        [{"field": "account.segment", "op": "equals", "value": Segment.ENTERPRISE}],
        14,
    ),
    FitSpec(
        "Mid-market account",
        [{"field": "account.segment", "op": "equals", "value": Segment.MID_MARKET}],
        12,
    ),
    FitSpec("Target account", [{"field": "account.is_target", "op": "equals", "value": True}], 8),
    FitSpec(
        "Runs a data warehouse",
        [{"field": "account.prop.data_warehouse", "op": "is_set", "value": True}],
        4,
    ),
    FitSpec(
        "Student or intern",
        [{"field": "title", "op": "contains", "value": ["Student", "Intern"]}],
        -25,
    ),
    FitSpec(
        "Personal email address",
        [{"field": "email", "op": "contains", "value": [f"@{d}" for d in cat.FREEMAIL]}],
        -10,
    ),
)

ENGAGEMENT_RULES: tuple[EngagementSpec, ...] = (
    EngagementSpec("Requested a demo", 30, 30, 30, kinds=(TouchKind.DEMO_REQUEST,)),
    EngagementSpec("Submitted a form", 8, 16, 45, kinds=(TouchKind.FORM_SUBMIT,)),
    EngagementSpec("Viewed the pricing page", 5, 10, 30, content_contains=("/pricing",)),
    EngagementSpec("Attended a webinar", 8, 16, 60, kinds=(TouchKind.WEBINAR,)),
    EngagementSpec("Met us at an event", 6, 12, 60, kinds=(TouchKind.EVENT,)),
    EngagementSpec("Downloaded content", 4, 12, 45, kinds=(TouchKind.CONTENT_DOWNLOAD,)),
    EngagementSpec("Clicked an email", 2, 8, 21, kinds=(TouchKind.EMAIL_CLICK,)),
    EngagementSpec("Opened an email", 1, 4, 14, kinds=(TouchKind.EMAIL_OPEN,)),
    EngagementSpec("Visited the website", 1, 6, 14, kinds=(TouchKind.PAGE_VIEW,)),
)


# --- the agreement's terms ----------------------------------------------------------------------

# Hand-raisers: the touches a lead makes on purpose to talk to us. Nurture never produces them.
HAND_RAISES = [TouchKind.FORM_SUBMIT, TouchKind.DEMO_REQUEST]


def _mql_definition(*, score: int, fit: int, demo_fit: int) -> list[list[dict[str, Any]]]:
    """A fitting lead who raised a hand in the last two weeks, or asked for a demo."""
    return [
        [
            {"field": "score", "op": "at_least", "value": score},
            {"field": "fit", "op": "at_least", "value": fit},
            {
                "field": "touches",
                "op": "at_least",
                "value": 1,
                "kinds": HAND_RAISES,
                "within_days": 14,
            },
        ],
        [
            {
                "field": "touches",
                "op": "at_least",
                "value": 1,
                "kinds": [TouchKind.DEMO_REQUEST],
                "within_days": 14,
            },
            {"field": "fit", "op": "at_least", "value": demo_fit},
        ],
    ]


MQL_V1 = _mql_definition(score=45, fit=20, demo_fit=20)
MQL_V2 = _mql_definition(score=55, fit=25, demo_fit=25)
# Sales qualifies a lead after a discovery meeting.
SQL_DEFINITION: list[list[dict[str, Any]]] = [
    [
        {
            "field": "touches",
            "op": "at_least",
            "value": 1,
            "kinds": [TouchKind.MEETING],
            "within_days": 60,
        }
    ]
]

TERMINOLOGY = [
    {
        "term": "MQL",
        "meaning": "Marketing qualified lead: a lead that meets the MQL definition below; "
        "marketing hands it to sales the moment it does.",
        "our_words": "Hand-raiser",
    },
    {
        "term": "SAL",
        "meaning": "Sales accepted lead: the owner accepted the MQL and will work it.",
        "our_words": "Accepted",
    },
    {
        "term": "SQL",
        "meaning": "Sales qualified lead: a discovery meeting confirmed budget, authority, need "
        "and timing.",
        "our_words": "Qualified",
    },
]

TERMS: dict[str, Any] = {
    "terminology": TERMINOLOGY,
    "sql_definition": SQL_DEFINITION,
    "min_acceptance_rate": 70,
    "marketing_other": "Every MQL reaches sales with its source, persona and the explanation of "
    "its score. Marketing nurtures recycled leads and tells the owner when one re-engages.",
    "accept_within_hours": 8,
    "first_contact_within_hours": 24,
    "attempts": 6,
    "attempts_within_days": 10,
    "reason_required": True,
    "feedback_cadence": "weekly",
    "sales_other": "Reps log every call and meeting in Accord, so that both teams read the same "
    "funnel.",
    "business_days": [1, 2, 3, 4, 5],
    "points_of_contact": "Marketing: Leo Fischer (demand generation). Sales: Daniel Brooks (VP "
    "Sales), and each rep for their own leads. Revenue operations (Owen Price) looks after the "
    "data, the scoring model and this agreement's settings.",
    "meeting_cadence": "Smarketing every Monday at 10:00 (30 minutes): last week's MQLs, "
    "acceptance, rejections and their reasons. A funnel review with leadership every month; "
    "planning every quarter.",
    "feedback_loops": "Sales gives a reason from the agreed list on every rejected MQL; reps "
    "flag their best and worst leads of the week; marketing reports what it changed at the next "
    "smarketing meeting.",
    "consequences": "A commitment missed two weeks running goes on the smarketing agenda with a "
    "plan to fix it; missed for a month, it goes to leadership. An MQL not accepted in time is "
    "reassigned by the head of sales.",
    "disputes": "Either head raises a dispute as a comment on this agreement; both heads meet "
    "within five business days; if they still disagree, the CEO decides.",
    "dissolution": "This version ends when the next one comes into force, or when either head "
    "gives 30 days' notice, time enough to draft and sign a replacement.",
    "review_cadence_months": 12,
}

REJECTION_REASONS = [
    {"code": "bad_fit", "label": "Not our customer profile"},
    {"code": "no_budget", "label": "No budget this year"},
    {"code": "not_ready", "label": "Not ready to buy: back to nurture"},
    {"code": "wrong_contact", "label": "Wrong contact: referred to a colleague"},
    {"code": "unresponsive", "label": "Unresponsive after every attempt"},
    {"code": "partner", "label": "Already evaluating with a partner"},
    {"code": "competitor_or_student", "label": "Competitor, student or personal use"},
]

# When the first version came into force, counted from the start of the demo's history.
V1_IN_FORCE_AFTER = timedelta(days=9, hours=11)


def v1_in_force_at(start: datetime) -> datetime:
    """When version 1 came into force, for a history starting at ``start`` (midnight)."""
    return start + V1_IN_FORCE_AFTER


def _commitments(scale: float) -> list[dict[str, Any]]:
    """MQLs a month per segment, in proportion to the size of the company: a little under what
    the history produces, so marketing meets them most months."""
    return [
        {"segment": Segment.ENTERPRISE, "per_month": max(1, round(16 * scale))},
        {"segment": Segment.MID_MARKET, "per_month": max(1, round(16 * scale))},
        {"segment": Segment.SMB, "per_month": max(1, round(8 * scale))},
    ]


def _holidays(start: date, until: date) -> list[dict[str, str]]:
    """The holidays both teams keep, from ``start`` to ``until``."""
    fixed = ((1, 1, "New Year's Day"), (12, 24, "Christmas Eve"), (12, 25, "Christmas Day"))
    days = []
    for year in range(start.year, until.year + 1):
        for month, day, name in fixed:
            when = date(year, month, day)
            if start <= when <= until:
                days.append({"date": when.isoformat(), "name": name})
    return sorted(days, key=lambda d: d["date"])


# --- writing it --------------------------------------------------------------------------------


@contextmanager
def dated(at: datetime) -> Iterator[None]:
    """Date what the steps inside write to the audit log and the comments at ``at``.

    The services stamp the present; the demo tells a story that happened over a year.
    """
    audit_from = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    comments_from = ProposalComment.objects.aggregate(m=Max("id"))["m"] or 0
    yield
    AuditEntry.objects.filter(id__gt=audit_from).update(at=at)
    ProposalComment.objects.filter(id__gt=comments_from).update(created_at=at)


def personas_write(*, by: User) -> dict[str, Persona]:
    """Northwind's personas, by name."""
    result: dict[str, Persona] = {}
    for spec in PERSONAS:
        result[spec.name] = persona_create(
            by=by,
            name=spec.name,
            criteria=spec.criteria,
            priority=spec.priority,
            description=spec.description,
            pains=spec.pains,
            goals=spec.goals,
            objections=spec.objections,
            messaging=spec.messaging,
        )
    return result


def _with_persona_ids(
    criteria: list[dict[str, Any]], personas: dict[str, Persona]
) -> list[dict[str, Any]]:
    return [
        {**c, "value": [personas[name].pk for name in c["value"]]} if c["field"] == "persona" else c
        for c in criteria
    ]


def engagement_rule_write(*, model: ScoringModel, by: User, rule: EngagementSpec) -> None:
    engagement_rule_create(
        model=model,
        by=by,
        label=rule.label,
        points=rule.points,
        cap=rule.cap,
        half_life_days=rule.half_life_days,
        kinds=list(rule.kinds),
        channels=list(rule.channels),
        content_contains=list(rule.content_contains),
    )


def rules_write(*, model: ScoringModel, by: User, personas: dict[str, Persona]) -> None:
    """Northwind's lead score: its fit and engagement rules, into the draft ``model``."""
    for fit in FIT_RULES:
        fit_rule_create(
            model=model,
            by=by,
            label=fit.label,
            criteria=_with_persona_ids(fit.criteria, personas),
            points=fit.points,
        )
    for rule in ENGAGEMENT_RULES:
        engagement_rule_write(model=model, by=by, rule=rule)


# The rule marketing proposes to add in version 2.
COMPARISON_RULE = EngagementSpec(
    "Read a comparison page", 6, 12, 30, content_contains=("/compare",)
)


@dataclass
class AgreementStory:
    in_force: Agreement | None
    proposal: Agreement | None
    personas: int
    qualified: int


def agreement_build(
    *, users: dict[str, User], start: datetime, now: datetime, scale: float
) -> AgreementStory:
    """The agreement's year at Northwind, through the services.

    Version 1, drafted by marketing's head, came into force in the history's second week with
    both heads' signatures; it is reviewed yearly, so its review is due now and the reminder is
    raised. Marketing answered with version 2 ("fewer, better MQLs"), which the head of
    marketing has signed and the head of sales has not yet.

    A database that already holds personas, scoring models or agreements keeps its own: the
    version in force, if any, is applied to the new leads and nothing else is written.

    Ends by applying version 1 as of ``now`` (persona matching, scores, MQL qualification), as
    the worker would once it came into force.
    """
    maya, leo, daniel, ravi = (users[n] for n in ("maya", "leo", "daniel", "ravi"))
    if Agreement.objects.exists() or Persona.objects.exists() or ScoringModel.objects.exists():
        # The organisation wrote its own: apply the version in force to the new leads instead.
        in_force = agreement_in_force()
        qualified = agreement_apply(agreement=in_force, at=now) if in_force else 0
        return AgreementStory(in_force=in_force, proposal=None, personas=0, qualified=qualified)
    drafted = start + timedelta(days=1, hours=10)
    with dated(drafted):
        personas = personas_write(by=maya)
        v1 = agreement_propose(
            by=maya,
            title="Northwind's first sales and marketing agreement",
            summary="What a good lead is, who works it and how fast, written down and signed "
            "by both teams. One definition of an MQL instead of two spreadsheets.",
        )
    assert v1.scoring_model is not None
    with dated(drafted + timedelta(minutes=40)):
        rules_write(model=v1.scoring_model, by=maya, personas=personas)
        agreement_update(
            agreement=v1,
            by=maya,
            mql_definition=MQL_V1,
            rejection_reasons=REJECTION_REASONS,
            mql_commitments=_commitments(scale),
            holidays=_holidays(start.date(), (now + timedelta(days=366)).date()),
            **TERMS,
        )
    Persona.objects.update(created_at=drafted, updated_at=drafted)
    ScoringModel.objects.filter(pk=v1.scoring_model.pk).update(created_at=drafted)
    Agreement.objects.filter(pk=v1.pk).update(created_at=drafted, updated_at=drafted)
    with dated(drafted + timedelta(days=2, hours=5)):
        comment_add(
            agreement=v1,
            by=daniel,
            body="Eight business hours to accept works for us. I want a reason list short "
            "enough that reps actually use it.",
        )
    with dated(drafted + timedelta(days=2, hours=7)):
        comment_add(
            agreement=v1,
            by=maya,
            body="Seven reasons, taken from last quarter's rejections. Let's look at them again "
            "at the yearly review.",
        )
    signed_by_marketing = start + timedelta(days=8, hours=16)
    in_force_at = v1_in_force_at(start)
    with dated(signed_by_marketing):
        agreement_sign(agreement=v1, by=maya, at=signed_by_marketing)
    with dated(in_force_at):
        agreement_sign(agreement=v1, by=daniel, at=in_force_at)
    v1.refresh_from_db()
    qualified = agreement_apply(agreement=v1, at=now)
    with dated(now):
        for reminder in review_reminders_raise(today=now.date()):
            ReviewReminder.objects.filter(pk=reminder.pk).update(raised_at=now)

    # Version 2: marketing's answer to the yearly review.
    proposed = now - timedelta(days=12, hours=-10)
    with dated(proposed):
        v2 = agreement_propose(
            by=leo,
            title="Fewer, better MQLs",
            summary="Sales rejected too many MQLs this year for poor fit. We raise the score "
            "and fit an MQL needs, count a read of our comparison pages as buying intent, and "
            "ask sales to accept within four business hours in return.",
        )
    assert v2.scoring_model is not None
    with dated(proposed + timedelta(minutes=25)):
        engagement_rule_write(model=v2.scoring_model, by=leo, rule=COMPARISON_RULE)
        agreement_update(
            agreement=v2,
            by=leo,
            mql_definition=MQL_V2,
            min_acceptance_rate=75,
            accept_within_hours=4,
            review_cadence_months=6,
            review_date=None,
        )
    Agreement.objects.filter(pk=v2.pk).update(created_at=proposed, updated_at=proposed)
    ScoringModel.objects.filter(pk=v2.scoring_model.pk).update(created_at=proposed)
    for at, by, body in (
        (
            proposed + timedelta(hours=1),
            leo,
            "The backtest is on this page: fewer MQLs a month, and a larger share of them "
            "reach SAL and SQL.",
        ),
        (
            proposed + timedelta(days=3, hours=5),
            daniel,
            "Reps like fewer, better leads. Four hours to accept is tight for the enterprise "
            "team at events; can we see enterprise on its own before I sign?",
        ),
        (
            proposed + timedelta(days=3, hours=8),
            ravi,
            "Comparison-page readers are the best calls I had this quarter. +1 for that rule.",
        ),
        (
            proposed + timedelta(days=4, hours=2),
            maya,
            "The backtest splits them by segment too, enterprise included. I have signed; over "
            "to sales.",
        ),
    ):
        with dated(at):
            comment_add(agreement=v2, by=by, body=body)
    signed = now - timedelta(days=8, hours=-14)
    with dated(signed):
        agreement_sign(agreement=v2, by=maya, at=signed)
    v2.refresh_from_db()
    return AgreementStory(in_force=v1, proposal=v2, personas=len(personas), qualified=qualified)
