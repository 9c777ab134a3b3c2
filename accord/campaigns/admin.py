from django.contrib import admin

from accord.campaigns.models import Campaign, Touch


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "channel", "starts_on", "ends_on", "cost", "owner_team")
    list_filter = ("channel", "owner_team")
    search_fields = ("name", "external_id")


@admin.register(Touch)
class TouchAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("lead", "kind", "channel", "campaign", "at")
    list_filter = ("kind", "channel")
    raw_id_fields = ("lead", "campaign")
