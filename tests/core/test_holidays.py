"""Dates beyond the calendar package (issue 11, item 12): staff load a year's official holiday schedule in
bulk (file, command, admin); a deadline counted over a year with no data is shown to staff with a warning.

The pinned ``chinese_calendar`` covers 2004–2026. 2027 in these tests is either "no data" or a schedule
the test itself makes up (``FICTIONAL_2027``), clearly not an official one: no 2027 notice is shipped.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from minsheng.core.calendar import (
    WorkingDayCalendar,
    calendar_years_missing,
    deadline_compute,
    package_covers,
)
from minsheng.core.errors import ValidationFailedError
from minsheng.core.holidays import holiday_schedule_load, holiday_schedule_parse
from minsheng.core.models import Event, HolidayDay, HolidaySchedule
from minsheng.org.models import User

pytestmark = pytest.mark.django_db

D = dt.date
SCHEDULES = Path(__file__).resolve().parents[2] / "src/minsheng/core/schedules"
WINTER_2026 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# Made up for the tests (the shape of a Spring Festival week): NOT an official schedule.
FICTIONAL_2027 = {
    "year": 2027,
    "source": "测试用虚构安排（非官方）",
    "days": [
        *({"date": f"2027-02-{day:02d}", "type": "休", "name": "春节"} for day in range(6, 15)),
        {"date": "2027-02-20", "type": "班", "name": "春节"},
    ],
}


def load(document: dict, actor=None) -> HolidaySchedule:
    data = json.dumps(document, ensure_ascii=False).encode()
    return holiday_schedule_load(actor=actor, schedule=holiday_schedule_parse(data, filename="x.json"))


def test_the_package_stops_at_2026():
    assert package_covers(2026) and not package_covers(2027)


def test_the_shipped_2026_schedule_agrees_with_the_package_on_every_day():
    """The one shipped schedule is the State Council's 2026 notice; the package carries the same."""
    schedule = holiday_schedule_parse((SCHEDULES / "2026.json").read_bytes(), filename="2026.json")
    assert schedule.year == 2026 and "国务院办公厅关于2026年部分节假日安排的通知" in schedule.source
    load(json.loads((SCHEDULES / "2026.json").read_text(encoding="utf-8")))
    loaded = WorkingDayCalendar()
    import chinese_calendar

    day = D(2026, 1, 1)
    while day.year == 2026:
        assert loaded.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)
    assert not loaded.assumed_years
    assert not any(path.name.startswith("2027") for path in SCHEDULES.iterdir()), "no 2027 notice is shipped"


def test_five_working_days_from_4_february_2027_without_data_are_flagged():
    result = deadline_compute(rule_name="motion_assign", start=D(2027, 2, 4))
    assert result.due == D(2027, 2, 11)  # Monday to Friday: the naive count
    assert result.assumed_years == (2027,)
    assert calendar_years_missing(D(2026, 12, 1), D(2027, 3, 1)) == [2027]


def test_a_loaded_schedule_moves_the_deadline_out_of_the_holiday():
    load(FICTIONAL_2027)
    result = deadline_compute(rule_name="motion_assign", start=D(2027, 2, 4))
    # Fri 5 is day 1; 6–14 off; Mon 15, Tue 16, Wed 17, Thu 18 are days 2–5.
    assert result.due == D(2027, 2, 18)
    assert result.assumed_years == ()
    assert calendar_years_missing(D(2026, 12, 1), D(2027, 3, 1)) == []
    assert WorkingDayCalendar().is_working_day(D(2027, 2, 20)), "the make-up Saturday works"


def test_loading_a_year_again_replaces_it_and_records_events():
    first = load(FICTIONAL_2027)
    second = load({**FICTIONAL_2027, "days": FICTIONAL_2027["days"][:3]})
    assert first.pk == second.pk
    assert HolidayDay.objects.filter(schedule=second).count() == 3
    events = Event.objects.filter(verb="holiday_schedule_load").order_by("seq")
    assert [e.payload["replaced"] for e in events] == [False, True]


def test_csv_with_the_source_beside_it():
    data = "date,type,name\n2027-02-06,休,春节\n2027-02-20,班,春节\n".encode("utf-8-sig")
    schedule = holiday_schedule_parse(data, filename="2027.csv", source="测试用虚构安排（非官方）")
    assert schedule.year == 2027 and [d.is_working_day for d in schedule.days] == [False, True]


BAD_FILES = [
    (b"", "x.csv", "空"),
    (b"x" * 200_001, "x.csv", "超过 200 KB"),
    ("date,type\n2027-02-06,休\n".encode("gbk"), "x.csv", "UTF-8"),
    (b'{"year": 2027, "days": [', "x.json", "JSON"),
    (b"day,kind\n2027-02-06,\xe4\xbc\x91\n", "x.csv", "date,type,name"),
    ("date,type,name\n2027-13-06,休,春节\n".encode(), "x.csv", "第 2 行"),
    ("date,type,name\n2027-02-06,放假,春节\n".encode(), "x.csv", "休"),
    ("date,type,name\n2027-02-06,休,春节\n2028-01-01,休,元旦\n".encode(), "x.csv", "不在 2027 年"),
    ("date,type,name\n2027-02-06,休,春节\n2027-02-06,休,春节\n".encode(), "x.csv", "重复"),
    ("date,type,name\n2027-02-06,休,春节\n2027-02-10,班,春节\n".encode(), "x.csv", "工作日"),
    ("date,type,name\n2027-02-20,班,春节\n".encode(), "x.csv", "没有列出放假日"),
]


@pytest.mark.parametrize(("data", "name", "words"), BAD_FILES)
def test_bad_files_are_refused_in_chinese_and_change_nothing(data: bytes, name: str, words: str):
    load(FICTIONAL_2027)
    before = list(HolidayDay.objects.values_list("day", "is_working_day"))
    with pytest.raises(ValidationFailedError) as refused:
        holiday_schedule_load(
            actor=None, schedule=holiday_schedule_parse(data, filename=name, source="测试（非官方）")
        )
    assert words in refused.value.message
    assert list(HolidayDay.objects.values_list("day", "is_working_day")) == before


def test_markup_in_the_source_is_refused():
    data = json.dumps({**FICTIONAL_2027, "source": "<script>x</script>"}).encode()
    with pytest.raises(ValidationFailedError):
        holiday_schedule_parse(data, filename="x.json")
    assert not HolidaySchedule.objects.exists()


def test_the_command_loads_and_lists_years(tmp_path: Path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(FICTIONAL_2027, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("calendar", "years", "2026", "2027", stdout=out)
    assert "! 2027" in out.getvalue()
    call_command("calendar", "load", str(path), stdout=out)
    assert HolidaySchedule.objects.filter(year=2027).exists()
    out = StringIO()
    call_command("calendar", "years", "2026", "2027", stdout=out)
    assert "! 2027" not in out.getvalue() and "测试用虚构安排" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("date,type,name\n2027-02-20,班,春节\n", encoding="utf-8")
    with pytest.raises(CommandError, match="没有列出放假日"):
        call_command("calendar", "load", str(bad), "--source", "测试")


def test_the_admin_import_is_for_administrators_and_says_what_is_wrong():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minsheng.org.demo import demo_exists, demo_seed

    if not demo_exists():
        demo_seed()
    url = "/admin/core/holidayschedule/import/"
    staff = Client()
    staff.force_login(User.objects.get(username="staff"))
    assert staff.get(url).status_code == 403
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    assert (
        "导入节假日安排"
        in admin.get("/admin/core/holidayschedule/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    bad = SimpleUploadedFile("2027.csv", "date,type,name\n2027-02-20,班,春节\n".encode())
    response = admin.post(url, {"file": bad, "source": "测试"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "没有列出放假日" in response.content.decode()
    assert not HolidaySchedule.objects.exists()
    good = SimpleUploadedFile("2027.json", json.dumps(FICTIONAL_2027, ensure_ascii=False).encode())
    response = admin.post(url, {"file": good}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.loaded_by == User.objects.get(username="admin")
    assert Event.objects.filter(verb="holiday_schedule_load", actor__username="admin").exists()


@time_machine.travel(WINTER_2026, tick=False)
def test_staff_see_a_warning_on_deadlines_in_a_year_without_data():
    from minsheng.org.demo import demo_exists, demo_seed
    from tests.motions.builders import Accounts, assigned

    if not demo_exists():
        demo_seed()
    accounts = Accounts()
    motion = assigned(accounts)
    due = motion.assignments.first().due
    assert due.year == 2027, "3 months from December 2026"
    staff = Client()
    staff.force_login(accounts["staff"])
    html = staff.get(f"/motions/{motion.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="calendar-warning"' in html and "2027" in html
    desk = staff.get("/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="calendar-gap"' in desk and "尚未导入 2027 年的节假日安排" in desk
    load(FICTIONAL_2027)
    html = staff.get(f"/motions/{motion.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="calendar-warning"' not in html
    assert 'data-testid="calendar-gap"' not in staff.get("/me/").content.decode()
