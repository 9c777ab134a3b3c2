"""Predictive scoring: models trained on the organisation's closed history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Algorithm(models.TextChoices):
    LOGISTIC_REGRESSION = "logistic_regression", "Logistic regression"
    GRADIENT_BOOSTING = "gradient_boosting", "Gradient boosting"


class PredictiveModelQuerySet(models.QuerySet["PredictiveModel"]):
    def without_pipeline(self) -> PredictiveModelQuerySet:
        """Rows for lists and reports: the fitted pipeline is the one heavy column."""
        return self.defer("pipeline")

    def latest_first(self) -> PredictiveModelQuerySet:
        return self.order_by("-created_at", "-id")


class PredictiveModel(models.Model):
    """One run of ``accord scoring train``: what was asked, what was learnt, how well it did.

    Rows are never changed after they are written; the newest row for a target is the model that
    ``predict_scores`` uses. ``metrics`` holds the whole report (the JSON the command prints);
    ``features`` lists the columns the pipeline was fitted on with their kind (numeric, date or
    categorical), which the scoring of new leads needs to build the same table.

    The fitted scikit-learn pipeline is stored in the row as a joblib blob rather than as a file
    under ACCORD_HOME: web processes and workers may run on different machines against one
    PostgreSQL, the model must stay consistent with its report in one transaction, and database
    backups then cover it. A fitted pipeline is small (tens to hundreds of kilobytes). The blob is
    a pickle, so it is only ever loaded from this table, which only Accord writes.
    """

    target = models.CharField(max_length=20)
    handoff_stage = models.CharField(max_length=20)
    algorithm = models.CharField(max_length=30, choices=Algorithm.choices)
    params = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict)
    features = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    auc = models.FloatField()
    outcomes = models.PositiveIntegerField(help_text="Leads with a closed outcome trained on.")
    sklearn_version = models.CharField(max_length=20)
    pipeline = models.BinaryField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PredictiveModelQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_algorithm_display()} for {self.target} ({self.created_at:%Y-%m-%d})"
