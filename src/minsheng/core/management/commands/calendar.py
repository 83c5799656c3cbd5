"""``minsheng calendar``: the working-day calendar's holiday schedules.

    minsheng calendar load FILE [--source TEXT] [--year YYYY]   load a year's official schedule
    minsheng calendar years [FROM TO]                           which years have holiday data

The file format is described in ``minsheng.core.holidays`` and docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minsheng.core.calendar import calendar_year_known, package_covers, schedule_years
from minsheng.core.errors import DomainError
from minsheng.core.holidays import MAX_FILE_BYTES, holiday_schedule_load, holiday_schedule_parse
from minsheng.core.models import HolidaySchedule


class Command(BaseCommand):
    help = "Load a year's official holiday schedule, or list which years have holiday data."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        load = commands.add_parser("load", help="load a schedule file (JSON, or CSV with --source)")
        load.add_argument("file", type=Path)
        load.add_argument("--source", default="", help="the notice the schedule comes from (CSV files)")
        load.add_argument("--year", type=int, default=None)
        years = commands.add_parser("years", help="which years have holiday data")
        years.add_argument("first", nargs="?", type=int)
        years.add_argument("last", nargs="?", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options["file"], options["source"], options["year"])
        else:
            this_year = dt.date.today().year
            self._years(options["first"] or this_year - 1, options["last"] or this_year + 1)

    def _load(self, path: Path, source: str, year: int | None) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(_("The file is larger than %(limit)s KB.") % {"limit": MAX_FILE_BYTES // 1000})
        try:
            parsed = holiday_schedule_parse(path.read_bytes(), filename=path.name, year=year, source=source)
            schedule = holiday_schedule_load(actor=None, schedule=parsed)
        except DomainError as error:
            raise CommandError(error.message) from error
        days_off = sum(not day.is_working_day for day in parsed.days)
        counts = {"year": schedule.year, "off": days_off, "work": len(parsed.days) - days_off}
        self.stdout.write(
            _("Loaded the %(year)s schedule: %(off)s days off, %(work)s make-up working days (%(source)s).")
            % {**counts, "source": parsed.source}
        )

    def _years(self, first: int, last: int) -> None:
        loaded = schedule_years()
        sources = dict(HolidaySchedule.objects.values_list("year", "source"))
        for year in range(first, last + 1):
            if year in loaded:
                state = _("loaded schedule: %(source)s") % {"source": sources.get(year, "")}
            elif package_covers(year):
                state = _("chinese_calendar package")
            else:
                state = _("NO DATA: deadlines in this year are counted Monday to Friday")
            marker = " " if calendar_year_known(year) else "!"
            self.stdout.write(f"{marker} {year}  {state}")
