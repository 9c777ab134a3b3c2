"""Input and output schemas of the agreement's endpoints: versions, proposals, signatures,
comments, the diff, the audit trail, personas and scoring models.

Input schemas forbid unknown fields. The schemas check shapes and types; the services check
the rules (a definition's conditions, a time zone, business hours) and answer 400 naming the
field at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from accord.agreement.models import AgreementStatus, FeedbackCadence, ModelStatus
from accord.campaigns.models import Channel, TouchKind
from accord.funnel.schemas import In, optional

Condition = dict[str, Any]
Definition = list[list[Condition]]

DEFINITION_HELP = (
    "A list of groups of conditions: a lead meets the definition when it satisfies every "
    "condition of at least one group. `[]` is no definition. A condition is a criteria "
    'condition (`{"field": "title", "op": "contains", "value": ["VP"]}`), a score condition '
    '(`{"field": "score"|"fit"|"engagement", "op": "at_least"|"at_most"|"between", "value": 60}`) '
    'or a touch condition (`{"field": "touches", "op": "at_least", "value": 1, '
    '"kinds": ["demo_request"], "channels": [], "within_days": 90}`).'
)
CRITERIA_HELP = (
    'Conditions a lead must all satisfy: `{"field": FIELD, "op": OP, "value": VALUE}` with '
    "a lead or account field, `prop.KEY`, `account.prop.KEY` (or, in fit rules, `persona`) "
    "and op contains, in, equals, between or is_set."
)


# --- the parts of an agreement -------------------------------------------------------------------


class Term(Schema):
    term: str = Field(max_length=60, description="MQL, SAL, SQL or another agreed word.")
    meaning: str = Field("", max_length=1000)
    our_words: str = Field("", max_length=200, description="What the teams call it day to day.")


class Commitment(Schema):
    segment: str = Field(
        "", description="An account segment (smb, mid_market, enterprise), or empty for all."
    )
    per_month: int = Field(ge=0, description="MQLs marketing commits to deliver each month.")


class RejectionReason(Schema):
    code: str = Field(max_length=40, description="lower_case_with_underscores")
    label: str = Field(max_length=200)


class Holiday(Schema):
    date: dt.date
    name: str = Field("", max_length=120)


class SignatureOut(Schema):
    team: str
    signed_by: int = Field(alias="signed_by_id")
    signed_by_name: str
    signed_at: dt.datetime

    @staticmethod
    def resolve_signed_by_name(obj: Any) -> str:
        return str(obj.signed_by)


class TermsOut(Schema):
    """What a version says (everything a proposal may change, but title and summary)."""

    personas: list[int] = Field(description="Ids of the agreed personas.")
    persona_snapshot: list[dict[str, Any]] = Field(
        description="The personas' texts as signed (filled when the version came into force)."
    )
    mql_definition: Definition = Field(description=DEFINITION_HELP)
    sql_definition: Definition = Field(description=DEFINITION_HELP)
    scoring_model: int | None = Field(description="The scoring model's version.")
    terminology: list[Term]
    mql_commitments: list[Commitment]
    min_acceptance_rate: int = Field(description="Share of MQLs sales accepts, in percent.")
    marketing_other: str
    accept_within_hours: int = Field(description="Business hours to accept or reject an MQL.")
    first_contact_within_hours: int = Field(description="Business hours to first contact.")
    attempts: int
    attempts_within_days: int
    reason_required: bool
    feedback_cadence: FeedbackCadence
    sales_other: str
    rejection_reasons: list[RejectionReason]
    time_zone: str
    business_days: list[int] = Field(description="ISO weekdays, 1 = Monday … 7 = Sunday.")
    business_start: dt.time
    business_end: dt.time
    holidays: list[Holiday]
    points_of_contact: str
    meeting_cadence: str
    feedback_loops: str
    consequences: str
    disputes: str
    dissolution: str
    review_date: dt.date | None
    review_cadence_months: int

    @staticmethod
    def resolve_personas(obj: Any) -> list[int]:
        return sorted(p.pk for p in obj.personas.all())

    @staticmethod
    def resolve_scoring_model(obj: Any) -> int | None:
        return obj.scoring_model.version if obj.scoring_model_id else None


class AgreementSummaryOut(Schema):
    version: int
    title: str
    summary: str
    status: AgreementStatus
    based_on: int | None = Field(description="The version this one replaces when signed.")
    proposed_by: int | None = Field(alias="proposed_by_id")
    created_at: dt.datetime
    updated_at: dt.datetime
    in_force_at: dt.datetime | None
    archived_at: dt.datetime | None
    signatures: list[SignatureOut]

    @staticmethod
    def resolve_based_on(obj: Any) -> int | None:
        return obj.based_on.version if obj.based_on_id else None

    @staticmethod
    def resolve_signatures(obj: Any) -> list[Any]:
        return list(obj.signatures.all())


class AgreementOut(AgreementSummaryOut, TermsOut):
    """A version of the agreement, whole."""


class AgreementListOut(Schema):
    items: list[AgreementSummaryOut]


class AgreementListQuery(Schema):
    status: AgreementStatus | None = Field(None, description="Only versions in this status.")


class AgreementCreateIn(In):
    title: str = Field(max_length=200)
    summary: str = Field("", max_length=10_000, description="What it changes, and why.")
    based_on: int | None = Field(
        None,
        description="The version to copy (default: the version in force). The proposal "
        "replaces the version in force when both heads sign it.",
    )


class AgreementUpdateIn(In):
    """Only the fields sent change. A change to anything but title and summary withdraws the
    signatures given so far."""

    title: str = optional(max_length=200)
    summary: str = optional(max_length=10_000)
    personas: list[int] = optional(description="Ids of the agreed personas.")
    scoring_model: int = optional(description="The version of a draft scoring model.")
    mql_definition: Definition = optional(description=DEFINITION_HELP)
    sql_definition: Definition = optional(description=DEFINITION_HELP)
    terminology: list[Term] = optional()
    mql_commitments: list[Commitment] = optional()
    min_acceptance_rate: int = optional()
    marketing_other: str = optional()
    accept_within_hours: int = optional()
    first_contact_within_hours: int = optional()
    attempts: int = optional()
    attempts_within_days: int = optional()
    reason_required: bool = optional()
    feedback_cadence: FeedbackCadence = optional()
    sales_other: str = optional()
    rejection_reasons: list[RejectionReason] = optional()
    time_zone: str = optional(description="An IANA time zone, e.g. Europe/Berlin.")
    business_days: list[int] = optional(description="ISO weekdays, 1 = Monday … 7 = Sunday.")
    business_start: dt.time = optional()
    business_end: dt.time = optional()
    holidays: list[Holiday] = optional()
    points_of_contact: str = optional()
    meeting_cadence: str = optional()
    feedback_loops: str = optional()
    consequences: str = optional()
    disputes: str = optional()
    dissolution: str = optional()
    review_date: dt.date | None = Field(None, description="`null` clears it.")
    review_cadence_months: int = optional()


class CommentIn(In):
    body: str = Field(max_length=5000)


class CommentOut(Schema):
    id: int
    author: int = Field(alias="author_id")
    author_name: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author_name(obj: Any) -> str:
        return str(obj.author)


class CommentListOut(Schema):
    items: list[CommentOut]


class ChangeOut(Schema):
    section: str
    label: str
    before: str | None = Field(description="`null` when the term is new.")
    after: str | None = Field(description="`null` when the term was removed.")


class DiffOut(Schema):
    version: int
    against: int | None = Field(description="The version compared with; `null`: none.")
    changes: list[ChangeOut]


class DiffQuery(Schema):
    against: int | None = Field(
        None,
        description="The version to compare with. Default: the version in force for a "
        "proposal, the version it replaced for any other.",
    )


class AuditOut(Schema):
    at: dt.datetime
    actor: int | None = Field(alias="actor_id")
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    before: dict[str, Any]
    after: dict[str, Any]

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return str(obj.actor) if obj.actor_id else "Accord"


class AuditListOut(Schema):
    items: list[AuditOut]


class AuditQuery(Schema):
    limit: int = Field(100, ge=1, le=500, description="Newest entries, 1 to 500.")


# --- personas ------------------------------------------------------------------------------------


class PersonaOut(Schema):
    id: int
    name: str
    description: str
    pains: str
    goals: str
    objections: str
    messaging: str
    criteria: list[Condition] = Field(description=CRITERIA_HELP)
    priority: int = Field(description="Lower first when a lead matches several personas.")
    leads: int = Field(description="Leads matched to this persona.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_leads(obj: Any) -> int:
        return int(getattr(obj, "lead_count", 0))


class PersonaListOut(Schema):
    items: list[PersonaOut]


class PersonaCreateIn(In):
    name: str = Field(max_length=120)
    description: str = ""
    pains: str = ""
    goals: str = ""
    objections: str = ""
    messaging: str = ""
    criteria: list[Condition] = Field([], description=CRITERIA_HELP)
    priority: int = Field(100, ge=0, le=10_000)


class PersonaUpdateIn(In):
    name: str = optional(max_length=120)
    description: str = optional()
    pains: str = optional()
    goals: str = optional()
    objections: str = optional()
    messaging: str = optional()
    criteria: list[Condition] = optional(description=CRITERIA_HELP)
    priority: int = optional(ge=0, le=10_000)


# --- scoring models ------------------------------------------------------------------------------


class FitRuleOut(Schema):
    id: int
    label: str
    criteria: list[Condition]
    points: int
    position: int


class EngagementRuleOut(Schema):
    id: int
    label: str
    kinds: list[str]
    channels: list[str]
    campaign_ids: list[int]
    content_contains: list[str]
    points: int
    cap: int
    half_life_days: float | None
    position: int


class ScoringModelSummaryOut(Schema):
    version: int
    name: str
    status: ModelStatus
    created_at: dt.datetime


class ScoringModelOut(ScoringModelSummaryOut):
    fit_rules: list[FitRuleOut]
    engagement_rules: list[EngagementRuleOut]

    @staticmethod
    def resolve_fit_rules(obj: Any) -> list[Any]:
        return list(obj.fit_rules.all())

    @staticmethod
    def resolve_engagement_rules(obj: Any) -> list[Any]:
        return list(obj.engagement_rules.all())


class ScoringModelListOut(Schema):
    items: list[ScoringModelSummaryOut]


class FitRuleIn(In):
    label: str = Field(max_length=200)
    criteria: list[Condition] = Field(description=CRITERIA_HELP)
    points: int = Field(description="-100 to 100, not 0.")


class EngagementRuleIn(In):
    label: str = Field(max_length=200)
    points: int = Field(description="Per matching touch: -100 to 100, not 0.")
    cap: int = Field(description="The rule's total is held within ±cap (1 to 100).")
    kinds: list[TouchKind] = Field([], description="Touch kinds; empty: any.")
    channels: list[Channel] = Field([], description="Channels; empty: any.")
    campaign_ids: list[int] = Field([], description="Campaign ids; empty: any.")
    content_contains: list[str] = Field([], description="Words in the content; empty: any.")
    half_life_days: float | None = Field(None, description="Decay; `null`: none.")
