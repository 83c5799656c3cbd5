"""Attachments: type checked by content, size- and count-limited, all-or-nothing.

The name and the declared type of an upload are never trusted: we read the first bytes (and, for
Office files, the zip's table of contents) to decide what the file is, and store it under its hash.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_or_none
from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extension: str


PNG = FileKind("png", "image/png", ".png")
JPEG = FileKind("jpeg", "image/jpeg", ".jpg")
GIF = FileKind("gif", "image/gif", ".gif")
WEBP = FileKind("webp", "image/webp", ".webp")
PDF = FileKind("pdf", "application/pdf", ".pdf")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
PPTX = FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")
OLE = FileKind("ole", "application/x-ole-storage", ".doc")  # legacy .doc/.xls
TEXT = FileKind("text", "text/plain; charset=utf-8", ".txt")

IMAGES = frozenset({PNG, JPEG, GIF, WEBP})
DOCUMENTS = frozenset({PDF, DOCX, XLSX, PPTX, OLE})
DEFAULT_KINDS = IMAGES | DOCUMENTS

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def _sniff_zip(data: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OOXML_PARTS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def _sniff_text(data: bytes) -> FileKind | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return TEXT if controls == 0 else None


def file_kind_sniff(data: bytes) -> FileKind | None:
    """What the bytes are, judged from their content only; None when we do not recognise them."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    return _sniff_text(data)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    kind: FileKind
    sha256: str


def _safe_name(name: str) -> str:
    # Keep only the last path component and drop control characters: the name is shown, never used as a path.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())[:200]
    return cleaned or "file"


def upload_check(
    upload: UploadedFile, *, allowed: Iterable[FileKind] = DEFAULT_KINDS, max_bytes: int = MAX_FILE_BYTES
) -> CheckedFile:
    """Read and check one upload; ValidationFailedError names the file and the reason."""
    name = _safe_name(upload.name or "")
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationFailedError(
            _("“%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": max_bytes // (1024 * 1024)},
            field="attachments",
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationFailedError(
            _("“%(name)s” is larger than %(limit)s MB.")
            % {"name": name, "limit": max_bytes // (1024 * 1024)},
            field="attachments",
        )
    if not data:
        raise ValidationFailedError(_("“%(name)s” is empty.") % {"name": name}, field="attachments")
    kind = file_kind_sniff(data)
    allowed_kinds = frozenset(allowed)
    if kind is None or kind not in allowed_kinds:
        raise ValidationFailedError(
            _("“%(name)s” is not an accepted file type (images, PDF or Office documents).") % {"name": name},
            field="attachments",
        )
    return CheckedFile(name=name, data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest())


def uploads_check(
    uploads: Sequence[UploadedFile],
    *,
    allowed: Iterable[FileKind] = DEFAULT_KINDS,
    max_files: int = MAX_FILES,
    max_bytes: int = MAX_FILE_BYTES,
) -> list[CheckedFile]:
    """Check every upload before anything is saved, so a bad file leaves nothing behind."""
    if len(uploads) > max_files:
        raise ValidationFailedError(
            _("At most %(limit)s files may be attached.") % {"limit": max_files}, field="attachments"
        )
    return [upload_check(upload, allowed=allowed, max_bytes=max_bytes) for upload in uploads]


def attachments_save(*, actor: Actor, owner: models.Model, files: Sequence[CheckedFile]) -> list[Attachment]:
    """Store checked files for ``owner``; call inside the owner's transaction."""
    owner_type = ContentType.objects.get_for_model(owner)
    saved = []
    with transaction.atomic():
        for checked in files:
            attachment = Attachment(
                owner_type=owner_type,
                owner_id=str(owner.pk),
                original_name=checked.name,
                content_type=checked.kind.content_type,
                extension=checked.kind.extension,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_by=account_or_none(actor),
            )
            stored_name = attachment.file.field.generate_filename(attachment, checked.name)
            if attachment.file.storage.exists(stored_name):
                attachment.file.name = stored_name  # same content, same hash: store it once
            else:
                attachment.file.save(checked.name, ContentFile(checked.data), save=False)
            attachment.save()
            saved.append(attachment)
    return saved


def attachments_for(owner: models.Model) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk)
    ).order_by("created_at", "id")
