"""Benchmark the draft parser: time and peak memory against the number of lines, and the .docx path.

Each measurement runs in its own subprocess (peak memory, ru_maxrss, is the whole process). Inputs:
one long article (the shape that made the old parser quadratic: every line re-read the article's
earlier lines) and many short articles, at 10,000 / 20,000 / 40,000 lines; and a .docx of 20,000
paragraphs. The time is the best of three runs.

    .venv/bin/python bench/lawparse.py             # writes the lawparse section of docs/benchmarks.md
    .venv/bin/python bench/lawparse.py --no-write  # print only
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

SIZES = (10_000, 20_000, 40_000)


def lines_of(shape: str, n: int) -> list[str]:
    if shape == "one article":
        return ["某条例（草案）", "第一条　总则。"] + [
            "（一）一项。" if i % 3 == 0 else f"第{i}段：有关单位应当依法履行职责。" for i in range(n)
        ]
    return ["某条例（草案）"] + [f"第{i + 1}条　有关单位应当依法履行职责。" for i in range(n)]


def docx_of(n: int) -> bytes:
    import docx

    document = docx.Document()
    for line in lines_of("many articles", n):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def measure(shape: str, n: int) -> dict[str, float]:
    """Run in a child: the best of three parses, and the child's peak memory."""
    from minsheng.analysis.text.lawparse import parse_bytes, parse_lines

    if shape == "docx":
        data = docx_of(n)
        run = lambda: parse_bytes(data, filename="draft.docx")  # noqa: E731
    else:
        lines = lines_of(shape, n)
        run = lambda: parse_lines(lines)  # noqa: E731
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": best, "peak_mib": peak_mib}


def child(shape: str, n: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", shape, str(n)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    from loadgen import machine_description, section_write

    load = os.getloadavg()[0]
    rows = []
    for shape in ("one article", "many articles"):
        for n in SIZES:
            result = child(shape, n)
            rows.append((shape, n, result))
            print(shape, n, result, flush=True)
    docx_result = child("docx", 20_000)
    print("docx", 20_000, docx_result, flush=True)
    table = ["| input | lines | best of 3, s | ms per 1,000 lines | peak MiB |", "|---|---|---|---|---|"]
    for shape, n, result in rows:
        table.append(
            f"| {shape} | {n:,} | {result['seconds']:.3f} | {result['seconds'] / n * 1e6:.1f} | "
            f"{result['peak_mib']:.0f} |"
        )
    table.append(
        f"| .docx, many articles | 20,000 | {docx_result['seconds']:.3f} | "
        f"{docx_result['seconds'] / 20_000 * 1e6:.1f} | {docx_result['peak_mib']:.0f} |"
    )
    body = "\n".join(
        [
            "## Draft parser (`bench/lawparse.py`)",
            "",
            f"Machine: {machine_description()}; 1-minute load average {load:.1f} at the start.",
            "",
            *table,
            "",
            "Time per line stays flat as the draft grows: parsing is linear. Before the fix each line of a",
            "long article re-read the article's earlier lines: 10,000 / 20,000 / 40,000 lines of one article",
            "took 1.5 / 6.8 / 28 s in the issue's report, and 7.8 / 21.5 / 121 s when measured once with the",
            "old code on this machine at a load average of about 10. A .docx is read only after its table of",
            "contents shows at most 16 MB of expanded content and 1,000 parts (`analysis.zipcheck`); a",
            "104 KB file holding 21 MB of XML is refused without being expanded.",
        ]
    )
    print(body)
    if not args.no_write:
        section_write(ROOT / "docs" / "benchmarks.md", "lawparse", body)


if __name__ == "__main__":
    main()
