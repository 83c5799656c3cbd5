"""`minsheng text route-eval | hot | dup`: the text tools on CSV files, without a database.

- ``route-eval --train TRAIN.csv --test TEST.csv [--format json|text]``: train the routing recipe on
  TRAIN only, predict TEST one message at a time, print the quality figures.
- ``hot MESSAGES.csv [--top N] [--format json|text]``: the hottest issues among 附件3-style messages.
- ``dup MESSAGES.csv [--threshold T] [--format json|text]``: groups of near-duplicate messages.

Bad input gives a one-line message on standard error and exit status 1; usage errors exit 2.
Progress of long work goes to standard error, results to standard output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from minsheng.analysis.text.files import TextInputError, read_labelled, read_messages
from minsheng.analysis.text.neardup import DEFAULT_THRESHOLD, duplicate_groups
from minsheng.analysis.text.routing import RoutingError, routing_evaluate

EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
MAX_TOP = 1000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: 用法错误 / usage error: {message}\n")


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError("must be greater than 0 and at most 1")
    return number


def _top(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_TOP}")
    return int(value)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="minsheng text", description="文本分析 / text analysis of civic messages")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    route = commands.add_parser("route-eval", help="train the routing recipe on TRAIN, score it on TEST")
    route.add_argument("--train", type=Path, required=True, help="CSV with 留言分词 and 一级分类")
    route.add_argument("--test", type=Path, required=True, help="CSV with 留言分词 and 一级分类")
    route.add_argument("--format", choices=("json", "text"), default="json")
    hot = commands.add_parser("hot", help="hot issues among messages (附件3 columns)")
    hot.add_argument("messages", type=Path)
    hot.add_argument("--top", type=_top, default=5)
    hot.add_argument("--format", choices=("json", "text"), default="json")
    dup = commands.add_parser("dup", help="near-duplicate groups of messages (附件3 columns)")
    dup.add_argument("messages", type=Path)
    dup.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD, help="3-gram Jaccard, 0–1")
    dup.add_argument("--format", choices=("json", "text"), default="json")
    return parser


def _progress(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r  {stage:<10} {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _route_eval(args: argparse.Namespace) -> str:
    train_texts, train_labels = read_labelled(args.train)
    test_texts, test_labels = read_labelled(args.test)
    report = routing_evaluate(
        train_texts, train_labels, test_texts, test_labels, progress=_progress
    ).as_dict()
    if args.format == "json":
        return json.dumps(report, ensure_ascii=False)
    lines = [f"{key}: {value}" for key, value in report.items() if key != "per_class"]
    lines.append("per_class:")
    lines.extend(f"  {label}: {f1}" for label, f1 in report["per_class"].items())
    return "\n".join(lines)


def _hot(args: argparse.Namespace) -> str:
    from minsheng.analysis.text.hot import hot_issues

    issues = [issue.as_dict() for issue in hot_issues(read_messages(args.messages), top=args.top)]
    if args.format == "json":
        return json.dumps(issues, ensure_ascii=False)
    lines = []
    for issue in issues:
        lines.append(
            f"{issue['rank']}. [{issue['heat']}] {issue['title']} — {issue['place'] or '?'} "
            f"({issue['from']} – {issue['to']}, {len(issue['message_ids'])} 条)"
        )
        lines.append("   " + " ".join(issue["message_ids"]))
    return "\n".join(lines) if lines else "（没有热点问题 / no hot issues）"


def _dup(args: argparse.Namespace) -> str:
    messages = read_messages(args.messages)
    texts = [f"{m.title}\n{m.body}" for m in messages]
    groups: list[dict[str, Any]] = []
    for pairs in duplicate_groups(texts, threshold=args.threshold):
        members = sorted({i for pair in pairs for i in pair[:2]})
        scores = [score for _, _, score in pairs]
        groups.append(
            {
                "message_ids": [messages[i].id for i in members],
                "min_jaccard": min(scores),
                "max_jaccard": max(scores),
                "pairs": [[messages[i].id, messages[j].id, score] for i, j, score in pairs],
            }
        )
    if args.format == "json":
        return json.dumps(groups, ensure_ascii=False)
    lines = [f"{len(groups)} 组 / groups (3-gram Jaccard ≥ {args.threshold})"]
    for number, group in enumerate(groups, start=1):
        first = next(m for m in messages if m.id == group["message_ids"][0])
        lines.append(f"{number}. {first.title} — {' '.join(group['message_ids'])} ({group['max_jaccard']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    run = {"route-eval": _route_eval, "hot": _hot, "dup": _dup}[args.command]
    try:
        output = run(args)
    except (TextInputError, RoutingError) as error:
        print(f"minsheng text: 错误 / error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"minsheng text: 错误 / error: {error.strerror}: {error.filename}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(output + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
