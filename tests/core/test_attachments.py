"""Attachments are judged by their content, limited in size and count, and saved all-or-nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.attachments import (
    DOCX,
    PDF,
    PNG,
    TEXT,
    XLSX,
    attachments_for,
    attachments_save,
    file_kind_sniff,
    upload_check,
    uploads_check,
)
from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment
from minsheng.org.models import Jurisdiction

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
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


@pytest.mark.django_db
def test_checked_files_are_stored_under_their_hash():
    owner = Jurisdiction.objects.create(level="district", name="附件区", code="999002")
    saved = attachments_save(
        actor=None, owner=owner, files=uploads_check([SimpleUploadedFile("图.png", PNG_BYTES)])
    )
    assert list(attachments_for(owner)) == saved
    attachment = saved[0]
    assert attachment.original_name == "图.png" and attachment.content_type == "image/png"
    assert attachment.file.name.endswith(f"{attachment.sha256}.png")
    assert attachment.file.read() == PNG_BYTES
