"""Consultation records in the admin: every change leaves an Event; the analyses are read-only."""

from django.contrib import admin

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.deliberation.models import Analysis, Meeting, Outcome, Statement, Topic


@admin.register(Topic)
class TopicAdmin(EventedAdmin):
    personal_fields = ("proposer_phone_hash", "proposer_phone_masked")
    list_display = ["title", "body", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "proposer_phone_hash", "analysis_pending", "analysed_at"]


@admin.register(Statement)
class StatementAdmin(EventedAdmin):
    list_display = ["text", "topic", "status", "is_seed"]
    readonly_fields = ["status"]


@admin.register(Meeting)
class MeetingAdmin(EventedAdmin):
    list_display = ["topic", "starts_at", "place", "status"]
    readonly_fields = ["status"]


@admin.register(Outcome)
class OutcomeAdmin(EventedAdmin):
    list_display = ["text", "unit", "due", "status"]
    readonly_fields = ["status"]


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ["topic", "computed_at", "vote_count", "incremental"]
    readonly_fields = ["result", "divisive"]
