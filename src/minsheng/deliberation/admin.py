from django.contrib import admin

from minsheng.deliberation.models import Analysis, Meeting, Outcome, Statement, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "proposer_phone_hash", "analysis_pending", "analysed_at"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["text", "topic", "status", "is_seed"]
    readonly_fields = ["status"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["topic", "starts_at", "place", "status"]
    readonly_fields = ["status"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["text", "unit", "due", "status"]
    readonly_fields = ["status"]


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["topic", "computed_at", "vote_count", "incremental"]
    readonly_fields = ["result", "divisive"]
