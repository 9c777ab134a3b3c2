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
