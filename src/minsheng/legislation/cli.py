"""`minsheng legislation parse FILE [--format json|text]`: the structure of a law or draft file.

Runs without Django. Bad input (missing, empty, binary, unsupported, no articles) gives a one-line
message on standard error and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from minsheng.analysis.text.lawparse import Article, Heading, LawDocument, LawParseError, Loose, parse_file

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: 用法错误 / usage error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minsheng legislation", description="法律草案结构 / structure of a law or draft")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parse = commands.add_parser("parse", help="print the structure (编/章/节/条/款/项) of FILE")
    parse.add_argument("file", type=Path, help=".md (LawRefBook layout), .txt or .docx")
    parse.add_argument("--format", choices=("json", "text"), default="json")
    return parser


def document_outline(doc: LawDocument) -> str:
    """A readable outline: headings indented by level, each article with its counts."""
    indent = {"part": 0, "subpart": 1, "chapter": 1, "section": 2}
    lines = [doc.title or "（无标题）"]
    counts = (
        f"条 {len(doc.articles)} · 编 {doc.count('part')} · 分编 {doc.count('subpart')} · "
        f"章 {doc.count('chapter')} · 节 {doc.count('section')}"
    )
    lines.append(counts)
    depth = 0
    for element in doc.body:
        if isinstance(element, Heading):
            depth = indent[element.kind] + 1
            lines.append("  " * indent[element.kind] + element.full)
        elif isinstance(element, Article):
            first = element.paragraphs[0] if element.paragraphs else ""
            summary = first[:30] + ("…" if len(first) > 30 else "")
            extra = f"（{len(element.paragraphs)}款，{len(element.items)}项）"
            lines.append("  " * depth + f"{element.label} {summary} {extra}")
        elif isinstance(element, Loose):
            lines.append("  " * depth + element.text[:40])
    return "\n".join(lines)


def _report_issues(doc: LawDocument) -> None:
    for issue in doc.issues:
        kind = "错误 / error" if issue.level == "error" else "警告 / warning"
        print(f"{kind}: {issue.message_zh} ({issue.message})", file=sys.stderr)


def main(argv: list[str]) -> int:
    args = _build_parser().parse_args(argv)
    path: Path = args.file
    try:
        if not path.is_file():
            print(f"错误 / error: 找不到文件 / no such file: {path}", file=sys.stderr)
            return EXIT_BAD_INPUT
        doc = parse_file(path)
    except LawParseError as error:
        print(f"错误 / error: {path}: {error.issue.message_zh} ({error.issue.message})", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"错误 / error: {path}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _report_issues(doc)
    if args.format == "text":
        sys.stdout.write(document_outline(doc) + "\n")
    else:
        sys.stdout.write(json.dumps(doc.as_dict(), ensure_ascii=False, indent=1) + "\n")
    return EXIT_BAD_INPUT if doc.errors else 0
