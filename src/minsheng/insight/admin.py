"""Routing models, categories and reports are read here; they change only through the app's pages
and services (which record Events)."""

from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdmin
from minsheng.insight.models import HotIssueReport, RoutingCategory, RoutingModelVersion, VoiceSupport


@admin.register(RoutingModelVersion)
class RoutingModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "source", "n_train", "accepted", "created_at"]


@admin.register(RoutingCategory)
class RoutingCategoryAdmin(ReadOnlyAdmin):
    list_display = ["name"]


@admin.register(HotIssueReport)
class HotIssueReportAdmin(ReadOnlyAdmin):
    list_display = ["jurisdiction", "period_start", "period_end", "n_messages", "computed_at"]


@admin.register(VoiceSupport)
class VoiceSupportAdmin(ReadOnlyAdmin):
    list_display = ["voice", "created_at"]
