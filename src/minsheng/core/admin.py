"""Admin: deadline rules and calendar overrides are settings; Events are evidence and read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minsheng.core.models import CalendarOverride, DeadlineRule, Event


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "amount", "unit", "description"]
    list_filter = ["unit"]
    list_select_related = ["jurisdiction"]
    search_fields = ["name", "description", "jurisdiction__name"]
    ordering = ["name", "jurisdiction"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "day"


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Viewable by those with the view permission; nobody adds, edits or deletes an Event here."""

    list_display = [
        "seq",
        "at",
        "actor",
        "verb",
        "target_type",
        "target_id",
        "from_state",
        "to_state",
        "request_id",
    ]
    list_filter = ["verb", "target_type"]
    list_select_related = ["actor", "target_type"]
    search_fields = ["verb", "target_id", "request_id"]
    date_hierarchy = "at"
    show_full_result_count = False  # counting a long log on every page load is wasted work

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Event._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
