"""Voices in the admin: read-only. Every change goes through the services, which leave Events."""

from __future__ import annotations

from django.contrib import admin

from minsheng.core.admin import ReadOnlyAdmin
from minsheng.voices.models import ReceptionDay, SocialReport, Voice, VoiceReply, WorkOrder


@admin.register(Voice)
class VoiceAdmin(ReadOnlyAdmin):
    contact_fields = ("phone", "name")
    contact_permission = "voices.view_contact_voice"
    list_display = ("tracking_code", "created_at", "channel", "kind", "status", "jurisdiction", "triage_due")
    list_filter = ("status", "channel", "kind")
    search_fields = ("tracking_code",)
    list_select_related = ("jurisdiction",)


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("voice", "unit", "due", "due_rule", "round", "status")
    list_filter = ("status", "due_rule")
    list_select_related = ("voice", "unit")


@admin.register(VoiceReply)
class VoiceReplyAdmin(ReadOnlyAdmin):
    list_display = ("voice", "source", "created_at", "rating")
    list_select_related = ("voice",)


@admin.register(ReceptionDay)
class ReceptionDayAdmin(ReadOnlyAdmin):
    list_display = ("station", "date", "start_time", "end_time", "status")
    list_select_related = ("station",)


@admin.register(SocialReport)
class SocialReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "author", "created_at", "status")
    list_select_related = ("author",)
