"""Voice work orders as a unit lives them (issue 11.14): a unit returns a work order that is not its
business, with a reason, within the return period; it asks for more time, which those who route the
voice grant or refuse; every step is a transition with an Event, refused steps change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from minsheng.core.errors import DomainError
from minsheng.core.events import events_for
from minsheng.core.messaging import outbox
from minsheng.core.models import Event, Notification
from minsheng.voices.models import Voice, VoiceStatus, WorkOrder, WorkOrderStatus
from minsheng.voices.services import (
    TRACKED_SESSION_KEY,
    voice_forward,
    work_order_extend,
    work_order_extension_refuse,
    work_order_extension_request,
    work_order_return,
)
from tests.demo_roles import DEMO_ROLES
from tests.voices.conftest import RESIDENT_PHONE, account
from tests.voices.test_staff_web import client_for
from tests.voices.workflow import actor_for

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _forwarded(make_voice: Any, unit: Any) -> Voice:
    return voice_forward(actor=account("deputy"), voice=make_voice(), unit=unit)


def _order(voice: Voice) -> WorkOrder:
    return WorkOrder.objects.filter(voice=voice).order_by("-id").first()  # type: ignore[return-value]


def _snapshot(voice: Voice) -> tuple[Any, ...]:
    fresh = Voice.objects.get(pk=voice.pk)
    return (
        fresh.status,
        fresh.triage_due,
        Event.objects.count(),
        list(
            WorkOrder.objects.filter(voice=voice).values_list(
                "status", "due", "return_reason", "extension_requested_to", "extension_reason"
            )
        ),
    )


def test_a_unit_returns_a_work_order_that_is_not_its_business(
    make_voice, transport_unit, other_unit, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        voice = _forwarded(make_voice, transport_unit)
        order = _order(voice)
        assert order.return_by == dt.date(2026, 3, 5)  # 3 working days (voice_return), before the reply date
        handler = account("handler")
        page = client_for("handler").get(reverse("voices:detail", args=[voice.pk])).content.decode()
        assert f"/voices/{voice.pk}/return/" in page
        notices = Notification.objects.count()
        voice = work_order_return(actor=handler, voice=voice, reason="路灯由供电公司维护，不属于交通局职责。")
    order.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED and order.status == WorkOrderStatus.RETURNED
    assert order.return_reason.startswith("路灯由供电公司维护")
    assert voice.triage_due > dt.date(2026, 3, 2)  # routed again from the day it came back
    last = list(events_for(voice))[-1]
    assert (last.verb, last.from_state, last.to_state) == ("return", "forwarded", "received")
    assert list(events_for(order))[-1].verb == "return"
    assert Notification.objects.count() > notices  # the deputy and the station are told
    # The unit no longer sees it; the deputy routes it again to the right unit.
    assert client_for("handler").get(reverse("voices:detail", args=[voice.pk])).status_code == 404
    voice = voice_forward(actor=account("deputy"), voice=voice, unit=other_unit)
    assert voice.status == VoiceStatus.FORWARDED and _order(voice).unit == other_unit
    # The resident's tracking page says it was returned and forwarded again, naming no official.
    tracked = client_for("jumin")
    session = tracked.session
    session[TRACKED_SESSION_KEY] = [voice.pk]
    session.save()
    page = tracked.get(reverse("voices:tracked", args=[voice.pk])).content.decode()
    assert "退回" in page and "handler" not in page


def test_returning_late_without_a_reason_or_twice_is_refused(make_voice, transport_unit):
    with time_machine.travel(MONDAY, tick=False) as traveller:
        voice = _forwarded(make_voice, transport_unit)
        handler = account("handler")
        before = _snapshot(voice)
        with pytest.raises(DomainError):
            work_order_return(actor=handler, voice=voice, reason="   ")
        assert _snapshot(voice) == before
        traveller.shift(dt.timedelta(days=4))  # Friday: past the return date (Thursday)
        with pytest.raises(DomainError) as refused:
            work_order_return(actor=handler, voice=voice, reason="不属于本单位。")
        assert "2026-03-05" in refused.value.message
        assert _snapshot(voice) == before
        page = client_for("handler").get(reverse("voices:detail", args=[voice.pk])).content.decode()
        assert "/return/" not in page


def test_more_time_asked_granted_and_the_person_told(
    make_voice, transport_unit, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        voice = _forwarded(make_voice, transport_unit)
        order = _order(voice)
        handler, deputy = account("handler"), account("deputy")
        for bad in (order.due, order.max_due + dt.timedelta(days=1)):
            before = _snapshot(voice)
            with pytest.raises(DomainError):
                work_order_extension_request(actor=handler, voice=voice, until=bad, reason="需要协调。")
            assert _snapshot(voice) == before
        asked = order.due + dt.timedelta(days=7)
        work_order_extension_request(actor=handler, voice=voice, until=asked, reason="需要与供电公司协调。")
        # The deputy's desk lists the request; the page offers grant and refuse.
        assert voice.summary in client_for("deputy").get("/me/").content.decode()
        page = client_for("deputy").get(reverse("voices:detail", args=[voice.pk])).content.decode()
        assert "/extend/" in page and "/refuse_extension/" in page
        outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            work_order_extend(actor=deputy, voice=voice, reason="情况属实，同意延期。")
    order.refresh_from_db()
    assert order.due == asked and order.extension_requested_to is None
    assert order.extension_reason == "情况属实，同意延期。"
    extend = list(events_for(order))[-1]
    assert extend.verb == "extend" and extend.payload["due"] == asked.isoformat()
    assert any(m.to == RESIDENT_PHONE and asked.isoformat() in m.body for m in outbox)


def test_more_time_refused_keeps_the_date(make_voice, transport_unit):
    with time_machine.travel(MONDAY, tick=False):
        voice = _forwarded(make_voice, transport_unit)
        order = _order(voice)
        handler, staff = account("handler"), account("staff")
        with pytest.raises(DomainError):  # nothing asked yet
            work_order_extension_refuse(actor=staff, voice=voice, reason="不同意。")
        work_order_extension_request(
            actor=handler, voice=voice, until=order.due + dt.timedelta(days=2), reason="人手不足。"
        )
        work_order_extension_refuse(actor=staff, voice=voice, reason="期限内可以办结。")
    fresh = _order(voice)
    assert fresh.due == order.due and fresh.extension_requested_to is None
    assert [e.verb for e in events_for(fresh)][-2:] == ["request_extension", "refuse_extension"]


@pytest.mark.parametrize("decision", ["extend", "refuse_extension"])
def test_who_decides_on_more_time(make_voice, transport_unit, decision):
    """Those who route the voice decide: its deputy, its station, the congress's office, the
    administrator; never the unit itself, another office, or a resident."""
    deciders = {"deputy", "station", "staff", "admin"}
    for role in ("resident", *DEMO_ROLES):
        voice = _forwarded(make_voice, transport_unit)
        order = _order(voice)
        work_order_extension_request(
            actor=account("handler"), voice=voice, until=order.due + dt.timedelta(days=1), reason="需要协调。"
        )
        before = _snapshot(voice)
        run = work_order_extend if decision == "extend" else work_order_extension_refuse
        try:
            run(actor=actor_for(role, voice), voice=voice, reason="决定。")
        except DomainError:
            assert role not in deciders, role
            assert _snapshot(voice) == before, role
        else:
            assert role in deciders, role
            assert list(events_for(_order(voice)))[-1].verb == decision


def test_web_and_api_forms(make_voice, transport_unit):
    voice = _forwarded(make_voice, transport_unit)
    order = _order(voice)
    handler = client_for("handler")
    response = handler.post(
        reverse("voices:action", args=[voice.pk, "request_extension"]),
        {"until": str(order.due + dt.timedelta(days=3)), "reason": "", "expected_state": "forwarded"},
    )
    assert response.status_code == 400 and "请" in response.content.decode()
    assert _order(voice).extension_requested_to is None
    api = handler.post(
        f"/api/voices/{voice.pk}/request-extension",
        {"until": str(order.due + dt.timedelta(days=3)), "reason": "需要协调。"},
        content_type="application/json",
    )
    assert api.status_code == 200, api.content
    assert api.json()["work_orders"][-1]["extension_requested_to"] == str(order.due + dt.timedelta(days=3))
    staff = client_for("staff")
    assert "extend" in staff.get(f"/api/voices/{voice.pk}").json()["allowed_actions"]
    refused = client_for("lawstaff").post(
        f"/api/voices/{voice.pk}/extend", {"reason": "同意。"}, content_type="application/json"
    )
    assert refused.status_code == 404
    granted = staff.post(
        reverse("voices:action", args=[voice.pk, "extend"]),
        {"until": str(order.due + dt.timedelta(days=3)), "reason": "同意。", "expected_state": "forwarded"},
    )
    assert granted.status_code == 302
    assert _order(voice).due == order.due + dt.timedelta(days=3)
