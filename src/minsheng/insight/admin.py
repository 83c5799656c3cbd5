"""Routing models, categories and reports are read here; they change only through the app's pages
and services (which record Events)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minsheng.insight.models import HotIssueReport, RoutingCategory, RoutingModelVersion, VoiceSupport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoutingModelVersion)
class RoutingModelVersionAdmin(_ReadOnly):
    list_display = ["number", "source", "n_train", "accepted", "created_at"]


@admin.register(RoutingCategory)
class RoutingCategoryAdmin(_ReadOnly):
    list_display = ["name"]


@admin.register(HotIssueReport)
class HotIssueReportAdmin(_ReadOnly):
    list_display = ["jurisdiction", "period_start", "period_end", "n_messages", "computed_at"]


@admin.register(VoiceSupport)
class VoiceSupportAdmin(_ReadOnly):
    list_display = ["voice", "created_at"]
