"""Deputies, station staff, office staff and unit clerks act on the web; errors and conflicts are clear."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.core.messaging import outbox
from minsheng.voices.models import ReceptionDay, SocialReport, Voice, VoiceChannel, VoiceStatus, WorkOrder
from tests.voices.conftest import RESIDENT_PHONE, account


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(account(username))
    return client


def test_deputy_forwards_and_handler_replies_on_the_web(
    make_voice, transport_unit, django_capture_on_commit_callbacks
):
    voice = make_voice()
    deputy = client_for("deputy")
    page = deputy.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert RESIDENT_PHONE in page  # the addressee may contact the person
    response = deputy.post(
        reverse("voices:action", args=[voice.pk, "forward"]),
        {"unit": transport_unit.pk, "reply_rule": "voice_reply_complaint", "expected_state": "received"},
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get(voice=voice)
    assert order.unit == transport_unit and order.is_open

    handler = client_for("handler")
    assert voice.summary in handler.get(reverse("voices:work_orders")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = handler.post(
            reverse("voices:action", args=[voice.pk, "reply"]),
            {"text": "已修复。", "expected_state": "forwarded"},
        )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.REPLIED
    assert any("区交通运输局" in message.body for message in outbox if message.to == RESIDENT_PHONE)


def test_a_stale_form_gets_a_conflict_message_and_changes_nothing(make_voice, transport_unit):
    voice = make_voice()
    station = client_for("station")
    staff = client_for("staff")
    staff.post(
        reverse("voices:action", args=[voice.pk, "forward"]),
        {"unit": transport_unit.pk, "reply_rule": "voice_reply_complaint", "expected_state": "received"},
    )
    response = station.post(
        reverse("voices:action", args=[voice.pk, "answer"]),
        {"text": "已转告社区。", "expected_state": "received"},
        follow=True,
    )
    assert "已被他人修改" in response.content.decode()
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.FORWARDED
    assert not voice.replies.exists()


def test_an_action_s_fields_load_when_opened_and_only_for_who_may_take_it(make_voice, transport_unit):
    voice = make_voice()
    deputy = client_for("deputy")
    page = deputy.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    forward_url = reverse("voices:action", args=[voice.pk, "forward"])
    assert f'hx-get="{forward_url}"' in page and 'name="unit"' not in page  # not built until opened
    fields = deputy.get(forward_url, HTTP_HX_REQUEST="true")
    assert fields.status_code == 200
    fields_html = fields.content.decode()
    assert 'name="unit"' in fields_html and transport_unit.name in fields_html and "<html" not in fields_html
    # Without JavaScript the link in <noscript> opens the form on a page of its own.
    own_page = deputy.get(forward_url).content.decode()
    assert "<html" in own_page and f'action="{forward_url}"' in own_page and 'name="unit"' in own_page
    # Actions the reader may not take now (a reply before any work order) and unknown ones: 404.
    assert deputy.get(reverse("voices:action", args=[voice.pk, "reply"])).status_code == 404
    assert deputy.get(reverse("voices:action", args=[voice.pk, "explode"])).status_code == 404
    assert client_for("handler").get(forward_url).status_code == 404  # not the handler's voice
    assert Client().get(forward_url).status_code == 302  # signed out: to the sign-in page
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED  # opening a form changes nothing


def test_empty_answer_is_refused(make_voice):
    voice = make_voice()
    response = client_for("deputy").post(
        reverse("voices:action", args=[voice.pk, "answer"]), {"text": "  ", "expected_state": "received"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    # The form sent back comes open with its error; the other actions still load when opened.
    assert 'data-testid="voice-action-answer" open' in page and 'role="alert"' in page
    assert f'hx-get="{reverse("voices:action", args=[voice.pk, "forward"])}"' in page
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED


def test_refer_and_merge_on_the_web(make_voice):
    first, duplicate, other = (
        make_voice(),
        make_voice(text="路灯不亮，同上。"),
        make_voice(text="正在打官司的事。"),
    )
    deputy = client_for("deputy")
    response = deputy.post(
        reverse("voices:action", args=[duplicate.pk, "merge"]),
        {"into": first.tracking_code.lower(), "expected_state": "received"},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == VoiceStatus.MERGED and duplicate.merged_into == first
    # The page of the voice it went into lists it; a voice with no duplicate has no such list.
    into_page = deputy.get(reverse("voices:detail", args=[first.pk])).content.decode()
    assert "合并到本条的重复民声" in into_page and duplicate.tracking_code in into_page
    other_page = deputy.get(reverse("voices:detail", args=[other.pk])).content.decode()
    assert "合并到本条的重复民声" not in other_page
    response = deputy.post(
        reverse("voices:action", args=[other.pk, "refer"]),
        {"reason": "litigation", "note": "请等待法院判决。", "expected_state": "received"},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == VoiceStatus.REFERRED and other.referral_reason == "litigation"


def test_members_cannot_act_on_voices_they_cannot_see(make_voice, transport_unit):
    voice = make_voice()
    response = client_for("member").post(
        reverse("voices:action", args=[voice.pk, "forward"]),
        {"unit": transport_unit.pk, "reply_rule": "voice_reply_complaint", "expected_state": "received"},
    )
    assert response.status_code == 404
    assert Voice.objects.get(pk=voice.pk).status == VoiceStatus.RECEIVED


def test_station_publishes_a_reception_day_and_records_a_visit(db, home_station, deputy_seat):
    station = client_for("station")
    too_soon = timezone.localdate() + dt.timedelta(days=1)
    data = {
        "station": home_station.pk,
        "date": too_soon.isoformat(),
        "start_time": "09:00",
        "end_time": "11:30",
        "place": "代表之家接待室",
        "deputies": [deputy_seat.pk],
    }
    response = station.post(reverse("voices:reception_new"), data)
    assert response.status_code == 400
    assert not ReceptionDay.objects.exists()
    data["date"] = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert station.post(reverse("voices:reception_new"), data).status_code == 302
    day = ReceptionDay.objects.get()
    assert deputy_seat.person.name in Client().get(reverse("voices:reception")).content.decode()
    ReceptionDay.objects.filter(pk=day.pk).update(date=timezone.localdate())  # the day has come

    response = station.post(
        reverse("voices:enter"),
        {
            "kind": "help",
            "text": "来访群众反映：低保申请被退回，不知道缺什么材料。",
            "name": "赵大爷",
            "phone": "13700001111",
            "reception_day": day.pk,
            "addressed_to": deputy_seat.pk,
        },
    )
    assert response.status_code == 302
    voice = Voice.objects.get()
    assert voice.channel == VoiceChannel.RECEPTION and voice.reception_day == day
    assert voice.entered_by is not None and voice.submitter is None
    assert voice.station == home_station


def test_residents_cannot_use_the_staff_entry(db):
    assert client_for("member").get(reverse("voices:enter")).status_code == 403
    assert client_for("handler").get(reverse("voices:reception_new")).status_code == 403


def test_member_files_a_social_report_and_staff_adopt_it(db):
    member = client_for("member")
    response = member.post(
        reverse("voices:report_new"), {"title": "关于骑手歇脚点的建议", "text": "外卖骑手缺少休息场所。"}
    )
    assert response.status_code == 302
    report = SocialReport.objects.get()
    assert client_for("handler").get(reverse("voices:report", args=[report.pk])).status_code == 404
    cppcc = client_for("cppcc_staff")
    assert cppcc.post(reverse("voices:report", args=[report.pk]), {"action": "adopt"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "adopted"
    bad = member.post(reverse("voices:report_new"), {"title": "<b>标题</b>", "text": "内容"})
    assert bad.status_code == 400
    assert SocialReport.objects.count() == 1


def test_a_duplicate_the_reader_cannot_open_is_listed_without_a_link(make_voice):
    """The demo walk found a voice's page linking a merged duplicate its deputy could not open (404):
    the duplicate had come to the station, not to the deputy. Its code is shown, not linked; staff,
    who may open both, get links both ways."""
    from minsheng.voices.services import voice_merge

    mine = make_voice()
    at_the_station = make_voice(text="路灯不亮，同上。", addressed_to=None)
    voice_merge(actor=account("staff"), voice=at_the_station, into=mine)
    deputy, staff = client_for("deputy"), client_for("staff")
    assert deputy.get(reverse("voices:detail", args=[at_the_station.pk])).status_code == 404
    link = f'href="{reverse("voices:detail", args=[at_the_station.pk])}"'
    page = deputy.get(reverse("voices:detail", args=[mine.pk])).content.decode()
    assert at_the_station.tracking_code in page and link not in page
    assert link in staff.get(reverse("voices:detail", args=[mine.pk])).content.decode()
    back = f'href="{reverse("voices:detail", args=[mine.pk])}"'
    assert back in staff.get(reverse("voices:detail", args=[at_the_station.pk])).content.decode()
