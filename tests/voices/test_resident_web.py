"""The resident's journey on the web: one-time code, submission, tracking code, timeline, rating; and
every kind of bad input answered in Chinese with nothing saved."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from minsheng.core.attachments import MAX_FILE_BYTES
from minsheng.core.messaging import outbox
from minsheng.core.models import Attachment
from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus
from minsheng.voices.services import voice_forward, voice_reply
from tests.factories import image_bytes
from tests.voices.conftest import RESIDENT_PHONE, account

PNG = image_bytes()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _last_code() -> str:
    match = re.search(r"\d{6}", outbox[-1].body)
    assert match is not None
    return match.group(0)


def _post(client: Client, url: str, **fields):
    data = {"kind": "suggestion", "text": "小区门口路灯不亮，请修理。", "name": "", "phone": RESIDENT_PHONE}
    data.update(fields)
    return client.post(url, data)


def _verified_client(url: str) -> Client:
    client = Client()
    _post(client, url, action="send_code")
    response = _post(client, url, code=_last_code(), text="预先验证用的留言。")
    assert response.status_code == 302
    return client


@pytest.fixture
def form_url(db, deputy_seat):
    return reverse("voices:new") + f"?to=deputy:{deputy_seat.person_id}&via=qr"


def test_qr_submission_with_code_then_tracking_and_rating(
    form_url, deputy_seat, transport_unit, django_capture_on_commit_callbacks
):
    client = Client()
    response = _post(client, form_url, action="send_code")
    assert response.status_code == 200
    assert "验证码已发送" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, form_url, code=_last_code(), name="王女士")
    assert response.status_code == 302
    voice = Voice.objects.get()
    assert voice.channel == VoiceChannel.QR and voice.addressed_to == deputy_seat and voice.name == "王女士"
    sent = client.get(response["Location"]).content.decode()
    assert voice.tracking_code in sent
    receipt = next(message for message in outbox if message.to == RESIDENT_PHONE and "已收到" in message.body)
    assert receipt.body.count(voice.tracking_code) == 1  # named once, not once more at the end

    voice = voice_forward(actor=account("deputy"), voice=voice, unit=transport_unit)
    voice_reply(actor=account("handler"), voice=voice, text="已安排维修，三日内完成。")

    resident = Client()  # another device: only the code and the phone are needed
    response = resident.post(
        reverse("voices:track"), {"code": voice.tracking_code.lower(), "phone": RESIDENT_PHONE}
    )
    assert response.status_code == 302
    page = resident.get(response["Location"]).content.decode()
    assert "139****5678" in page and RESIDENT_PHONE not in page
    assert "已安排维修" in page and "区交通运输局" in page
    response = resident.post(
        reverse("voices:tracked_rate", args=[voice.pk]), {"rating": "satisfied", "expected_state": "replied"}
    )
    assert response.status_code == 302
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.CLOSED


def test_tracking_needs_the_matching_phone_and_is_throttled(form_url, make_voice):
    voice = make_voice()
    client = Client()
    for _ in range(10):
        response = client.post(reverse("voices:track"), {"code": voice.tracking_code, "phone": "13800000000"})
        assert response.status_code == 404
        assert "查询码" in response.content.decode()
    response = client.post(reverse("voices:track"), {"code": voice.tracking_code, "phone": RESIDENT_PHONE})
    assert response.status_code == 429
    assert client.get(reverse("voices:tracked", args=[voice.pk])).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "请填写"),
        ({"text": "长" * 2001}, "2000"),
        ({"text": "<script>alert(1)</script>路灯坏了"}, "HTML"),
        ({"text": '<img src=x onerror="alert(1)">'}, "HTML"),
        ({"phone": "12345"}, "请输入有效的手机号码"),
        ({"phone": ""}, "手机号"),
        ({"code": ""}, "验证码"),
        ({"code": "000000"}, "验证码错误或已过期"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(form_url, fields, message):
    client = Client()
    _post(client, form_url, action="send_code")
    before = (Voice.objects.count(), Attachment.objects.count())
    response = _post(client, form_url, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Voice.objects.count(), Attachment.objects.count()) == before


def test_wrong_codes_are_throttled(form_url):
    client = Client()
    _post(client, form_url, action="send_code")
    for _ in range(5):
        assert _post(client, form_url, code="000000").status_code == 400
    response = _post(client, form_url, code=_last_code())
    assert response.status_code == 429
    assert "验证码错误次数过多" in response.content.decode()
    assert Voice.objects.count() == 0


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("photo.jpg", EXE)], "不是可接受的文件类型"),
        ([(f"p{i}.png", PNG) for i in range(6)], "最多只能上传 5 个附件"),
        ([("big.png", PNG + b"\x00" * MAX_FILE_BYTES)], "超过 10 MB"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_saved(form_url, files, message):
    client = _verified_client(form_url)
    before = (Voice.objects.count(), Attachment.objects.count())
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    response = client.post(
        form_url, {"kind": "complaint", "text": "附件测试", "phone": RESIDENT_PHONE, "attachments": uploads}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Voice.objects.count(), Attachment.objects.count()) == before


def test_good_attachments_are_saved_and_served_only_to_those_who_may_see(form_url, deputy_seat):
    client = _verified_client(form_url)
    response = client.post(
        form_url,
        {
            "kind": "complaint",
            "text": "附上照片",
            "phone": RESIDENT_PHONE,
            "attachments": [SimpleUploadedFile("a.png", PNG)],
        },
    )
    assert response.status_code == 302
    voice = Voice.objects.get(text="附上照片")
    attachment = Attachment.objects.get(owner_id=str(voice.pk))
    assert attachment.content_type == "image/png"
    url = reverse("voices:attachment", args=[voice.pk, attachment.pk])
    deputy = Client()
    deputy.force_login(account("deputy"))
    assert deputy.get(url).status_code == 200
    member = Client()
    member.force_login(account("member"))
    assert member.get(url).status_code == 404


def test_public_submissions_are_rate_limited(form_url):
    client = _verified_client(form_url)  # one submission already
    for i in range(9):
        assert _post(client, form_url, text=f"第{i}条留言").status_code == 302
    response = _post(client, form_url, text="第十一条留言")
    assert response.status_code == 429
    assert Voice.objects.count() == 10


def test_script_in_a_voice_is_shown_escaped(make_voice):
    voice = make_voice(text="路灯 & 井盖 \"坏了\" 'x' 5>3")
    client = Client()
    client.force_login(account("deputy"))
    body = client.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert "路灯 &amp; 井盖 &quot;坏了&quot; &#x27;x&#x27; 5&gt;3" in body
