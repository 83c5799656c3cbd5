"""Zip archives (.docx, .xlsx, .pptx) checked before anything in them is read.

Pure Python, no Django: uploads (``core.attachments``) and the draft parser (``text.lawparse``) both
call it. Only the archive's table of contents is read: the number of members, the sizes they declare
once expanded, and how much each is compressed. Reading a member later cannot exceed what it declares
(``zipfile`` stops at the declared size and then checks the CRC), so a 100 KB file that would expand
into gigabytes is refused here, before any of it is expanded.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """What an Office file may hold. A long law is about 2 MB of XML; a big workbook about 20 MB."""

    max_members: int = 2_000
    max_expanded: int = 50 * MB
    # Highly repetitive XML compresses well (30-100×); a bomb compresses thousands of times. The ratio
    # is checked only for members that expand to more than ``ratio_floor`` (small ones vary a lot).
    max_ratio: int = 200
    ratio_floor: int = 1 * MB


class ZipRefused(ValueError):
    """Why an archive is refused: ``reason`` is "broken", "members", "expanded" or "ratio"."""

    def __init__(self, reason: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(f"{reason}: {params or {}}")
        self.reason = reason
        self.params = params or {}


def zip_names(data: bytes, limits: ZipLimits | None = None) -> list[str]:
    """The members' names, once the table of contents shows the archive is within ``limits``."""
    limits = limits or ZipLimits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ZipRefused("broken") from None
    if len(members) > limits.max_members:
        raise ZipRefused("members", {"count": len(members), "limit": limits.max_members})
    expanded = sum(member.file_size for member in members)
    if expanded > limits.max_expanded:
        raise ZipRefused("expanded", {"size": expanded, "limit": limits.max_expanded})
    for member in members:
        if member.file_size > limits.ratio_floor:
            ratio = member.file_size / max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ZipRefused(
                    "ratio", {"name": member.filename, "ratio": int(ratio), "limit": limits.max_ratio}
                )
    return [member.filename for member in members]
