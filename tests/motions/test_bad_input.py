"""Bad input is refused with a clear message, and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment, Event
from minsheng.motions import services
from minsheng.motions.models import Motion, MotionKind, Reply
from tests.factories import image_bytes
from tests.motions.builders import TEXT, assigned, lead_assignment

pytestmark = pytest.mark.django_db

PNG = image_bytes()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def counts() -> tuple[int, int, int]:
    return Motion.objects.count(), Event.objects.count(), Attachment.objects.count()


@pytest.mark.parametrize(
    ("title", "text", "field"),
    [
        ("", TEXT, "title"),
        ("标题", "   ", "text"),
        ("标题", "字" * 5001, "text"),
        ("<script>alert(1)</script>", TEXT, "title"),
        ("标题", '点击<a href="javascript:alert(1)">这里</a>', "text"),
        ("标题", "\x00\x07 \x1b", "text"),  # nothing left once the control characters go
    ],
)
def test_bad_text_is_refused_and_nothing_saved(accounts, title, text, field):
    before = counts()
    with pytest.raises(ValidationFailedError) as error:
        services.motion_create(actor=accounts["deputy"], kind=MotionKind.SUGGESTION, title=title, text=text)
    assert error.value.field == field and error.value.message
    assert counts() == before


@pytest.mark.parametrize(
    "files",
    [
        [SimpleUploadedFile("报告.pdf", EXE)],  # a renamed executable
        [SimpleUploadedFile(f"照片{i}.png", PNG) for i in range(6)],  # too many
        [SimpleUploadedFile("大图.png", PNG + b"\x00" * (10 * 1024 * 1024))],  # too large
        [SimpleUploadedFile("空.png", b"")],
    ],
)
def test_bad_files_are_refused_and_nothing_saved(accounts, files):
    before = counts()
    with pytest.raises(ValidationFailedError) as error:
        services.motion_create(
            actor=accounts["deputy"], kind=MotionKind.SUGGESTION, title="标题", text=TEXT, files=files
        )
    assert error.value.field == "attachments"
    assert counts() == before


def test_good_files_are_kept(accounts):
    motion = services.motion_create(
        actor=accounts["deputy"],
        kind=MotionKind.SUGGESTION,
        title="标题",
        text=TEXT,
        files=[SimpleUploadedFile("现场.png", PNG)],
    )
    assert Attachment.objects.filter(owner_id=str(motion.pk)).count() == 1


def test_messages_are_in_chinese_on_the_page(client, accounts):
    client.force_login(accounts["deputy"])
    with translation.override("zh-hans"):
        response = client.post(
            reverse("motions:new"),
            {
                "kind": "suggestion",
                "title": "标题",
                "text": "<script>x</script>",
                "proposer_kind": "individual",
                "attachments": [SimpleUploadedFile("a.pdf", EXE)],
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "正文不能包含 HTML 标签或脚本。" in page


def test_bad_reply_is_refused(accounts):
    motion = assigned(accounts)
    lead = lead_assignment(motion)
    for category, text in (("E", "答复"), ("A", ""), ("A", "<img src=x onerror=alert(1)>")):
        with pytest.raises(ValidationFailedError):
            services.assignment_reply(
                actor=accounts["handler"], assignment=lead, category=category, text=text
            )
    assert not Reply.objects.filter(motion=motion).exists()
    lead.refresh_from_db()
    assert lead.status == "pending"


def test_co_unit_cannot_reply_and_lead_cannot_send_views(accounts):
    motion = assigned(accounts)
    co = motion.assignments.get(role="co")
    with pytest.raises(ValidationFailedError):
        services.assignment_reply(
            actor=accounts.handler_of(co.unit), assignment=co, category="A", text="答复"
        )
    with pytest.raises(ValidationFailedError):
        services.assignment_send_views(
            actor=accounts["handler"], assignment=lead_assignment(motion), text="意见"
        )
