"""Vote submission at volume: 2,000 participants voting through the HTTP API on a 200-statement topic.

    flock /tmp/bench.lock .venv/bin/python bench/deliberation.py [--participants 2000] [--statements 200]
        [--votes-each 10] [--workers 2 --threads 4] [--settings MODULE] [--http-client] [--no-write]

Loopback only and bounded. A fresh data folder is migrated and given one open topic with its
participants (joined through the service, each with its own participant token); then the production
server (gunicorn, ``bench/loadgen.running_server``) and a task worker (``minsheng db_worker``) run
side by side, and client threads cast every participant's votes through
``POST /api/deliberation/topics/{id}/votes``. It reports votes accepted per second, p95 latency,
votes lost (acknowledged with 200 but not in the database: counted there), and the delay from the
last vote to a map computed from all of them (read through ``GET …/analysis``). It also measures, in
one process, what an Event per vote would cost. Writes its section of docs/benchmarks.md; the last
line printed is ``deliberation votes_per_s=… lost=… p95_ms=… map_fresh_s=…``.

The clients send one vote per request over keep-alive connections, as phones do; by default with
ready-made request bytes (``loadgen.drive(raw=True)``) so that the load generator, which shares the
machine's cores with the server, costs about a third of what ``http.client`` does. ``--settings``
runs the server and the worker with another settings module, to measure a settings change before
making it (e.g. a module that imports ``minsheng.settings.prod`` and changes one value).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import HOST, Request, drive, machine_description, running_server, section_write

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"


def _django(data_dir: Path, settings_module: str = "minsheng.settings.prod") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["MINSHENG_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("MINSHENG_ALLOWED_HOSTS", HOST)
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def prepare(participants: int, statements: int) -> tuple[int, list[int], list[str]]:
    """Migrate, make a committee with staff, open a topic with its statements, join everyone."""
    from django.core.management import call_command

    from minsheng.deliberation import services
    from minsheng.deliberation.models import Statement
    from minsheng.org.models import (
        Body,
        BodyKind,
        Jurisdiction,
        JurisdictionLevel,
        Membership,
        Person,
        Role,
        User,
    )

    call_command("migrate", interactive=False, verbosity=0)
    district = Jurisdiction.objects.create(level=JurisdictionLevel.DISTRICT, name="基准区", code="999999")
    committee = Body.objects.create(jurisdiction=district, kind=BodyKind.CPPCC_COMMITTEE, name="基准区政协")
    person = Person.objects.create(name="工作人员")
    Membership.objects.create(person=person, body=committee, role=Role.STAFF, start="2021-01-01")
    staff = User.objects.create(username="bench-staff", person=person)
    topic = services.topic_propose(actor=staff, body=committee, title="基准议题", question="基准问题？")
    seeds = [f"基准观点第{n}条：这是一条用于压力测试的观点" for n in range(statements)]
    topic = services.topic_accept(actor=staff, topic=topic, setup=services.TopicSetup(), seeds=seeds)
    topic = services.topic_open(actor=staff, topic=topic)
    statement_ids = list(Statement.objects.filter(topic=topic).order_by("pk").values_list("pk", flat=True))
    tokens = [
        services.participant_join(topic=topic, verified_phone=f"13{n:09d}").token for n in range(participants)
    ]
    # One more participant, for the in-process Event cost measurement (its votes are removed after).
    services.participant_join(topic=topic, verified_phone="19999999999")
    return topic.pk, statement_ids, tokens


def event_cost(votes: int = 2000) -> tuple[float, float]:
    """Milliseconds per vote, in one process, without and with an Event written in the same transaction."""
    from django.db import transaction

    from minsheng.core.events import event_record
    from minsheng.deliberation import services
    from minsheng.deliberation.models import Participant, Statement, Topic, Vote

    participant = Participant.objects.order_by("pk").last()
    assert participant is not None
    statement_ids = list(Statement.objects.filter(topic_id=participant.topic_id).values_list("pk", flat=True))
    # The vote alone: with the map already flagged as pending, a vote does not flag or queue it.
    Topic.objects.filter(pk=participant.topic_id).update(analysis_pending=True)

    def plain(n: int) -> None:
        services.vote_cast(
            participant=participant, statement_id=statement_ids[n % len(statement_ids)], value=1
        )

    def with_event(n: int) -> None:
        with transaction.atomic():
            vote = services.vote_cast(
                participant=participant, statement_id=statement_ids[n % len(statement_ids)], value=-1
            )
            event_record(
                actor=None, verb="vote", target=participant, payload={"statement": vote.statement_id}
            )

    timings = []
    for run in (plain, with_event):
        started = time.perf_counter()
        for n in range(votes):
            run(n)
        timings.append((time.perf_counter() - started) / votes * 1000)
    Vote.objects.filter(participant=participant).delete()
    Topic.objects.filter(pk=participant.topic_id).update(analysis_pending=False)
    return timings[0], timings[1]


def _server_cpu_seconds(port: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master on ``port`` and its workers (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, CPU seconds)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
        except (OSError, IndexError, ValueError):
            continue
    bind = f"{HOST}:{port}".encode()
    masters = set()
    for pid in stats:
        try:
            if bind in (Path("/proc") / str(pid) / "cmdline").read_bytes():
                masters.add(pid)
        except OSError:
            continue
    return sum(cpu for pid, (parent, cpu) in stats.items() if pid in masters or parent in masters)


def _get_json(port: int, path: str) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body else None
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--statements", type=int, default=200)
    parser.add_argument("--votes-each", type=int, default=10)
    parser.add_argument("--clients", type=int, default=40, help="concurrent HTTP connections")
    parser.add_argument("--max-seconds", type=float, default=240)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--settings",
        default="minsheng.settings.prod",
        help="settings module for the server and the task worker (to try a settings change first)",
    )
    parser.add_argument(
        "--http-client",
        action="store_true",
        help="send with http.client instead of the lighter raw keep-alive client",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-deliberation-"))
    _django(data_dir, args.settings)
    print(
        f"· data folder {data_dir}; preparing {args.participants} participants, {args.statements} statements"
    )
    topic_id, statement_ids, tokens = prepare(args.participants, args.statements)
    ms_plain, ms_event = event_cost()
    from django.db import connections

    connections.close_all()

    # Each client connection plays its share of the participants, taking turns among them, so that
    # every participant votes while the others do. Participant p's k-th vote is on a statement of its own.
    per_client = -(-args.participants // args.clients)
    votes_per_client = per_client * args.votes_each
    path = f"/api/deliberation/topics/{topic_id}/votes"

    def next_request(n: int) -> Request:
        client, number = divmod(n, votes_per_client)
        participant = client * per_client + number % per_client
        k = number // per_client
        if participant >= len(tokens):
            participant = (participant * 7 + k) % len(tokens)  # the last client's spare slots: extra votes
        statement = statement_ids[(participant * 31 + k * 17) % len(statement_ids)]
        value = (1, -1, 0, 1)[(participant + k) % 4]
        body = json.dumps({"statement": statement, "vote": value}).encode()
        headers = (("Content-Type", "application/json"), ("X-Participant-Token", tokens[participant]))
        return Request("POST", path, body, headers)

    worker: subprocess.Popen[bytes] | None = None
    worker_exit: int | None = None
    try:
        with running_server(
            data_dir, workers=args.workers, threads=args.threads, settings_module=args.settings
        ) as base_url:
            port = int(base_url.rsplit(":", 1)[1])
            # The task worker starts once the server answers, so that both do not start up at once.
            worker = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "minsheng"),
                    "db_worker",
                    "--interval",
                    "0.5",
                    "--no-reload",
                ],
                env={**os.environ, "DJANGO_SETTINGS_MODULE": args.settings},
                cwd=REPO,
            )
            # Warm up every worker first: the URL configuration imports the whole platform (scikit-learn
            # through motions takes seconds), which is start-up cost, not a vote's.
            drive(base_url, "warm-up", lambda n: Request("GET", f"/api/deliberation/topics/{topic_id}"),
                  clients=8, requests_per_client=10, max_seconds=120)  # fmt: skip
            load_before = os.getloadavg()[0]
            server_cpu_before = _server_cpu_seconds(port)
            result = drive(
                base_url,
                "vote",
                next_request,
                clients=args.clients,
                requests_per_client=votes_per_client,
                max_seconds=args.max_seconds,
                raw=not args.http_client,
            )
            last_vote = time.perf_counter()
            server_cpu = _server_cpu_seconds(port) - server_cpu_before
            from minsheng.deliberation.models import Vote

            stored = Vote.objects.filter(topic_id=topic_id).count()
            connections.close_all()
            map_fresh = float("nan")
            deadline = last_vote + 120
            while time.perf_counter() < deadline:
                status, analysis = _get_json(port, f"/api/deliberation/topics/{topic_id}/analysis")
                if status == 200 and analysis["vote_count"] >= stored:
                    map_fresh = time.perf_counter() - last_vote
                    break
                time.sleep(0.25)
    finally:
        if worker is not None:
            worker_exit = worker.poll()  # None while it runs, as it should until we stop it
            worker.terminate()
            worker.wait(timeout=30)

    accepted = result.requests - result.errors
    # Each (participant, statement) pair is voted on once, so every accepted vote must be one row.
    expected_rows = len(
        {
            (p, statement_ids[(p * 31 + k * 17) % len(statement_ids)])
            for p in range(len(tokens))
            for k in range(args.votes_each)
        }
    )
    lost = max(0, min(accepted, expected_rows) - stored)
    votes_per_s = accepted / result.seconds if result.seconds else 0.0
    table = "\n".join(
        [
            "| participants | statements | votes sent | accepted | errors | stored | lost "
            "| votes/s | p50 ms | p95 ms | map fresh s |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {len(tokens)} | {len(statement_ids)} | {result.requests} | {accepted} | {result.errors} "
            f"| {stored} | {lost} | {votes_per_s:.0f} | {result.p50_ms:.1f} | {result.p95_ms:.1f} "
            f"| {map_fresh:.1f} |",
        ]
    )
    client = "`http.client`" if args.http_client else "ready-made request bytes, responses read in full"
    server_ms = server_cpu / max(result.requests, 1) * 1000
    client_ms = result.client_cpu_s / max(result.requests, 1) * 1000
    shape_note = " (`minsheng serve`'s shape)" if (args.workers, args.threads) == (2, 4) else ""
    worker_note = "" if worker_exit is None else f" The task worker exited early (code {worker_exit})."
    body = (
        "## Deliberation: votes through the API (`bench/deliberation.py`)\n\n"
        f"Machine: {machine_description()}; 1-minute load average {load_before:.1f} when the votes began "
        "(the 2 cores are shared with other work, and the load generator runs on them too). "
        f"SQLite (WAL), settings `{args.settings}`, gunicorn {args.workers} workers × {args.threads} threads"
        f"{shape_note}, one `minsheng db_worker` beside it; {args.clients} keep-alive client "
        f"connections on loopback ({client}), each taking turns among {per_client} participants "
        f"(participant tokens), {args.votes_each} votes per participant, one vote per request.\n\n"
        f"{table}\n\n"
        f"CPU per vote request: server {server_ms:.2f} ms (gunicorn master and workers), load generator "
        f"{client_ms:.2f} ms.{worker_note}\n\n"
        "*lost* = votes acknowledged with 200 that are not in the database (counted there after the run). "
        "*map fresh* = time from the last vote's answer to `GET …/analysis` reporting a map computed from "
        "every stored vote (the map task is debounced: at most one pending per topic, at least 3 s apart, "
        "incremental `consensus.update` in the worker).\n\n"
        f"An Event per vote (measured in one process, {2000} sequential votes): "
        f"{ms_plain:.2f} ms per vote without, {ms_event:.2f} ms with an Event in the same transaction. "
        "Every Event writer locks the single chain head, so with an Event per vote each vote would also "
        "serialise against every other write of the platform; votes therefore write no Event (the Vote row "
        "keeps who, what and when, and the latest vote per pair counts).\n"
    )
    if not args.no_write:
        section_write(DOC, "deliberation", body)
    print(table)
    print(
        f"server {args.workers}×{args.threads}, settings {args.settings}, "
        f"client {'http.client' if args.http_client else 'raw'}: load generator CPU {client_ms:.2f} ms "
        f"per request, server CPU {server_ms:.2f} ms per request, load average {load_before:.2f} at the start"
    )
    if worker_exit is not None:
        print(f"warning: the task worker exited early with code {worker_exit}: no map updates after that")
    print(f"event per vote: {ms_plain:.2f} ms without, {ms_event:.2f} ms with")
    print(
        f"deliberation votes_per_s={votes_per_s:.1f} lost={lost} p95_ms={result.p95_ms:.1f} "
        f"map_fresh_s={map_fresh:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
