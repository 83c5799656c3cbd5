"""Uploads: wrong type, oversized, too many, a zip bomb named as an Office file, a type other than the
name says: a clear error, nothing half-saved; a photo's metadata (GPS) is stripped."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment, Event
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Activity, BudgetLine, BudgetTable, ProgressReport, Visit
from tests.oversight.builders import World, activity, item
from tests.oversight.files import docx_bytes, jpeg_with_gps, png_bytes, zip_bomb

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


def test_a_zip_bomb_named_as_the_report_saves_nothing(world: World):
    act = activity(world)
    before = snapshot()
    with pytest.raises(ValidationFailedError) as error:
        services.activity_report(
            actor=world["staff"],
            activity=act,
            report=SimpleUploadedFile("报告.docx", zip_bomb("word/document.xml")),
            summary="小结",
        )
    assert "报告.docx" in error.value.message
    assert snapshot() == before
    assert Activity.objects.get(pk=act.pk).status == act.status


def test_a_zip_bomb_named_as_the_budget_workbook_imports_nothing(world: World):
    before = (snapshot(), BudgetTable.objects.count(), BudgetLine.objects.count())
    with pytest.raises(ValidationFailedError) as error:
        services.budget_import(
            actor=world["staff"],
            upload=SimpleUploadedFile("预算执行.xlsx", zip_bomb("xl/workbook.xml")),
            year=today().year,
            month=today().month,
        )
    assert "预算执行.xlsx" in error.value.message
    assert (snapshot(), BudgetTable.objects.count(), BudgetLine.objects.count()) == before


def test_a_visit_photo_is_stored_without_its_gps_position(world: World):
    from PIL import Image

    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the position is in the upload
    visit = services.visit_record(
        actor=world["staff"],
        activity=activity(world),
        date=today(),
        place="现场",
        photos=[SimpleUploadedFile("现场.jpg", original)],
    )
    stored = Attachment.objects.get(owner_id=str(visit.pk), owner_type__model="visit")
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert not Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    assert b"HUAWEI" not in data and b"camera-serial" not in data


def test_evidence_named_as_another_type_than_its_content_saves_no_report(world: World):
    target = item(world)
    before = snapshot()
    with pytest.raises(ValidationFailedError) as error:
        services.item_report(
            actor=world["handler"],
            item=target,
            text="整改进展",
            files=[SimpleUploadedFile("整改照片.pdf", jpeg_with_gps())],
        )
    assert "整改照片.pdf" in error.value.message
    assert snapshot() == before
