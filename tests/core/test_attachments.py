"""Attachments are judged by their content, limited in size and count, and saved all-or-nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.attachments import (
    DOCUMENT,
    DOCX,
    IMAGE,
    JPEG,
    PDF,
    PNG,
    SPREADSHEET,
    TEXT,
    XLSX,
    attachments_for,
    attachments_listed,
    attachments_save,
    file_kind_sniff,
    upload_check,
    uploads_check,
)
from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment
from minsheng.org.models import Jurisdiction
from tests.factories import image_bytes

PNG_BYTES = image_bytes()
PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
ELF_BYTES = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def office_bytes(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<doc/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG_BYTES, PNG), (PDF_BYTES, PDF), (office_bytes("word/"), DOCX), (office_bytes("xl/"), XLSX),
     ("意见：第十一条".encode(), TEXT), (ELF_BYTES, None), (EXE_BYTES, None)],
)  # fmt: skip
def test_kind_comes_from_content(data: bytes, kind):
    assert file_kind_sniff(data) == kind


def test_a_renamed_executable_is_refused_with_its_name():
    upload = SimpleUploadedFile("照片.png", EXE_BYTES, content_type="image/png")
    with pytest.raises(ValidationFailedError) as error:
        upload_check(upload)
    assert "照片.png" in error.value.message


def test_a_plain_zip_is_not_an_office_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("报告.docx", buffer.getvalue()))


def test_too_large_too_many_and_empty_files_are_refused():
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("a.png", PNG_BYTES + b"\x00" * 2048), max_bytes=1024)
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("empty.pdf", b""))
    with pytest.raises(ValidationFailedError):
        uploads_check([SimpleUploadedFile(f"{i}.png", PNG_BYTES) for i in range(6)])


def test_path_parts_of_names_are_dropped():
    checked = upload_check(SimpleUploadedFile("../../etc/passwd.pdf", PDF_BYTES))
    assert checked.name == "passwd.pdf"


@pytest.mark.django_db
def test_one_bad_file_saves_nothing():
    owner = Jurisdiction.objects.create(level="district", name="附件区", code="999001")
    uploads = [SimpleUploadedFile("good.pdf", PDF_BYTES), SimpleUploadedFile("bad.png", EXE_BYTES)]
    before = Attachment.objects.count()  # the session's database may hold demo attachments
    with pytest.raises(ValidationFailedError):
        attachments_save(actor=None, owner=owner, files=uploads_check(uploads))
    assert Attachment.objects.count() == before


def vars_of(attachment: Attachment) -> dict:
    return {field.attname: getattr(attachment, field.attname) for field in Attachment._meta.concrete_fields}


@pytest.mark.django_db
def test_checked_files_are_stored_under_their_hash():
    owner = Jurisdiction.objects.create(level="district", name="附件区", code="999002")
    saved = attachments_save(
        actor=None, owner=owner, files=uploads_check([SimpleUploadedFile("图.png", PNG_BYTES)])
    )
    assert list(attachments_for(owner)) == saved
    more = attachments_save(
        actor=None, owner=owner, files=uploads_check([SimpleUploadedFile("二.png", PNG_BYTES)])
    )
    listed = attachments_listed(owner)  # read as SQL: the same rows, fields and order as the ORM's
    assert listed == [*saved, *more] == list(attachments_for(owner))
    assert [vars_of(a) for a in listed] == [vars_of(a) for a in attachments_for(owner)]
    attachment = saved[0]
    assert attachment.original_name == "图.png" and attachment.content_type == "image/png"
    assert attachment.file.name.endswith(f"{attachment.sha256}.png")
    assert attachment.file.read() == saved[0].file.storage.open(attachment.file.name).read()


# Per-kind allow-lists, content against name, zip bombs, image metadata (issue 12.7, 12.14) ----------

GIF_HTML_POLYGLOT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;<html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.html", GIF_HTML_POLYGLOT),
        ("x.gif", GIF_HTML_POLYGLOT),
        ("x.htm", b"<html><body>hi</body></html>"),
        ("x.svg", SVG),
        ("图.svg", SVG),
        ("x.html", PNG_BYTES),
        ("x.png.html", PNG_BYTES),
    ],
)
def test_web_pages_svg_and_polyglots_are_never_accepted(name, data):
    with pytest.raises(ValidationFailedError) as error:
        upload_check(SimpleUploadedFile(name, data, content_type="image/gif"))
    assert name in error.value.message


def test_the_name_must_agree_with_the_content():
    with pytest.raises(ValidationFailedError) as error:
        upload_check(SimpleUploadedFile("报告.pdf", PNG_BYTES))
    assert "报告.pdf" in error.value.message and ".png" in error.value.message
    assert upload_check(SimpleUploadedFile("照片.PNG", PNG_BYTES)).kind == PNG
    assert upload_check(SimpleUploadedFile("照片.jpeg", image_bytes("JPEG"))).kind == JPEG


@pytest.mark.parametrize(
    ("kind", "accepted", "refused"),
    [
        (
            DOCUMENT,
            [("a.pdf", PDF_BYTES), ("a.docx", office_bytes("word/"))],
            [("a.png", PNG_BYTES), ("a.xlsx", office_bytes("xl/"))],
        ),
        (
            SPREADSHEET,
            [("a.xlsx", office_bytes("xl/"))],
            [("a.docx", office_bytes("word/")), ("a.pdf", PDF_BYTES)],
        ),
        (
            IMAGE,
            [("a.png", PNG_BYTES), ("a.jpg", image_bytes("JPEG")), ("a.webp", image_bytes("WEBP"))],
            [("a.pdf", PDF_BYTES), ("a.gif", image_bytes("GIF"))],
        ),
    ],
)
def test_each_kind_has_its_own_allow_list(kind, accepted, refused):
    for name, data in accepted:
        assert upload_check(SimpleUploadedFile(name, data), kind=kind).name == name
    for name, data in refused:
        with pytest.raises(ValidationFailedError) as error:
            upload_check(SimpleUploadedFile(name, data), kind=kind)
        assert str(kind.label) in error.value.message


def zip_bomb(expanded_mb: int = 64) -> bytes:
    """A .docx-shaped zip whose document.xml expands from ~60 KB to ``expanded_mb`` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(expanded_mb):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_anything_in_it_is_read(monkeypatch):
    bomb = zip_bomb()
    assert len(bomb) < 200 * 1024
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(str(name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ValidationFailedError) as error:
        upload_check(SimpleUploadedFile("草案.docx", bomb), kind=DOCUMENT)
    assert "草案.docx" in error.value.message and "压缩炸弹" in error.value.message
    assert opened == []  # only the table of contents was read


def test_a_high_ratio_member_or_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"A" * (4 * 1024 * 1024))  # 4 MB of one letter: ratio ~1000
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("表.xlsx", buffer.getvalue()), kind=SPREADSHEET)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for n in range(2_100):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", "<x/>")
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("表.xlsx", buffer.getvalue()), kind=SPREADSHEET)


def _exif_with_gps() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0131] = "camera-serial-X1234"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 41.0, 12.0), "E", (119.0, 56.0, 40.0)
    return exif.tobytes()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_images_lose_their_metadata_and_stand_upright(fmt):
    from PIL import Image

    original = image_bytes(fmt, size=(8, 4), exif=_exif_with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS position is there
    checked = upload_check(SimpleUploadedFile(f"现场.{fmt.lower()}", original), kind=IMAGE)
    stored = Image.open(io.BytesIO(checked.data))
    assert not stored.getexif() and not stored.getexif().get_ifd(0x8825)
    assert b"camera-serial" not in checked.data and b"HUAWEI" not in checked.data
    assert stored.size == (4, 8)  # turned upright as its orientation said


def test_an_image_bomb_and_a_broken_image_are_refused():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # 81 megapixels in a few KB
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("大.png", buffer.getvalue()), kind=IMAGE)
    with pytest.raises(ValidationFailedError):
        upload_check(SimpleUploadedFile("坏.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), kind=IMAGE)
