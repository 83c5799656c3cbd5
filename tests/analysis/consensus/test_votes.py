"""Reading votes: latest vote wins, formats, moderation, and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minsheng.analysis.consensus import ConsensusInputError, Statement, read_votes, votes_from_records
from minsheng.analysis.consensus.votes import read_participants_votes_csv

from .conftest import load_opendata


def test_latest_vote_per_pair_wins_by_time_not_by_row_order() -> None:
    votes = votes_from_records([1, 1, 2], [10, 10, 10], [1, -1, 0], [200.0, 100.0, 50.0])
    assert votes.n_votes == 2
    assert dict(zip(votes.row.tolist(), votes.value.tolist(), strict=True)) == {0: 1, 1: 0}


def test_without_times_the_later_row_wins() -> None:
    votes = votes_from_records(["a", "a"], ["s", "s"], [1, -1])
    assert votes.value.tolist() == [-1]


def test_integer_ids_sort_numerically() -> None:
    votes = votes_from_records(["10", "9"], ["2", "11"], [1, 1])
    assert votes.participant_ids.tolist() == [9, 10]
    assert votes.statement_ids.tolist() == [2, 11]


def test_moderation_marks_rejected_and_meta_statements_out() -> None:
    votes = votes_from_records([1, 2, 3], [1, 2, 3], [1, 1, 1]).with_moderation(
        [Statement(1, moderated=-1), Statement(2, is_meta=True), Statement(3, moderated=1)]
    )
    assert votes.moderated_out_mask().tolist() == [True, True, False]
    assert votes.meta_mask().tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("timestamp,comment-id,voter-id,vote\n1,0,0,maybe\n", "votes must be numbers"),
        ("timestamp,comment-id,voter-id,vote\n1,0,0,2\n", "is not one of"),
        ("timestamp,comment-id,vote\n1,0,1\n", "not a votes file"),
        ("", "empty"),
    ],
)
def test_bad_files_raise_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(content)
    with pytest.raises(ConsensusInputError, match=message):
        read_votes(path)


def test_long_and_wide_opendata_exports_hold_the_same_latest_votes(polis_data: Path) -> None:
    long = load_opendata(polis_data, "brexit-consensus")
    wide = read_participants_votes_csv(
        polis_data / "opendata" / "brexit-consensus" / "participants-votes.csv"
    )
    assert long.n_votes == wide.n_votes
    assert np.array_equal(long.participant_ids, wide.participant_ids)
    long_cells = set(
        zip(long.row.tolist(), long.statement_ids[long.col].tolist(), long.value.tolist(), strict=True)
    )
    wide_cells = set(
        zip(wide.row.tolist(), wide.statement_ids[wide.col].tolist(), wide.value.tolist(), strict=True)
    )
    assert long_cells == wide_cells


def _exact(path: Path):
    """The row-by-row reader the fast path stands in for."""
    from minsheng.analysis.consensus import votes as module

    original = module._read_votes_csv_fast
    module._read_votes_csv_fast = lambda *args: None
    try:
        return read_votes(path)
    finally:
        module._read_votes_csv_fast = original


def _same_votes(a, b) -> bool:
    fields = ("participant_ids", "statement_ids", "row", "col", "value", "time")
    return all(
        getattr(a, f).dtype == getattr(b, f).dtype and np.array_equal(getattr(a, f), getattr(b, f))
        for f in fields
    )


def test_the_fast_reader_reads_every_opendata_export_exactly_like_the_exact_one(polis_data: Path) -> None:
    from minsheng.analysis.consensus.votes import _read_csv_header, _read_votes_csv_fast

    exports = sorted((polis_data / "opendata").glob("*/votes.csv"))
    assert exports
    for path in exports:
        fast = _read_votes_csv_fast(path, _read_csv_header(path))
        assert fast is not None, path
        assert _same_votes(fast, _exact(path)), path


def test_the_fast_reader_handles_quotes_blank_lines_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(
        "\ufefftimestamp,datetime,comment-id,voter-id,vote\n"
        '3,"Mon, Jan 08 2018",2,10,1\n\n'
        '1,"a ""quoted"" date",2,10,-1\n'
        "2,x,11,9,0\n",
        encoding="utf-8",
    )
    from minsheng.analysis.consensus.votes import _read_csv_header, _read_votes_csv_fast

    fast = _read_votes_csv_fast(path, _read_csv_header(path))
    assert fast is not None and _same_votes(fast, _exact(path))
    assert fast.participant_ids.tolist() == [9, 10] and fast.value.tolist() == [0, 1]


@pytest.mark.parametrize(
    "row",
    ["1,d,s1,v1,1", "1,d,1.0,2,1", "1,d,1,2,", "1,d,1"],
    ids=["text ids", "decimal id", "empty vote", "short row"],
)
def test_files_the_fast_reader_cannot_take_are_read_row_by_row_as_before(tmp_path: Path, row: str) -> None:
    from minsheng.analysis.consensus.votes import _read_csv_header, _read_votes_csv_fast

    path = tmp_path / "votes.csv"
    path.write_text(f"timestamp,datetime,comment-id,voter-id,vote\n0,d,1,2,1\n{row}\n")
    assert _read_votes_csv_fast(path, _read_csv_header(path)) is None
    try:
        expected = _exact(path)
    except ConsensusInputError as error:
        with pytest.raises(ConsensusInputError, match=str(error)[:20]):
            read_votes(path)
    else:
        assert _same_votes(read_votes(path), expected)
