"""Administrators configure the organisation here; every change is also written to the Event log.

Private phones (``Person.phone``, ``User.phone``) are shown only to those ``org.view_contact_person``
allows (the admin and staff roles), as on the site.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from minsheng.core.admin import EventedAdmin, EventedAdminMixin
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
    contact_fields = ("phone",)
    contact_permission = "org.view_contact_person"
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
class MinshengUserAdmin(EventedAdminMixin, UserAdmin):
    personal_fields = ("password", "email", "first_name", "last_name")
    contact_fields = ("phone",)
    contact_permission = "org.view_contact_person"
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Minsheng"), {"fields": ("phone", "person")}),
    )
    list_display = ["username", "first_name", "phone", "is_staff", "is_active"]
    search_fields = ["username", "first_name", "phone"]
    autocomplete_fields = ["person"]

    @transaction.atomic
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """The password form saves outside ``save_model``: record a successful change here."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.filter(pk=id).first()
            if user is not None:
                event_record(actor=request.user, verb="admin_password_changed", target=user)
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(EventedAdmin):
    """Tokens are created by their owner (the site, the API or the command line); here they can only
    be looked at or deleted, which revokes them."""

    list_display = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["name", "user", "key_hash", "last_used_at"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class EventedGroupAdmin(EventedAdminMixin, GroupAdmin):
    """Groups grant model permissions: who changed them is part of the record."""
