"""Several nodes, one database: two `minsheng serve` nodes and a task worker on one PostgreSQL, under
mixed traffic, with one node killed (SIGKILL) mid-run and restarted; then the books are checked.

    .venv/bin/python bench/cluster.py            # city-sized: 100,000 voices, 10,000 motions
    .venv/bin/python bench/cluster.py --short    # CI: 5,000 voices, 1,000 motions, fewer requests

Node A runs `minsheng serve` (web + its own worker), node B `minsheng serve --no-worker`, and one
`minsheng worker` runs apart: two workers compete for tasks and periodic jobs. Traffic goes to both
nodes: page reads, voice submissions (API), motion filings (each sent to both nodes at once: one must
win, the other get 409) and deliberation votes. Node A's whole process group is killed with SIGKILL
at a third of the run; traffic carries on through B; A is started again at two thirds.

Checks, on the database: every acknowledged write is there (`lost`), no filing applied twice and no
task or reminder run twice (`duplicated`), the Event chain verifies. Last line:
`cluster nodes=2 requests=… acked_writes=… lost=… duplicated=… p95_ms=…`. Exit 1 if anything is off.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import free_port, machine_description, section_write

REPO = Path(__file__).resolve().parents[1]
MINSHENG = str(Path(sys.executable).with_name("minsheng"))
HOST = "127.0.0.1"
DEFAULT_URL = "postgres://minsheng:minsheng@127.0.0.1:55432/minsheng_cluster"


def database_fresh(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def node_env(url: str, data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "MINSHENG_DATA_DIR": str(data),
        "MINSHENG_ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "minsheng.settings.prod",
        "MINSHENG_WORKERS": "2",
        "MINSHENG_LOG_FORMAT": "json",
    }


@dataclass
class Node:
    name: str
    port: int
    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    up: bool = False

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [MINSHENG, *self.args], env=self.env, stdout=out, stderr=out, start_new_session=True
            )

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/livez")
                if connection.getresponse().status == 200:
                    self.up = True
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"node {self.name} did not answer within {timeout:.0f} s (log: {self.log})")

    def kill(self) -> None:
        """SIGKILL to the node's whole process group: supervisor, gunicorn and (on A) its worker."""
        self.up = False
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Ledger:
    """What the clients were told: only a 2xx answer counts as an acknowledged write."""

    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    voices: list[int] = field(default_factory=list)
    votes: list[tuple[int, int, int]] = field(default_factory=list)
    filings: list[int] = field(default_factory=list)
    double_filings: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def call(
    node: Node, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, node.port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers = {**headers, "Content-Type": "application/json"}
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.status, json.loads(payload or b"null")
    return response.status, None


def prepare(url: str, data: Path, voices: int, motions: int, participants: int) -> dict[str, Any]:
    """Migrate, seed the demo district and the bulk rows, and make the clients' credentials."""
    os.environ.update(node_env(url, data))
    import django

    django.setup()
    from web import bearer_token, seed_motions, seed_voices, session_cookie

    from minsheng.cli import prepare as minsheng_prepare
    from minsheng.deliberation import services as deliberation
    from minsheng.deliberation.demo import OPEN_TITLE
    from minsheng.deliberation.models import Statement, Topic
    from minsheng.motions.models import Motion, MotionKind, MotionStatus

    minsheng_prepare(with_demo_data=True)
    rng = random.Random(2026)
    seed_voices(voices, rng)
    seed_motions(motions, rng)
    topic = Topic.objects.get(title=OPEN_TITLE)
    statements = list(Statement.objects.filter(topic=topic, status="published").values_list("pk", flat=True))
    tokens = []
    for n in range(participants):
        joined = deliberation.participant_join(topic=topic, verified_phone=f"1370000{n:04d}")
        tokens.append((joined.participant.pk, joined.token))
    to_file = list(
        Motion.objects.filter(kind=MotionKind.SUGGESTION, status=MotionStatus.SUBMITTED)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    from django.db import connections

    credentials = {
        "staff_cookie": session_cookie("staff"),
        "staff_token": bearer_token("staff"),
        "station_token": bearer_token("station"),
        "topic": topic.pk,
        "statements": statements,
        "participants": tokens,
        "to_file": to_file,
    }
    connections.close_all()
    return credentials


def traffic(nodes: list[Node], creds: dict[str, Any], total: int, clients: int, ledger: Ledger,
            on_progress: Any) -> None:  # fmt: skip
    rng = random.Random(7)
    plan: list[str] = rng.choices(["read", "voice", "file", "vote"], weights=[45, 20, 15, 20], k=total)
    to_file = list(creds["to_file"])
    pairs = [(p, s) for p, _ in creds["participants"] for s in creds["statements"]]
    rng.shuffle(pairs)
    tokens = dict(creds["participants"])
    staff_page = {"Cookie": creds["staff_cookie"]}
    staff_api = {"Authorization": f"Bearer {creds['staff_token']}"}
    station_api = {"Authorization": f"Bearer {creds['station_token']}"}
    counter = iter(range(total))
    counter_lock = threading.Lock()

    def live() -> list[Node]:
        return [node for node in nodes if node.up] or nodes[-1:]

    def timed(node: Node, method: str, path: str, body: Any = None, headers: Any = None) -> tuple[int, Any]:
        started = time.perf_counter()
        try:
            status, payload = call(node, method, path, body, headers or {})
        except OSError as error:
            with ledger.lock:
                ledger.requests += 1
                ledger.errors[f"{type(error).__name__} on {node.name}"] += 1
            return 0, None
        with ledger.lock:
            ledger.requests += 1
            if status < 500:
                ledger.latencies.append((time.perf_counter() - started) * 1000)
            if status >= 400 and status != 409:
                ledger.errors[f"HTTP {status} {path.split('?')[0][:30]}"] += 1
        return status, payload

    def one(n: int) -> None:
        kind = plan[n]
        node = live()[n % len(live())]
        if kind == "read":
            path = rng.choice(
                [
                    "/",
                    "/voices/?page=2",
                    "/motions/",
                    "/motions/public/",
                    "/find/?place=%E6%B9%96%E5%A1%98%E9%95%87",
                ]
            )
            timed(node, "GET", path, headers=staff_page)
        elif kind == "voice":
            body = {"text": f"集群测试{n}：小区路灯不亮，请尽快维修", "phone": f"1380000{n % 10000:04d}"}
            status, payload = timed(node, "POST", "/api/voices/staff-entry", body, station_api)
            if status == 201:
                with ledger.lock:
                    ledger.voices.append(int(payload["id"]))
        elif kind == "file":
            with counter_lock:
                if not to_file:
                    return
                motion = to_file.pop()
            # The same filing through both nodes at once: exactly one may be applied.
            targets = live()
            path = f"/api/motions/{motion}/file"
            with ThreadPoolExecutor(len(targets)) as race:
                answers = list(
                    race.map(lambda t: timed(t, "POST", path, {"state": "submitted"}, staff_api), targets)
                )
            won = [status for status, _ in answers if status == 200]
            with ledger.lock:
                if won:
                    ledger.filings.append(motion)
                if len(won) > 1:
                    ledger.double_filings.append(motion)
        else:
            with counter_lock:
                if not pairs:
                    return
                participant, statement = pairs.pop()
            value = (1, -1, 0)[(participant + statement) % 3]
            status, _ = timed(
                node, "POST", f"/api/deliberation/topics/{creds['topic']}/votes",
                {"statement": statement, "vote": value}, {"X-Participant-Token": tokens[participant]},
            )  # fmt: skip
            if status == 200:
                with ledger.lock:
                    ledger.votes.append((participant, statement, value))

    def client() -> None:
        while True:
            with counter_lock:
                n = next(counter, None)
            if n is None:
                return
            one(n)
            on_progress(n)

    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)


def books_check(url: str, data: Path, ledger: Ledger) -> dict[str, Any]:
    """Compare what was acknowledged with what the database holds."""
    from django.db.models import Count

    from minsheng.core.events import events_verify
    from minsheng.core.models import Event, JobRun
    from minsheng.deliberation.models import Vote
    from minsheng.motions.models import Motion
    from minsheng.voices.models import Voice

    stored_voices = set(Voice.objects.filter(pk__in=ledger.voices).values_list("pk", flat=True))
    lost_voices = len(set(ledger.voices) - stored_voices)
    stored_votes = set(Vote.objects.values_list("participant_id", "statement_id", "value"))
    lost_votes = sum(1 for vote in ledger.votes if vote not in stored_votes)
    filed_events = Counter(
        Event.objects.filter(
            verb="file", target_type__model="motion", target_id__in=[str(m) for m in ledger.filings]
        ).values_list("target_id", flat=True)
    )
    filed_states = dict(Motion.objects.filter(pk__in=ledger.filings).values_list("pk", "status"))
    lost_filings = sum(
        1 for m in ledger.filings if filed_events[str(m)] == 0 or filed_states.get(m) != "filed"
    )
    double_filings = sum(1 for count in filed_events.values() if count > 1) + len(ledger.double_filings)

    from django_tasks_db.models import DBTaskResult

    tasks_twice = sum(1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids) > 1)
    slots_twice = JobRun.objects.values("job", "slot").annotate(n=Count("id")).filter(n__gt=1).count()
    reminders = Counter(
        (target, (payload or {}).get("day"))
        for target, payload in Event.objects.filter(verb="remind").values_list("target_id", "payload")
    )
    reminders_twice = sum(1 for count in reminders.values() if count > 1)
    chain = events_verify()
    return {
        "lost": lost_voices + lost_votes + lost_filings,
        "duplicated": double_filings + tasks_twice + slots_twice + reminders_twice,
        "detail": {
            "lost_voices": lost_voices,
            "lost_votes": lost_votes,
            "lost_filings": lost_filings,
            "double_filings": double_filings,
            "tasks_run_twice": tasks_twice,
            "slots_twice": slots_twice,
            "reminders_twice": reminders_twice,
            "reminders": sum(reminders.values()),
            "job_runs": JobRun.objects.count(),
            "chain_problems": len(chain),
        },
        "chain": chain,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("MINSHENG_CLUSTER_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--voices", type=int, default=100_000)
    parser.add_argument("--motions", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--short", action="store_true", help="CI: 5,000 voices, 1,000 motions, 1,200 requests"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    if args.short:
        args.voices, args.motions, args.participants, args.requests = 5_000, 1_000, 100, 1_200

    data = Path(tempfile.mkdtemp(prefix="minsheng-cluster-"))
    print(f"· {machine_description()}; load {os.getloadavg()[0]:.1f}; data folder {data}")
    database_fresh(args.database_url)
    started = time.perf_counter()
    creds = prepare(args.database_url, data, args.voices, args.motions, args.participants)
    print(
        f"· seeded {args.voices:,} voices, {args.motions:,} motions in {time.perf_counter() - started:.0f} s"
    )

    env = node_env(args.database_url, data)
    port_a, port_b = free_port(), free_port()
    a = Node("A", port_a, ["serve", "--bind", f"{HOST}:{port_a}"], env, data / "node-a.log")
    b = Node("B", port_b, ["serve", "--no-worker", "--bind", f"{HOST}:{port_b}"], env, data / "node-b.log")
    worker = Node("worker", 0, ["worker"], env, data / "worker.log")
    ledger = Ledger()
    load_before = os.getloadavg()[0]
    try:
        a.start()
        a.wait_ready()  # one at a time: the first node collects the static files for both
        b.start()
        b.wait_ready()
        worker.start()
        kill_at, restart_at = args.requests // 3, 2 * args.requests // 3
        events: dict[str, float] = {}
        lock = threading.Lock()

        def on_progress(n: int) -> None:
            with lock:
                if n >= kill_at and "kill" not in events:
                    events["kill"] = time.perf_counter()
                    a.kill()
                    print(f"· request {n}: node A killed (SIGKILL, with its worker); traffic goes to B")
                if n >= restart_at and "restart" not in events:
                    events["restart"] = time.perf_counter()
                    a.start()
                    a.wait_ready()
                    print(f"· request {n}: node A back after {time.perf_counter() - events['restart']:.1f} s")

        run_started = time.perf_counter()
        traffic([a, b], creds, args.requests, args.clients, ledger, on_progress)
        seconds = time.perf_counter() - run_started
        time.sleep(20)  # let the workers finish what the run queued (map refreshes, jobs)
    finally:
        for node in (worker, b, a):
            node.stop()
    result = books_check(args.database_url, data, ledger)
    ordered = sorted(ledger.latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")
    acked = len(ledger.voices) + len(ledger.votes) + len(ledger.filings)
    print(f"· {seconds:.0f} s of traffic; errors {dict(ledger.errors)}")
    print(f"· checks {json.dumps(result['detail'])}")
    for problem in result["chain"][:5]:
        print(f"  chain: {problem}")
    if not args.no_write and not args.short:
        body = (
            "## Several nodes, one database (`bench/cluster.py`)\n\n"
            f"Run {time.strftime('%Y-%m-%d')} on {machine_description()}; load average before the "
            f"traffic {load_before:.1f} (shared machine). PostgreSQL on loopback; node A `minsheng serve` "
            "(web + worker), node B `minsheng serve --no-worker`, one `minsheng worker`; "
            f"{args.voices:,} voices, {args.motions:,} motions, {args.participants} participants; "
            f"{args.requests:,} requests from {args.clients} clients (45 % page reads, 20 % voice "
            "submissions, 15 % motion filings sent to both nodes at once, 20 % votes); node A SIGKILLed "
            "at a third and restarted at two thirds.\n\n"
            f"| requests | acked writes | lost | duplicated | p95 ms | errors (refused while A was down) |\n"
            f"|---|---|---|---|---|---|\n"
            f"| {ledger.requests} | {acked} | {result['lost']} | {result['duplicated']} | {p95:.1f} | "
            f"{sum(ledger.errors.values())} |\n\nChecks: `{json.dumps(result['detail'])}`\n"
        )
        section_write(REPO / "docs" / "benchmarks.md", "cluster", body)
    print(
        f"cluster nodes=2 requests={ledger.requests} acked_writes={acked} lost={result['lost']} "
        f"duplicated={result['duplicated']} p95_ms={p95:.1f}"
    )
    ok = result["lost"] == 0 and result["duplicated"] == 0 and not result["chain"] and acked > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
