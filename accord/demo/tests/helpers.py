"""Shared by the demo tests: a fixed "now" and a snapshot of what a build wrote."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accord.agreement.models import Agreement, AuditEntry, Persona, ScoringModel
from accord.campaigns.models import Campaign, Touch
from accord.funnel.models import Account, Deal, Lead, Note, PropertyDefinition, StageChange
from accord.teams.models import User

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def snapshot() -> dict[str, Any]:
    """Counts and first rows of everything a build writes, without database ids."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (User, Campaign, Account, Lead, StageChange, Touch, Deal, Note)
        },
        "people": sorted(User.objects.values_list("username", "team", "role")),
        "campaigns": list(
            Campaign.objects.order_by("name").values_list("name", "channel", "cost", "starts_on")
        ),
        "accounts": list(
            Account.objects.order_by("domain").values_list(
                "name", "domain", "segment", "employees", "country", "is_target", "properties"
            )[:5]
        ),
        "leads": list(
            Lead.objects.order_by("created_at", "email").values_list(
                "email",
                "title",
                "stage",
                "created_at",
                "stage_changed_at",
                "owner__username",
                "account__domain",
                "properties",
            )[:5]
        ),
        "changes": list(
            StageChange.objects.order_by("at", "lead__email", "to_stage").values_list(
                "lead__email", "from_stage", "to_stage", "at", "reason"
            )[:5]
        ),
        "touches": list(
            Touch.objects.order_by("at", "lead__email", "kind").values_list(
                "lead__email", "kind", "channel", "campaign__name", "content", "at"
            )[:5]
        ),
        "deals": list(
            Deal.objects.order_by("created_at", "name").values_list(
                "name", "amount", "status", "loss_reason", "created_at", "closed_at"
            )[:5]
        ),
        "properties": sorted(PropertyDefinition.objects.values_list("entity", "key", "type")),
        "scores": list(
            Lead.objects.order_by("email").values_list(
                "email", "score", "fit_score", "engagement_score", "persona_match__persona__name"
            )
        ),
        "agreements": list(
            Agreement.objects.order_by("version").values_list(
                "version", "status", "title", "mql_definition", "in_force_at", "review_date"
            )
        ),
    }


def wipe() -> None:
    """Remove a demo build's records. People stay (a build reuses them), and so do the pipeline
    stages, which migrations create."""
    Agreement.objects.all().delete()
    ScoringModel.objects.all().delete()
    Persona.objects.all().delete()
    AuditEntry.objects.all().delete()
    Deal.objects.all().delete()
    Lead.objects.all().delete()
    Account.objects.all().delete()
    Campaign.objects.all().delete()
    PropertyDefinition.objects.all().delete()
