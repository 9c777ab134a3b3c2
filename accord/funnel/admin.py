from django.contrib import admin

from accord.funnel.models import (
    Account,
    Deal,
    Lead,
    Note,
    PipelineStage,
    PropertyDefinition,
    StageChange,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "domain", "segment", "industry", "employees", "is_target")
    list_filter = ("segment", "is_target")
    search_fields = ("name", "domain", "external_id")


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("email", "first_name", "last_name", "stage", "score", "owner", "created_at")
    list_filter = ("stage",)
    search_fields = ("email", "first_name", "last_name", "external_id")
    raw_id_fields = ("account", "owner")
    # The stage moves only through the stage machine (funnel.services.lead_move).
    readonly_fields = ("stage", "stage_changed_at")


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("lead", "from_stage", "to_stage", "at", "actor", "source")
    list_filter = ("to_stage", "source")
    raw_id_fields = ("lead", "actor")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # stage changes are immutable events


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "amount", "status", "pipeline_stage", "created_at", "closed_at")
    list_filter = ("status", "pipeline_stage")
    search_fields = ("name", "external_id")
    raw_id_fields = ("account", "primary_lead", "owner", "leads")


admin.site.register(PipelineStage)
admin.site.register(PropertyDefinition)
admin.site.register(Note)
