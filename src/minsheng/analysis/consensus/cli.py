"""`consensus analyze VOTES [--comments COMMENTS] [--format json|html] [--groups K] [-o OUT]`.

`minsheng consensus ...` and `python -m minsheng.analysis.consensus ...` both land in `main`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .output import to_json
from .pipeline import AnalysisOptions, analyze
from .report import render_html
from .votes import ConsensusInputError, check_statements_known, read_statements, read_votes

MAX_GROUPS = 5


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line and exits 2, like the rest of our messages."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minsheng consensus", description="pol.is-style consensus analysis of votes")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    analyze_command = commands.add_parser("analyze", help="analyse a conversation's votes")
    analyze_command.add_argument("votes", type=Path, help="votes.csv, participants-votes.csv or votes.json")
    analyze_command.add_argument("--comments", type=Path, help="comments.csv (texts and moderation)")
    analyze_command.add_argument("--format", choices=("json", "html"), default="json")
    analyze_command.add_argument("--groups", type=int, metavar="K", help=f"force K groups (2..{MAX_GROUPS})")
    analyze_command.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    return parser


def _run_analyze(args: argparse.Namespace) -> str:
    if args.groups is not None and not 2 <= args.groups <= MAX_GROUPS:
        raise ConsensusInputError(f"--groups must be between 2 and {MAX_GROUPS}")
    votes = read_votes(args.votes)
    texts = {}
    if args.comments is not None:
        statements = read_statements(args.comments)
        check_statements_known(votes, statements)
        votes = votes.with_moderation(statements)
        texts = {s.id: s.text for s in statements}
    result = analyze(votes, AnalysisOptions(force_groups=args.groups))
    if args.format == "html":
        return render_html(result, texts, title=f"Consensus analysis: {args.votes.name}")
    return json.dumps(to_json(result), ensure_ascii=False, indent=1)


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        document = _run_analyze(args)
        if args.output is not None:
            args.output.write_text(document + "\n", encoding="utf-8")
        else:
            sys.stdout.write(document + "\n")
    except ConsensusInputError as error:
        print(f"minsheng consensus: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"minsheng consensus: error: {error.strerror}: {error.filename}", file=sys.stderr)
        return 1
    except MemoryError:
        print("minsheng consensus: error: not enough memory for this conversation", file=sys.stderr)
        return 1
    return 0
