from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accord.teams.models import ApiToken, User


@admin.register(User)
class AccordUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "team", "role", "is_active")
    list_filter = ("team", "role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Accord", {"fields": ("team", "role")}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "hint")
