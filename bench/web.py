"""Web speed at district scale: 100,000 voices and 10,000 motions behind the real server.

Seeds a fresh data folder (the demo district, then bulk rows), starts gunicorn with the production
settings on loopback, and measures the main lists, detail pages, Chinese search and a submission
under concurrent clients, beside the same server's trivial-view ceiling, all in one run. Writes its
section of docs/benchmarks.md. Usage: .venv/bin/python bench/web.py [--voices N] [--motions N]
[--keep DIR] (seed once into DIR and keep it pristine; each run copies it to --data, applies new
migrations there and measures the copy, so that every run starts from the same rows)
[--database postgres] (PostgreSQL at --database-url, recreated each run: the seeded rows are dumped once
with pg_dump into --cache and restored with pg_restore on later runs of the same size)
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
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import (
    LoadResult,
    Request,
    cpu_probe_ms,
    drive,
    machine_description,
    results_table,
    running_server,
    section_write,
)

REPO = Path(__file__).resolve().parents[1]
BATCH = 5000
SEED_VERSION = 1  # bump when the seeded rows change: cached dumps of an older version are not reused

VOICE_TEXTS = [
    "小区门口道路破损严重，雨天积水，希望尽快修复",
    "建议在学校附近增设人行横道和红绿灯，保障学生安全",
    "公交线路调整后老人出行不便，希望恢复原站点",
    "菜市场周边占道经营，交通拥堵，请加强管理",
    "垃圾分类投放点设置不合理，气味大，建议迁移",
    "企业用工难，希望加强职业技能培训和招聘对接",
    "老旧小区加装电梯推进缓慢，希望简化审批",
    "河道有污水排放，水质变差，请环保部门核查",
    "社区卫生服务中心看病排队时间长，建议增加医生",
    "希望在工业园区增加公共停车位，缓解停车难",
    "路灯长期不亮，晚上出行存在安全隐患",
    "建议增加托育机构，解决双职工家庭带娃难题",
]
MOTION_TITLES = [
    "关于加快推进农村公路提档升级的建议",
    "关于加强校园周边交通安全管理的建议",
    "关于完善老旧小区改造长效管理机制的提案",
    "关于支持中小企业数字化转型的建议",
    "关于推进垃圾分类提质增效的提案",
    "关于优化公交线网方便群众出行的建议",
    "关于加强河道水环境综合治理的建议",
    "关于扩大普惠性托育服务供给的提案",
    "关于推动新能源产业链协同发展的建议",
    "关于提升基层医疗卫生服务能力的提案",
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


def _search_entries(model: type, objects: list, texts: list[str], token_cache: dict[str, Any]) -> list:
    from django.contrib.contenttypes.models import ContentType

    from minsheng.core.search import search_entry

    content_type = ContentType.objects.get_for_model(model)
    entries = []
    for obj, text in zip(objects, texts, strict=True):
        if text not in token_cache:
            token_cache[text] = search_entry(content_type, 0, text)
        cached = token_cache[text]
        entries.append(search_entry_copy(cached, obj.pk))
    return entries


def search_entry_copy(entry: Any, object_id: int) -> Any:
    from minsheng.core.models import SearchEntry

    return SearchEntry(
        content_type=entry.content_type, object_id=object_id, tokens=entry.tokens, text=entry.text
    )


def seed_voices(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from minsheng.core.models import SearchEntry
    from minsheng.org.models import Jurisdiction, JurisdictionLevel
    from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus

    towns = list(Jurisdiction.objects.filter(level=JurisdictionLevel.TOWNSHIP))
    statuses = [s for s in VoiceStatus.values if s != VoiceStatus.MERGED]
    token_cache: dict[str, Any] = {}
    for start in range(0, count, BATCH):
        with transaction.atomic():
            batch, texts = [], []
            for index in range(start, min(start + BATCH, count)):
                text = f"{rng.choice(VOICE_TEXTS)}（{rng.choice(towns).name}）"
                texts.append(text)
                batch.append(
                    Voice(
                        tracking_code=f"BN{index:08d}",
                        channel=rng.choice(VoiceChannel.values),
                        text=text,
                        phone=f"139{index:08d}",
                        jurisdiction=rng.choice(towns),
                        status=rng.choice(statuses),
                        triage_due=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 400)),
                    )
                )
            created = Voice.objects.bulk_create(batch)
            SearchEntry.objects.bulk_create(_search_entries(Voice, created, texts, token_cache))
        _progress("voices", min(start + BATCH, count), count)


def seed_motions(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from minsheng.core.models import SearchEntry
    from minsheng.motions.models import (
        Assignment,
        AssignmentRole,
        AssignmentStatus,
        Motion,
        MotionKind,
        MotionStatus,
    )
    from minsheng.org.models import BodyKind, Jurisdiction, Membership, Role, Term, Unit

    district = Jurisdiction.objects.get(code="320412")
    congress_term = Term.objects.get(body__kind=BodyKind.CONGRESS, body__jurisdiction=district)
    cppcc_term = Term.objects.get(body__kind=BodyKind.CPPCC_COMMITTEE, body__jurisdiction=district)
    deputies = list(Membership.objects.filter(role=Role.DEPUTY).values_list("person_id", flat=True))
    members = list(Membership.objects.filter(role=Role.CPPCC_MEMBER).values_list("person_id", flat=True))
    units = list(Unit.objects.all())
    statuses = [MotionStatus.SUBMITTED, MotionStatus.FILED, MotionStatus.ASSIGNED, MotionStatus.REPLIED,
                MotionStatus.FOLLOW_UP, MotionStatus.CLOSED, MotionStatus.DECLINED]  # fmt: skip
    token_cache: dict[str, Any] = {}
    for start in range(0, count, BATCH):
        with transaction.atomic():
            batch, texts = [], []
            for index in range(start, min(start + BATCH, count)):
                kind = rng.choice([MotionKind.SUGGESTION, MotionKind.SUGGESTION, MotionKind.PROPOSAL])
                status = rng.choice(statuses)
                title = rng.choice(MOTION_TITLES)
                text = f"{title}。{rng.choice(VOICE_TEXTS)}。"
                texts.append(f"{title} {text}")
                batch.append(
                    Motion(
                        kind=kind,
                        jurisdiction=district,
                        term=cppcc_term if kind == MotionKind.PROPOSAL else congress_term,
                        # Numbers are given at filing: a submitted item has none yet.
                        number="" if status == MotionStatus.SUBMITTED else f"B{index}",
                        title=title,
                        text=text,
                        status=status,
                        lead_signer_id=rng.choice(members if kind == MotionKind.PROPOSAL else deputies),
                        submitted_at=time_aware(rng),
                    )
                )
            created = Motion.objects.bulk_create(batch)
            SearchEntry.objects.bulk_create(_search_entries(Motion, created, texts, token_cache))
            assignments = [
                Assignment(
                    motion=motion,
                    unit=rng.choice(units),
                    role=AssignmentRole.LEAD,
                    status=AssignmentStatus.PENDING,
                    assigned_on=dt.date(2026, 3, 1),
                    due=dt.date(2026, 6, 1) + dt.timedelta(days=rng.randint(0, 200)),
                    due_rule="motion_reply",
                    max_due=dt.date(2026, 9, 1) + dt.timedelta(days=rng.randint(0, 200)),
                    return_by=dt.date(2026, 3, 11),
                )
                for motion in created
                if motion.status in (MotionStatus.ASSIGNED, MotionStatus.REPLIED, MotionStatus.FOLLOW_UP)
            ]
            Assignment.objects.bulk_create(assignments)
        _progress("motions", min(start + BATCH, count), count)


def time_aware(rng: random.Random) -> dt.datetime:
    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randint(0, 300 * 24 * 60))


def session_cookie(username: str) -> str:
    """A signed-in session for ``username``, made the way django.contrib.auth.login makes one."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from minsheng.org.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "minsheng.org.auth.UsernameOrPhoneBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def bearer_token(username: str) -> str:
    from minsheng.org.models import User
    from minsheng.org.services import api_token_create

    user = User.objects.get(username=username)
    _token, key = api_token_create(actor=None, user=user, name="bench-web")
    return key


def requests_to_measure() -> list[tuple[str, Callable[[int], Request]]]:
    from minsheng.motions.selectors import motions_visible_to
    from minsheng.org.models import User
    from minsheng.voices.models import Voice

    staff = (("Cookie", session_cookie("staff")),)
    station = bearer_token("station")
    voice_ids = list(Voice.objects.order_by("-id").values_list("pk", flat=True)[:500])
    staff_user = User.objects.get(username="staff")
    motion_ids = list(motions_visible_to(staff_user).order_by("-id").values_list("pk", flat=True)[:500])
    submission = {"text": "基准测试：小区门口路灯不亮，请尽快维修", "phone": "13912345678"}
    submit_headers = (("Authorization", f"Bearer {station}"), ("Content-Type", "application/json"))

    def staff_get(path: Callable[[int], str]) -> Callable[[int], Request]:
        return lambda i: Request("GET", path(i), headers=staff)

    return [
        ("ceiling: /livez", lambda i: Request("GET", "/livez")),
        ("home: find my deputies", lambda i: Request("GET", "/find/?place=" + quote("湖塘镇"))),
        ("voices list (staff)", staff_get(lambda i: f"/voices/?page={i % 50 + 1}")),
        # One- to four-character words (the list): one character is the hardest case.
        ("voices search 路", staff_get(lambda i: "/voices/?q=" + quote("路"))),
        ("voices search 道路", staff_get(lambda i: "/voices/?q=" + quote("道路"))),
        ("voices search 红绿灯", staff_get(lambda i: "/voices/?q=" + quote("红绿灯"))),
        ("voices search 垃圾分类", staff_get(lambda i: "/voices/?q=" + quote("垃圾分类"))),
        ("voice detail", staff_get(lambda i: f"/voices/{voice_ids[i % len(voice_ids)]}/")),
        ("motions list (staff)", staff_get(lambda i: f"/motions/?page={i % 50 + 1}")),
        ("motions search 交通", staff_get(lambda i: "/motions/?q=" + quote("交通"))),
        ("motion detail", staff_get(lambda i: f"/motions/{motion_ids[i % len(motion_ids)]}/")),
        ("public replies", lambda i: Request("GET", f"/motions/public/?page={i % 20 + 1}")),
        (
            "voice submission (API)",
            lambda i: Request(
                "POST", "/api/voices/staff-entry", json.dumps(submission).encode(), submit_headers
            ),
        ),
    ]


def _server_shape(workers: int, threads: int) -> str:
    if threads == 1:
        return f"{workers} sync workers (one request at a time each, no keep-alive)"
    return f"{workers} workers × {threads} threads"


def single_client_table(results: list[LoadResult]) -> str:
    lines = ["| page | p50 ms | p95 ms |", "|---|---|---|"]
    lines += [f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} |" for r in results]
    return "\n".join(lines)


PG_DEFAULT_URL = "postgres://minsheng:minsheng@127.0.0.1:55432/minsheng_bench_web"


def _pg_recreate(url: str) -> None:
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _pg_tool(tool: str, url: str, *args: str) -> None:
    import subprocess

    subprocess.run([tool, "--dbname", url, *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", type=int, default=100_000)
    parser.add_argument("--motions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40, help="requests per client per page")
    parser.add_argument("--data", type=Path, default=Path("/tmp/minsheng-bench-web"))
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument(
        "--keep", type=Path, default=None, help="seed this folder once, measure copies of it on later runs"
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--reconnect",
        action="store_true",
        help="a new connection per request, as nginx talks to its upstream (default: kept alive)",
    )
    parser.add_argument(
        "--client",
        choices=("raw", "http"),
        default="http",
        help="http: Python's http.client (the default, as every published run); raw: each request's bytes "
        "made before the clock starts, read by loadgen's minimal client (less of the shared cores for the "
        "load generator, and requests arrive closer together: four SQLite writers then wait on each "
        "other's lock, p95 of the submission ~120 ms against ~65 ms)",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn processes (default: minsheng serve's, 2 per CPU + 1)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per process (minsheng serve: 1, gunicorn's sync workers; more: its gthread workers)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("MINSHENG_BENCH_DATABASE_URL", PG_DEFAULT_URL)
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("MINSHENG_BENCH_CACHE", Path.home() / ".cache" / "minsheng-bench")),
        help="where the PostgreSQL dumps of seeded rows are kept (outside the repository)",
    )
    args = parser.parse_args()
    if not args.workers:
        sys.path.insert(0, str(REPO / "src"))
        from minsheng.cli import web_workers

        args.workers = web_workers()

    size = {"voices": args.voices, "motions": args.motions}
    if args.database == "postgres":
        return main_postgres(args, size)
    marker = args.keep / "bench-web-seeded.json" if args.keep else None
    reuse = marker is not None and marker.exists() and json.loads(marker.read_text()) == size
    shutil.rmtree(args.data, ignore_errors=True)
    if reuse:
        assert args.keep is not None
        shutil.copytree(args.keep, args.data)  # the run's own copy: submissions do not pile up
    _setup_django(args.data)
    from minsheng.cli import prepare

    started = time.perf_counter()
    prepare(with_demo_data=True)  # on a copy of a kept folder this applies new migrations only
    if reuse:
        print(f"reusing the rows seeded in {args.keep}")
    else:
        rng = random.Random(2026)
        seed_voices(args.voices, rng)
        seed_motions(args.motions, rng)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        if args.keep is not None and marker is not None:
            from django.db import connection

            connection.close()  # a clean file to copy (the WAL checkpointed into it)
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(args.data, args.keep)
            marker.write_text(json.dumps(size))
    return measure_and_report(args, "SQLite (WAL)")


def main_postgres(args: argparse.Namespace, size: dict[str, int]) -> int:
    """Seed (or restore the cached dump of) the rows into a fresh PostgreSQL database, then measure."""
    dump = args.cache / f"web-postgres-v{SEED_VERSION}-{args.voices}-{args.motions}.dump"
    _pg_recreate(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    shutil.rmtree(args.data, ignore_errors=True)
    restored = dump.exists()
    started = time.perf_counter()
    if restored:
        print(f"restoring {dump}")
        _pg_tool("pg_restore", args.database_url, "--no-owner", "--no-privileges", "--jobs", "2", str(dump))
    _setup_django(args.data)
    from django.db import connection

    from minsheng.cli import prepare

    prepare(with_demo_data=True)  # after a restore: new migrations only, the demo data exists
    if not restored:
        rng = random.Random(2026)
        seed_voices(args.voices, rng)
        seed_motions(args.motions, rng)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # fresh statistics for the planner
        seconds = time.perf_counter() - started
        args.cache.mkdir(parents=True, exist_ok=True)
        _pg_tool("pg_dump", args.database_url, "--format=custom", "--file", str(dump.with_suffix(".partial")))
        dump.with_suffix(".partial").rename(dump)
        args.preparation = (
            f"The rows were seeded in {seconds:.0f} s and dumped to the cache "
            f"({dump.stat().st_size / 2**20:.0f} MiB)."
        )
    else:
        with connection.cursor() as cursor:
            # VACUUM too: a restored table has no visibility map and no hint bits yet, and autovacuum
            # would start on the 1,000,000 rows during the measurement (seen: the search index's table
            # vacuumed 45 s into a run). A live database has long been vacuumed.
            cursor.execute("VACUUM ANALYZE")
        args.preparation = (
            f"The rows were restored from the cached dump in {time.perf_counter() - started:.0f} s."
        )
    print(args.preparation)
    return measure_and_report(args, "PostgreSQL")


def _daily_jobs_counted_as_run() -> None:
    """Mark today's slot of every daily job as taken, so that the worker does not run them during the
    measurement: on freshly seeded rows they would send thousands of overdue reminders and retrain the
    routing model, minutes of a whole core. The frequent jobs (every minute or two) run as they fall due."""
    from django.utils import timezone

    from minsheng.core.jobs import DailyAt, jobs_all
    from minsheng.core.models import JobRun

    now = timezone.now()
    for job in jobs_all():
        if isinstance(job.schedule, DailyAt):
            JobRun.objects.get_or_create(
                job=job.name, slot=job.schedule.slot(now), defaults={"worker": "bench"}
            )


def measure_and_report(args: argparse.Namespace, database: str) -> int:
    pages = requests_to_measure()

    from django.db import connections

    _daily_jobs_counted_as_run()
    connections.close_all()
    load_before = os.getloadavg()[0]
    probe_before = cpu_probe_ms()
    raw = args.client == "raw" and not args.reconnect  # the raw client keeps its connection when it may
    with running_server(
        args.data, workers=args.workers, threads=args.threads, start_timeout=120, with_worker=True
    ) as base_url:
        # Warm every worker: each keeps its own caches (the similar-items corpus of each kind of item,
        # ~0.15-0.3 s to count at 100,000 motions, the menu, the memberships). Twenty requests a
        # worker a page, so that each worker has surely met a detail page of both kinds of item.
        for _name, make in pages:
            drive(base_url, "warm-up", make, clients=4, requests_per_client=5 * args.workers)
        results = [
            drive(
                base_url,
                name,
                make,
                clients=args.clients,
                requests_per_client=args.requests,
                reconnect=args.reconnect,
                raw=raw,
            )
            for name, make in pages
        ]
        # The same pages one request at a time: each page's own time, without waiting behind others
        # on the two cores (what a person sees on a quiet server).
        alone = [
            drive(base_url, name, make, clients=1, requests_per_client=args.requests, raw=raw)
            for name, make in pages
        ]
    probe_after = cpu_probe_ms()
    table = results_table(results)
    print(table)
    print(f"cpu probe: {probe_before:.0f} ms before, {probe_after:.0f} ms after")
    alone_table = single_client_table(alone)
    print(alone_table)
    measured = [r for r in results if not r.name.startswith("ceiling")]
    worst_p95 = max(r.p95_ms for r in measured)
    total_rps = sum(r.requests for r in measured) / sum(r.seconds for r in measured)
    ceiling = results[0].rps
    errors = sum(r.errors for r in results)
    client_ms = 1000 * sum(r.client_cpu_s for r in results) / max(1, sum(r.requests for r in results))
    client_kind = "ready-made request bytes, loadgen's minimal client" if raw else "Python's http.client"
    connection_mode = (
        "reconnecting (a new connection per request)"
        if args.reconnect
        else "keep-alive (the sync workers close a connection after each response: the client reconnects)"
        if args.threads == 1
        else "keep-alive"
    )
    if not args.no_write:
        body = (
            "## Web pages at district scale (`bench/web.py`)\n\n"
            f"Run {dt.date.today()} on {machine_description()}; load average before the run "
            f"{load_before:.1f}; a fixed Python loop (`loadgen.cpu_probe_ms`, the machine's speed at the "
            f"moment) took {probe_before:.0f} ms before the run and {probe_after:.0f} ms after it. "
            f"{args.voices:,} voices and {args.motions:,} motions on {database}, "
            f"gunicorn {_server_shape(args.workers, args.threads)} and the task worker (as `minsheng "
            f"serve` runs them; today's daily jobs counted as run), {args.clients} concurrent "
            f"{connection_mode} clients on loopback, {args.requests} requests per client per page "
            f"({client_kind}; the load generator shares the 2 cores and took {client_ms:.2f} ms of CPU a "
            f"request). Errors: {errors}. {getattr(args, 'preparation', '')}\n\n"
            f"{table}\n\nThe same pages with one client, one request at a time ({args.requests} each):"
            f" each page's own time on the server, without queueing behind other requests.\n\n"
            f"{alone_table}\n"
        )
        key = "web" if database.startswith("SQLite") else "web-postgres"
        if key == "web-postgres":
            body += (
                "\nHow to run it: `.venv/bin/python bench/web.py --database postgres --voices 1000000 "
                "--motions 100000 --database-url postgres://USER:PASSWORD@HOST:PORT/DB` (the database DB is "
                "dropped and created again; its server must also let USER create databases). The first run "
                "of a size seeds the rows (the time grows with the size; the figures above say how long) and "
                "keeps a `pg_dump` of them in `--cache` (default `~/.cache/minsheng-bench`, or "
                "`MINSHENG_BENCH_CACHE`); later runs of the same size restore it "
                "with `pg_restore`, apply new migrations, `VACUUM ANALYZE` (as after seeding; a live "
                "database has long been vacuumed, and autovacuum would otherwise start on the restored "
                "tables during the measurement), then measure. Change "
                "`SEED_VERSION` in the script when the seeded rows change.\n"
            )
        section_write(
            REPO / "docs" / "benchmarks.md",
            key,
            body.replace("(`bench/web.py`)", f"(`bench/web.py`, {database})"),
        )
    print(
        f"web p95_ms={worst_p95:.1f} rps={total_rps:.1f} ceiling_rps={ceiling:.1f} "
        f"voices={args.voices} motions={args.motions}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
