"""Import jobs: a file uploaded through the wizard, its mapping, and what became of its rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportEntity(models.TextChoices):
    ACCOUNTS = "accounts", "Accounts"
    LEADS = "leads", "Leads"
    DEALS = "deals", "Deals"
    CAMPAIGNS = "campaigns", "Campaigns"
    TOUCHES = "touches", "Touches"


class ImportPreset(models.TextChoices):
    NONE = "", "Any CSV file"
    HUBSPOT = "hubspot", "HubSpot export"
    SALESFORCE = "salesforce", "Salesforce export"


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", "Mapping columns"
    READY = "ready", "Ready to run"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One upload of a CSV file, mapped and run in the background.

    The counts grow batch by batch while the job runs (the wizard polls them); ``rejections``
    holds every rejected row as ``[row, column, value, reason]`` once the run ends, for download.
    ``heartbeat_at`` moves with every batch, so a job whose worker died can be claimed again.
    """

    entity = models.CharField(max_length=20, choices=ImportEntity.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    preset = models.CharField(max_length=20, choices=ImportPreset.choices, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    rows_done = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent of the file read.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} from {self.filename}"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
