"""`consensus analyze VOTES [--comments COMMENTS] [--format json|html] [--groups K] [-o OUT]`.

`minsheng consensus ...` and `python -m minsheng.analysis.consensus ...` both land in `main`.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path

from .votes import ConsensusInputError, Votes, check_statements_known, read_statements, read_votes

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
    analyze_command.add_argument("--indent", type=int, metavar="N", help="indent the JSON (default: compact)")
    return parser


def _read_votes_while_importing(path: Path) -> Votes:
    """`read_votes(path)`, done by a forked child while this process imports the analysis.

    On a million votes reading takes about half a second and importing scipy a third: each keeps
    one core busy (neither releases the GIL), so side by side they save a fifth of the command.
    Without fork (or if the child dies), the votes are read here after the imports.
    """
    if not hasattr(os, "fork"):
        _import_analysis()
        return read_votes(path)
    receive, send = os.pipe()
    child = os.fork()
    if child == 0:  # the child: read, send the votes or the error, and leave without cleanup
        os.close(receive)
        try:
            payload: tuple[bool, object] = (True, read_votes(path))
        except BaseException as error:  # every error is the parent's to report
            payload = (False, error)
        with os.fdopen(send, "wb") as pipe:
            pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        os._exit(0)
    os.close(send)
    _import_analysis()
    try:
        with os.fdopen(receive, "rb") as pipe:
            succeeded, result = pickle.load(pipe)  # noqa: S301 - bytes from our own child
    except (EOFError, pickle.UnpicklingError):
        succeeded, result = True, read_votes(path)
    finally:
        os.waitpid(child, 0)
    if not succeeded:
        raise result
    return result


def _import_analysis() -> None:
    """The analysis's modules (scipy included), imported now rather than where first used."""
    from . import output, pipeline, report  # noqa: F401


def _run_analyze(args: argparse.Namespace) -> str:
    if args.groups is not None and not 2 <= args.groups <= MAX_GROUPS:
        raise ConsensusInputError(f"--groups must be between 2 and {MAX_GROUPS}")
    votes = _read_votes_while_importing(args.votes)
    from .output import to_json
    from .pipeline import AnalysisOptions, analyze
    from .report import render_html

    texts = {}
    if args.comments is not None:
        statements = read_statements(args.comments)
        check_statements_known(votes, statements)
        votes = votes.with_moderation(statements)
        texts = {s.id: s.text for s in statements}
    result = analyze(votes, AnalysisOptions(force_groups=args.groups))
    if args.format == "html":
        return render_html(result, texts, title=f"Consensus analysis: {args.votes.name}")
    # Compact by default: json's C encoder only runs without indent, and on a million votes the
    # indented (pure-Python) encoding alone took a third of a second.
    separators = (",", ": ") if args.indent is not None else (",", ":")
    return json.dumps(to_json(result), ensure_ascii=False, indent=args.indent, separators=separators)


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
