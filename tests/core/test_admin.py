"""Admin: deadline rules and overrides are editable; the Event log is read-only for everyone."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from minsheng.core.models import CalendarOverride, DeadlineRule, Event


@pytest.fixture
def superuser_request(django_user_model):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


def test_events_cannot_be_added_changed_or_deleted_even_by_a_superuser(superuser_request):
    event_admin = admin.site._registry[Event]
    assert not event_admin.has_add_permission(superuser_request)
    assert not event_admin.has_change_permission(superuser_request)
    assert not event_admin.has_delete_permission(superuser_request)
    assert event_admin.has_view_permission(superuser_request)


@pytest.mark.parametrize("model", [DeadlineRule, CalendarOverride])
def test_rules_and_overrides_are_editable(model, superuser_request):
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(superuser_request)
    assert model_admin.has_change_permission(superuser_request)
