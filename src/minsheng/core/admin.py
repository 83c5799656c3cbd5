"""The admin's shared rules, and core's own admins.

Every admin of every app is one of two kinds (``tests/web/test_admin.py`` checks the registry):

- ``EventedAdmin``: each add, change and delete made in ``/admin/`` writes an Event in the same
  transaction as the change — the changed fields with their old and new values, except that values
  of ``personal_fields`` are never copied (only their names) and text goes through ``mask_text``.
  Inline rows are recorded the same way.
- ``ReadOnlyAdmin``: nobody adds, changes or deletes (the services do, and they leave Events).

Both apply the site's ``rules`` with the object (``has_perm(permission, obj)``), and hide
``contact_fields`` from anyone without ``contact_permission`` (the site's policy: private phones are
for the admin and staff roles only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.errors import DomainError
from minsheng.core.events import event_record
from minsheng.core.holidays import MAX_FILE_BYTES, holiday_schedule_load, holiday_schedule_parse
from minsheng.core.models import CalendarOverride, DeadlineRule, Event, HolidayDay, HolidaySchedule
from minsheng.core.privacy import mask_text

# Field names whose values are personal wherever they appear; an admin may name more.
PERSONAL_FIELD_NAMES = frozenset(
    {"phone", "mobile", "email", "address", "id_number", "password", "phone_hash", "phone_masked"}
)


def admin_value(value: Any) -> Any:
    """A form value as an Event payload keeps it: records by id, files by name, text masked."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        plain = [admin_value(item) for item in value]
        return sorted(plain, key=str) if isinstance(value, models.QuerySet | set | frozenset) else plain
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dt.date | dt.time | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def admin_changes(form: forms.BaseForm, personal: Iterable[str]) -> dict[str, Any]:
    """What a bound, valid admin form changed: ``{"fields": {name: {"from", "to"}}, "personal": [...]}``."""
    personal = set(personal)
    fields: dict[str, Any] = {}
    hidden: list[str] = []
    for name in form.changed_data:
        if name in personal or name in PERSONAL_FIELD_NAMES:
            hidden.append(name)
            continue
        fields[name] = {
            "from": admin_value(form.initial.get(name)),
            "to": admin_value(form.cleaned_data.get(name)),
        }
    payload: dict[str, Any] = {"fields": fields}
    if hidden:
        payload["personal"] = sorted(hidden)  # changed, values not recorded
    return payload


class RulesAdminMixin:
    """Ask the site's rules with the object, and hide contact fields from those who may not see them."""

    contact_fields: Sequence[str] = ()
    contact_permission: str = ""

    opts: Any

    def _perm(self, request: HttpRequest, action: str, obj: Any) -> bool:
        codename = f"{self.opts.app_label}.{action}_{self.opts.model_name}"
        return bool(request.user.has_perm(codename, obj))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._perm(request, "view", obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._perm(request, "add", None)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._perm(request, "delete", obj)

    def may_see_contacts(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.contact_permission or bool(request.user.has_perm(self.contact_permission, obj))

    def _without_contacts(self, request: HttpRequest, obj: Any, names: Iterable[Any]) -> list[Any]:
        if self.may_see_contacts(request, obj):
            return list(names)
        return [name for name in names if name not in self.contact_fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._without_contacts(request, obj, super().get_fields(request, obj))  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        return [
            (title, {**options, "fields": self._without_contacts(request, obj, options.get("fields", ()))})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._without_contacts(request, obj, super().get_readonly_fields(request, obj))  # type: ignore[misc]

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._without_contacts(request, None, super().get_list_display(request))  # type: ignore[misc]

    def get_search_fields(self, request: HttpRequest) -> Any:
        return self._without_contacts(request, None, super().get_search_fields(request))  # type: ignore[misc]


class EventedAdminMixin(RulesAdminMixin):
    """Writes an Event for every add, change and delete (see the module docstring)."""

    personal_fields: Sequence[str] = ()

    def _personal(self) -> set[str]:
        return {*self.personal_fields, *self.contact_fields}

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            payload = admin_changes(form, self._personal()) if form is not None else {"fields": {}}
            verb = "admin_changed" if change else "admin_created"
            event_record(actor=request.user, verb=verb, target=obj, payload=payload)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows: created, changed and deleted ones each leave an Event, tied to the parent."""
        with transaction.atomic():
            parent = {"parent": f"{form.instance._meta.label_lower}:{form.instance.pk}"}
            for deleted in getattr(formset, "deleted_forms", []):
                if deleted.instance.pk is not None:
                    event_record(actor=request.user, verb="admin_deleted", target=deleted.instance,
                                 payload={**parent, "repr": mask_text(str(deleted.instance))})  # fmt: skip
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            forms_of = {id(f.instance): f for f in formset.forms}
            for obj in formset.new_objects:
                changes = admin_changes(forms_of[id(obj)], self._personal()) if id(obj) in forms_of else {}
                event_record(
                    actor=request.user, verb="admin_created", target=obj, payload={**parent, **changes}
                )
            for obj, _names in formset.changed_objects:
                changes = admin_changes(forms_of[id(obj)], self._personal()) if id(obj) in forms_of else {}
                event_record(
                    actor=request.user, verb="admin_changed", target=obj, payload={**parent, **changes}
                )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            event_record(
                actor=request.user, verb="admin_deleted", target=obj, payload={"repr": mask_text(str(obj))}
            )
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                event_record(
                    actor=request.user,
                    verb="admin_deleted",
                    target=obj,
                    payload={"repr": mask_text(str(obj))},
                )
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class EventedAdmin(EventedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose every change is also in the Event log."""


class ReadOnlyAdmin(RulesAdminMixin, admin.ModelAdmin):
    """Shown to those the rules let see it; nobody adds, changes or deletes here."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_is_read_only(model_admin: admin.ModelAdmin[Any], request: HttpRequest) -> bool:
    """True when no one, a superuser included, may add, change or delete through this admin."""
    return not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(EventedAdmin):
    list_display = ["name", "jurisdiction", "amount", "unit", "description"]
    list_filter = ["unit"]
    list_select_related = ["jurisdiction"]
    search_fields = ["name", "description", "jurisdiction__name"]
    ordering = ["name", "jurisdiction"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(EventedAdmin):
    list_display = ["day", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "day"


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Viewable by those with the view permission; nobody adds, edits or deletes an Event here."""

    list_display = [
        "seq",
        "at",
        "actor",
        "verb",
        "target_type",
        "target_id",
        "from_state",
        "to_state",
        "request_id",
    ]
    list_filter = ["verb", "target_type"]
    list_select_related = ["actor", "target_type"]
    search_fields = ["verb", "target_id", "request_id"]
    date_hierarchy = "at"
    show_full_result_count = False  # counting a long log on every page load is wasted work

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Event._meta.fields]


class HolidayScheduleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Schedule file (JSON, or CSV with the columns date,type,name)"),
        help_text=gettext_lazy(
            "Type 休 for a day off, 班 for a make-up working day. See docs/operations.md."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source (the notice's title and date; read from a JSON file when empty)"),
        max_length=300,
        required=False,
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False)


class HolidayDayInline(ReadOnlyInline):
    model = HolidayDay
    fields = ["day", "is_working_day", "name"]
    readonly_fields = ["day", "is_working_day", "name"]


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(ReadOnlyAdmin):
    """Schedules are loaded whole from the notice (the import view, which records an Event) and
    replaced by loading the year again; they are never edited day by day here."""

    list_display = ["year", "source", "loaded_at", "loaded_by"]
    readonly_fields = ["year", "source", "loaded_at", "loaded_by"]
    inlines = [HolidayDayInline]
    change_list_template = "admin/core/holidayschedule/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="core_holidayschedule_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("core.load_holidayschedule"):
            raise PermissionDenied
        form = HolidayScheduleImportForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST":
            status = 400
            upload = form.cleaned_data.get("file") if form.is_valid() else None
            if upload is not None and upload.size > MAX_FILE_BYTES:
                form.add_error(
                    "file", _("The file is larger than %(limit)s KB.") % {"limit": MAX_FILE_BYTES // 1000}
                )
            elif upload is not None:
                try:
                    parsed = holiday_schedule_parse(
                        upload.read(),
                        filename=upload.name,
                        year=form.cleaned_data["year"],
                        source=form.cleaned_data["source"],
                    )
                    holiday_schedule_load(actor=request.user, schedule=parsed)
                except DomainError as error:
                    form.add_error("file", error.message)
                else:
                    messages.success(
                        request, _("The %(year)s holiday schedule is loaded.") % {"year": parsed.year}
                    )
                    return redirect("admin:core_holidayschedule_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Load a holiday schedule"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/core/holidayschedule/import.html", context, status=status)
