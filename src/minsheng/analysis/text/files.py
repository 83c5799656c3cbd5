"""Reading the CSV files of the text commands, with a clear message for every way they can be wrong.

Two shapes: labelled messages (``留言分词``, ``一级分类``; the TipDM 附件2 form, text segmented or
raw) and messages (``留言编号``, ``留言主题``, ``留言详情`` and optionally ``留言用户``, ``留言时间``,
``点赞数``; the 附件3 form).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from minsheng.analysis.text.hot import Message

MAX_FILE_BYTES = 512 * 1024 * 1024
TEXT_COLUMN = "留言分词"
LABEL_COLUMN = "一级分类"
MESSAGE_COLUMNS = ("留言编号", "留言主题", "留言详情")
_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


class TextInputError(ValueError):
    """A file the text commands cannot read; the message says which file and what is wrong."""


def read_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """The data rows of a UTF-8 CSV file whose header has every ``required`` column."""
    name = str(path)
    if not path.exists():
        raise TextInputError(f"{name}: no such file")
    if not path.is_file():
        raise TextInputError(f"{name}: not a file")
    size = path.stat().st_size
    if size == 0:
        raise TextInputError(f"{name}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise TextInputError(f"{name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TextInputError(
            f"{name}: not UTF-8 text (byte {error.start}); save the file as UTF-8 CSV"
        ) from None
    if "\x00" in content:
        raise TextInputError(f"{name}: binary data, not a CSV file")
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            found = ", ".join(header[:10]) if header else "nothing"
            raise TextInputError(f"{name}: missing column(s) {', '.join(missing)} (the header has {found})")
        rows = list(reader)
    except csv.Error as error:
        raise TextInputError(f"{name}: not a valid CSV file ({error})") from None
    if not rows:
        raise TextInputError(f"{name}: a header but no data rows")
    return rows


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """Texts and their categories; a row without text or category is an error naming its line."""
    texts, labels = [], []
    for line, row in enumerate(read_rows(path, (TEXT_COLUMN, LABEL_COLUMN)), start=2):
        text = (row.get(TEXT_COLUMN) or "").strip()
        label = (row.get(LABEL_COLUMN) or "").strip()
        if not text:
            raise TextInputError(f"{path}: line {line}: empty {TEXT_COLUMN}")
        if not label:
            raise TextInputError(f"{path}: line {line}: empty {LABEL_COLUMN}")
        texts.append(text)
        labels.append(label)
    return texts, labels


def parse_time(value: str) -> datetime | None:
    """``2019/2/28 11:25:05`` and the other forms the exports use; None for an empty cell."""
    value = value.strip()
    if not value:
        return None
    for form in _TIME_FORMATS:
        try:
            return datetime.strptime(value, form)
        except ValueError:
            continue
    raise ValueError(value)


def read_messages(path: Path) -> list[Message]:
    """Messages of the 附件3 form (id, title, body; user, time and likes when present)."""
    messages = []
    seen: set[str] = set()
    for line, row in enumerate(read_rows(path, MESSAGE_COLUMNS), start=2):
        identifier = (row.get("留言编号") or "").strip()
        if not identifier:
            raise TextInputError(f"{path}: line {line}: empty 留言编号")
        if identifier in seen:
            raise TextInputError(f"{path}: line {line}: 留言编号 {identifier} appears twice")
        seen.add(identifier)
        title = (row.get("留言主题") or "").strip()
        body = (row.get("留言详情") or "").strip()
        if not title and not body:
            raise TextInputError(f"{path}: line {line}: neither 留言主题 nor 留言详情")
        try:
            at = parse_time(row.get("留言时间") or "")
        except ValueError:
            raise TextInputError(
                f"{path}: line {line}: 留言时间 {row.get('留言时间')!r} is not a time"
            ) from None
        likes_cell = (row.get("点赞数") or "").strip()
        if likes_cell and not likes_cell.isdigit():
            raise TextInputError(f"{path}: line {line}: 点赞数 {likes_cell!r} is not a whole number")
        messages.append(
            Message(
                id=identifier,
                title=title,
                body=body,
                person=(row.get("留言用户") or "").strip(),
                at=at,
                likes=int(likes_cell or 0),
            )
        )
    return messages
