"""Admin: per-jurisdiction motion settings are edited here; motions are read-only (services change them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from minsheng.motions.models import Motion, MotionSettings


@admin.register(MotionSettings)
class MotionSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "bill_min_signers",
        "categories",
        "title_max_length",
        "text_max_length",
        "invitation_days",
    )


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "kind", "status", "lead_signer", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "number")
    list_select_related = ("lead_signer",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
