"""The `consensus analyze` command: JSON shape, HTML page, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from minsheng.analysis.consensus.cli import main


def test_json_has_the_shape_of_the_issue(
    polis_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conversation = polis_data / "opendata" / "brexit-consensus"
    assert (
        main(["analyze", str(conversation / "votes.csv"), "--comments", str(conversation / "comments.csv")])
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {
        "participants",
        "groups",
        "consensus",
        "group_aware_consensus",
        "bridging",
        "timings",
    }
    assert set(document["participants"][0]) == {"id", "in_conversation", "group", "x", "y"}
    assert set(document["groups"][0]) == {"id", "size", "representative"}
    assert set(document["groups"][0]["representative"][0]) == {"statement", "direction", "p", "z"}
    assert set(document["consensus"]) == {"agree", "disagree"}
    first_bridging = next(iter(document["bridging"].values()))
    assert set(first_bridging) == {"intercept", "factor", "status"}
    outside = [p for p in document["participants"] if not p["in_conversation"]]
    assert all(p["group"] is None for p in outside)


def test_html_is_self_contained(polis_data: Path, tmp_path: Path) -> None:
    conversation = polis_data / "opendata" / "vtaiwan.uberx"
    out = tmp_path / "report.html"
    code = main(
        [
            "analyze",
            str(conversation / "votes.csv"),
            "--comments",
            str(conversation / "comments.csv"),
            "--format",
            "html",
            "-o",
            str(out),
        ]
    )
    page = out.read_text(encoding="utf-8")
    assert code == 0
    assert "<svg" in page and "Group 1" in page and "Bridging ranking" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_wide_export_is_read_too(polis_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = polis_data / "opendata" / "london.youth.policing" / "participants-votes.csv"
    assert main(["analyze", str(path), "--groups", "3"]) == 0
    assert len(json.loads(capsys.readouterr().out)["groups"]) == 3


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        ("timestamp,comment-id,voter-id,vote\n1,0,0,yes\n", []),
        ("timestamp,comment-id,voter-id,vote\n1,0,0,1\n", []),
        ("comment-id,vote\n0,1\n", []),
        ("timestamp,comment-id,voter-id,vote\n1,0,0,1\n2,1,1,1\n", ["--groups", "7"]),
        ("timestamp,comment-id,voter-id,vote\n1,0,0,1\n2,99,1,1\n", ["--comments", "COMMENTS"]),
    ],
)
def test_bad_input_gives_one_line_and_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, extra: list[str]
) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(content)
    comments = tmp_path / "comments.csv"
    comments.write_text("comment-id,moderated,comment-body\n0,1,hello\n1,1,world\n")
    argv = ["analyze", str(votes), *[str(comments) if item == "COMMENTS" else item for item in extra]]
    assert main(argv) != 0
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error


def test_missing_file_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "/no/such/votes.csv"]) == 1
    assert "no such file" in capsys.readouterr().err


def test_json_is_compact_unless_indent_is_asked(polis_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    votes = str(polis_data / "opendata" / "brexit-consensus" / "votes.csv")
    assert main(["analyze", votes]) == 0
    compact = capsys.readouterr().out
    assert main(["analyze", votes, "--indent", "2"]) == 0
    indented = capsys.readouterr().out
    assert compact.count("\n") == 1 and indented.count("\n") > 100
    without_timings = [json.loads(text) | {"timings": None} for text in (compact, indented)]
    assert without_timings[0] == without_timings[1]


def test_the_forked_reader_and_the_in_process_reader_agree(
    polis_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The votes are read in a forked child where fork exists; without it, here: same analysis."""
    votes = str(polis_data / "opendata" / "vtaiwan.uberx" / "votes.csv")
    assert main(["analyze", votes]) == 0
    forked = json.loads(capsys.readouterr().out)
    monkeypatch.delattr("os.fork")
    assert main(["analyze", votes]) == 0
    in_process = json.loads(capsys.readouterr().out)
    assert forked | {"timings": None} == in_process | {"timings": None}
