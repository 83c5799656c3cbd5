"""Administrators configure the organisation here; every change is also written to the Event log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.core.events import event_record
from minsheng.org.models import (
    ApiToken,
    Body,
    Constituency,
    Jurisdiction,
    Membership,
    Person,
    Sector,
    Term,
    Unit,
    User,
)


class EventedAdmin(admin.ModelAdmin):
    """Writes an Event beside Django's own admin log, in the same transaction as the change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = sorted(form.changed_data) if form is not None else []
            verb = "admin_changed" if change else "admin_created"
            event_record(actor=request.user, verb=verb, target=obj, payload={"fields": changed})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            event_record(actor=request.user, verb="admin_deleted", target=obj, payload={"repr": str(obj)})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                event_record(actor=request.user, verb="admin_deleted", target=obj, payload={"repr": str(obj)})
            super().delete_queryset(request, queryset)


@admin.register(Jurisdiction)
class JurisdictionAdmin(EventedAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


@admin.register(Body)
class BodyAdmin(EventedAdmin):
    list_display = ["name", "kind", "jurisdiction", "reception_schedule"]
    list_filter = ["kind", "jurisdiction__level"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["jurisdiction", "parent"]
    list_select_related = ["jurisdiction"]


@admin.register(Unit)
class UnitAdmin(EventedAdmin):
    list_display = ["name", "kind", "jurisdiction"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["jurisdiction"]
    list_select_related = ["jurisdiction"]


@admin.register(Term)
class TermAdmin(EventedAdmin):
    list_display = ["__str__", "start", "end"]
    autocomplete_fields = ["body"]


@admin.register(Sector)
class SectorAdmin(EventedAdmin):
    list_display = ["name", "committee", "order"]
    search_fields = ["name"]


@admin.register(Constituency)
class ConstituencyAdmin(EventedAdmin):
    list_display = ["name", "term"]
    search_fields = ["name"]
    filter_horizontal = ["places"]
    list_select_related = ["term__body"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["body", "unit", "constituency", "sector"]
    fields = ["role", "title", "body", "unit", "term", "constituency", "sector", "start", "end"]


@admin.register(Person)
class PersonAdmin(EventedAdmin):
    list_display = ["name", "pinyin_initials", "gender", "party", "occupation"]
    search_fields = ["name", "pinyin", "pinyin_initials"]
    list_filter = ["gender"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(EventedAdmin):
    list_display = ["person", "role", "title", "body", "unit", "term", "start", "end"]
    list_filter = ["role", "body__kind"]
    search_fields = ["person__name", "person__pinyin_initials", "title"]
    autocomplete_fields = ["person", "body", "unit", "constituency", "sector"]
    list_select_related = ["person", "body", "unit", "term__body"]


@admin.register(User)
class MinshengUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Minsheng"), {"fields": ("phone", "person")}),
    )
    list_display = ["username", "first_name", "phone", "is_staff", "is_active"]
    search_fields = ["username", "first_name", "phone"]
    autocomplete_fields = ["person"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["key_hash", "last_used_at"]
