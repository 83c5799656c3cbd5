"""Read-mostly admin of consultations (every change leaves an Event); the workflow runs through the
services and pages. Commenters' names and phones are shown only to the contact point's staff."""

from django.contrib import admin

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.legislation.models import ConsultationTask, DraftVersion, Meeting, Opinion, ReportEntry


@admin.register(ConsultationTask)
class ConsultationTaskAdmin(EventedAdmin):
    list_display = ("title", "contact_point", "status", "received_on", "comment_deadline")
    list_filter = ("status", "contact_point")
    search_fields = ("title", "issuing_body")
    readonly_fields = ("status", "report", "created_by")


@admin.register(DraftVersion)
class DraftVersionAdmin(ReadOnlyAdmin):
    list_display = ("task", "number", "source_name", "created_at")
    readonly_fields = ("task", "number", "text", "outline", "warnings")


@admin.register(Opinion)
class OpinionAdmin(EventedAdmin):
    personal_fields = ("author_name",)
    contact_fields = ("phone", "author_name")
    contact_permission = "legislation.view_contact_opinion"
    list_display = ("task", "original_label", "source", "created_at")
    list_filter = ("source",)
    readonly_fields = ("task", "article", "author", "phone", "entry", "duplicate_of", "meeting")


@admin.register(Meeting)
class MeetingAdmin(EventedAdmin):
    list_display = ("task", "kind", "held_on", "place", "attendance")


@admin.register(ReportEntry)
class ReportEntryAdmin(EventedAdmin):
    list_display = ("task", "article", "submitted", "outcome", "final_article")
    readonly_fields = ("task", "article", "outcome", "final_article")
