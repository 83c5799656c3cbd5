"""Working days and legal deadlines.

Which days are working days
    An administrator's ``CalendarOverride`` row wins; then a year's official schedule loaded by staff
    (``HolidaySchedule``, see ``core.holidays``); otherwise the State Council schedule packaged in
    ``chinese_calendar`` (public holidays and the 调休 make-up working days, e.g. Sunday 2025-09-28 and
    Saturday 2025-10-11 around 国庆 2025). For a year with neither (version 1.11 of the package covers
    2004–2026) the days are counted Monday to Friday: the computation records the year in
    ``DeadlineResult.assumed_years``, the log says so, and every page that shows a deadline reaching
    such a year shows staff a warning (``calendar_years_missing``; the ``deadline_warning`` tag).

How periods are counted (民法典 arts. 201–203, which the local handling rules follow)
    - The start day itself does not count ("开始的当日不计入"): ``add_working_days(friday, 1)`` is the
      next working day, and 5 working days from a Friday received matter is the following Friday
      when no holiday intervenes. ``n = 0`` returns the start day.
    - A period in months ends on the same day number of the final month, or on that month's last day
      when it has no such day ("没有对应日的，月末日"): 31 Jan + 1 month = 28/29 Feb.
    - When a period in calendar days or months ends on a day off, the deadline moves to the next
      working day ("期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日").
      Periods in working days always end on a working day.

Deadline rules
    ``deadline_compute`` looks up a ``DeadlineRule`` row for the jurisdiction, then for each of its
    ancestors, then the default row (no jurisdiction), then ``DEFAULT_RULES`` below (DOMAIN.md).
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minsheng.core.models import CalendarOverride, DeadlineRule, DeadlineUnit, HolidayDay, HolidaySchedule
from minsheng.core.queries import rows_where

logger = logging.getLogger(__name__)

# Years already warned about, so a long computation logs the fallback once per year and process.
_warned_fallback_years: set[int] = set()


@dataclass(frozen=True)
class RuleDefault:
    amount: int
    unit: DeadlineUnit
    description: str | Promise


# The defaults of DOMAIN.md; every one can be overridden per jurisdiction by a DeadlineRule row.
DEFAULT_RULES: dict[str, RuleDefault] = {
    # §2: a voice is forwarded to the competent unit as a work order "typically within 10 days".
    "voice_forward": RuleDefault(
        10, DeadlineUnit.CALENDAR_DAYS, _("Forward a voice to the competent unit within 10 days.")
    ),
    # §2, the 12345 reference loop: enquiries within 3 working days.
    "voice_reply_enquiry": RuleDefault(
        3, DeadlineUnit.WORKING_DAYS, _("Answer an enquiry within 3 working days.")
    ),
    # §2, the 12345 reference loop: complaints and suggestions within 13 working days.
    "voice_reply_complaint": RuleDefault(
        13, DeadlineUnit.WORKING_DAYS, _("Answer a complaint or suggestion within 13 working days.")
    ),
    # §2, the 12345 reference loop: urgent matters the same day.
    "voice_reply_urgent": RuleDefault(
        0, DeadlineUnit.CALENDAR_DAYS, _("Answer an urgent matter the same day.")
    ),
    # §2: a unit returns a work order that is not its business soon after receiving it, so that the
    # voice is routed again in time; the 12345 loop leaves the period to local rules.
    "voice_return": RuleDefault(
        3,
        DeadlineUnit.WORKING_DAYS,
        _("Return a work order that is not the unit's business within 3 working days."),
    ),
    # §1: the online liaison station targets an effective reply within 7 days.
    "voice_station_reply": RuleDefault(
        7, DeadlineUnit.CALENDAR_DAYS, _("Give an effective reply to a message to a station within 7 days.")
    ),
    # §3: between sessions a suggestion is assigned within 5 working days of receipt.
    "motion_assign": RuleDefault(
        5, DeadlineUnit.WORKING_DAYS, _("Assign a suggestion within 5 working days of receipt.")
    ),
    # §3: a unit returns an item that is not its business within 5–10 days (local); the upper bound.
    "motion_return": RuleDefault(
        10, DeadlineUnit.CALENDAR_DAYS, _("Return an item that is not the unit's business within 10 days.")
    ),
    # §3: co-units send their written views to the lead unit within 1 month.
    "motion_co_unit_views": RuleDefault(
        1, DeadlineUnit.MONTHS, _("Send the co-unit's written views to the lead unit within 1 month.")
    ),
    # §3 (代表法, 全国人大议事规则 art. 32): reply within 3 months of assignment.
    "motion_reply": RuleDefault(3, DeadlineUnit.MONTHS, _("Reply within 3 months of assignment.")),
    # §3: at most 6 months for broad or hard matters, on approval.
    "motion_reply_max": RuleDefault(
        6, DeadlineUnit.MONTHS, _("Reply within at most 6 months of assignment (approved extension).")
    ),
    # §3: after a "dissatisfied" rating, the second reply within 1 month (local).
    "motion_rehandle": RuleDefault(
        1, DeadlineUnit.MONTHS, _("Reply again within 1 month after re-handling.")
    ),
    # §3: replies touching the public interest published within 20 working days of the reply (安徽).
    "motion_disclosure": RuleDefault(
        20, DeadlineUnit.WORKING_DAYS, _("Publish the reply within 20 working days.")
    ),
    # §4: handling consultation within 2 weeks of assignment (some districts).
    "proposal_handling_consultation": RuleDefault(
        14, DeadlineUnit.CALENDAR_DAYS, _("Hold the handling consultation within 2 weeks of assignment.")
    ),
    # §5 (立法法 art. 40): drafts are open for comment for at least 30 days.
    "legislation_comment_period": RuleDefault(
        30, DeadlineUnit.CALENDAR_DAYS, _("Keep the draft open for comment for at least 30 days.")
    ),
    # §7: a rectification item's deadline, by urgency (staff choose one when they hand a problem over).
    "oversight_rectify": RuleDefault(
        30, DeadlineUnit.WORKING_DAYS, _("Rectify and report within 30 working days.")
    ),
    "oversight_rectify_short": RuleDefault(
        10, DeadlineUnit.WORKING_DAYS, _("Rectify an urgent problem within 10 working days.")
    ),
    "oversight_rectify_long": RuleDefault(
        60, DeadlineUnit.WORKING_DAYS, _("Rectify a long-term problem within 60 working days.")
    ),
    # §7: after an unsatisfactory ballot the unit rectifies again and reports "within a set period".
    "oversight_rerectify": RuleDefault(
        3, DeadlineUnit.MONTHS, _("Rectify again and report within 3 months of an unsatisfactory ballot.")
    ),
    # §7 (预算联网监督): a department answers a deputy's question on a budget line.
    "oversight_budget_answer": RuleDefault(
        15, DeadlineUnit.WORKING_DAYS, _("Answer a question on a budget line within 15 working days.")
    ),
}


@dataclass(frozen=True)
class DeadlineResult:
    """A computed deadline together with the rule that produced it (store both)."""

    due: dt.date
    rule_name: str
    amount: int
    unit: str
    description: str
    # Years the count passed through with no holiday data, counted Monday to Friday (shown to staff).
    assumed_years: tuple[int, ...] = ()


class UnknownDeadlineRuleError(LookupError):
    """No DeadlineRule row and no built-in default has this name (a programming error)."""


# Years with a loaded schedule, read at most once a minute per process (a page showing many deadlines
# asks once); a load in this process forgets it at once, other processes within the minute.
KNOWN_YEARS_SECONDS = 60
_schedule_years_memo: tuple[float, frozenset[int]] = (0.0, frozenset())


def schedule_years() -> frozenset[int]:
    """Years for which staff loaded an official holiday schedule."""
    global _schedule_years_memo
    expires, years = _schedule_years_memo
    now = time.monotonic()
    if now >= expires:
        years = frozenset(HolidaySchedule.objects.values_list("year", flat=True))
        _schedule_years_memo = (now + KNOWN_YEARS_SECONDS, years)
    return years


def known_years_forget() -> None:
    global _schedule_years_memo
    _schedule_years_memo = (0.0, frozenset())


@lru_cache(maxsize=256)
def package_covers(year: int) -> bool:
    """Whether the pinned ``chinese_calendar`` carries the State Council schedule of ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_year_known(year: int) -> bool:
    return year in schedule_years() or package_covers(year)


# How far ahead deadlines reach: the longest default rule, 6 months of reply on an approved extension.
DEADLINE_HORIZON = dt.timedelta(days=186)


def calendar_years_missing(start: dt.date, end: dt.date) -> list[int]:
    """The years between two dates (both included, in either order) with no holiday data."""
    first, last = sorted((_as_date(start).year, _as_date(end).year))
    return [year for year in range(first, last + 1) if not calendar_year_known(year)]


def _warn_fallback(year: int) -> None:
    if year not in _warned_fallback_years:
        _warned_fallback_years.add(year)
        logger.warning(
            "No holiday schedule for %s: counting Monday to Friday as working days. Load the State "
            "Council's schedule for that year (minsheng calendar load FILE) or update chinese_calendar.",
            year,
        )


class WorkingDayCalendar:
    """The working-day calendar for one computation: overrides and schedules are read once per year
    touched; ``assumed_years`` collects the years counted Monday to Friday for want of data."""

    def __init__(self) -> None:
        self._overrides_by_year: dict[int, dict[dt.date, bool]] = {}
        self._schedule_by_year: dict[int, dict[dt.date, bool] | None] = {}
        self.assumed_years: set[int] = set()

    def _overrides(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides_by_year:
            # Read as SQL: every deadline reads its year's overrides, and compiling cost more than this.
            rows = rows_where(
                CalendarOverride,
                f"{_quoted(CalendarOverride, 'day')} BETWEEN %s AND %s",
                [dt.date(year, 1, 1), dt.date(year, 12, 31)],
            )
            self._overrides_by_year[year] = {row.day: row.is_working_day for row in rows}
        return self._overrides_by_year[year]

    def _schedule(self, year: int) -> dict[dt.date, bool] | None:
        if year not in self._schedule_by_year:
            self._schedule_by_year[year] = (
                dict(HolidayDay.objects.filter(schedule__year=year).values_list("day", "is_working_day"))
                if year in schedule_years()
                else None
            )
        return self._schedule_by_year[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._overrides(day.year).get(day)
        if override is not None:
            return override
        schedule = self._schedule(day.year)
        if schedule is not None:
            return schedule.get(day, day.weekday() < 5)
        if package_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        self.assumed_years.add(day.year)
        _warn_fallback(day.year)
        return day.weekday() < 5

    def next_working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day


def _as_date(value: dt.date) -> dt.date:
    """Accept a datetime too: an aware one is read in the local zone (Asia/Shanghai)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_working_day(day: dt.date) -> bool:
    return WorkingDayCalendar().is_working_day(_as_date(day))


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself never counts; ``n = 0`` gives ``start``)."""
    return WorkingDayCalendar().add_working_days(_as_date(start), n)


def add_months(start: dt.date, n: int) -> dt.date:
    """Same day number ``n`` months later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    start = _as_date(start)
    month_index = start.year * 12 + (start.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    last_day = stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last_day))


def _nearest_rule(rules: dict[int | None, DeadlineRule], jurisdiction: Any) -> DeadlineRule | None:
    """The rule of the jurisdiction or of its nearest ancestor that has one, else the rule for every
    place (key ``None``). The walk up the places (a query a level) stops as soon as no place with a
    rule of its own is left to meet: most rules are set once, for every place, and then it is skipped.
    Guarded against a cycle in bad data."""
    places_with_rules = {key for key in rules if key is not None}
    seen: set[Any] = set()
    node = jurisdiction
    while node is not None and node.pk not in seen and places_with_rules - seen:
        if node.pk in rules:
            return rules[node.pk]
        seen.add(node.pk)
        node = node.parent
    return rules.get(None)


def _quoted(model: type[Any], column: str) -> str:
    return connections[router.db_for_read(model)].ops.quote_name(column)


def deadline_rule_resolve(*, rule_name: str, jurisdiction: Any = None) -> tuple[int, str, str]:
    """(amount, unit, description) of the rule in force for ``jurisdiction``. The rules of that name
    are read as SQL (a few rows; compiling the ORM's query cost more than running it)."""
    found = rows_where(DeadlineRule, f"{_quoted(DeadlineRule, 'name')} = %s", [rule_name])
    row = _nearest_rule({rule.jurisdiction_id: rule for rule in found}, jurisdiction)
    if row is not None:
        default = DEFAULT_RULES.get(rule_name)
        description = row.description or (str(default.description) if default else "")
        return row.amount, row.unit, description
    default = DEFAULT_RULES.get(rule_name)
    if default is None:
        raise UnknownDeadlineRuleError(f"No deadline rule named {rule_name!r}")
    return default.amount, str(default.unit), str(default.description)


def deadline_compute(*, rule_name: str, start: dt.date, jurisdiction: Any = None) -> DeadlineResult:
    """The due date of ``rule_name`` counted from ``start`` (see the module docstring for the counting)."""
    amount, unit, description = deadline_rule_resolve(rule_name=rule_name, jurisdiction=jurisdiction)
    calendar = WorkingDayCalendar()
    start_day = _as_date(start)
    if unit == DeadlineUnit.WORKING_DAYS:
        due = calendar.add_working_days(start_day, amount)
    elif unit == DeadlineUnit.CALENDAR_DAYS:
        due = calendar.next_working_day_on_or_after(start_day + dt.timedelta(days=amount))
    elif unit == DeadlineUnit.MONTHS:
        due = calendar.next_working_day_on_or_after(add_months(start_day, amount))
    else:
        raise ValueError(f"Unknown deadline unit {unit!r} for rule {rule_name!r}")
    return DeadlineResult(
        due=due,
        rule_name=rule_name,
        amount=amount,
        unit=str(unit),
        description=description,
        assumed_years=tuple(sorted(calendar.assumed_years)),
    )
