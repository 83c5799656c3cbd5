"""The duty record at scale: rebuild every record from the Event log, update after one new Event, and
serve the public profile and my-duties through gunicorn on loopback.

    flock /tmp/bench.lock .venv/bin/python bench/records.py \\
        [--people 1500] [--years 10] [--events 1000000] [--requests 400] [--no-write]

The issue's scale is the default (1,500 deputies and members at five bodies of four levels, ten years,
1,000,000 Events); ``--people 300 --years 2 --events 50000`` is a quick run. A fresh data folder is
migrated and filled in bulk (rows and a valid hash chain, without the services: going through them
would measure them, not the record): people with seats at one or two levels, and Events of the kinds
the apps' ``duties.py`` read — voices received and answered, motions submitted with co-signers,
legislative opinions, deliberations joined — plus a quarter of Events the record does not read. Then:

- ``rebuild_s``: ``record_rebuild()`` in this process (target < 60 s);
- incremental: one new voice and its Event, then ``record_update()``, twenty times (target < 50 ms);
- ``p95_ms``: GET of random public profiles (the log's last year and every year, alternately) and of
  my-duties pages (signed in) through gunicorn (2 workers × 4 threads), the larger of the two p95s
  (target < 100 ms).

Filling a million Events takes minutes, so the filled database (before the rebuild) is kept in
``--cache`` (default ``~/.cache/minsheng-bench`` or ``$MINSHENG_BENCH_CACHE``, outside the repository)
and copied back on later runs of the same size; ``--fresh`` fills again. ``--profile`` prints where
the rebuild spends its CPU; ``--rebuild-only`` stops before the pages.

Writes its section of docs/benchmarks.md; the last line printed is
``records people=<int> events=<int> rebuild_s=<float> p95_ms=<float>``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import HOST, Request, drive, machine_description, running_server, section_write

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
BATCH = 20_000
START = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
SEED_VERSION = 1  # bump when the seeded rows change: cached databases of an older version are not reused


def _django(data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "minsheng.settings.prod"
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("MINSHENG_ALLOWED_HOSTS", HOST)
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def _places() -> dict[str, Any]:
    from minsheng.org.models import Body, BodyKind, Jurisdiction, JurisdictionLevel, Term

    province = Jurisdiction.objects.create(level=JurisdictionLevel.PROVINCE, name="基准省", code="990000")
    city = Jurisdiction.objects.create(
        level=JurisdictionLevel.CITY, name="基准市", code="990100", parent=province
    )
    district = Jurisdiction.objects.create(
        level=JurisdictionLevel.DISTRICT, name="基准区", code="990101", parent=city
    )
    town = Jurisdiction.objects.create(
        level=JurisdictionLevel.TOWNSHIP, name="基准镇", code="990101001", parent=district
    )
    bodies = {
        "province": Body.objects.create(jurisdiction=province, kind=BodyKind.CONGRESS, name="基准省人大"),
        "city": Body.objects.create(jurisdiction=city, kind=BodyKind.CONGRESS, name="基准市人大"),
        "district": Body.objects.create(jurisdiction=district, kind=BodyKind.CONGRESS, name="基准区人大"),
        "town": Body.objects.create(jurisdiction=town, kind=BodyKind.CONGRESS, name="基准镇人大"),
        "cppcc": Body.objects.create(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="基准区政协"),
    }
    terms = {
        key: Term.objects.create(body=body, number=1, start=START.date()) for key, body in bodies.items()
    }
    return {"district": district, "bodies": bodies, "terms": terms}


def _people(count: int, places: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """People with one seat (most) or two (one in five, at two levels); each has an account."""
    from minsheng.org.models import Membership, Person, Role, User

    keys = list(places["bodies"])
    persons = Person.objects.bulk_create(
        Person(name=f"代表{n}", pinyin=f"dai biao {n}") for n in range(count)
    )
    users = User.objects.bulk_create(
        User(username=f"rep{n}", person=person) for n, person in enumerate(persons)
    )
    seats: list[Membership] = []
    people: list[dict[str, Any]] = []
    for person, user in zip(persons, users, strict=True):
        chosen = rng.sample(keys, 2 if rng.random() < 0.2 else 1)
        for key in chosen:
            role = Role.CPPCC_MEMBER if key == "cppcc" else Role.DEPUTY
            seats.append(Membership(person=person, body=places["bodies"][key], role=role,
                                    term=places["terms"][key], start=START.date()))  # fmt: skip
        people.append({"person": person.pk, "user": user.pk, "bodies": chosen})
    created = Membership.objects.bulk_create(seats)
    by_person: dict[int, list[Any]] = {}
    for seat in created:
        by_person.setdefault(seat.person_id, []).append(seat)
    for entry in people:
        entry["seats"] = by_person[entry["person"]]
    return people


def _people_read() -> list[dict[str, Any]]:
    """The people of a restored database, as ``_people`` returned them."""
    from minsheng.org.models import Membership, User

    seats: dict[int, list[Any]] = {}
    for seat in Membership.objects.select_related("body").order_by("id"):
        seats.setdefault(seat.person_id, []).append(seat)
    users = User.objects.filter(username__startswith="rep", person__isnull=False).order_by("id")
    return [{"person": u.person_id, "user": u.pk, "seats": seats[u.person_id]} for u in users]


def _database_copy(target: Path) -> None:
    """A consistent copy of the open SQLite database (the WAL included), through SQLite's backup."""
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)


class Chain:
    """Appends Events in bulk with a valid hash chain (the same fields and hash as core.events)."""

    def __init__(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        from minsheng.core.events import GENESIS_HASH

        self.seq = 0
        self.prev = GENESIS_HASH
        self.rows: list[Any] = []
        self.type_of = ContentType.objects.get_for_model

    def add(
        self, *, at: dt.datetime, actor: int | None, verb: str, target: Any, payload: dict[str, Any],
        from_state: str = "", to_state: str = "",
    ) -> None:  # fmt: skip
        from minsheng.core.events import event_hash
        from minsheng.core.models import Event

        self.seq += 1
        event = Event(
            seq=self.seq, at=at, actor_id=actor, verb=verb, target_type=self.type_of(type(target)),
            target_id=str(target.pk), from_state=from_state, to_state=to_state, payload=payload,
            request_id="", prev_hash=self.prev,
        )  # fmt: skip
        event.hash = event_hash(event)
        self.prev = event.hash
        self.rows.append(event)

    def flush(self) -> None:
        from minsheng.core.models import Event, EventChainHead

        Event.objects.bulk_create(self.rows, batch_size=2000)
        self.rows = []
        EventChainHead.objects.update_or_create(pk=1, defaults={"last_seq": self.seq, "last_hash": self.prev})


def _fill(
    people: list[dict[str, Any]], places: dict[str, Any], events: int, years: int, rng: random.Random
) -> int:
    """Rows and Events in bulk, in time order; returns the number of Events."""
    from django.db import transaction

    from minsheng.deliberation.models import Topic
    from minsheng.legislation.models import ConsultationTask
    from minsheng.motions.models import Motion, Signature, SignatureRole, SignatureStatus
    from minsheng.org.models import User
    from minsheng.voices.models import Voice, VoiceChannel, VoiceStatus

    staff = User.objects.create(username="bench-staff")
    task = ConsultationTask.objects.create(
        contact_point=places["bodies"]["district"], title="基准条例（草案）", issuing_body="基准省人大常委会",
        received_on=START.date(), comment_deadline=START.date() + dt.timedelta(days=30), created_by=staff,
    )  # fmt: skip
    topic = Topic.objects.create(
        body=places["bodies"]["cppcc"], jurisdiction=places["district"], title="基准议题",
        question="基准问题？", proposer_kind="staff",
    )  # fmt: skip
    span = years * 365 * 24 * 3600
    chain = Chain()
    made = 0
    with transaction.atomic():
        while made < events:
            acts = min(BATCH // 4, max(1, int((events - made) / 1.35)))  # a voice is two Events
            stamps = sorted(START + dt.timedelta(seconds=rng.randrange(span)) for _ in range(acts))
            voices: list[tuple[dt.datetime, Any, dict[str, Any]]] = []
            motions: list[tuple[dt.datetime, Any, dict[str, Any], list[dict[str, Any]]]] = []
            plan: list[tuple[str, dt.datetime, dict[str, Any]]] = []
            for at in stamps:
                who = rng.choice(people)
                kind = rng.random()
                if kind < 0.35:
                    seat = rng.choice(who["seats"])
                    voice = Voice(
                        tracking_code=f"B{chain.seq + len(plan):09d}{rng.randrange(10**5):05d}"[:16],
                        channel=VoiceChannel.WEB, text="基准留言", jurisdiction=places["district"],
                        addressed_to=seat, status=VoiceStatus.REPLIED,
                    )  # fmt: skip
                    voices.append((at, voice, who))
                    plan.append(("voice", at, {"voice": voice, "who": who}))
                elif kind < 0.50:
                    seat = rng.choice(who["seats"])
                    cosigners = rng.sample(people, 2)
                    motion = Motion(
                        kind="proposal" if seat.role == "cppcc_member" else "suggestion",
                        jurisdiction=seat.body.jurisdiction if hasattr(seat, "body") else places["district"],
                        term=places["terms"][rng.choice(who["bodies"])], title="基准建议", text="基准内容",
                        status="submitted", lead_signer_id=who["person"],
                    )  # fmt: skip
                    motions.append((at, motion, who, cosigners))
                    plan.append(("motion", at, {"motion": motion, "who": who}))
                elif kind < 0.65:
                    plan.append(("opinion", at, {"who": who}))
                elif kind < 0.75:
                    plan.append(("join", at, {"who": who}))
                else:
                    plan.append(("noise", at, {"who": who}))
            Voice.objects.bulk_create([v for _a, v, _w in voices], batch_size=2000)
            Motion.objects.bulk_create([m for _a, m, _w, _c in motions], batch_size=2000)
            Signature.objects.bulk_create(
                [
                    Signature(
                        motion=m, person_id=p["person"], role=role, status=SignatureStatus.ACCEPTED, order=i
                    )
                    for _a, m, w, cos in motions
                    for i, (p, role) in enumerate(
                        [(w, SignatureRole.LEAD), *((c, SignatureRole.CO) for c in cos)]
                    )
                    if i == 0 or p["person"] != w["person"]
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
            for what, at, data in plan:
                actor = data["who"]["user"]
                if what == "voice":
                    voice = data["voice"]
                    chain.add(at=at, actor=None, verb="create", target=voice, payload={}, to_state="received")
                    answered = at + dt.timedelta(hours=rng.randint(1, 240))
                    chain.add(at=answered, actor=actor, verb="answer", target=voice, payload={},
                              from_state="received", to_state="replied")  # fmt: skip
                    made += 2
                elif what == "motion":
                    motion = data["motion"]
                    chain.add(at=at, actor=actor, verb="submit", target=motion, payload={"kind": motion.kind},
                              from_state="draft", to_state="submitted")  # fmt: skip
                    made += 1
                elif what == "opinion":
                    chain.add(
                        at=at, actor=actor, verb="opinion_submit", target=task, payload={"opinion": made}
                    )
                    made += 1
                elif what == "join":
                    chain.add(at=at, actor=actor, verb="join", target=topic, payload={"participant": made})
                    made += 1
                else:
                    chain.add(at=at, actor=actor, verb="edit", target=task, payload={})
                    made += 1
            chain.flush()
            print(f"  events {made:,}/{events:,}", end="\r", flush=True)
    print()
    return chain.seq


def _incremental(people: list[dict[str, Any]], runs: int = 20) -> list[float]:
    """Milliseconds for record_update() after one new voice and its Event (through the services' path)."""
    from django.contrib.auth.models import AnonymousUser

    from minsheng.records.engine import record_update
    from minsheng.voices.models import VoiceChannel
    from minsheng.voices.services import voice_create

    timings = []
    rng = random.Random(7)
    for _ in range(runs):
        seat = rng.choice(rng.choice(people)["seats"])
        voice_create(actor=AnonymousUser(), channel=VoiceChannel.WEB, text="新留言", phone="13900000000",
                     addressed_to=seat)  # fmt: skip
        started = time.perf_counter()
        record_update()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400, help="per page kind")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("MINSHENG_BENCH_CACHE", Path.home() / ".cache" / "minsheng-bench")),
        help="where the filled database is kept between runs of the same size (not in the repository)",
    )
    parser.add_argument("--fresh", action="store_true", help="fill a new database even if one is cached")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the rebuild")
    parser.add_argument("--rebuild-only", action="store_true", help="stop after the rebuild and the update")
    args = parser.parse_args(argv)
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="records-bench-") as folder:
        data = Path(folder)
        _django(data)
        from django.core.management import call_command

        from minsheng.records.engine import record_rebuild
        from minsheng.records.models import RecordEntry

        cached = args.cache / f"records-v{SEED_VERSION}-{args.people}-{args.years}-{args.events}.sqlite3"
        if cached.exists() and not args.fresh:
            shutil.copyfile(cached, data / "minsheng.sqlite3")
            print(f"· restored the filled database from {cached}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if cached.exists() and not args.fresh:
            from minsheng.core.models import Event

            people = _people_read()
            events = Event.objects.count()
        else:
            rng = random.Random(2026)
            places = _places()
            people = _people(args.people, places, rng)
            started = time.perf_counter()
            events = _fill(people, places, args.events, args.years, rng)
            print(f"· filled {events:,} Events in {time.perf_counter() - started:.0f} s")
            args.cache.mkdir(parents=True, exist_ok=True)
            _database_copy(cached)
            print(f"· kept a copy of the filled database in {cached}")
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU: the machine is shared
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        lines = record_rebuild()
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        rebuild_s = time.perf_counter() - started
        rebuild_cpu_s = time.process_time() - cpu_started
        assert lines == RecordEntry.objects.count() > 0, (lines, RecordEntry.objects.count())
        print(f"· rebuilt {lines:,} record lines in {rebuild_s:.1f} s ({rebuild_cpu_s:.1f} s CPU here)")
        incremental = _incremental(people)
        incremental_median = statistics.median(incremental)
        incremental_max = max(incremental)
        print(f"· incremental update: median {incremental_median:.1f} ms, max {incremental_max:.1f} ms")
        if args.rebuild_only:
            return 0

        from web import session_cookie

        cookies = [session_cookie(f"rep{n}") for n in range(min(20, args.people))]
        person_ids = [p["person"] for p in people]
        with running_server(data) as base:
            each = max(1, args.requests // 4)

            # The record's last year and every year (this year has no acts in the seeded log).
            years = [str(START.year + args.years - 1), "all"]

            def profile_request(i: int) -> Request:
                person_id = person_ids[i * 7919 % len(person_ids)]
                return Request("GET", f"/records/people/{person_id}/?year={years[i % 2]}")

            def inbox_request(i: int) -> Request:
                return Request("GET", "/records/mine/", headers=(("Cookie", cookies[i % len(cookies)]),))

            profile = drive(base, "profile", profile_request, clients=4, requests_per_client=each, raw=True)
            inbox = drive(base, "my duties", inbox_request, clients=4, requests_per_client=each, raw=True)
        load_at_end = os.getloadavg()[0]
        p95 = max(profile.p95_ms, inbox.p95_ms)
        rows = [
            "| measure | value | target |",
            "|---|---|---|",
            f"| people / bodies / years | {args.people:,} / 5 / {args.years} | 1,500 / 5 / 10 |",
            f"| Events in the log | {events:,} | 1,000,000 |",
            f"| record lines | {lines:,} | |",
            f"| full rebuild | {rebuild_s:.1f} s | < 60 s |",
            "| incremental update after one Event (median / max of 20) | "
            f"{incremental_median:.1f} / {incremental_max:.1f} ms | < 50 ms |",
            f"| public profile p50 / p95 ({profile.requests} requests, {profile.errors} errors) | "
            f"{profile.p50_ms:.0f} / {profile.p95_ms:.0f} ms | p95 < 100 ms |",
            f"| my duties p50 / p95 ({inbox.requests} requests, {inbox.errors} errors) | "
            f"{inbox.p50_ms:.0f} / {inbox.p95_ms:.0f} ms | p95 < 100 ms |",
        ]  # fmt: skip
        body = (
            "## Duty records (bench/records.py)\n\n"
            f"Run {time.strftime('%Y-%m-%d %H:%M')} on {machine_description()}; 1-minute load average "
            f"{load_at_start:.1f} at the start, {load_at_end:.1f} at the end (the machine is shared). "
            "SQLite, gunicorn 2 workers × 4 threads on loopback. Command: `.venv/bin/python bench/records.py "
            f"--people {args.people} --years {args.years} --events {args.events}` (the issue's scale is the "
            "default: `--people 1500 --years 10 --events 1000000`); the filled database comes from the "
            "`--cache` copy when there is one. Rebuild CPU time in the bench's process: "
            f"{rebuild_cpu_s:.1f} s.\n\n" + "\n".join(rows)
        )
        print(body)
        if not args.no_write:
            section_write(DOC, "records", body)
        print(f"records people={args.people} events={events} rebuild_s={rebuild_s:.2f} p95_ms={p95:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
