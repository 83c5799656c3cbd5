"""Admin: voting rules and settings are configuration; meetings are run through the pages and services.

Meetings, polls and their records are shown read-only here (changes go through the services so that
every change leaves an Event). Ballot boxes are not in the admin at all (core.ballots).
"""

from __future__ import annotations

from django.contrib import admin

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.meetings.models import Appointment, Meeting, Poll, VotingRule, VotingSettings


@admin.register(VotingRule)
class VotingRuleAdmin(EventedAdmin):
    list_display = ["purpose", "body", "body_kind", "base", "numerator", "denominator", "strict"]
    list_filter = ["purpose", "base", "body_kind"]
    list_select_related = ["body"]


@admin.register(VotingSettings)
class VotingSettingsAdmin(EventedAdmin):
    list_display = ["body", "named_polls", "allow_change"]
    list_select_related = ["body"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "body", "kind", "starts_on", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["body"]
    search_fields = ["title"]
    exclude = ["screen_key"]


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "kind", "status", "passed"]
    list_filter = ["kind", "status"]
    list_select_related = ["meeting"]
    exclude = ["box_id"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "action", "office", "effective_on", "number", "oath_on"]
    list_select_related = ["nominee"]
