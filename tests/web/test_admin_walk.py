"""The admin applies the site's rules and leaves Events (issue 12, items 4 and 5).

Every URL of every registered admin (list, add, change, delete, history) is opened as every demo
account: each answers exactly what the rules allow, private phones stay hidden from roles that may
not read them, and every admin either records its changes as Events or changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from minsheng.cli import demo_accounts
from minsheng.core.admin import EventedAdminMixin, admin_is_read_only
from minsheng.core.models import Event
from minsheng.org.models import Person, User
from tests.conftest import demo_seed_all

pytestmark = pytest.mark.django_db

VIEWS = ("changelist", "add", "change", "delete", "history")
# Admin views closed to everyone by design, whatever the rules say.
CLOSED = {("org.ApiToken", "add")}  # a token is created by its owner, who is shown its key once


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _rule(user: Any, action: str, model: type[models.Model], obj: Any) -> bool:
    return bool(user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}", obj))


def _allowed(user: Any, model: type[models.Model], model_admin: Any, view: str, obj: Any) -> bool:
    """What the site's rules allow (read-only admins change nothing, whoever asks)."""
    writable = isinstance(model_admin, EventedAdminMixin)
    if (model._meta.label, view) in CLOSED:
        return False
    if view == "changelist":
        return _rule(user, "view", model, None) or (writable and _rule(user, "change", model, None))
    if view == "add":
        return writable and _rule(user, "add", model, None)
    if view == "delete":
        return writable and _rule(user, "delete", model, obj)
    return _rule(user, "view", model, obj) or (writable and _rule(user, "change", model, obj))


def _url(model: type[models.Model], view: str, obj: Any) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=[obj.pk] if view in ("change", "delete", "history") else [])


def test_every_admin_records_its_changes_or_changes_nothing():
    root = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, EventedAdminMixin) or admin_is_read_only(
            model_admin, _request(root)
        ), f"{model._meta.label}: use core.admin.EventedAdmin or ReadOnlyAdmin"


def test_every_admin_url_answers_every_demo_account_as_the_rules_say():
    demo_seed_all()
    accounts = demo_accounts()
    assert {"admin", "leader", "staff", "cppcc_staff", "deputy", "handler", "lawstaff", "jumin"} <= {
        a.username for a in accounts
    }
    checked = 0
    for account in accounts:
        user = User.objects.get(username=account.username)
        client = Client()
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            obj = model._default_manager.order_by("pk").first()
            for view in VIEWS:
                if obj is None and view in ("change", "delete", "history"):
                    continue
                response = client.get(_url(model, view, obj))
                if not user.is_staff:
                    expected = 302  # to the admin's sign-in page
                else:
                    fresh = User.objects.get(pk=user.pk)  # no permission cache from an earlier check
                    expected = 200 if _allowed(fresh, model, model_admin, view, obj) else 403
                assert response.status_code == expected, (account.username, model._meta.label, view)
                checked += 1
    assert checked > 500


def test_a_leader_does_not_read_private_phones_in_the_admin():
    demo_seed_all()
    person = Person.objects.exclude(phone="").order_by("pk").first()
    assert person is not None
    url = reverse("admin:org_person_change", args=[person.pk])
    seen = {}
    for username in ("leader", "staff", "admin"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, username
        seen[username] = person.phone in response.content.decode()
    assert seen == {"leader": False, "staff": True, "admin": True}


# Admin edits write Events -----------------------------------------------------------------------


def _post_data(model_admin: Any, request: Any, obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """What the admin's change form would post for ``obj``, with ``changes`` typed in."""
    form_class = model_admin.get_form(request, obj, change=obj is not None)
    form = form_class(instance=obj)
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = changes.get(name, form[name].value())
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.JSONField):
            data[name] = value if isinstance(value, str) else json.dumps(value)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    return data


def _admin_edit(model: type[models.Model], obj: Any, changes: dict[str, Any]) -> Event:
    root = User.objects.get(username="admin")
    client = Client()
    client.force_login(root)
    model_admin = admin.site._registry[model]
    data = _post_data(model_admin, _request(root), obj, changes)
    before = Event.objects.count()
    response = client.post(_url(model, "change", obj), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    events = list(Event.objects.filter(seq__gt=before).order_by("seq"))
    assert len(events) == 1
    return events[0]


def test_admin_edits_of_settings_and_records_write_events_with_old_and_new_values():
    from minsheng.core.models import CalendarOverride, DeadlineRule
    from minsheng.deliberation.models import Meeting, Topic
    from minsheng.legislation.models import Opinion

    demo_seed_all()
    rule = DeadlineRule.objects.order_by("pk").first() or DeadlineRule.objects.create(
        name="motion_reply", amount=3, unit="months"
    )
    event = _admin_edit(DeadlineRule, rule, {"amount": rule.amount + 1})
    assert event.verb == "admin_changed"
    assert event.payload["fields"]["amount"] == {"from": rule.amount, "to": rule.amount + 1}

    override = CalendarOverride.objects.create(day=dt.date(2030, 10, 8), is_working_day=False, reason="调休")
    event = _admin_edit(CalendarOverride, override, {"is_working_day": True, "reason": "补班"})
    assert event.payload["fields"]["is_working_day"] == {"from": False, "to": True}

    topic = Topic.objects.order_by("pk").first()
    assert topic is not None
    event = _admin_edit(Topic, topic, {"question": "如何改善老旧小区的停车？"})
    assert event.payload["fields"]["question"]["to"] == "如何改善老旧小区的停车？"
    assert event.target_id == str(topic.pk)

    meeting = Meeting.objects.order_by("pk").first()
    assert meeting is not None
    event = _admin_edit(Meeting, meeting, {"minutes": "会议纪要：议定三件事。联系人 13912345678。"})
    assert "13912345678" not in json.dumps(event.payload, ensure_ascii=False)  # masked
    assert event.payload["fields"]["minutes"]["to"].startswith("会议纪要")

    opinion = (
        Opinion.objects.exclude(phone="").order_by("pk").first() or Opinion.objects.order_by("pk").first()
    )
    assert opinion is not None
    event = _admin_edit(Opinion, opinion, {"text": "建议第三条增加听证程序。"})
    assert event.payload["fields"]["text"]["to"] == "建议第三条增加听证程序。"
    if opinion.phone:
        assert opinion.phone not in json.dumps(event.payload, ensure_ascii=False)
