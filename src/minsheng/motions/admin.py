"""Admin: per-jurisdiction motion settings are edited here (with Events); motions are read-only."""

from __future__ import annotations

from django.contrib import admin

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.motions.models import Motion, MotionSettings


@admin.register(MotionSettings)
class MotionSettingsAdmin(EventedAdmin):
    list_display = (
        "__str__",
        "bill_min_signers",
        "categories",
        "title_max_length",
        "text_max_length",
        "invitation_days",
    )


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "kind", "status", "lead_signer", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "number")
    list_select_related = ("lead_signer",)
