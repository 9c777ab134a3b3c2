"""What both teams agree on: personas, and the versioned scoring model with its rules.

Criteria (a persona's and a fit rule's) are JSON lists of conditions, validated by
``accord.agreement.services.criteria_clean`` and turned into SQL by
``accord.agreement.selectors.criteria_q``. A condition is
``{"field": FIELD, "op": OP, "value": VALUE}``:

- FIELD is a lead field (``title``, ``source``, ``email``, ``first_name``, ``last_name``,
  ``phone``, ``stage``), an account field (``account.name``, ``account.domain``,
  ``account.industry``, ``account.country``, ``account.segment``, ``account.employees``,
  ``account.is_target``), a custom property (``prop.KEY`` on the lead, ``account.prop.KEY`` on its
  account) or, in fit rules only, ``persona``;
- OP is ``contains`` (text contains any of the words, ignoring case), ``in`` (equals one of the
  values), ``equals``, ``between`` (``[min, max]``, inclusive, either end may be null) or
  ``is_set`` (value ``true`` or ``false``).

A lead satisfies criteria when it satisfies every condition.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accord.funnel.models import Lead


class Persona(models.Model):
    """A buyer type both teams agreed on, with the criteria that recognise it among leads.

    A lead's persona is the first persona whose criteria it satisfies, in order of ``priority``
    (lower first), then the more specific persona (more criteria), then the older one. A persona
    without criteria recognises no lead.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    pains = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    objections = models.TextField(blank=True)
    messaging = models.TextField(blank=True)
    criteria = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(default=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name


class LeadPersona(models.Model):
    """The persona a lead was last matched to. No row: the lead matches no persona.

    Kept beside the lead rather than on it so that matching all leads is one set-based write to
    a narrow table.
    """

    lead = models.OneToOneField(
        Lead, on_delete=models.CASCADE, primary_key=True, related_name="persona_match"
    )
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="matches")
    matched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["persona"])]

    def __str__(self) -> str:
        return f"lead {self.lead_id} → persona {self.persona_id}"


class ModelStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    ARCHIVED = "archived", "Archived"


class ScoringModel(models.Model):
    """A numbered version of the lead score: fit rules (who the lead is) and engagement rules
    (what the lead did, decaying with time). At most one version is in force.

    A lead's score is clamp(fit + engagement, 0, 100); fit and engagement are also kept apart.
    Only drafts take rule changes.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="in_force"),
                name="scoring_model_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"Scoring model v{self.version}"


class FitRule(models.Model):
    """Points for who a lead is: ``points`` (negative allowed) when the lead satisfies every
    condition of ``criteria``."""

    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="fit_rules")
    label = models.CharField(max_length=200)
    criteria = models.JSONField(default=list)
    points = models.SmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["model", "position", "id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.points:+d})"


class EngagementRule(models.Model):
    """Points for what a lead did: ``points`` per matching touch, each touch weighted
    2^(-age in days / ``half_life_days``) (no decay when empty), the rule's total rounded and
    held within ±``cap``.

    A touch matches when its kind is one of ``kinds``, its channel one of ``channels``, its
    campaign one of ``campaign_ids`` and its content contains one of ``content_contains``
    (ignoring case); an empty list does not restrict.
    """

    model = models.ForeignKey(
        ScoringModel, on_delete=models.CASCADE, related_name="engagement_rules"
    )
    label = models.CharField(max_length=200)
    kinds = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    campaign_ids = models.JSONField(default=list, blank=True)
    content_contains = models.JSONField(default=list, blank=True)
    points = models.SmallIntegerField()
    cap = models.PositiveSmallIntegerField()
    half_life_days = models.FloatField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["model", "position", "id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.points:+d} each, cap {self.cap})"


# --- the agreement (the SLA) ------------------------------------------------------------------


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Proposal"
    IN_FORCE = "in_force", "In force"
    ARCHIVED = "archived", "Archived"
    WITHDRAWN = "withdrawn", "Withdrawn"


class FeedbackCadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Agreement(models.Model):
    """One numbered version of the service level agreement between marketing and sales.

    A version starts as a proposal (``draft``) written by anyone on either team, usually as a copy
    of the version in force (``based_on``). It comes into force when the heads of both marketing
    and sales have signed it; the version it replaces is then archived. Exactly one version is in
    force at a time (a partial unique constraint holds it), and only proposals take changes.

    It bundles:

    - the personas both teams agreed on (``personas``; their texts are snapshotted into
      ``persona_snapshot`` when the version comes into force);
    - the MQL and SQL definitions: each a list of groups, a lead meeting a definition when it
      satisfies every condition of at least one group (see ``accord.agreement.definitions``);
    - the scoring model (``scoring_model``), switched into force with the agreement;
    - the written terms: terminology, each team's commitments, the rejection reasons, business
      hours, holidays and time zone (the SLA clocks run in these), rules of engagement and of
      disengagement, and the review date.

    Durations that sales commits to are in business hours (``accept_within_hours``,
    ``first_contact_within_hours``) or calendar days (``attempts_within_days``).
    """

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What this version changes, and why.")
    status = models.CharField(
        max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    in_force_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # What a good lead is, and how leads are scored.
    personas = models.ManyToManyField(Persona, blank=True, related_name="agreements")
    persona_snapshot = models.JSONField(default=list, blank=True)
    mql_definition = models.JSONField(default=list, blank=True)
    sql_definition = models.JSONField(default=list, blank=True)
    scoring_model = models.ForeignKey(
        ScoringModel, null=True, blank=True, on_delete=models.PROTECT, related_name="agreements"
    )

    # Words: [{"term": "MQL", "meaning": "...", "our_words": "Hot lead"}].
    terminology = models.JSONField(default=list, blank=True)

    # Marketing's commitments.
    # mql_commitments: [{"segment": "" (all) or a segment, "per_month": 40}].
    mql_commitments = models.JSONField(default=list, blank=True)
    min_acceptance_rate = models.PositiveSmallIntegerField(
        default=70, help_text="Share of MQLs sales accepts, in percent."
    )
    marketing_other = models.TextField(blank=True)

    # Sales' commitments.
    accept_within_hours = models.PositiveSmallIntegerField(default=8)
    first_contact_within_hours = models.PositiveSmallIntegerField(default=24)
    attempts = models.PositiveSmallIntegerField(default=6)
    attempts_within_days = models.PositiveSmallIntegerField(default=10)
    reason_required = models.BooleanField(default=True)
    feedback_cadence = models.CharField(
        max_length=12, choices=FeedbackCadence.choices, default=FeedbackCadence.WEEKLY
    )
    sales_other = models.TextField(blank=True)

    # [{"code": "bad_fit", "label": "Not our customer profile"}]
    rejection_reasons = models.JSONField(default=list, blank=True)

    # The SLA clocks: business days are ISO weekdays (1 = Monday … 7 = Sunday);
    # holidays: [{"date": "2026-12-25", "name": "Christmas Day"}].
    time_zone = models.CharField(max_length=64, default="UTC")
    business_days = models.JSONField(default=list, blank=True)
    business_start = models.TimeField(default=time(9, 0))
    business_end = models.TimeField(default=time(17, 0))
    holidays = models.JSONField(default=list, blank=True)

    # Rules of engagement.
    points_of_contact = models.TextField(blank=True)
    meeting_cadence = models.TextField(blank=True)
    feedback_loops = models.TextField(blank=True)

    # Rules of disengagement.
    consequences = models.TextField(blank=True)
    disputes = models.TextField(blank=True)
    dissolution = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    review_cadence_months = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="in_force"),
                name="agreement_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement v{self.version}"

    @property
    def is_proposal(self) -> bool:
        return self.status == AgreementStatus.DRAFT


class Signature(models.Model):
    """A team head's signature on a proposal; one per team (marketing, sales) and version.

    Signatures are events: a change to the proposal after a signature withdraws the signatures
    (and the audit log keeps both the signature and its withdrawal).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    team = models.CharField(max_length=20)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "team"], name="signature_one_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.team} signature on v{self.agreement_id}"


class ProposalComment(models.Model):
    """A comment on a version, usually while it is a proposal."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author_id} on v{self.agreement_id}"


class AuditEntry(models.Model):
    """An immutable record of a change to the agreement, its personas or its scoring models:
    who did what, when, and the values before and after (only the fields that changed)."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class ReviewReminder(models.Model):
    """Raised once per version in force, ``REVIEW_NOTICE_DAYS`` before its review date."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="review_reminder"
    )
    review_date = models.DateField()
    raised_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"review of v{self.agreement_id} due {self.review_date}"
