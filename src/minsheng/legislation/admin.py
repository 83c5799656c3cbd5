"""Read-mostly admin of consultations: the workflow itself runs through the services and pages."""

from django.contrib import admin

from minsheng.legislation.models import ConsultationTask, DraftVersion, Meeting, Opinion, ReportEntry


@admin.register(ConsultationTask)
class ConsultationTaskAdmin(admin.ModelAdmin):
    list_display = ("title", "contact_point", "status", "received_on", "comment_deadline")
    list_filter = ("status", "contact_point")
    search_fields = ("title", "issuing_body")
    readonly_fields = ("status", "report", "created_by")


@admin.register(DraftVersion)
class DraftVersionAdmin(admin.ModelAdmin):
    list_display = ("task", "number", "source_name", "created_at")
    readonly_fields = ("task", "number", "text", "outline", "warnings")


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ("task", "original_label", "source", "created_at")
    list_filter = ("source",)
    readonly_fields = ("task", "article", "author", "phone", "entry", "duplicate_of", "meeting")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("task", "kind", "held_on", "place", "attendance")


@admin.register(ReportEntry)
class ReportEntryAdmin(admin.ModelAdmin):
    list_display = ("task", "article", "submitted", "outcome", "final_article")
    readonly_fields = ("task", "article", "outcome", "final_article")
