"""Admin: the workflow records are read-only here, because they change only through the services
(transition tables, Events, notifications). The thresholds (``OversightSettings``) are edited here,
each change an Event (``core.admin.EventedAdmin``)."""

from __future__ import annotations

from django.contrib import admin

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.oversight.models import (
    Activity,
    BudgetTable,
    CooperationPlatform,
    OversightSettings,
    Problem,
    Project,
    RectificationItem,
    SupervisionPlan,
)


@admin.register(OversightSettings)
class OversightSettingsAdmin(EventedAdmin):
    list_display = ["__str__", "satisfaction_pass_percent", "budget_lag_margin_percent", "remind_days_before"]
    autocomplete_fields = ["jurisdiction"]


@admin.register(SupervisionPlan)
class SupervisionPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "body", "year", "status"]
    list_filter = ["status", "year"]
    list_select_related = ["body"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "body", "start_date", "status", "published_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    list_select_related = ["body"]


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "source", "body", "created_at"]
    list_filter = ["source"]
    list_select_related = ["body"]


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "unit", "status", "due", "due_rule", "round"]
    list_filter = ["status", "due_rule"]
    list_select_related = ["unit"]
    show_full_result_count = False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "park", "status", "investment_planned", "investment_completed"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "owner"]


@admin.register(CooperationPlatform)
class CooperationPlatformAdmin(ReadOnlyAdmin):
    list_display = ["name", "jurisdiction", "published_at"]


@admin.register(BudgetTable)
class BudgetTableAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "jurisdiction", "source_name", "imported_at"]
