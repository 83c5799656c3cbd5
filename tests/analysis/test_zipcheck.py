"""analysis.zipcheck reads only an archive's table of contents and refuses what would expand too far."""

from __future__ import annotations

import io
import zipfile

import pytest

from minsheng.analysis.zipcheck import ZipLimits, ZipRefused, zip_names


def archive(members: dict[str, bytes], *, compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as handle:
        for name, data in members.items():
            handle.writestr(name, data)
    return buffer.getvalue()


def test_a_normal_office_file_passes_with_its_names():
    data = archive(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": "<w:p>第一条</w:p>".encode() * 200}
    )
    assert zip_names(data) == ["[Content_Types].xml", "word/document.xml"]


@pytest.mark.parametrize(
    ("data", "limits", "reason"),
    [
        (b"PK\x03\x04 not really a zip", ZipLimits(), "broken"),
        (archive({f"{n}.xml": b"<x/>" for n in range(11)}), ZipLimits(max_members=10), "members"),
        (archive({"a.xml": b"x" * 3000}, compress=False), ZipLimits(max_expanded=2000), "expanded"),
        (archive({"a.xml": b"A" * 2_000_000}), ZipLimits(max_ratio=100, ratio_floor=1_000_000), "ratio"),
    ],
)
def test_what_is_refused_and_why(data, limits, reason):
    with pytest.raises(ZipRefused) as refused:
        zip_names(data, limits)
    assert refused.value.reason == reason


def test_the_ratio_is_not_held_against_small_members():
    data = archive({"a.xml": b"A" * 500_000})  # compresses ~1000x, but expands to less than the floor
    assert zip_names(data, ZipLimits(max_ratio=100, ratio_floor=1_000_000)) == ["a.xml"]
