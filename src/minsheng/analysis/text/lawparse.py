"""The structure of a Chinese law or draft: 编/分编 > 章 > 节 > 条 > 款 > 项 > 目.

Pure Python (no Django). Reads the Markdown layout of LawRefBook/Laws (``# title``, history lines,
``<!-- INFO END -->``, ``##``-headings, one paragraph per line), plain text and .docx.

- Headings are recognised by their words (第…编, 第…分编, 第…章, 第…节), never by Markdown depth.
- Articles start a line with 第<numeral>条, optionally 之<numeral> (第十条之一), then whitespace (ASCII,
  U+3000 ideographic, U+2002 …) or the end of the line; 第…条 inside a sentence is a cross-reference.
- Every following line up to the next article or heading belongs to the article: a line starting with
  （一） / (一) is an item (项) of the paragraph before it, a line starting with 1. / 1． / 1、 is a
  sub-item (目) of the item before it, any other line is a new paragraph (款).
- Every source line lands in exactly one place, so the text round-trips: ``document_text`` gives back
  the source's characters (whitespace and Markdown ``#`` aside).

Malformed input never raises a traceback at callers: ``LawParseError`` (empty, binary, not a real .docx)
carries a ``ParseIssue``; softer problems (numbering gaps, repeats, no articles) are ``doc.issues``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from minsheng.analysis.zipcheck import ZipLimits, ZipRefused, zip_names

MAX_BYTES = 20 * 1024 * 1024
# A .docx is a zip: what it expands to is capped before python-docx reads any of it. The longest law
# (the Civil Code, 1,260 articles) is about 3 MB of XML; 104 KB holding 21 MB of XML is an attack.
DOCX_LIMITS = ZipLimits(max_members=1_000, max_expanded=16 * 1024 * 1024)

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_DIGIT_CHARS = "零一二三四五六七八九"
_NUMERAL = "[零〇一二三四五六七八九十百千万亿两0-9]+"
_INVISIBLE = "\u200b\u200c\u200d\ufeff\u2060"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

# No law has 100,000 articles: a bigger numeral is a line of text, not an article (and would not fit
# the database's integer).
MAX_ARTICLE_NUMBER = 99_999
HEADING_KINDS = {"编": "part", "分编": "subpart", "章": "chapter", "节": "section"}
_HEADING_RE = re.compile(rf"^第(?P<num>{_NUMERAL})(?P<kind>分编|编|章|节)(?:\s+(?P<title>.*))?$")
_ARTICLE_RE = re.compile(rf"^第(?P<num>{_NUMERAL})条(?:之(?P<sub>{_NUMERAL}))?(?:\s+(?P<rest>.*))?$", re.S)
_ITEM_RE = re.compile(r"^[（(](?P<num>[零〇一二三四五六七八九十百两]+)[）)]")
_SUBITEM_RE = re.compile(r"^(?P<num>[0-9０-９]{1,3})[.．、](?!\d)")
_MD_HEADING_RE = re.compile(r"^#+\s*")
_INFO_END = "<!-- INFO END -->"
_MAX_HEADING_TITLE = 60

Level = Literal["error", "warning"]
# Told how far a long parse has come: (stage, done, total), stage "reading" (.docx paragraphs) or
# "parsing" (lines). Called every PROGRESS_EVERY items and once at the end of each stage.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 2_000


# --------------------------------------------------------------------------------------------------
# Chinese numerals
# --------------------------------------------------------------------------------------------------


def chinese_to_int(text: str) -> int:
    """一千二百六十 → 1260, 一百零一 → 101, 十 → 10, 二〇二四 → 2024, "12" → 12. ValueError otherwise."""
    text = text.translate(_FULL_WIDTH).strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isascii() and text.isdigit():
        return int(text)
    if all(ch in _DIGITS for ch in text):  # positional digits: 二〇二四
        value = 0
        for ch in text:
            value = value * 10 + _DIGITS[ch]
        return value
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in text:
            high, low = text.split(big, 1)
            low_value = chinese_to_int(low.lstrip("零〇")) if low.strip("零〇") else 0
            return (chinese_to_int(high) if high else 1) * factor + low_value
    section = number = 0
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            section += (number or 1) * _UNITS[ch]
            number = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return section + number


def _below_ten_thousand(value: int, *, drop_leading_one: bool) -> str:
    out = ""
    pending_zero = False
    for digit, unit in zip(
        (value // 1000, value // 100 % 10, value // 10 % 10, value % 10), "千百十 ", strict=True
    ):
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += _DIGIT_CHARS[digit] + unit.strip()
    if drop_leading_one and out.startswith("一十"):
        out = out[1:]
    return out


def int_to_chinese(value: int) -> str:
    """1260 → 一千二百六十, 101 → 一百零一, 10 → 十, 110 → 一百一十 (the way laws number articles)."""
    if value < 0:
        raise ValueError("negative numbers have no article label")
    if value == 0:
        return "零"
    if value < 10_000:
        return _below_ten_thousand(value, drop_leading_one=True)
    if value >= 10**8:
        high, low = divmod(value, 10**8)
        return (
            int_to_chinese(high) + "亿" + (("零" if low < 10**7 else "") + int_to_chinese(low) if low else "")
        )
    high, low = divmod(value, 10_000)
    text = int_to_chinese(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_ten_thousand(low, drop_leading_one=False)
    return text


def article_label(number: int, sub: int = 0) -> str:
    """(10, 1) → 第十条之一."""
    return f"第{int_to_chinese(number)}条" + (f"之{int_to_chinese(sub)}" if sub else "")


# --------------------------------------------------------------------------------------------------
# The structure
# --------------------------------------------------------------------------------------------------

ISSUE_TEXTS: dict[str, tuple[str, str]] = {
    # code: (English, 中文); named placeholders, filled from ParseIssue.params.
    "empty": ("The file is empty.", "文件是空的。"),
    "too_large": ("The file is larger than %(limit)s MB.", "文件超过 %(limit)s MB。"),
    "binary": (
        "The file is not text: it looks like a binary file.",
        "文件不是文本，看起来是二进制文件。",
    ),
    "not_docx": (
        "The file is not a valid Word document (.docx).",
        "文件不是有效的 Word 文档（.docx）。",
    ),
    "docx_expanded": (
        "The Word document expands to more than %(limit)s MB (or holds too many parts); a draft holds less.",
        "该 Word 文档展开后超过 %(limit)s MB（或包含的部件过多），不像一份草案。",
    ),
    "unsupported": (
        "Unsupported file type “%(suffix)s”: use .md, .txt or .docx.",
        "不支持的文件类型“%(suffix)s”：请使用 .md、.txt 或 .docx。",
    ),
    "no_articles": (
        "No article was found: articles start a line with 第…条 followed by a space.",
        "没有找到任何条文：条文应以“第…条”开头并后跟空格。",
    ),
    "article_gap": (
        "Line %(line)s: %(label)s follows %(previous)s; %(missing)s missing.",
        "第%(line)s行：%(label)s 紧接在 %(previous)s 之后，缺少 %(missing)s。",
    ),
    "article_repeat": (
        "Line %(line)s: %(label)s appears again (first on line %(first)s).",
        "第%(line)s行：%(label)s 重复出现（首次出现在第%(first)s行）。",
    ),
    "article_order": (
        "Line %(line)s: %(label)s comes after %(previous)s; the numbering goes backwards.",
        "第%(line)s行：%(label)s 排在 %(previous)s 之后，编号倒退。",
    ),
    "article_start": (
        "Line %(line)s: the first article is %(label)s, not 第一条.",
        "第%(line)s行：第一条条文是 %(label)s，而不是第一条。",
    ),
    "item_gap": (
        "Line %(line)s: item %(label)s of %(article)s does not follow the item before it.",
        "第%(line)s行：%(article)s 的第%(label)s项未按顺序接续前一项。",
    ),
}


@dataclass(frozen=True)
class ParseIssue:
    """A problem found in the input, with the line it is on (0 = the whole file)."""

    level: Level
    code: str
    line: int = 0
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return ISSUE_TEXTS[self.code][0] % {"line": self.line, **self.params}

    @property
    def message_zh(self) -> str:
        return ISSUE_TEXTS[self.code][1] % {"line": self.line, **self.params}

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "code": self.code, "line": self.line, "message": self.message_zh}


class LawParseError(ValueError):
    """The input cannot be read at all (empty, binary, a broken .docx)."""

    def __init__(self, issue: ParseIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class Block:
    """One line of an article: a paragraph (款), an item (项) or a sub-item (目)."""

    kind: Literal["paragraph", "item", "subitem"]
    text: str
    line: int
    paragraph: int  # 1-based index of the 款 it belongs to
    item: int = 0  # the 项 number (（三） → 3), 0 for a paragraph
    subitem: int = 0  # the 目 number, 0 unless a sub-item


@dataclass
class Heading:
    kind: Literal["part", "subpart", "chapter", "section"]
    number: int
    label: str  # 第一章
    title: str  # 总则
    line: int

    @property
    def full(self) -> str:
        return f"{self.label} {self.title}".strip()


@dataclass
class Loose:
    """Lines under a heading that belong to no article (e.g. a preface); kept for the round trip."""

    text: str
    line: int


@dataclass
class Article:
    number: int
    sub: int
    label: str
    line: int
    part: str | None = None
    subpart: str | None = None
    chapter: str | None = None
    section: str | None = None
    blocks: list[Block] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (self.number, self.sub)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "paragraph"]

    @property
    def items(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "item"]

    @property
    def subitems(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "subitem"]

    @property
    def text(self) -> str:
        """The article's own words, one block per line (without its label)."""
        return "\n".join(b.text for b in self.blocks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "sub": self.sub,
            "label": self.label,
            "part": self.part,
            "subpart": self.subpart,
            "chapter": self.chapter,
            "section": self.section,
            "paragraphs": self.paragraphs,
            "items": self.items,
            "subitems": self.subitems,
        }


Element = Heading | Article | Loose


@dataclass
class LawDocument:
    title: str
    preamble: list[str] = field(default_factory=list)
    body: list[Element] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [e for e in self.body if isinstance(e, Article)]

    @property
    def headings(self) -> list[Heading]:
        return [e for e in self.body if isinstance(e, Heading)]

    def count(self, kind: str) -> int:
        return sum(1 for h in self.headings if h.kind == kind)

    @property
    def errors(self) -> list[ParseIssue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[ParseIssue]:
        return [i for i in self.issues if i.level == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "articles": [a.as_dict() for a in self.articles],
            "parts": self.count("part"),
            "subparts": self.count("subpart"),
            "chapters": self.count("chapter"),
            "sections": self.count("section"),
            "issues": [i.as_dict() for i in self.issues],
        }


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------


def _clean(line: str) -> str:
    """A line without invisible characters, surrounding whitespace and Markdown heading marks."""
    line = line.strip().strip(_INVISIBLE).strip()
    return _MD_HEADING_RE.sub("", line).strip() if line.startswith("#") else line


def _heading_of(line: str, number_line: int) -> Heading | None:
    match = _HEADING_RE.match(line)
    if match is None:
        return None
    title = (match["title"] or "").strip()
    if len(title) > _MAX_HEADING_TITLE or title.endswith(("。", "；", "，")):
        return None  # a sentence that starts like a heading
    try:
        number = chinese_to_int(match["num"])
    except ValueError:
        return None
    label = f"第{match['num']}{match['kind']}"
    return Heading(HEADING_KINDS[match["kind"]], number, label, title, number_line)  # type: ignore[arg-type]


class _Builder:
    """Walks the lines once, keeping the current 编/分编/章/节 and article."""

    def __init__(self) -> None:
        self.doc = LawDocument(title="")
        self.context: dict[str, str | None] = {
            "part": None,
            "subpart": None,
            "chapter": None,
            "section": None,
        }
        self.article: Article | None = None
        # Kept as we go so that each line costs the same however long its article is (reading them
        # back from article.blocks made a long article quadratic: 40,000 lines took 28 s).
        self.paragraph = 0  # the current article's last 款 number
        self.last_item: Block | None = None  # the current article's last 项
        self.seen: dict[tuple[int, int], int] = {}
        self.previous: Article | None = None

    def heading(self, heading: Heading) -> None:
        self.article = None
        order = ["part", "subpart", "chapter", "section"]
        self.context[heading.kind] = heading.full
        for lower in order[order.index(heading.kind) + 1 :]:
            self.context[lower] = None
        self.doc.body.append(heading)

    def start_article(self, number: int, sub: int, label: str, rest: str, line: int) -> None:
        context = self.context
        article = Article(number, sub, label, line, part=context["part"], subpart=context["subpart"])
        article.chapter, article.section = context["chapter"], context["section"]
        self.paragraph = 0
        self.last_item = None
        if rest:
            article.blocks.append(Block("paragraph", rest, line, 1))
            self.paragraph = 1
        self._check_number(article)
        self.article = article
        self.doc.body.append(article)

    def _check_number(self, article: Article) -> None:
        issues = self.doc.issues
        params = {"label": article.label}
        if article.key in self.seen:
            issues.append(
                ParseIssue(
                    "warning", "article_repeat", article.line, {**params, "first": self.seen[article.key]}
                )
            )
        elif self.previous is None:
            if article.key != (1, 0):
                issues.append(ParseIssue("warning", "article_start", article.line, params))
        else:
            prev = self.previous
            params["previous"] = prev.label
            if article.sub == 0 and article.number > prev.number + 1:
                missing = range(prev.number + 1, article.number)
                names = _names(article_label(n) for n in missing[:6])
                issues.append(
                    ParseIssue("warning", "article_gap", article.line, {**params, "missing": names})
                )
            elif article.sub == 0 and article.number <= prev.number:
                issues.append(ParseIssue("warning", "article_order", article.line, params))
            elif article.sub and article.number == prev.number and article.sub > prev.sub + 1:
                names = _names(article_label(article.number, s) for s in range(prev.sub + 1, article.sub)[:6])
                issues.append(
                    ParseIssue("warning", "article_gap", article.line, {**params, "missing": names})
                )
            elif article.sub and article.number > prev.number:
                names = _names(article_label(article.number, s) for s in range(0, article.sub)[:6])
                issues.append(
                    ParseIssue("warning", "article_gap", article.line, {**params, "missing": names})
                )
            elif article.sub and article.key < prev.key:
                issues.append(ParseIssue("warning", "article_order", article.line, params))
        self.seen.setdefault(article.key, article.line)
        self.previous = article

    def block(self, text: str, line: int) -> None:
        article = self.article
        if article is None:
            self.doc.body.append(Loose(text, line))
            return
        paragraph = self.paragraph
        last_item = self.last_item
        item_match = _ITEM_RE.match(text)
        sub_match = _SUBITEM_RE.match(text)
        if item_match is not None and paragraph:
            number = _safe_int(item_match["num"])
            previous_in_paragraph = last_item.item if last_item and last_item.paragraph == paragraph else 0
            if number != previous_in_paragraph + 1:
                self.doc.issues.append(
                    ParseIssue(
                        "warning",
                        "item_gap",
                        line,
                        {"label": f"（{item_match['num']}）", "article": article.label},
                    )
                )
            self.last_item = Block("item", text, line, paragraph, number)
            article.blocks.append(self.last_item)
        elif sub_match is not None and last_item is not None and last_item.paragraph == paragraph:
            article.blocks.append(
                Block(
                    "subitem",
                    text,
                    line,
                    paragraph,
                    last_item.item,
                    int(sub_match["num"].translate(_FULL_WIDTH)),
                )
            )
        else:
            self.paragraph = paragraph + 1
            article.blocks.append(Block("paragraph", text, line, self.paragraph))


def _names(labels: Iterator[str]) -> str:
    """At most five labels, then 等: a gap of millions (第一条 … 第一亿条) costs no more than a small one."""
    shown = list(labels)
    return "、".join(shown[:5]) + ("等" if len(shown) > 5 else "")


def _safe_int(numeral: str) -> int:
    try:
        return chinese_to_int(numeral)
    except ValueError:
        return 0


def parse_lines(lines: list[str], *, progress: Progress | None = None) -> LawDocument:
    """The structure of a law given as lines (one paragraph per line)."""
    builder = _Builder()
    doc = builder.doc
    markdown = any(line.strip() == _INFO_END for line in lines)
    in_preamble = True
    for index, raw in enumerate(lines, start=1):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress("parsing", index, len(lines))
        stripped = raw.strip().strip(_INVISIBLE).strip()
        if not stripped:
            continue
        line = _clean(raw)
        if in_preamble and not doc.title and not markdown and not line:
            continue
        if in_preamble:
            if markdown:
                if not doc.title and stripped.startswith("#") and not stripped.startswith("##"):
                    doc.title = line
                    continue
                if stripped == _INFO_END:
                    doc.preamble.append(stripped)
                    in_preamble = False
                    continue
                if _ARTICLE_RE.match(line) is None and _heading_of(line, index) is None:
                    doc.preamble.append(stripped)
                    continue
            else:
                if _ARTICLE_RE.match(line) is None and _heading_of(line, index) is None:
                    if not doc.title:
                        doc.title = line
                    else:
                        doc.preamble.append(stripped)
                    continue
            in_preamble = False
        heading = _heading_of(line, index)
        if heading is not None:
            builder.heading(heading)
            continue
        match = _ARTICLE_RE.match(line)
        if match is not None:
            try:
                number = chinese_to_int(match["num"])
                sub = chinese_to_int(match["sub"]) if match["sub"] else 0
            except ValueError:
                match = None
            else:
                if max(number, sub) > MAX_ARTICLE_NUMBER:
                    builder.block(line, index)
                    continue
                label = f"第{match['num']}条" + (f"之{match['sub']}" if match["sub"] else "")
                builder.start_article(number, sub, label, (match["rest"] or "").strip(), index)
                continue
        builder.block(line, index)
    if not doc.articles:
        doc.issues.append(ParseIssue("error", "no_articles", 0))
    if progress is not None:
        progress("parsing", len(lines), len(lines))
    return doc


def parse_text(text: str, *, progress: Progress | None = None) -> LawDocument:
    if not text.strip():
        raise LawParseError(ParseIssue("error", "empty"))
    return parse_lines(text.splitlines(), progress=progress)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise LawParseError(ParseIssue("error", "binary"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
        if controls > max(2, len(text) // 1000):
            raise LawParseError(ParseIssue("error", "binary"))
        return text
    raise LawParseError(ParseIssue("error", "binary"))


def docx_lines(data: bytes, *, progress: Progress | None = None) -> list[str]:
    """The paragraphs of a .docx, body tables included, as lines (after ``DOCX_LIMITS`` are checked)."""
    try:
        zip_names(data, DOCX_LIMITS)
    except ZipRefused as refused:
        if refused.reason == "broken":
            raise LawParseError(ParseIssue("error", "not_docx")) from None
        limit = DOCX_LIMITS.max_expanded // (1024 * 1024)
        raise LawParseError(ParseIssue("error", "docx_expanded", params={"limit": limit})) from None
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise LawParseError(ParseIssue("error", "not_docx")) from error
    except Exception as error:
        raise LawParseError(ParseIssue("error", "not_docx")) from error
    paragraphs = document.paragraphs
    lines = []
    for index, paragraph in enumerate(paragraphs, start=1):
        lines.append(paragraph.text)
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress("reading", index, len(paragraphs))
    if progress is not None:
        progress("reading", len(paragraphs), len(paragraphs))
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return lines


SUFFIXES = (".md", ".markdown", ".txt", ".docx")


def parse_bytes(data: bytes, *, filename: str = "", progress: Progress | None = None) -> LawDocument:
    """Parse a file's bytes; the kind is judged by the name and checked against the content."""
    suffix = Path(filename).suffix.lower()
    if len(data) > MAX_BYTES:
        raise LawParseError(ParseIssue("error", "too_large", params={"limit": MAX_BYTES // (1024 * 1024)}))
    if not data.strip():
        raise LawParseError(ParseIssue("error", "empty"))
    if suffix and suffix not in SUFFIXES:
        raise LawParseError(ParseIssue("error", "unsupported", params={"suffix": suffix}))
    if suffix == ".docx" or data.startswith(b"PK\x03\x04"):
        if not data.startswith(b"PK\x03\x04"):
            raise LawParseError(ParseIssue("error", "not_docx"))
        lines = docx_lines(data, progress=progress)
        if not any(line.strip() for line in lines):
            raise LawParseError(ParseIssue("error", "empty"))
        return parse_lines(lines, progress=progress)
    return parse_text(_decode(data), progress=progress)


def parse_file(path: str | Path) -> LawDocument:
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        raise LawParseError(ParseIssue("error", "too_large", params={"limit": MAX_BYTES // (1024 * 1024)}))
    return parse_bytes(path.read_bytes(), filename=path.name)


# --------------------------------------------------------------------------------------------------
# Writing back
# --------------------------------------------------------------------------------------------------


def element_lines(element: Element) -> Iterator[str]:
    if isinstance(element, Heading):
        yield element.full
    elif isinstance(element, Loose):
        yield element.text
    else:
        blocks = element.blocks
        first = blocks[0].text if blocks and blocks[0].line == element.line else ""
        yield f"{element.label}　{first}".rstrip("　")
        rest = blocks[1:] if first else blocks
        yield from (b.text for b in rest)


def document_text(doc: LawDocument) -> str:
    """The document as plain text, one paragraph per line: everything the parser read, in order."""
    lines = [doc.title, *doc.preamble]
    for element in doc.body:
        lines.extend(element_lines(element))
    return "\n".join(line for line in lines if line)
