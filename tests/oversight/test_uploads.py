"""Uploads: wrong type, oversized, too many: a clear error, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment, Event
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import ProgressReport, Visit
from tests.oversight.builders import World, activity, item
from tests.oversight.files import docx_bytes, png_bytes

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, int, int, int]:
    return (
        Attachment.objects.count(),
        Event.objects.count(),
        Visit.objects.count(),
        ProgressReport.objects.count(),
    )


@pytest.mark.parametrize(
    "photo",
    [
        SimpleUploadedFile("照片.png", docx_bytes("不是照片")),  # a document named as a photo
        SimpleUploadedFile("照片.html", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("照片.png", b""),
        SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024)),  # over 10 MB
    ],
)
def test_a_bad_photo_saves_no_visit(world: World, photo):
    act = activity(world)
    before = snapshot()
    with pytest.raises(ValidationFailedError) as error:
        services.visit_record(
            actor=world["staff"],
            activity=act,
            date=today(),
            place="现场",
            photos=[SimpleUploadedFile("好照片.png", png_bytes()), photo],
        )
    assert error.value.message
    assert snapshot() == before


def test_too_many_evidence_files_save_no_report(world: World):
    target = item(world)
    before = snapshot()
    files = [SimpleUploadedFile(f"{n}.png", png_bytes()) for n in range(10)]
    with pytest.raises(ValidationFailedError):
        services.item_report(actor=world["handler"], item=target, text="进展", files=files)
    assert snapshot() == before
    target.refresh_from_db()
    assert target.status == "open"


def test_the_stored_name_never_comes_from_the_uploader(world: World):
    act = activity(world)
    visit = services.visit_record(
        actor=world["staff"],
        activity=act,
        date=today(),
        place="现场",
        photos=[SimpleUploadedFile("../../etc/passwd.png", png_bytes())],
    )
    attachment = Attachment.objects.get(owner_id=str(visit.pk), owner_type__model="visit")
    assert attachment.original_name == "passwd.png" and ".." not in attachment.file.name
