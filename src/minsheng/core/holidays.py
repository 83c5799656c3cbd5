"""Loading a year's official holiday schedule (放假调休安排) in bulk: the file format, its checks, the load.

The State Council's General Office publishes each year's schedule (国务院办公厅关于 YYYY 年部分节假日安排的
通知), usually in November of the year before. ``chinese_calendar`` carries the schedules up to its
release; for a later year staff load the notice here, in the admin (节假日安排 → 导入) or with
``minsheng calendar load FILE``. Only the days that differ from "Monday to Friday work" are listed:
every holiday day (休, weekends inside a holiday included or not) and every make-up working day (班).

JSON (self-contained)::

    {"year": 2026,
     "source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
     "days": [{"date": "2026-01-01", "type": "休", "name": "元旦"},
              {"date": "2026-01-04", "type": "班", "name": "元旦"}, ...]}

CSV (UTF-8, with or without BOM; the source is given beside the file: ``--source`` or the admin form)::

    date,type,name
    2026-01-01,休,元旦
    2026-01-04,班,元旦

``type`` is 休 / 班 (also accepted: off / work). Checks, each refused with a message naming the line:
dates in the schedule's year, no date twice, 班 only on a Saturday or Sunday (a make-up working day
replaces a weekend day), at least one 休 day, at most 366 lines, files up to 200 KB. A refused file
changes nothing; loading a year again replaces its schedule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.errors import ValidationFailedError
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.models import HolidayDay, HolidaySchedule
from minsheng.core.text import plain_text_checked

MAX_FILE_BYTES = 200_000
MAX_DAYS = 366
OFF_WORDS = {"休", "off", "holiday"}
WORK_WORDS = {"班", "work", "workday"}


@dataclass(frozen=True)
class ScheduleDay:
    day: dt.date
    is_working_day: bool
    name: str


@dataclass(frozen=True)
class ParsedSchedule:
    year: int
    source: str
    days: list[ScheduleDay]


def _refuse(message: str, **params: Any) -> ValidationFailedError:
    return ValidationFailedError(message, params=params, field="file")


def _day_from(row: dict[str, Any], line: int) -> ScheduleDay:
    raw_date = str(row.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        message = _("Line %(line)s: “%(value)s” is not a date like 2027-02-06.")
        raise _refuse(message, line=line, value=raw_date[:20]) from None
    kind = str(row.get("type") or "").strip().lower()
    if kind not in OFF_WORDS | WORK_WORDS:
        raise _refuse(_("Line %(line)s: the type must be 休 (day off) or 班 (working day)."), line=line)
    name = str(row.get("name") or "").strip()[:50]
    return ScheduleDay(day=day, is_working_day=kind in WORK_WORDS, name=name)


def _rows(data: bytes, filename: str) -> tuple[dict[str, Any], list[tuple[int, dict[str, Any]]]]:
    """(header values, numbered rows) of a JSON or CSV file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("The file is not UTF-8 text.")) from None
    if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise _refuse(_("The JSON is not valid (line %(line)s)."), line=error.lineno) from None
        if not isinstance(document, dict) or not isinstance(document.get("days"), list):
            raise _refuse(_("The JSON needs “year”, “source” and a list of “days”."))
        listed = document["days"]
        days = [(number, row) for number, row in enumerate(listed, start=1) if isinstance(row, dict)]
        if len(days) != len(listed):
            raise _refuse(_("Every entry of “days” needs “date”, “type” and “name”."))
        return {"year": document.get("year"), "source": document.get("source")}, days
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"date", "type"} <= {f.strip().lower() for f in reader.fieldnames}:
        raise _refuse(_("The CSV needs a first line with the columns date,type,name."))
    rows = [
        (number, {key.strip().lower(): value for key, value in row.items() if key})
        for number, row in enumerate(reader, start=2)  # line 1 is the header
    ]
    return {}, rows


def holiday_schedule_parse(
    data: bytes, *, filename: str = "", year: int | None = None, source: str = ""
) -> ParsedSchedule:
    """Read and check a schedule file; ``year`` and ``source`` complete (or must agree with) the file's."""
    if not data.strip():
        raise _refuse(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(_("The file is larger than %(limit)s KB."), limit=MAX_FILE_BYTES // 1000)
    header, rows = _rows(data, filename)
    if len(rows) > MAX_DAYS:
        raise _refuse(_("A year's schedule has at most %(limit)s days."), limit=MAX_DAYS)
    days = [_day_from(row, line) for line, row in rows]
    if not days:
        raise _refuse(_("The file lists no day."))
    file_year = header.get("year")
    if year is None:
        year = file_year if isinstance(file_year, int) else days[0].day.year
    elif isinstance(file_year, int) and file_year != year:
        raise _refuse(_("The file is for %(file_year)s, not %(year)s."), file_year=file_year, year=year)
    source_text = str(source or header.get("source") or "")
    source_text = plain_text_checked(source_text, field="source", max_length=300, label=_("Source"))
    seen: set[dt.date] = set()
    for line, day in zip((line for line, _row in rows), days, strict=True):
        if day.day.year != year:
            message = _("Line %(line)s: %(date)s is not in %(year)s.")
            raise _refuse(message, line=line, date=day.day, year=year)
        if day.day in seen:
            raise _refuse(_("Line %(line)s: %(date)s is listed twice."), line=line, date=day.day)
        seen.add(day.day)
        if day.is_working_day and day.day.weekday() < 5:
            raise _refuse(
                _(
                    "Line %(line)s: %(date)s is a weekday; only a Saturday or Sunday can be a make-up "
                    "working day."
                ),
                line=line,
                date=day.day,
            )
    if all(day.is_working_day for day in days):
        raise _refuse(_("The schedule lists no day off (休)."))
    return ParsedSchedule(year=year, source=source_text, days=sorted(days, key=lambda d: d.day))


@transaction.atomic
def holiday_schedule_load(*, actor: Any, schedule: ParsedSchedule) -> HolidaySchedule:
    """Store a checked schedule, replacing the year's earlier one; an Event records who loaded what."""
    from minsheng.core.calendar import known_years_forget

    existing = rows_locked(HolidaySchedule).filter(year=schedule.year).first()
    replaced = existing is not None
    if existing is not None:
        existing.days.all().delete()
        row = existing
        row.source = schedule.source
    else:
        row = HolidaySchedule(year=schedule.year, source=schedule.source)
    row.loaded_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    HolidayDay.objects.bulk_create(
        HolidayDay(schedule=row, day=day.day, is_working_day=day.is_working_day, name=day.name)
        for day in schedule.days
    )
    event_record(
        actor=actor,
        verb="holiday_schedule_load",
        target=row,
        payload={
            "year": schedule.year,
            "source": schedule.source,
            "days_off": sum(not d.is_working_day for d in schedule.days),
            "working_days": sum(d.is_working_day for d in schedule.days),
            "replaced": replaced,
        },
    )
    transaction.on_commit(known_years_forget)
    known_years_forget()
    return row
