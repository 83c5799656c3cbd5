"""Working days (国庆 2025, 春节 2026, 调休 Saturdays, overrides) and deadline rules."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minsheng.core import calendar as cal
from minsheng.core.calendar import (
    DEFAULT_RULES,
    UnknownDeadlineRuleError,
    add_months,
    add_working_days,
    deadline_compute,
    deadline_rule_resolve,
    is_working_day,
)
from minsheng.core.models import CalendarOverride, DeadlineRule, DeadlineUnit
from minsheng.org.models import Jurisdiction, JurisdictionLevel

D = dt.date


@pytest.mark.django_db
class TestWorkingDays:
    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (D(2025, 9, 26), True),  # Friday before the holiday
            (D(2025, 9, 27), False),  # ordinary Saturday
            (D(2025, 9, 28), True),  # Sunday make-up working day (调休) for 国庆
            (D(2025, 10, 1), False),  # 国庆
            (D(2025, 10, 8), False),  # last day of the 2025 国庆/中秋 holiday
            (D(2025, 10, 9), True),
            (D(2025, 10, 11), True),  # Saturday make-up working day
            (D(2025, 10, 12), False),
            (D(2026, 2, 14), True),  # Saturday make-up working day before 春节 2026
            (D(2026, 2, 16), False),  # 除夕 eve week: 春节 holiday 15–23 February
            (D(2026, 2, 23), False),  # a Monday, still holiday
            (D(2026, 2, 24), True),
            (D(2026, 2, 28), True),  # Saturday make-up working day after 春节
        ],
    )
    def test_national_calendar(self, day, working):
        assert is_working_day(day) is working

    def test_counting_across_national_day_2025(self):
        # Received Tue 30 Sep: day 0 does not count; 1 Oct–8 Oct are off; Thu 9 Oct is day 1.
        assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
        # Thu 9, Fri 10, Sat 11 (调休), Mon 13, Tue 14
        assert add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)

    def test_counting_across_spring_festival_2026(self):
        # Fri 13 Feb; Sat 14 is a make-up working day; then off until Mon 23 inclusive.
        assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
        assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
        # Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 (调休)
        assert add_working_days(D(2026, 2, 14), 5) == D(2026, 2, 28)

    def test_zero_days_is_the_start_day_and_negative_is_refused(self):
        assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 1)
        with pytest.raises(ValueError, match="negative"):
            add_working_days(D(2025, 10, 1), -1)

    def test_an_override_beats_the_national_calendar(self):
        CalendarOverride.objects.create(day=D(2025, 10, 9), is_working_day=False, reason="区级调休")
        CalendarOverride.objects.create(day=D(2025, 10, 4), is_working_day=True, reason="会议值班")

        assert is_working_day(D(2025, 10, 9)) is False
        assert is_working_day(D(2025, 10, 4)) is True
        # From 30 Sep: Sat 4 Oct (override) is day 1, Thu 9 is off, Fri 10 is day 2.
        assert add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 10)

    def test_overrides_are_read_once_per_year_touched(self, django_assert_num_queries):
        # The years with a loaded schedule (none here), then the overrides of 2025 and of 2026.
        with django_assert_num_queries(3):
            add_working_days(D(2025, 12, 1), 60)

    def test_years_without_data_fall_back_to_weekdays_with_a_warning(self, caplog):
        cal._warned_fallback_years.discard(2099)
        with caplog.at_level(logging.WARNING, logger="minsheng.core.calendar"):
            assert is_working_day(D(2099, 1, 1)) is True  # a Thursday; no holiday data
            assert is_working_day(D(2099, 1, 3)) is False  # a Saturday
            assert add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 5)
        warnings = [r for r in caplog.records if "2099" in r.getMessage()]
        assert len(warnings) == 1, "warn once per year, not once per day"

    def test_a_datetime_is_read_as_a_local_date(self):
        # 17:00 UTC on 30 Sep is 01:00 on 1 Oct in Shanghai: a holiday.
        moment = dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)
        assert is_working_day(moment) is False


class TestAddMonths:
    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (D(2025, 1, 31), 1, D(2025, 2, 28)),
            (D(2024, 1, 31), 1, D(2024, 2, 29)),
            (D(2025, 8, 31), 1, D(2025, 9, 30)),
            (D(2025, 11, 30), 3, D(2026, 2, 28)),
            (D(2025, 3, 15), 6, D(2025, 9, 15)),
            (D(2025, 12, 15), 1, D(2026, 1, 15)),
            (D(2025, 3, 31), -1, D(2025, 2, 28)),
            (D(2025, 3, 31), 0, D(2025, 3, 31)),
        ],
    )
    def test_same_day_number_clamped_to_month_end(self, start, months, expected):
        assert add_months(start, months) == expected

    @given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), st.integers(0, 240))
    def test_never_overshoots_the_target_month(self, start, months):
        result = add_months(start, months)
        assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
        assert result.day <= start.day


@pytest.mark.django_db
class TestDeadlines:
    @pytest.fixture
    def places(self):
        province = Jurisdiction.objects.create(level=JurisdictionLevel.PROVINCE, name="测试省", code="990000")
        city = Jurisdiction.objects.create(
            parent=province, level=JurisdictionLevel.CITY, name="测试市", code="990400"
        )
        district = Jurisdiction.objects.create(
            parent=city, level=JurisdictionLevel.DISTRICT, name="测试区", code="990412"
        )
        return province, city, district

    def test_builtin_defaults_are_used_without_rows(self):
        result = deadline_compute(rule_name="motion_reply", start=D(2025, 11, 30))
        assert (result.amount, result.unit) == (3, "months")
        # 30 Nov + 3 months has no 30 Feb: the month's last day, Sat 28 Feb 2026, a 调休 working day.
        assert result.due == D(2026, 2, 28)
        assert result.description

    def test_months_rule_rolls_forward_from_a_day_off(self):
        # 2 Jul 2025 + 3 months = 2 Oct 2025, inside 国庆: the deadline is the next working day, 9 Oct.
        result = deadline_compute(rule_name="motion_reply", start=D(2025, 7, 2))
        assert result.due == D(2025, 10, 9)

    def test_working_day_rule(self):
        # motion_assign: 5 working days; received Tue 30 Sep 2025.
        result = deadline_compute(rule_name="motion_assign", start=D(2025, 9, 30))
        assert (result.due, result.amount, result.unit) == (D(2025, 10, 14), 5, DeadlineUnit.WORKING_DAYS)

    def test_calendar_day_rule_rolls_forward(self):
        # voice_forward: 10 days from 5 Feb 2026 = 15 Feb, in 春节; next working day is 24 Feb.
        assert deadline_compute(rule_name="voice_forward", start=D(2026, 2, 5)).due == D(2026, 2, 24)

    def test_a_default_row_overrides_the_builtin(self):
        DeadlineRule.objects.create(name="motion_return", amount=5, unit=DeadlineUnit.WORKING_DAYS)
        result = deadline_compute(rule_name="motion_return", start=D(2025, 9, 30))
        assert (result.amount, result.unit, result.due) == (5, "working_days", D(2025, 10, 14))
        assert result.description == str(DEFAULT_RULES["motion_return"].description)

    def test_the_nearest_jurisdiction_wins(self, places):
        province, city, district = places
        DeadlineRule.objects.create(name="motion_reply", amount=4, unit=DeadlineUnit.MONTHS)
        DeadlineRule.objects.create(
            jurisdiction=province,
            name="motion_reply",
            amount=2,
            unit=DeadlineUnit.MONTHS,
            description="省规定",
        )
        assert (
            deadline_compute(rule_name="motion_reply", start=D(2025, 3, 3), jurisdiction=district).amount == 2
        )
        DeadlineRule.objects.create(
            jurisdiction=district, name="motion_reply", amount=1, unit=DeadlineUnit.MONTHS
        )
        result = deadline_compute(rule_name="motion_reply", start=D(2025, 3, 3), jurisdiction=district)
        assert (result.amount, result.due) == (1, D(2025, 4, 3))
        # A sibling district without its own row inherits the province's.
        other = Jurisdiction.objects.create(
            parent=city, level=JurisdictionLevel.DISTRICT, name="另一区", code="990411"
        )
        result = deadline_compute(rule_name="motion_reply", start=D(2025, 3, 3), jurisdiction=other)
        assert (result.amount, result.description) == (2, "省规定")

    def test_the_places_above_are_read_only_while_a_place_with_its_own_rule_may_be_among_them(
        self, places, django_assert_num_queries
    ):
        province, _city, district = places
        DeadlineRule.objects.create(name="motion_reply", amount=4, unit=DeadlineUnit.MONTHS)
        fresh = Jurisdiction.objects.get(pk=district.pk)  # its parents not loaded yet
        with django_assert_num_queries(1):  # the rules of that name; no place has one of its own
            assert deadline_rule_resolve(rule_name="motion_reply", jurisdiction=fresh)[0] == 4
        DeadlineRule.objects.create(jurisdiction=province, name="motion_reply", amount=2, unit="months")
        fresh = Jurisdiction.objects.get(pk=district.pk)
        with django_assert_num_queries(3):  # the rules, then up through the city to the province
            assert deadline_rule_resolve(rule_name="motion_reply", jurisdiction=fresh)[0] == 2

    def test_unknown_rule_names_are_a_programming_error(self):
        with pytest.raises(UnknownDeadlineRuleError):
            deadline_compute(rule_name="no_such_rule", start=D(2025, 3, 3))

    def test_every_default_rule_computes(self):
        for name, rule in DEFAULT_RULES.items():
            result = deadline_compute(rule_name=name, start=D(2025, 6, 3))
            assert result.due >= D(2025, 6, 3)
            assert (result.amount, result.unit) == (rule.amount, rule.unit)
