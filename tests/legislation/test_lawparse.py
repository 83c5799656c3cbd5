"""The law parser on real laws (../shared/data/laws) and on generated documents."""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.analysis.text.lawparse import (
    LawParseError,
    article_label,
    chinese_to_int,
    document_text,
    int_to_chinese,
    parse_bytes,
    parse_file,
    parse_lines,
    parse_text,
)
from minsheng.legislation.cli import main as cli_main


def _readme_rows(laws: Path) -> list[dict[str, str]]:
    """The table of the folder's README: file → expected counts."""
    rows = []
    lines = (laws / "README.md").read_text(encoding="utf-8").splitlines()
    header: list[str] = []
    for line in lines:
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "file":
            header = cells
            continue
        if header:
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _number(cell: str) -> int:
    return int(re.sub(r"[^0-9]", "", cell))


@pytest.fixture(scope="module")
def laws(shared_data: Path) -> Path:
    return shared_data / "laws"


def test_readme_counts_match(laws: Path) -> None:
    rows = _readme_rows(laws)
    assert len(rows) == 5
    for row in rows:
        doc = parse_file(laws / row["file"])
        assert doc.title == row["title"]
        assert len(doc.articles) == _number(row["条 (A: paragraph-initial)"]), row["file"]
        assert doc.count("part") == _number(row["编"])
        assert doc.count("subpart") == _number(row["分编"])
        assert doc.count("chapter") == _number(row["章"])
        assert doc.count("section") == _number(row["节"])
        assert doc.issues == []


def test_article_numbers_follow_each_other(laws: Path) -> None:
    for row in _readme_rows(laws):
        articles = parse_file(laws / row["file"]).articles
        for previous, article in itertools.pairwise(articles):
            follows = article.key == (previous.number + 1, 0)
            insert = article.number == previous.number and article.sub == previous.sub + 1
            assert follows or insert, (row["file"], previous.label, article.label)
            assert chinese_to_int(article.label[1:].split("条")[0]) == article.number


def _visible(text: str) -> str:
    without_marks = re.sub(r"(?m)^\s*#+", "", text)
    return re.sub(r"\s", "", without_marks)


def test_text_round_trips(laws: Path) -> None:
    for row in _readme_rows(laws):
        source = (laws / row["file"]).read_text(encoding="utf-8")
        doc = parse_text(source)
        assert _visible(document_text(doc)) == _visible(source), row["file"]


def test_items_and_context_on_a_real_law(laws: Path) -> None:
    doc = parse_file(laws / "xingzheng-chufa-fa_2021-01-22.md")
    ninth = doc.articles[8]
    assert ninth.label == "第九条"
    assert ninth.chapter == "第二章 行政处罚的种类和设定"
    assert ninth.items[2].startswith("（三）")
    assert len(ninth.items) == 6
    sectioned = [a for a in doc.articles if a.section]
    assert all(a.chapter and a.chapter.startswith("第五章") for a in sectioned)
    beijing = parse_file(laws / "beijing-xinfang-tiaoli.md")
    assert beijing.headings[0].full == "第一章 总则"  # two ASCII spaces collapse


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十", 10),
        ("十一", 11),
        ("一百零一", 101),
        ("一百二十", 120),
        ("一千二百六十", 1260),
        ("两千", 2000),
        ("一万零一十", 10010),
        ("二〇二四", 2024),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value
    if numeral not in {"两千", "二〇二四"}:
        assert int_to_chinese(value) == numeral


@given(st.integers(min_value=0, max_value=10**9))
def test_numerals_round_trip(value: int) -> None:
    assert chinese_to_int(int_to_chinese(value)) == value


SPACES = st.sampled_from([" ", "\u3000", "  ", "\u2002", "\t"])
SENTENCE = st.text(alphabet="的是在有和为与对应当依法规定管理本条例", min_size=1, max_size=30).map(
    lambda t: t + "。"
)


@st.composite
def law_documents(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int]], int, int]:
    """A generated law: chapters, some with sections, articles with 款 and （n）项, 之一 inserts."""
    lines = ["某某市测试条例（草案）", ""]
    expected: list[tuple[str, int, int]] = []  # label, paragraphs, items
    number = 0
    chapters = draw(st.integers(1, 4))
    sections = 0
    for chapter in range(1, chapters + 1):
        lines.append(
            f"{'#' * draw(st.integers(0, 3))} 第{int_to_chinese(chapter)}章{draw(SPACES)}总则".strip()
        )
        chapter_sections = draw(st.integers(0, 2))
        for section in range(1, max(chapter_sections, 1) + 1):
            if chapter_sections:
                lines.append(f"第{int_to_chinese(section)}节{draw(SPACES)}一般规定")
                sections += 1
            for _ in range(draw(st.integers(1, 4))):
                number += 1
                inserts = draw(st.integers(0, 1))
                for sub in range(inserts + 1):
                    paragraphs = draw(st.integers(1, 3))
                    items = draw(st.integers(0, 12))
                    label = article_label(number, sub)
                    lines.append(f"{label}{draw(SPACES)}{draw(SENTENCE)}")
                    for _p in range(paragraphs - 1):
                        lines.append(draw(SENTENCE))
                    for item in range(1, items + 1):
                        lines.append(f"（{int_to_chinese(item)}）{draw(SENTENCE)}")
                    lines.append("")
                    expected.append((label, paragraphs, items))
    return "\n".join(lines), expected, chapters, sections


@settings(max_examples=60, deadline=None)
@given(law_documents())
def test_generated_documents(case: tuple[str, list[tuple[str, int, int]], int, int]) -> None:
    text, expected, chapters, sections = case
    doc = parse_text(text)
    assert [(a.label, len(a.paragraphs), len(a.items)) for a in doc.articles] == expected
    assert doc.count("chapter") == chapters
    assert doc.count("section") == sections
    assert doc.issues == []
    assert _visible(document_text(doc)) == _visible(text)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=2, max_size=15))
def test_gaps_and_repeats_are_named(numbers: list[int]) -> None:
    text = "\n".join(f"{article_label(n)} 内容。" for n in numbers)
    doc = parse_text(text)
    broken = numbers[0] != 1 or any(b != a + 1 for a, b in itertools.pairwise(numbers))
    assert bool(doc.warnings) == broken
    for issue in doc.warnings:
        assert issue.line >= 1
        assert f"第{issue.line}行" in issue.message_zh


def test_gap_message_names_the_missing_article() -> None:
    doc = parse_text("第一条 甲。\n第二条 乙。\n第四条 丁。\n第四条 又丁。\n第四条之二 插。")
    messages = [issue.message_zh for issue in doc.issues]
    assert messages[0] == "第3行：第四条 紧接在 第二条 之后，缺少 第三条。"
    assert "第4行：第四条 重复出现（首次出现在第3行）。" in messages
    assert any("第四条之一" in m for m in messages)


def test_cross_references_and_subitems() -> None:
    lines = [
        "第一条 依照第三条规定。",
        "第三条的规定不适用。",
        "（一）甲；",
        "1. 子目一",
        "2．子目二",
        "（二）乙。",
        "第二条 完。",
    ]
    doc = parse_text("\n".join(lines))
    first = doc.articles[0]
    assert len(doc.articles) == 2
    assert first.paragraphs == ["依照第三条规定。", "第三条的规定不适用。"]
    assert [b.item for b in first.blocks if b.kind == "subitem"] == [1, 1]
    assert [b.paragraph for b in first.blocks] == [1, 2, 2, 2, 2, 2]


def _docx_bytes(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_and_gbk_text() -> None:
    lines = ["测试条例", "第一章　总则", "第一条　为了测试。", "第二条　本条例自公布之日起施行。"]
    doc = parse_bytes(_docx_bytes(lines), filename="draft.docx")
    assert [a.label for a in doc.articles] == ["第一条", "第二条"]
    assert doc.title == "测试条例"
    gbk = parse_bytes("\n".join(lines).encode("gb18030"), filename="draft.txt")
    assert len(gbk.articles) == 2


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.txt", "empty"),
        (b"  \n\n", "a.md", "empty"),
        (b"\x00\x01\x02binary" * 10, "a.txt", "binary"),
        (b"MZ\x90\x00" + bytes(range(256)), "a.docx", "not_docx"),
        (b"PK\x03\x04broken", "a.docx", "not_docx"),
        (b"abc", "a.pdf", "unsupported"),
    ],
)
def test_unreadable_input_raises_a_named_error(data: bytes, name: str, code: str) -> None:
    with pytest.raises(LawParseError) as raised:
        parse_bytes(data, filename=name)
    assert raised.value.issue.code == code


def test_cli_json_and_text(laws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["parse", str(laws / "lifafa_2023-03-13.md")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["chapters"] == 6 and result["sections"] == 7 and result["parts"] == 0
    assert len(result["articles"]) == 120
    eleventh = result["articles"][10]
    assert eleventh["label"] == "第十一条" and eleventh["number"] == 11
    assert eleventh["chapter"].startswith("第二章") and eleventh["section"].startswith("第一节")
    assert eleventh["items"] and eleventh["paragraphs"]
    assert cli_main(["parse", str(laws / "lifafa_2023-03-13.md"), "--format", "text"]) == 0
    assert "第一百二十条" in capsys.readouterr().out


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_bytes(bytes(range(256)) * 4)
    assert cli_main(["parse", str(fake)]) == 1
    assert "不是有效的 Word 文档" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert cli_main(["parse", str(empty)]) == 1
    assert "文件是空的" in capsys.readouterr().err
    no_articles = tmp_path / "note.txt"
    no_articles.write_text("只是一段说明。\n没有条文。")
    assert cli_main(["parse", str(no_articles)]) == 1
    assert "没有找到任何条文" in capsys.readouterr().err
    assert cli_main(["parse", str(tmp_path / "missing.md")]) == 1
    assert "找不到文件" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        cli_main(["parse", str(empty), "--format", "xml"])
    assert usage.value.code == 2


def test_parts_subparts_and_large_numbers() -> None:
    text = "\n".join(
        [
            "# 某某法典（草案）",
            "## 第一编　总则",
            "### 第一章 基本规定",
            "第一千二百五十九条　甲。",
            "第一千二百六十条　乙。",
            "第一千二百六十条之一　插入的条文。",
            "## 第二编 物权",
            "### 第一分编　通则",
            "#### 第一章　一般规定",
            "第一千二百六十一条 丙。",
        ]
    )
    doc = parse_text(text)
    assert (doc.count("part"), doc.count("subpart"), doc.count("chapter")) == (2, 1, 2)
    assert [a.number for a in doc.articles] == [1259, 1260, 1260, 1261]
    assert doc.articles[2].label == "第一千二百六十条之一" and doc.articles[2].sub == 1
    last = doc.articles[-1]
    assert (last.part, last.subpart, last.chapter) == ("第二编 物权", "第一分编 通则", "第一章 一般规定")
    assert doc.articles[0].subpart is None
    assert [i.code for i in doc.issues] == ["article_start"]  # a fragment starting at 第一千二百五十九条


def _steps(lines: list[str]) -> int:
    """How many Python steps parsing takes (counted, not timed: the count does not vary with load)."""
    import sys

    count = 0

    def tracer(frame: object, event: str, arg: object) -> object:
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        parse_lines(lines)
    finally:
        sys.settrace(None)
    return count


def test_parsing_grows_linearly_with_a_long_article() -> None:
    """10k/20k/40k lines took 1.5/6.8/28 s: every line re-read its article's earlier lines (issue 12.7)."""

    def long_article(n: int) -> list[str]:
        return ["某条例", "第一条　总则。"] + [
            "（一）一项。" if i % 3 == 0 else f"第{i}段的内容。" for i in range(n)
        ]

    small, large = _steps(long_article(1_000)), _steps(long_article(4_000))
    assert large < 5 * small  # four times the lines: about four times the steps (quadratic: sixteen)


def test_a_long_parse_reports_its_progress() -> None:
    seen: list[tuple[str, int, int]] = []
    text = "某条例\n" + "".join(f"第{int_to_chinese(n)}条　内容。\n" for n in range(1, 5_001))
    parse_text(text, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert [done for _stage, done, _total in seen] == sorted(done for _stage, done, _total in seen)
    assert seen[-1] == ("parsing", 5_001, 5_001) and len(seen) >= 3
