"""Service rules beyond the workflow table: intake checks, merge and adoption, reception days, reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for
from minsheng.core.messaging import outbox
from minsheng.core.models import Notification
from minsheng.voices.models import ReceptionDay, Voice, VoiceChannel, VoiceStatus
from minsheng.voices.rules import TrackingActor
from minsheng.voices.selectors import voice_for_tracking, voice_replies
from minsheng.voices.services import (
    TRACKING_ALPHABET,
    reception_day_cancel,
    reception_day_publish,
    social_report_create,
    voice_adopt,
    voice_create,
    voice_forward,
    voice_merge,
    voice_reply,
)
from tests.voices.conftest import RESIDENT_PHONE, account


def test_tracking_codes_are_short_unambiguous_and_unique(make_voice):
    codes = {make_voice().tracking_code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 10 and set(code) <= set(TRACKING_ALPHABET)
        assert not set(code) & set("01IO")


def test_tracking_needs_code_and_phone_together(make_voice):
    voice = make_voice()
    assert voice_for_tracking(code=voice.tracking_code, phone=RESIDENT_PHONE) == voice
    assert voice_for_tracking(
        code=f" {voice.tracking_code[:5]}-{voice.tracking_code[5:].lower()} ", phone=RESIDENT_PHONE
    )
    assert voice_for_tracking(code=voice.tracking_code, phone="13800000000") is None
    assert voice_for_tracking(code="", phone=RESIDENT_PHONE) is None


def test_create_checks_channel_and_who_enters(db, home_station):
    anonymous = AnonymousUser()
    with pytest.raises(ValidationFailedError):
        voice_create(actor=anonymous, channel="fax", text="内容", phone=RESIDENT_PHONE)
    with pytest.raises(PermissionDeniedError):
        voice_create(actor=anonymous, channel=VoiceChannel.RECEPTION, text="内容", phone=RESIDENT_PHONE)
    with pytest.raises(PermissionDeniedError):
        voice_create(
            actor=account("handler"), channel=VoiceChannel.RECEPTION, text="内容", phone=RESIDENT_PHONE
        )
    assert not Voice.objects.exists()
    forwarded = voice_create(
        actor=account("staff"), channel=VoiceChannel.MOTION_FORWARD, text="建议转来的内容", phone=""
    )
    assert forwarded.phone == "" and forwarded.jurisdiction.level == "district"
    entered = voice_create(
        actor=account("station"),
        channel=VoiceChannel.RECEPTION,
        text="来访",
        phone=RESIDENT_PHONE,
        station=home_station,
    )
    assert entered.entered_by is not None and entered.jurisdiction == home_station.jurisdiction


def test_signed_in_resident_is_the_submitter_and_can_rate(db, transport_unit):
    from minsheng.voices.models import Rating
    from minsheng.voices.services import voice_rate

    resident = account("member")  # anyone with an account may write as a resident
    voice = voice_create(
        actor=resident, channel=VoiceChannel.WEB, text="小区缺少充电桩。", phone=RESIDENT_PHONE
    )
    assert voice.submitter == resident
    voice = voice_forward(actor=account("staff"), voice=voice, unit=transport_unit)
    voice = voice_reply(actor=account("handler"), voice=voice, text="已协调增设。")
    assert Notification.objects.filter(user=resident).exists()
    voice = voice_rate(actor=account("member"), voice=voice, rating=Rating.BASICALLY_SATISFIED)
    assert voice.status == VoiceStatus.CLOSED


def test_merged_duplicate_hears_the_answer_too(
    make_voice, transport_unit, django_capture_on_commit_callbacks
):
    main = make_voice()
    duplicate = make_voice(text="同一个路灯，我也反映一下。", phone="13700002222")
    staff = account("staff")
    voice_merge(actor=staff, voice=duplicate, into=main)
    main = voice_forward(actor=staff, voice=main, unit=transport_unit)
    with django_capture_on_commit_callbacks(execute=True):
        voice_reply(actor=account("handler"), voice=main, text="路灯已更换。")
    assert any(m.to == "13700002222" and "区交通运输局" in m.body for m in outbox)
    assert [r.text for r in voice_replies(Voice.objects.get(pk=duplicate.pk))] == ["路灯已更换。"]


def test_merge_refuses_itself_and_merged_targets(make_voice):
    first, second, third = make_voice(), make_voice(), make_voice()
    staff = account("staff")
    with pytest.raises(ValidationFailedError):
        voice_merge(actor=staff, voice=first, into=first)
    voice_merge(actor=staff, voice=second, into=first)
    with pytest.raises(ValidationFailedError):
        voice_merge(actor=staff, voice=third, into=Voice.objects.get(pk=second.pk))
    assert Voice.objects.get(pk=third.pk).status == VoiceStatus.RECEIVED


def test_adopt_records_the_motion_and_tells_the_person(make_voice, django_capture_on_commit_callbacks):
    voice = make_voice()
    with django_capture_on_commit_callbacks(execute=True):
        voice = voice_adopt(actor=account("deputy"), voice=voice, motion_label="关于路灯维护的建议")
    assert voice.status == VoiceStatus.ADOPTED
    assert list(events_for(voice))[-1].payload == {"motion": "关于路灯维护的建议"}
    assert any("关于路灯维护的建议" in m.body for m in outbox)


def test_reception_days_are_announced_three_days_ahead(db, home_station, deputy_seat):
    station = account("station")
    today = timezone.localdate()
    with pytest.raises(ValidationFailedError):
        reception_day_publish(
            actor=station,
            station=home_station,
            date=today + dt.timedelta(days=2),
            start_time=dt.time(9),
            end_time=dt.time(11),
            place="接待室",
        )
    with pytest.raises(PermissionDeniedError):
        reception_day_publish(
            actor=account("handler"),
            station=home_station,
            date=today + dt.timedelta(days=5),
            start_time=dt.time(9),
            end_time=dt.time(11),
            place="接待室",
        )
    assert not ReceptionDay.objects.exists()
    day = reception_day_publish(
        actor=station,
        station=home_station,
        date=today + dt.timedelta(days=3),
        start_time=dt.time(9),
        end_time=dt.time(11),
        place="接待室",
        deputies=[deputy_seat],
    )
    assert Notification.objects.filter(user=account("deputy")).exists()
    day = reception_day_cancel(actor=station, day=day, reason="台风预警")
    assert day.status == "cancelled"
    assert [e.verb for e in events_for(day)] == ["publish", "cancel"]


def test_social_reports_by_members_and_staff_only(db):
    report = social_report_create(actor=account("member"), title="助餐点覆盖不足", text="偏远村组难以受益。")
    assert report.status == "submitted"
    with pytest.raises(PermissionDeniedError):
        social_report_create(actor=account("handler"), title="标题", text="内容")
    with pytest.raises(ValidationFailedError):
        social_report_create(actor=account("member"), title="", text="内容")


def test_tracking_actor_rates_only_its_own_voice(make_voice, transport_unit):
    from minsheng.voices.models import Rating
    from minsheng.voices.services import voice_rate

    mine, other = make_voice(), make_voice()
    staff, handler = account("staff"), account("handler")
    for voice in (mine, other):
        voice_reply(
            actor=handler, voice=voice_forward(actor=staff, voice=voice, unit=transport_unit), text="好"
        )
    with pytest.raises(PermissionDeniedError):
        voice_rate(actor=TrackingActor(mine.pk), voice=other, rating=Rating.SATISFIED)
    assert Voice.objects.get(pk=other.pk).status == VoiceStatus.REPLIED


def test_triagers_chase_the_unit_without_changing_the_state(make_voice, transport_unit):
    from minsheng.voices.services import work_order_remind

    voice = make_voice()
    with pytest.raises(ValidationFailedError):
        work_order_remind(actor=account("deputy"), voice=voice)
    voice = voice_forward(actor=account("deputy"), voice=voice, unit=transport_unit)
    with pytest.raises(PermissionDeniedError):
        work_order_remind(actor=account("handler"), voice=voice)
    before = Notification.objects.filter(user=account("handler")).count()
    work_order_remind(actor=account("deputy"), voice=voice, note="群众多次来电。")
    last = list(events_for(voice))[-1]
    assert last.verb == "remind" and last.from_state == last.to_state == VoiceStatus.FORWARDED
    assert Notification.objects.filter(user=account("handler")).count() == before + 1
