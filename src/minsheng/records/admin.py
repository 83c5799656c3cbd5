"""Admin of the records app: points schemes (rules as data, edited by the body's staff; every save is an
Event and raises the version) and reading groups; the record itself and annual reports are read-only
here (the engine and the services write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from minsheng.core.admin import EventedAdmin, ReadOnlyAdmin
from minsheng.records.models import AnnualReport, Book, PointRule, PointsScheme, ReadingGroup, RecordEntry
from minsheng.records.services import points_version_record


class PointRuleInline(admin.TabularInline):  # its rows are recorded by the scheme admin
    model = PointRule
    extra = 1


@admin.register(PointsScheme)
class PointsSchemeAdmin(EventedAdmin):
    list_display = ("body", "year", "version", "rankings_public")
    list_filter = ("year", "rankings_public")
    readonly_fields = ("version",)
    inlines = (PointRuleInline,)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """A changed scheme (its fields or its rules) is a new version: results name the version."""
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            touched = form.has_changed() or any(formset.has_changed() for formset in formsets)
            if change and touched:
                PointsScheme.objects.filter(pk=form.instance.pk).update(version=F("version") + 1)
                form.instance.refresh_from_db(fields=["version"])
            if touched or not change:  # the version's rules as data: staff compare versions' results
                points_version_record(actor=request.user, scheme=form.instance)


class BookInline(admin.TabularInline):  # its rows are recorded by the group admin
    model = Book
    extra = 1


@admin.register(ReadingGroup)
class ReadingGroupAdmin(EventedAdmin):
    list_display = ("name", "body")
    search_fields = ("name",)
    filter_horizontal = ("members",)
    inlines = (BookInline,)


@admin.register(AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ("person", "body", "year", "status", "published_at")
    list_filter = ("status", "year")


@admin.register(RecordEntry)
class RecordEntryAdmin(ReadOnlyAdmin):
    list_display = ("person", "body", "year", "kind", "target_type", "target_id", "outcome", "public")
    list_filter = ("kind", "year", "public")
    show_full_result_count = False
