"""The 7-day effective reply at liaison stations (issue 11.13): a voice sent to a station is routed by
the station rule, stored with its name; the daily job reminds those who route voices and the units
that owe replies, once a day."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import AnonymousUser

from minsheng.core.calendar import deadline_compute
from minsheng.core.events import events_for
from minsheng.core.models import Notification
from minsheng.voices.models import VoiceChannel, WorkOrder
from minsheng.voices.services import voice_answer, voice_create, voice_forward
from minsheng.voices.tasks import reply_reminders_send, routing_reminders_send, voices_remind_task
from tests.voices.conftest import account

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_voice_to_a_station_is_routed_within_the_station_rule(db, home_station, deputy_seat):
    with time_machine.travel(MONDAY, tick=False):
        at_station = voice_create(
            actor=AnonymousUser(), channel=VoiceChannel.WEB, text="社区健身器材损坏。", phone="13912345678",
            station=home_station,
        )  # fmt: skip
        to_deputy = voice_create(
            actor=AnonymousUser(), channel=VoiceChannel.WEB, text="路灯不亮。", phone="13912345678",
            addressed_to=deputy_seat,
        )  # fmt: skip
    start = dt.date(2026, 3, 2)
    place = at_station.jurisdiction
    station_due = deadline_compute(rule_name="voice_station_reply", start=start, jurisdiction=place)
    assert (at_station.triage_rule, at_station.triage_due) == ("voice_station_reply", station_due.due)
    assert at_station.triage_due == dt.date(2026, 3, 9)  # 7 calendar days
    assert (to_deputy.triage_rule, to_deputy.triage_due) == ("voice_forward", dt.date(2026, 3, 12))
    assert events_for(at_station).first().payload["rule"] == "voice_station_reply"


def test_routing_reminders_reach_the_station_once_a_day(db, make_voice):
    with time_machine.travel(MONDAY, tick=False):
        voice = make_voice()  # to the demo deputy at the demo station
        answered = make_voice(text="小区门口积水。")
        voice_answer(actor=account("station"), voice=answered, text="已联系社区处理。")
    assert voice.triage_due == dt.date(2026, 3, 9)
    assert routing_reminders_send(dt.date(2026, 3, 7)) == 0  # two days ahead: not yet
    # The day before; the voice already answered is not reminded.
    assert routing_reminders_send(dt.date(2026, 3, 8)) == 1
    assert routing_reminders_send(dt.date(2026, 3, 8)) == 0, "once a day"
    for username in ("deputy", "station"):
        assert Notification.objects.filter(user=account(username), text__contains=voice.summary).exists()
    assert routing_reminders_send(dt.date(2026, 3, 10)) == 1  # overdue
    overdue = [e for e in events_for(voice) if e.verb == "remind_routing"][-1]
    assert overdue.actor is None and overdue.payload["overdue"] is True


def test_reply_reminders_reach_the_unit_and_when_late_those_who_route(db, make_voice, transport_unit):
    with time_machine.travel(MONDAY, tick=False):
        voice = voice_forward(actor=account("deputy"), voice=make_voice(), unit=transport_unit)
    order = WorkOrder.objects.get(voice=voice)
    handler, deputy = account("handler"), account("deputy")
    assert reply_reminders_send(order.due - dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(user=handler, text__contains=voice.summary).exists()
    deputy_notices = Notification.objects.filter(user=deputy).count()
    assert reply_reminders_send(order.due + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(user=deputy).count() == deputy_notices + 1
    result = voices_remind_task.enqueue()
    assert set(result.return_value) == {"routing", "replies"}
