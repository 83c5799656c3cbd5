"""Votes in, one clean table out: the latest vote per (participant, statement) pair.

Readers for the pol.is openData export (`votes.csv`, the wide `participants-votes.csv`,
`comments.csv`) and for red-dwarf's test fixtures (`votes.json`, `comments.json`).
Every reader raises `ConsensusInputError` with a one-line message on bad input.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

AGREE = 1
PASS = 0
DISAGREE = -1
VALID_VOTES = (DISAGREE, PASS, AGREE)

IntArray = npt.NDArray[np.int64]


class ConsensusInputError(ValueError):
    """Input that cannot be analysed; the message is meant for the person who supplied it."""


@dataclass(frozen=True)
class Statement:
    """A statement's text and moderation state (pol.is: 1 accepted, 0 unmoderated, -1 moderated out)."""

    id: Any
    text: str = ""
    moderated: int = 0
    is_meta: bool = False


@dataclass(frozen=True)
class Votes:
    """The latest vote of each participant on each statement, as parallel arrays.

    `participant_ids` and `statement_ids` are sorted and unique; `row` and `col` index into them.
    Only participants and statements with at least one vote appear, as in pol.is's rating matrix.
    """

    participant_ids: npt.NDArray[Any]
    statement_ids: npt.NDArray[Any]
    row: IntArray
    col: IntArray
    value: npt.NDArray[np.int8]
    time: npt.NDArray[np.float64]
    moderated_out: frozenset[Any] = field(default_factory=frozenset)
    meta: frozenset[Any] = field(default_factory=frozenset)

    @property
    def n_participants(self) -> int:
        return len(self.participant_ids)

    @property
    def n_statements(self) -> int:
        return len(self.statement_ids)

    @property
    def n_votes(self) -> int:
        return len(self.value)

    def moderated_out_mask(self) -> npt.NDArray[np.bool_]:
        """True for each statement column that is moderated out (or meta, as pol.is treats it)."""
        return self._mask(self.moderated_out | self.meta)

    def meta_mask(self) -> npt.NDArray[np.bool_]:
        return self._mask(self.meta)

    def _mask(self, ids: frozenset[Any]) -> npt.NDArray[np.bool_]:
        if not ids:
            return np.zeros(self.n_statements, dtype=bool)
        return np.array([sid in ids for sid in self.statement_ids.tolist()], dtype=bool)

    def with_moderation(self, statements: Iterable[Statement]) -> Votes:
        """Copy with pol.is's moderation sets: moderated out if -1 or meta; meta if flagged."""
        listed = list(statements)
        moderated_out = _ids_like(
            (s.id for s in listed if s.moderated == -1 or s.is_meta), self.statement_ids
        )
        meta = _ids_like((s.id for s in listed if s.is_meta), self.statement_ids)
        return replace(self, moderated_out=frozenset(moderated_out), meta=frozenset(meta))


def _normalise_ids(raw: Sequence[Any] | npt.NDArray[Any], what: str) -> npt.NDArray[Any]:
    """Integer ids stay integers (so 10 sorts after 9); anything else becomes text."""
    array = np.asarray(raw)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise ConsensusInputError(f"{what} ids must be whole numbers or text")
        return array.astype(np.int64)
    as_text = np.array([str(item).strip() for item in array.tolist()], dtype=object)
    if any(text == "" for text in as_text):
        raise ConsensusInputError(f"a {what} id is empty")
    if all(text.lstrip("-").isdigit() for text in as_text):
        return as_text.astype(np.int64)
    return as_text.astype(str)


def _normalise_votes(raw: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    try:
        numbers = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConsensusInputError("votes must be numbers: 1 agree, -1 disagree, 0 pass") from None
    if not np.all(np.isin(numbers, VALID_VOTES)):
        bad = numbers[~np.isin(numbers, VALID_VOTES)][0]
        raise ConsensusInputError(f"vote {bad:g} is not one of 1 (agree), -1 (disagree), 0 (pass)")
    return numbers.astype(np.int8)


def _unique_inverse(ids: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], IntArray]:
    """``np.unique(ids, return_inverse=True)``; for integer ids of a compact range, by a presence table
    in linear time instead of a sort (a tenth of the time at a million votes)."""
    if ids.dtype.kind in "iu" and len(ids):
        low, high = int(ids.min()), int(ids.max())
        span = high - low + 1
        if span <= 4 * len(ids) + 1024:
            offsets = ids - low
            present = np.zeros(span, dtype=bool)
            present[offsets] = True
            position = np.cumsum(present, dtype=np.int64) - 1
            return np.flatnonzero(present).astype(ids.dtype) + low, position[offsets]
    unique, inverse = np.unique(ids, return_inverse=True)
    return unique, inverse.astype(np.int64)


def votes_from_records(
    participants: Sequence[Any] | npt.NDArray[Any],
    statements: Sequence[Any] | npt.NDArray[Any],
    values: Sequence[Any] | npt.NDArray[Any],
    times: Sequence[float] | npt.NDArray[Any] | None = None,
    *,
    moderated_out: Iterable[Any] = (),
    meta: Iterable[Any] = (),
) -> Votes:
    """Build a `Votes` table; of repeated (participant, statement) pairs the latest one wins.

    Without times, the order of the records decides (later rows are later votes).
    """
    n = len(values)
    if len(participants) != n or len(statements) != n or (times is not None and len(times) != n):
        raise ConsensusInputError("participant, statement, vote and time columns differ in length")
    vote_values = _normalise_votes(values)
    participant_ids, row = _unique_inverse(_normalise_ids(participants, "participant"))
    statement_ids, col = _unique_inverse(_normalise_ids(statements, "statement"))
    vote_times = np.arange(n, dtype=np.float64) if times is None else np.asarray(times, dtype=np.float64)
    if times is not None and not np.all(np.isfinite(vote_times)):
        raise ConsensusInputError("vote timestamps must be numbers")
    row = row.astype(np.int64).ravel()
    col = col.astype(np.int64).ravel()
    pair = row * max(len(statement_ids), 1) + col
    # Sort by pair, then time, then input order: the last record of each pair is its latest vote.
    order = np.lexsort((vote_times, pair))  # stable: equal times keep input order
    sorted_pair = pair[order]
    is_last = np.ones(n, dtype=bool)
    is_last[:-1] = sorted_pair[1:] != sorted_pair[:-1]
    keep = order[is_last]
    return Votes(
        participant_ids=participant_ids,
        statement_ids=statement_ids,
        row=row[keep],
        col=col[keep],
        value=vote_values[keep],
        time=vote_times[keep],
        moderated_out=frozenset(_ids_like(moderated_out, statement_ids)),
        meta=frozenset(_ids_like(meta, statement_ids)),
    )


def _ids_like(ids: Iterable[Any], reference: npt.NDArray[Any]) -> set[Any]:
    """Statement ids in the same Python type as `reference` holds, so set lookups match."""
    wanted = list(ids)
    if reference.dtype.kind in "iu":
        converted: set[Any] = set()
        for item in wanted:
            try:
                converted.add(int(item))
            except (TypeError, ValueError):
                converted.add(str(item))
        return converted
    return {str(item) for item in wanted}


def _require_columns(header: Sequence[str], required: Sequence[str], path: Path) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise ConsensusInputError(f"{path.name}: missing column(s) {', '.join(missing)}")


def _read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ConsensusInputError(f"{path.name}: the file is empty")
            return [name.strip() for name in header], list(reader)
    except OSError as error:
        raise ConsensusInputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConsensusInputError(f"{path.name}: not UTF-8 text") from None
    except csv.Error as error:
        raise ConsensusInputError(f"{path.name}: malformed CSV ({error})") from None


def _read_csv_header(path: Path) -> list[str]:
    """The header row only (telling formats apart must not read a million rows)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except OSError as error:
        raise ConsensusInputError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConsensusInputError(f"{path.name}: not UTF-8 text") from None
    except csv.Error as error:
        raise ConsensusInputError(f"{path.name}: malformed CSV ({error})") from None
    if header is None:
        raise ConsensusInputError(f"{path.name}: the file is empty")
    return [name.strip() for name in header]


def _read_votes_csv_fast(path: Path, header: list[str]) -> Votes | None:
    """numpy's C reader, straight into columns, for the usual export: whole-number ids, numeric votes
    and times. None when any row is not like that (text ids, an empty vote, a short row…): the exact
    reader below then reads the file and gives its precise message. Both build the same Votes.
    """
    index = {name: position for position, name in enumerate(header)}
    fields: list[tuple[str, Any, str]] = [
        ("voter", np.int64, "voter-id"),
        ("comment", np.int64, "comment-id"),
    ]
    fields.append(("vote", np.float64, "vote"))
    if "timestamp" in index:
        fields.append(("time", np.float64, "timestamp"))
    try:
        table = np.loadtxt(
            path,
            delimiter=",",
            quotechar='"',
            skiprows=1,
            encoding="utf-8-sig",
            usecols=[index[column] for _, _, column in fields],
            dtype=[(name, kind) for name, kind, _ in fields],
            ndmin=1,
        )
    except (ValueError, IndexError, OverflowError, UnicodeDecodeError):
        return None
    if len(table) == 0:
        return None
    times = table["time"] if "timestamp" in index else None
    return votes_from_records(table["voter"], table["comment"], table["vote"], times)


def read_votes_csv(path: Path) -> Votes:
    """openData `votes.csv`: timestamp, datetime, comment-id, voter-id, vote (agree = +1)."""
    header = _read_csv_header(path)
    _require_columns(header, ["comment-id", "voter-id", "vote"], path)
    fast = _read_votes_csv_fast(path, header)
    if fast is not None:
        return fast
    header, rows = _read_csv_rows(path)
    _require_columns(header, ["comment-id", "voter-id", "vote"], path)
    index = {name: position for position, name in enumerate(header)}
    if any(len(row) < len(header) for row in rows if row):
        raise ConsensusInputError(f"{path.name}: a row has fewer fields than the header")
    rows = [row for row in rows if row]
    participants = [row[index["voter-id"]] for row in rows]
    statements = [row[index["comment-id"]] for row in rows]
    values = [row[index["vote"]].strip() or "nan" for row in rows]
    times = None
    if "timestamp" in index:
        try:
            times = [float(row[index["timestamp"]]) for row in rows]
        except ValueError:
            raise ConsensusInputError(f"{path.name}: a timestamp is not a number") from None
    return votes_from_records(participants, statements, values, times)


PARTICIPANT_VOTES_INFO_COLUMNS = (
    "participant",
    "xid",
    "group-id",
    "n-comments",
    "n-votes",
    "n-agree",
    "n-disagree",
)


def read_participants_votes_csv(path: Path) -> Votes:
    """openData wide `participants-votes.csv`: one column per statement, empty where not voted.

    It carries no times, so each cell is taken as the participant's latest vote.
    """
    header, rows = _read_csv_rows(path)
    _require_columns(header, ["participant"], path)
    statement_columns = [
        (position, name) for position, name in enumerate(header) if name not in PARTICIPANT_VOTES_INFO_COLUMNS
    ]
    if not statement_columns:
        raise ConsensusInputError(f"{path.name}: no statement columns")
    participant_at = header.index("participant")
    participants: list[str] = []
    statements: list[str] = []
    values: list[str] = []
    for row in rows:
        if not row:
            continue
        if len(row) < len(header):
            raise ConsensusInputError(f"{path.name}: a row has fewer fields than the header")
        for position, name in statement_columns:
            cell = row[position].strip()
            if cell:
                participants.append(row[participant_at])
                statements.append(name)
                values.append(cell)
    return votes_from_records(participants, statements, values)


def read_recorded_groups(path: Path) -> dict[Any, int]:
    """The group pol.is recorded per participant (`group-id` of participants-votes.csv), if any."""
    header, rows = _read_csv_rows(path)
    _require_columns(header, ["participant", "group-id"], path)
    participant_at, group_at = header.index("participant"), header.index("group-id")
    groups: dict[Any, int] = {}
    for row in rows:
        if row and row[group_at].strip():
            groups[_normalise_ids([row[participant_at]], "participant")[0].item()] = int(float(row[group_at]))
    return groups


def read_comments_csv(path: Path) -> list[Statement]:
    """openData `comments.csv`: comment-id, comment-body, moderated (1 / 0 / -1)."""
    header, rows = _read_csv_rows(path)
    _require_columns(header, ["comment-id"], path)
    index = {name: position for position, name in enumerate(header)}
    statements = []
    for row in rows:
        if not row:
            continue
        if len(row) < len(header):
            raise ConsensusInputError(f"{path.name}: a row has fewer fields than the header")
        try:
            moderated = int(float(row[index["moderated"]])) if "moderated" in index else 0
        except ValueError:
            raise ConsensusInputError(f"{path.name}: 'moderated' must be 1, 0 or -1") from None
        statement_id = _normalise_ids([row[index["comment-id"]]], "statement")[0].item()
        text = row[index["comment-body"]] if "comment-body" in index else ""
        statements.append(Statement(id=statement_id, text=text, moderated=moderated))
    return statements


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConsensusInputError(f"cannot read {path}: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ConsensusInputError(f"{path.name}: not valid JSON") from None


def _first_key(record: dict[str, Any], names: Sequence[str], path: Path) -> Any:
    for name in names:
        if name in record:
            return record[name]
    raise ConsensusInputError(f"{path.name}: a record lacks {' / '.join(names)}")


def read_votes_json(path: Path) -> Votes:
    """red-dwarf fixture `votes.json` (pol.is API names `pid`/`tid` or `participant_id`/`statement_id`)."""
    records = _load_json(path)
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise ConsensusInputError(f"{path.name}: expected a list of vote objects")
    participants = [_first_key(item, ("participant_id", "pid"), path) for item in records]
    statements = [_first_key(item, ("statement_id", "tid"), path) for item in records]
    values = [_first_key(item, ("vote",), path) for item in records]
    raw_times = [item.get("modified", item.get("timestamp")) for item in records]
    times = None
    if all(stamp is not None for stamp in raw_times):
        try:
            times = [float(stamp) for stamp in raw_times]
        except (TypeError, ValueError):
            raise ConsensusInputError(f"{path.name}: 'modified' must be a number") from None
    return votes_from_records(participants, statements, values, times)


def read_comments_json(path: Path) -> list[Statement]:
    """red-dwarf fixture `comments.json`: `tid`/`statement_id`, `mod`/`moderated`, `is_meta`, `txt`."""
    records = _load_json(path)
    if not isinstance(records, list):
        raise ConsensusInputError(f"{path.name}: expected a list of comment objects")
    statements = []
    for item in records:
        statement_id = _first_key(item, ("statement_id", "tid"), path)
        moderated = item.get("moderated", item.get("mod", 0))
        statements.append(
            Statement(
                id=statement_id,
                text=str(item.get("txt", "")),
                moderated=int(moderated or 0),
                is_meta=bool(item.get("is_meta", False)),
            )
        )
    return statements


def read_votes(path: Path) -> Votes:
    """Read any supported vote file, telling the formats apart by their content."""
    if path.is_dir():
        return read_votes_json(path / "votes.json")
    if not path.exists():
        raise ConsensusInputError(f"no such file: {path}")
    if path.suffix.lower() == ".json":
        return read_votes_json(path)
    header = _read_csv_header(path)
    if "voter-id" in header:
        return read_votes_csv(path)
    if "participant" in header:
        return read_participants_votes_csv(path)
    raise ConsensusInputError(
        f"{path.name}: not a votes file (expected voter-id/comment-id/vote or participant columns)"
    )


def read_statements(path: Path) -> list[Statement]:
    """Read `comments.csv` or a fixture's `comments.json`."""
    if path.is_dir():
        return read_comments_json(path / "comments.json")
    if not path.exists():
        raise ConsensusInputError(f"no such file: {path}")
    if path.suffix.lower() == ".json":
        return read_comments_json(path)
    return read_comments_csv(path)


def check_statements_known(votes: Votes, statements: Sequence[Statement]) -> None:
    """Every voted statement must appear in the comments file, when one is given."""
    known = _ids_like((s.id for s in statements), votes.statement_ids)
    unknown = [sid for sid in votes.statement_ids.tolist() if sid not in known]
    if unknown:
        shown = ", ".join(str(sid) for sid in unknown[:5])
        raise ConsensusInputError(f"votes refer to statement id(s) not in the comments file: {shown}")
