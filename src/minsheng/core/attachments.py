"""Attachments: what kind of file each place accepts, checked by content, and saved all-or-nothing.

Each place that takes files names an ``AttachmentKind`` (``DOCUMENT``: PDF and .docx; ``SPREADSHEET``:
.xlsx; ``IMAGE``: JPEG, PNG, WebP; ``ATTACHMENT``: any of those and the older Office formats, for
residents' and deputies' supporting files). An upload is accepted only when

- its name ends with an extension its content allows (a GIF/HTML polyglot named ``x.html`` is refused:
  web pages, SVG and scripts are in no list, and content and name must agree);
- its content is a file type of that kind, judged from the bytes (magic numbers), never from the name
  or the declared type;
- it is within the size limit, and a zip-based Office file's table of contents shows a sane number of
  members and expanded size (``analysis.zipcheck``, before anything in it is read);
- an image decodes, within a pixel limit; it is then stored re-encoded without its metadata (EXIF with
  GPS position and camera serial, XMP, comments), turned upright first as its EXIF orientation said.

Files are stored under their hash with the extension of their real type. ``uploads_check`` checks
every file before anything is saved, so a refused file leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.analysis.zipcheck import ZipLimits, ZipRefused, zip_names
from minsheng.core.actors import Actor, account_or_none
from minsheng.core.errors import ValidationFailedError
from minsheng.core.models import Attachment
from minsheng.core.queries import rows_where

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
MAX_FILES = 5
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb, not a photo
OFFICE_LIMITS = ZipLimits()


@dataclass(frozen=True)
class FileKind:
    """A file type as its content shows it: the stored extension and the names an upload may have."""

    name: str
    content_type: str
    extension: str
    extensions: tuple[str, ...]


PNG = FileKind("png", "image/png", ".png", (".png",))
JPEG = FileKind("jpeg", "image/jpeg", ".jpg", (".jpg", ".jpeg"))
GIF = FileKind("gif", "image/gif", ".gif", (".gif",))
WEBP = FileKind("webp", "image/webp", ".webp", (".webp",))
PDF = FileKind("pdf", "application/pdf", ".pdf", (".pdf",))
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", (".docx",)
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", (".xlsx",)
)
PPTX = FileKind(
    "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", (".pptx",)
)
OLE = FileKind("ole", "application/x-ole-storage", ".doc", (".doc", ".xls", ".ppt"))  # legacy Office
TEXT = FileKind("text", "text/plain; charset=utf-8", ".txt", (".txt",))

IMAGES = frozenset({PNG, JPEG, WEBP})
ZIP_KINDS = frozenset({DOCX, XLSX, PPTX})


@dataclass(frozen=True)
class AttachmentKind:
    """What one place accepts: the file types, and how many and how large."""

    name: str
    label: str | Promise  # said in refusals: "只接受：……"
    file_kinds: frozenset[FileKind]
    max_bytes: int = MAX_FILE_BYTES
    max_files: int = MAX_FILES

    @property
    def accept(self) -> str:
        """For ``<input type=file accept=…>``: the extensions this kind takes (the browser's hint only)."""
        return ",".join(sorted({ext for kind in self.file_kinds for ext in kind.extensions}))


DOCUMENT = AttachmentKind("document", gettext_lazy("PDF or Word (.docx) documents"), frozenset({PDF, DOCX}))
SPREADSHEET = AttachmentKind("spreadsheet", gettext_lazy("Excel workbooks (.xlsx)"), frozenset({XLSX}))
IMAGE = AttachmentKind("image", gettext_lazy("photos (JPEG, PNG or WebP)"), IMAGES)
ATTACHMENT = AttachmentKind(
    "attachment",
    gettext_lazy("photos, PDF or Office documents"),
    IMAGES | frozenset({PDF, DOCX, XLSX, PPTX, OLE}),
)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}


def _sniff_zip(data: bytes) -> FileKind | None:
    """The Office type of a zip, from its table of contents (ZipRefused for a bomb or broken zip)."""
    names = zip_names(data, OFFICE_LIMITS)
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
        try:
            return _sniff_zip(data)
        except ZipRefused:
            return None
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


def _refuse(message: str, **params: object) -> ValidationFailedError:
    return ValidationFailedError(message % params, field="attachments")


def _zip_refusal(name: str, refused: ZipRefused) -> ValidationFailedError:
    if refused.reason == "broken":
        return _refuse(_("“%(name)s” is damaged and cannot be opened."), name=name)
    return _refuse(
        _("“%(name)s” would expand to far more than its size (a “zip bomb”) and was refused."), name=name
    )


def image_without_metadata(data: bytes, kind: FileKind, *, name: str = "") -> bytes:
    """The image re-encoded without EXIF/GPS, XMP or comments, turned upright as its EXIF said."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _refuse(
                    _("“%(name)s” has more than %(limit)s million pixels."),
                    name=name,
                    limit=MAX_IMAGE_PIXELS // 1_000_000,
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            icc = image.info.get("icc_profile")  # colours, not personal data
            out = io.BytesIO()
            options: dict[str, object] = {"icc_profile": icc} if icc else {}
            if kind == JPEG:
                upright = upright.convert("RGB") if upright.mode not in ("RGB", "L", "CMYK") else upright
                upright.save(out, format="JPEG", quality=92, **options)
            elif kind == PNG:
                upright.save(out, format="PNG", optimize=False, **options)
            else:
                upright.save(out, format="WEBP", quality=90, **options)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse(_("“%(name)s” is not a readable image."), name=name) from None
    return out.getvalue()


def upload_check(
    upload: UploadedFile,
    *,
    kind: AttachmentKind = ATTACHMENT,
    allowed: Iterable[FileKind] | None = None,
    max_bytes: int | None = None,
) -> CheckedFile:
    """Read and check one upload for ``kind``; ValidationFailedError names the file and the reason.

    ``allowed`` and ``max_bytes`` override the kind's types and size (for a place with its own rule).
    """
    name = _safe_name(upload.name or "")
    limit = max_bytes if max_bytes is not None else kind.max_bytes
    accepted = frozenset(allowed) if allowed is not None else kind.file_kinds
    extension = PurePosixPath(name).suffix.lower()
    if not any(extension in file_kind.extensions for file_kind in accepted):
        raise _refuse(
            _("“%(name)s” is not an accepted file type (only %(kinds)s)."), name=name, kinds=kind.label
        )
    if upload.size is not None and upload.size > limit:
        raise _refuse(_("“%(name)s” is larger than %(limit)s MB."), name=name, limit=limit // MB)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(_("“%(name)s” is larger than %(limit)s MB."), name=name, limit=limit // MB)
    if not data:
        raise _refuse(_("“%(name)s” is empty."), name=name)
    if data.startswith(b"PK\x03\x04"):
        try:
            zip_names(data, OFFICE_LIMITS)
        except ZipRefused as refused:
            raise _zip_refusal(name, refused) from None
    file_kind = file_kind_sniff(data)
    if file_kind is None or file_kind not in accepted:
        raise _refuse(
            _("“%(name)s” is not an accepted file type (only %(kinds)s)."), name=name, kinds=kind.label
        )
    if extension not in file_kind.extensions:
        raise _refuse(
            _("“%(name)s” is named as another type than its content: rename it with the extension %(ext)s."),
            name=name,
            ext=file_kind.extension,
        )
    if file_kind in IMAGES:
        data = image_without_metadata(data, file_kind, name=name)
    return CheckedFile(name=name, data=data, kind=file_kind, sha256=hashlib.sha256(data).hexdigest())


def uploads_check(
    uploads: Sequence[UploadedFile],
    *,
    kind: AttachmentKind = ATTACHMENT,
    allowed: Iterable[FileKind] | None = None,
    max_files: int | None = None,
    max_bytes: int | None = None,
) -> list[CheckedFile]:
    """Check every upload before anything is saved, so a bad file leaves nothing behind."""
    limit = max_files if max_files is not None else kind.max_files
    if len(uploads) > limit:
        raise _refuse(_("At most %(limit)s files may be attached."), limit=limit)
    return [upload_check(upload, kind=kind, allowed=allowed, max_bytes=max_bytes) for upload in uploads]


def attachments_save(*, actor: Actor, owner: models.Model, files: Sequence[CheckedFile]) -> list[Attachment]:
    """Store checked files for ``owner``; call inside the owner's transaction."""
    if not files:
        return []  # most voices and items come without files: no savepoint to open and release
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


def attachments_listed(owner: models.Model) -> list[Attachment]:
    """``attachments_for(owner)`` read at once, without the ORM's compiling (an item's page lists them
    on every view, and most items have none: the query cost ~0.6 ms to compile, 0.1 ms to run)."""
    owner_type = ContentType.objects.get_for_model(owner)  # kept in memory by Django
    return rows_where(
        Attachment, "owner_type_id = %s AND owner_id = %s", [owner_type.pk, str(owner.pk)], "created_at, id"
    )
