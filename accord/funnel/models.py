"""The shared record: accounts, leads, deals, their stage history and custom properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Entity(models.TextChoices):
    ACCOUNT = "account", "Account"
    LEAD = "lead", "Lead"
    DEAL = "deal", "Deal"


class PropertyType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes/no"


class PropertyDefinition(models.Model):
    """A custom property declared once for accounts, leads or deals, then validated on every write.

    Values live in the record's ``properties`` JSON under ``key``: numbers as JSON numbers, dates as
    ISO ``YYYY-MM-DD`` strings, booleans as JSON booleans, text as strings.
    """

    entity = models.CharField(max_length=10, choices=Entity.choices)
    key = models.SlugField(max_length=80, allow_unicode=False)
    label = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=PropertyType.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entity", "label"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="property_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()}: {self.label}"


class Segment(models.TextChoices):
    SMB = "smb", "SMB"
    MID_MARKET = "mid_market", "Mid-market"
    ENTERPRISE = "enterprise", "Enterprise"


class Account(models.Model):
    """A company we sell to. ``is_target`` marks it for account-based marketing lists."""

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, null=True, blank=True, unique=True)
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    is_target = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["segment"])]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """A lead's lifecycle position. The first six are ordered; the last two are side states."""

    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SAL = "sal", "SAL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    RECYCLED = "recycled", "Recycled"
    DISQUALIFIED = "disqualified", "Disqualified"


FUNNEL_ORDER: list[str] = [
    Stage.LEAD,
    Stage.MQL,
    Stage.SAL,
    Stage.SQL,
    Stage.OPPORTUNITY,
    Stage.CUSTOMER,
]


class LeadQuerySet(models.QuerySet["Lead"]):
    def visible_to(self, user: Any) -> LeadQuerySet:
        # One organisation per installation: every signed-in person sees the whole shared record.
        return self if user.is_authenticated else self.none()

    def for_list(self) -> LeadQuerySet:
        return self.select_related("account", "owner")

    def search(self, text: str) -> LeadQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(email__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(account__name__icontains=text)
            | Q(external_id=text)
        )


class Lead(models.Model):
    """A person at an account (or at no known account), and where they stand in the funnel.

    ``stage`` always equals the ``to_stage`` of the lead's latest StageChange; only the stage
    machine in ``funnel.services`` and the import's bulk path write either.
    """

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    email = models.CharField(max_length=254, null=True, blank=True, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=100, blank=True)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        # The (owner, stage) index below serves lookups by owner; one index less to update
        # when every lead is rescored.
        db_index=False,
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.LEAD)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(default=0)
    fit_score = models.SmallIntegerField(default=0)
    engagement_score = models.SmallIntegerField(default=0)
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "-created_at"]),
            models.Index(fields=["-created_at", "-id"]),
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["source"]),
            models.Index(fields=["-score"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="lead_stage_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email or self.external_id or f"Lead {self.pk}"


class StageSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    IMPORT = "import", "Import"
    API = "api", "API"
    DEAL = "deal", "Deal"
    SYSTEM = "system", "System"


class StageChange(models.Model):
    """An immutable move of a lead between stages. Every funnel number derives from these.

    ``from_stage`` is empty for the row that records the lead's creation.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=10, choices=StageSource.choices, default=StageSource.MANUAL
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["lead", "at"]),
            models.Index(fields=["to_stage", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage or '∅'} → {self.to_stage} at {self.at:%Y-%m-%d}"


class PipelineStage(models.Model):
    """A configurable step of the sales pipeline an open deal sits in."""

    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(default=10, help_text="Win probability, %.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class DealStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class DealQuerySet(models.QuerySet["Deal"]):
    def visible_to(self, user: Any) -> DealQuerySet:
        return self if user.is_authenticated else self.none()

    def for_list(self) -> DealQuerySet:
        return self.select_related("account", "primary_lead", "owner", "pipeline_stage")


class Deal(models.Model):
    """An opportunity. Linked to an account, to leads, to both or to neither, as real exports are.

    Opening a deal moves its primary lead to ``opportunity``; winning it moves the lead to
    ``customer`` at ``closed_at``.
    """

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    primary_lead = models.ForeignKey(
        Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_deals"
    )
    leads = models.ManyToManyField(Lead, blank=True, related_name="deals")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    pipeline_stage = models.ForeignKey(
        PipelineStage, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    status = models.CharField(max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    loss_reason = models.CharField(max_length=200, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-closed_at"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (Q(status__in=["won", "lost"]) & Q(closed_at__isnull=False)),
                name="deal_closed_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Note(models.Model):
    """A free-text note on a lead, by a person; part of the lead's timeline."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["lead", "at"])]

    def __str__(self) -> str:
        return self.body[:60]
