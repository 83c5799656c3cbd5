"""Budget execution: import all lines or none, the first problem named by row and column; flags."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import BudgetLine, BudgetTable, ProblemSource
from minsheng.oversight.selectors import budget_table_rows
from minsheng.oversight.services.budget import WorkbookError
from tests.oversight.builders import World
from tests.oversight.files import png_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["部门", "项目", "预算数", "执行数"]


def upload(rows: list[list[object]], name: str = "预算执行.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def last_month() -> tuple[int, int]:
    day = today()
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def do_import(world: World, rows: list[list[object]], **kwargs) -> BudgetTable:
    year, month = kwargs.pop("period", last_month())
    return services.budget_import(actor=world["staff"], upload=upload(rows), year=year, month=month)


def refused(world: World, rows: list[list[object]]) -> WorkbookError:
    with pytest.raises(WorkbookError) as error:
        do_import(world, rows)
    assert BudgetTable.objects.count() == 0 and BudgetLine.objects.count() == 0
    return error.value


def test_a_table_with_a_title_row_and_a_total_row_imports(world: World):
    table = do_import(
        world,
        [
            ["武进区部门预算执行情况表"],
            HEADER,
            ["区交通运输局", "农村公路养护", 8600, 2100],
            ["区教育局", "校舍维修", "6,500", 5900.5],
            ["合计", "", 15100, 8000.5],
        ],
    )
    lines = list(table.lines.order_by("row"))
    assert [(line.row, line.unit.name, line.budget) for line in lines] == [
        (3, "区交通运输局", Decimal("8600.00")),
        (4, "区教育局", Decimal("6500.00")),
    ]


@pytest.mark.parametrize(
    ("rows", "row", "column", "words"),
    [
        ([["单位名称", "金额"], ["区教育局", 1]], 1, "A", "部门"),
        ([HEADER, ["区教育局", "校舍维修", 100, "二十"]], 2, "D", "二十"),
        ([HEADER, ["区教育局", "校舍维修", 100, 50], ["区不存在局", "项目", 1, 1]], 3, "A", "区不存在局"),
        ([HEADER, ["区教育局", "", 100, 50]], 2, "B", ""),
        ([HEADER, ["区教育局", "校舍维修", -5, 0]], 2, "C", ""),
        ([HEADER, ["区教育局", "校舍维修", 100, None]], 2, "D", ""),
        ([HEADER, ["区教育局", "校舍维修", 100, 50], ["区教育局", "校舍维修", 1, 1]], 3, "B", "2"),
        ([HEADER], 2, "A", ""),
    ],
)
def test_a_malformed_workbook_names_the_first_problem_and_imports_nothing(world, rows, row, column, words):
    error = refused(world, rows)
    assert (error.row, error.column) == (row, ord(column) - 64)
    assert f"{row}" in error.message and column in error.message and words in error.message


def test_not_a_workbook_or_a_month_to_come_is_refused(world: World):
    year, month = last_month()
    with pytest.raises(ValidationFailedError):
        services.budget_import(
            actor=world["staff"], upload=SimpleUploadedFile("预算.xlsx", png_bytes()), year=year, month=month
        )
    with pytest.raises(ValidationFailedError):
        do_import(world, [HEADER, ["区教育局", "校舍维修", 100, 50]], period=(today().year + 1, 1))
    assert BudgetTable.objects.count() == 0


def test_the_same_month_twice_is_refused(world: World):
    do_import(world, [HEADER, ["区教育局", "校舍维修", 100, 50]])
    with pytest.raises(ValidationFailedError):
        do_import(world, [HEADER, ["区教育局", "校舍维修", 100, 60]])
    assert BudgetTable.objects.count() == 1


def test_only_congress_staff_import(world: World):
    year, month = last_month()
    # The site's superuser passes every rule but is staff of no district: refused, not a server error.
    for username in ("cppcc_staff", "deputy", "handler", "admin"):
        with pytest.raises(PermissionDeniedError):
            services.budget_import(
                actor=world[username],
                upload=upload([HEADER, ["区教育局", "校舍维修", 100, 50]]),
                year=year,
                month=month,
            )


def test_flags_behind_the_time_line_and_over_budget_and_a_deputys_question(world: World):
    table = do_import(
        world,
        [
            HEADER,
            ["区教育局", "on track", 1200, 1000],
            ["区交通运输局", "behind", 1200, 100],
            ["区应急管理局", "over", 1000, 1100],
        ],
        period=(2025, 10),
    )
    rows = {r.line.item: r for r in budget_table_rows(table)}
    assert rows["on track"].flags.expected == Decimal("83.3")  # 10/12 of the year
    assert not rows["on track"].flags.flagged
    assert rows["behind"].flags.behind and not rows["behind"].flags.over
    assert rows["over"].flags.over
    item = services.budget_question_raise(
        actor=world["deputy"], line=rows["behind"].line, text="执行进度为何明显滞后？"
    )
    assert item.unit.name == "区交通运输局" and item.problem.source == ProblemSource.BUDGET_QUESTION
    assert item.due_rule == "oversight_budget_answer"
    with pytest.raises(ValidationFailedError):  # a line on track takes no question
        services.budget_question_raise(actor=world["deputy"], line=rows["on track"].line, text="问题")
    with pytest.raises(PermissionDeniedError):  # a handler is no deputy
        services.budget_question_raise(actor=world["handler"], line=rows["over"].line, text="问题")
