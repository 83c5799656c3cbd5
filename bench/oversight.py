"""Supervision at district scale: 2,000 key projects, 20 activities a year for 10 years and 100,000
rectification items with progress reports, behind the real server.

Seeds a fresh data folder (the demo, then bulk rows), starts gunicorn with the production settings on
loopback and measures the dashboard, the items list filtered by unit and status, a project page and an
activity page under concurrent clients, then the overdue sweep over every item (in-process). Writes its
section of docs/benchmarks.md; the last line printed is
``oversight p95_ms=<float> projects=<int> items=<int> sweep_s=<float>``.
Usage: .venv/bin/python bench/oversight.py [--projects N] [--items N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import Request, drive, machine_description, results_table, running_server, section_write
from web import session_cookie

REPO = Path(__file__).resolve().parents[1]
BATCH = 5000
YEARS = 10
ACTIVITIES_PER_YEAR = 20
CEILING = "ceiling: /livez"
PARKS = [
    "武进国家高新区",
    "武进经济开发区",
    "西太湖科技产业园",
    "常州科教城",
    "湖塘科技产业园",
    "牛塘工业集中区",
]
FINDINGS = [
    "部分企业安全生产主体责任落实不到位，隐患排查台账不健全",
    "农村公路养护资金保障不足，部分路段破损修复不及时",
    "河道水环境综合治理进度滞后，部分断面水质不达标",
    "基层医疗机构设备陈旧，服务能力有待提升",
    "老旧小区改造后长效管理机制尚未建立",
    "中小企业融资渠道单一，政策兑现周期长",
]


def _setup_django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings.prod"
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    os.environ["MINSHENG_ALLOWED_HOSTS"] = "127.0.0.1"
    import django

    django.setup()


def _progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    sys.stdout.write(f"\r  {label:<10} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}")
    if done >= total:
        sys.stdout.write("\n")
    sys.stdout.flush()


def seed_projects(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from minsheng.org.models import Jurisdiction
    from minsheng.oversight.models import Milestone, MilestoneKind, Project, ProjectStatus

    district = Jurisdiction.objects.get(code="320412")
    towns = list(Jurisdiction.objects.filter(parent=district))
    today = dt.date.today()
    statuses = [ProjectStatus.PLANNED, ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.UNDER_CONSTRUCTION,
                ProjectStatus.IN_PRODUCTION, ProjectStatus.SUSPENDED]  # fmt: skip
    for start in range(0, count, BATCH):
        with transaction.atomic():
            projects = []
            for index in range(start, min(start + BATCH, count)):
                planned = Decimal(rng.randint(1_000, 600_000))
                projects.append(
                    Project(
                        jurisdiction=district,
                        place=rng.choice(towns),
                        name=f"重点项目{index:05d}",
                        owner=f"常州某某科技有限公司{index % 700}",
                        investment_planned=planned,
                        investment_completed=(planned * Decimal(rng.random())).quantize(Decimal("0.01")),
                        park=rng.choice(PARKS),
                        status=rng.choice(statuses),
                    )
                )
            created = Project.objects.bulk_create(projects)
            milestones = []
            for project in created:
                begin = today - dt.timedelta(days=rng.randint(0, 900))
                for order, kind in enumerate(
                    (
                        MilestoneKind.START,
                        MilestoneKind.STRUCTURE,
                        MilestoneKind.EQUIPMENT,
                        MilestoneKind.PRODUCTION,
                    )
                ):
                    planned_day = begin + dt.timedelta(days=order * 150)
                    reached = planned_day < today and rng.random() < 0.85
                    milestones.append(
                        Milestone(
                            project=project,
                            kind=kind,
                            name=MilestoneKind(kind).label,
                            planned_date=planned_day,
                            actual_date=planned_day + dt.timedelta(days=rng.randint(-10, 40))
                            if reached
                            else None,
                            order=order,
                        )
                    )
            Milestone.objects.bulk_create(milestones)
        _progress("projects", min(start + BATCH, count), count)


def _closed_at(due: dt.date, rng: random.Random) -> dt.datetime:
    day = min(due + dt.timedelta(days=rng.randint(-20, 10)), dt.date.today())
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


def seed_items(count: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.db.models import Q

    from minsheng.org.models import Body, BodyKind, Jurisdiction, Unit, User
    from minsheng.oversight.models import (
        Activity,
        ActivityKind,
        ActivityStatus,
        ItemStatus,
        Problem,
        ProblemSource,
        ProgressReport,
        RectificationItem,
        ReportStatus,
    )

    district = Jurisdiction.objects.get(code="320412")
    standing = Body.objects.get(jurisdiction=district, kind=BodyKind.STANDING_COMMITTEE)
    units = list(
        Unit.objects.filter(Q(jurisdiction=district) | Q(jurisdiction__parent=district)).order_by("pk")
    )
    staff, handler = User.objects.get(username="jiandu"), User.objects.get(username="handler")
    today = dt.date.today()
    kinds = [k for k in ActivityKind.values if k != ActivityKind.DEMOCRATIC_SUPERVISION]
    activities = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for number in range(ACTIVITIES_PER_YEAR):
            begin = dt.date(year, 1 + number * 11 // ACTIVITIES_PER_YEAR, 1 + number % 25)
            activities.append(
                Activity(
                    jurisdiction=district,
                    body=standing,
                    kind=rng.choice(kinds),
                    title=f"{year}年第{number + 1}项监督活动",
                    start_date=begin,
                    end_date=begin + dt.timedelta(days=30),
                    status=ActivityStatus.CLOSED if year < today.year else ActivityStatus.UNDER_WAY,
                )
            )
    activities = Activity.objects.bulk_create(activities)
    per_activity = max(1, count // len(activities))
    made = 0
    for activity in activities:
        with transaction.atomic():
            problems = Problem.objects.bulk_create(
                Problem(
                    jurisdiction=district,
                    body=standing,
                    source=ProblemSource.FINDING,
                    activity=activity,
                    text=rng.choice(FINDINGS),
                    created_by=staff,
                )
                for _ in range(max(1, per_activity // 5))
            )
            items = []
            for index in range(min(per_activity, count - made)):
                assigned = activity.start_date + dt.timedelta(days=rng.randint(5, 40))
                due = assigned + dt.timedelta(days=rng.randint(14, 90))
                older = activity.status == ActivityStatus.CLOSED
                status = (
                    ItemStatus.CLOSED
                    if older or rng.random() < 0.35
                    else rng.choice([ItemStatus.OPEN, ItemStatus.OPEN, ItemStatus.UNDER_REVIEW])
                )
                items.append(
                    RectificationItem(
                        problem=problems[index % len(problems)],
                        jurisdiction=district,
                        body=standing,
                        # Items of one problem go to different units (one item per problem and unit).
                        unit=units[
                            (index // len(problems) + activity.pk + 3 * (index % len(problems))) % len(units)
                        ],
                        task=f"{rng.choice(FINDINGS)}，限期整改到位",
                        status=status,
                        assigned_on=assigned,
                        due=min(due, today + dt.timedelta(days=rng.randint(0, 60))) if not older else due,
                        due_rule="oversight_rectify",
                        closed_at=_closed_at(due, rng) if status == ItemStatus.CLOSED else None,
                    )
                )
            # One item per problem and unit (the database enforces it): keep the first of each pair.
            unique: dict[tuple[int, int], RectificationItem] = {}
            for candidate in items:
                unique.setdefault((candidate.problem_id, candidate.unit_id), candidate)
            items = list(unique.values())
            created = RectificationItem.objects.bulk_create(items)
            reports = []
            for item in created:
                reports.append(
                    ProgressReport(
                        item=item, text="已完成阶段性整改。", status=ReportStatus.ACCEPTED, created_by=handler
                    )
                )
                if item.status == ItemStatus.CLOSED:
                    reports.append(
                        ProgressReport(
                            item=item,
                            text="整改完成。",
                            is_final=True,
                            status=ReportStatus.ACCEPTED,
                            created_by=handler,
                        )
                    )
                elif item.status == ItemStatus.UNDER_REVIEW:
                    reports.append(
                        ProgressReport(item=item, text="请审核。", is_final=True, created_by=handler)
                    )
            ProgressReport.objects.bulk_create(reports)
            made += len(created)
        _progress("items", made, count)
        if made >= count:
            break


def pages_to_measure(rng: random.Random) -> list[tuple[str, object]]:
    from minsheng.oversight.models import Activity, Project, RectificationItem

    staff = (("Cookie", session_cookie("jiandu")),)
    leader = (("Cookie", session_cookie("leader")),)
    units = list(RectificationItem.objects.values_list("unit_id", flat=True).distinct().order_by("unit_id"))
    projects = list(Project.objects.order_by("?").values_list("pk", flat=True)[:500])
    activities = list(Activity.objects.order_by("-start_date").values_list("pk", flat=True)[:20])

    def get(path, headers=staff):  # type: ignore[no-untyped-def]
        return lambda i: Request("GET", path(i), headers=headers)

    return [
        # The trivial page (no database, no worker: /healthz answers 503 without a worker heartbeat).
        (CEILING, lambda i: Request("GET", "/livez")),
        ("dashboard (staff)", get(lambda i: "/oversight/dashboard/")),
        ("dashboard (leader)", get(lambda i: "/oversight/dashboard/", leader)),
        (
            "items by unit, overdue",
            get(lambda i: f"/oversight/items/?unit={units[i % len(units)]}&status=overdue&page={i % 3 + 1}"),
        ),
        (
            "items by unit, open",
            get(
                lambda i: f"/oversight/items/?unit={units[(i * 5) % len(units)]}&status=open&page={i % 3 + 1}"
            ),
        ),
        ("items, all (staff)", get(lambda i: f"/oversight/items/?page={i % 50 + 1}")),
        ("project page", get(lambda i: f"/oversight/projects/{projects[i % len(projects)]}/")),
        ("activity page", get(lambda i: f"/oversight/activities/{activities[i % len(activities)]}/")),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per page")
    parser.add_argument("--data", type=Path, default=Path("/tmp/minsheng-bench-oversight"))
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, default=None, help="seed this folder once, measure copies later")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (minsheng serve: 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per process (minsheng serve: 4)")
    args = parser.parse_args()

    size = {"projects": args.projects, "items": args.items}
    marker = args.keep / "bench-oversight-seeded.json" if args.keep else None
    reuse = marker is not None and marker.exists() and json.loads(marker.read_text()) == size
    shutil.rmtree(args.data, ignore_errors=True)
    if reuse:
        assert args.keep is not None
        shutil.copytree(args.keep, args.data)
    _setup_django(args.data)
    from minsheng.cli import prepare

    started = time.perf_counter()
    prepare(with_demo_data=True)
    if not reuse:
        rng = random.Random(2026)
        seed_projects(args.projects, rng)
        seed_items(args.items, rng)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        if args.keep is not None and marker is not None:
            from django.db import connection

            connection.close()
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(args.data, args.keep)
            marker.write_text(json.dumps(size))

    from minsheng.oversight.models import Project, RectificationItem

    projects, items = Project.objects.count(), RectificationItem.objects.count()
    pages = pages_to_measure(random.Random(7))
    from django.db import connections

    connections.close_all()
    load_before = os.getloadavg()[0]
    with running_server(args.data, workers=args.workers, threads=args.threads, start_timeout=120) as base_url:
        for _name, make in pages:
            drive(base_url, "warm-up", make, clients=4, requests_per_client=5)  # type: ignore[arg-type]
        results = [
            drive(base_url, name, make, clients=args.clients, requests_per_client=args.requests)  # type: ignore[arg-type]
            for name, make in pages
        ]

    from minsheng.core.models import Event
    from minsheng.oversight.tasks import overdue_sweep

    Event.objects.filter(verb="oversight_sweep").exists()  # warm the connection, not the sweep
    sweep_started = time.perf_counter()
    counts = overdue_sweep()
    sweep_s = time.perf_counter() - sweep_started
    load_after = os.getloadavg()[0]

    table = results_table(results)
    print(table)
    print(f"sweep: {sweep_s:.2f} s, {counts}")
    ceiling = next(r for r in results if r.name == CEILING)
    if ceiling.errors:
        # A ceiling made of errors measures nothing: stop rather than report it.
        print(f"the ceiling page answered {ceiling.errors} errors of {ceiling.requests}", file=sys.stderr)
        return 1
    measured = [r for r in results if r.name != CEILING]
    worst_p95 = max(r.p95_ms for r in measured)
    errors = sum(r.errors for r in results)
    if not args.no_write:
        body = (
            "## Supervision at district scale (`bench/oversight.py`)\n\n"
            f"Run {dt.date.today()} on {machine_description()}; 1-minute load average "
            f"{load_before:.1f} before the run, {load_after:.1f} after (the machine is shared). "
            f"{projects:,} projects with 4 milestones "
            f"each, {YEARS * ACTIVITIES_PER_YEAR} activities, {items:,} rectification items with progress "
            f"reports, on SQLite (WAL); gunicorn {args.workers} workers × {args.threads} threads, "
            f"{args.clients} concurrent keep-alive clients on loopback, {args.requests} requests per client "
            f"per page. Errors: {errors}.\n\n"
            f"{table}\n\n"
            f"Overdue sweep over all {items:,} items (in-process, one pass of grouped counts): "
            f"{sweep_s:.2f} s; it told {counts['units']} units of {counts['overdue']:,} overdue and "
            f"{counts['due_soon']:,} soon-due items and {counts['bodies']} bodies' staff.\n"
        )
        section_write(REPO / "docs" / "benchmarks.md", "oversight", body)
    print(f"oversight p95_ms={worst_p95:.1f} projects={projects} items={items} sweep_s={sweep_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
