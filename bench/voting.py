"""Electronic voting at the size of the national congress: 3,000 members sign in and vote on one poll
through the HTTP API, with random retries of the same ballot; then the poll closes and the hall
screen's result is timed.

    flock /tmp/bench.lock .venv/bin/python bench/voting.py [--voters 3000] [--clients 40] [--retry 0.2]
        [--workers 2 --threads 4] [--settings MODULE] [--no-write]

Loopback only and bounded. A fresh data folder is migrated and given a congress with ``--voters``
deputies (each with an account and an API token), its staff and its chair; the session is notified
(the roster is taken) and opened, and a secret decision poll is prepared, all through the services.
Then the production server (gunicorn, ``bench/loadgen.running_server``, ``minsheng serve``'s shape)
serves three timed phases:

1. sign-in: every member ``POST /api/meetings/{id}/sign-in`` (an Event each: a change of record);
2. voting: the chair opens the poll (quorum checked), then every member ``POST
   /api/meetings/polls/{id}/ballot`` with a client key; a share ``--retry`` of the ballots is sent a
   second time with the same key (a phone that lost the answer), at a random later moment;
3. the chair closes the poll (the ballot box is sealed and unlinked, the result computed) while a
   simulated hall screen asks ``/meetings/{id}/screen/{key}/live/`` every second, as its htmx does.

*lost* = acknowledged ballots (200) missing from the count; *double* = ballots counted more than once
(both checked per value against what the acknowledged members sent, since a secret count cannot be
checked per member, and against the voters' rows). The last line printed is
``voting voters=… ballots_per_s=… lost=… double=… p95_ms=… result_fresh_s=…``.

Clients send one request at a time over keep-alive connections; ``--clients`` connections take turns
among the members (Little's law: latency ≈ connections ÷ throughput, so 3,000 connections at once
would measure queueing, not the server).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deliberation import _django as django_setup
from deliberation import _server_cpu_seconds as server_cpu_seconds
from loadgen import HOST, Request, drive, machine_description, request_bytes, running_server, section_write
from loadgen import _RawConnection as RawConnection

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
VALUES = ("yes", "no", "abstain")
SCREEN_REFRESH_S = 1.0


def prepare(voters: int) -> dict[str, Any]:
    """A congress of ``voters`` deputies with accounts and tokens; a notified, open session; a poll."""
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from minsheng.meetings import services
    from minsheng.meetings.models import ItemKind, MeetingKind
    from minsheng.org.models import (
        ApiToken,
        Body,
        BodyKind,
        Jurisdiction,
        JurisdictionLevel,
        Membership,
        Person,
        Role,
        Term,
        User,
    )
    from minsheng.org.services import api_key_hash

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    start = dt.date(2023, 3, 5)
    place = Jurisdiction.objects.create(level=JurisdictionLevel.PROVINCE, name="基准省", code="990000")
    congress = Body.objects.create(jurisdiction=place, kind=BodyKind.CONGRESS, name="基准人民代表大会")
    standing = Body.objects.create(
        jurisdiction=place, kind=BodyKind.STANDING_COMMITTEE, name="基准人大常委会", parent=congress
    )
    office = Body.objects.create(
        jurisdiction=place, kind=BodyKind.WORKING_BODY, name="基准办公厅", parent=standing
    )
    term = Term.objects.create(body=congress, number=14, start=start)
    people = Person.objects.bulk_create([Person(name=f"代表{n:04d}") for n in range(voters)])
    Membership.objects.bulk_create(
        [Membership(person=p, body=congress, role=Role.DEPUTY, term=term, start=start) for p in people]
    )
    users = []
    for person in people:
        user = User(username=f"d{person.pk}", person=person)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    keys = [secrets.token_urlsafe(32) for _ in users]
    now = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", key_hash=api_key_hash(k), last_used_at=now)
            for u, k in zip(users, keys, strict=True)
        ]
    )

    def official(username: str, role: str, body: Body) -> tuple[Any, str]:
        person = Person.objects.create(name=username)
        Membership.objects.create(person=person, body=body, role=role, start=start)
        user = User.objects.create(username=username, person=person)
        key = secrets.token_urlsafe(32)
        ApiToken.objects.create(user=user, name="bench", key_hash=api_key_hash(key), last_used_at=now)
        return user, key

    staff, _staff_key = official("bench-staff", Role.STAFF, office)
    _chair, chair_key = official("bench-chair", Role.SC_CHAIR, standing)
    today = timezone.localdate()
    meeting = services.meeting_create(
        actor=staff,
        body=congress,
        data=services.MeetingIn(
            kind=MeetingKind.CONGRESS_SESSION, title="基准会议", starts_on=today, ends_on=today, venue="会堂"
        ),
    )
    item = services.item_add(actor=staff, meeting=meeting, kind=ItemKind.DECISION, title="基准决议")
    poll = services.poll_create(actor=staff, item=item, data=services.PollIn(title="基准决议"))
    meeting = services.meeting_open(
        actor=staff, meeting=services.meeting_notify(actor=staff, meeting=meeting)
    )
    return {
        "meeting": meeting.pk,
        "screen_key": meeting.screen_key,
        "poll": poll.pk,
        "keys": keys,
        "people": [person.pk for person in people],
        "chair_key": chair_key,
    }


def _request(method: str, path: str, key: str, payload: Any) -> Request:
    body = json.dumps(payload).encode()
    return Request(
        method, path, body, (("Content-Type", "application/json"), ("Authorization", f"Bearer {key}"))
    )


def _post(port: int, path: str, key: str, payload: Any = None) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        body = json.dumps(payload or {})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        connection.close()


class Screen(threading.Thread):
    """The hall screen: asks for its live fragment every second, as its htmx does, and notes when the
    fragment first shows the closed poll's result."""

    def __init__(self, port: int, path: str, poll_id: int) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.marker = f'id="screen-result" data-poll="{poll_id}"'.encode()
        self.seen_at: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        while not self.stop.is_set():
            tick = time.perf_counter()
            connection.request("GET", self.path)
            body = connection.getresponse().read()
            if self.marker in body:
                self.seen_at = time.perf_counter()
                return
            self.stop.wait(max(0.0, SCREEN_REFRESH_S - (time.perf_counter() - tick)))


@dataclass
class Phase:
    """One timed phase: every request's latency, and the members whose request was answered with 200."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    ok: set[int] = field(default_factory=set)
    errors: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def run_phase(port: int, plans: list[list[tuple[int, Request]]], max_seconds: float) -> Phase:
    """Each plan is one keep-alive connection's requests in order (ready-made bytes, as in loadgen)."""
    prepared = [[(member, request_bytes(request, port)) for member, request in plan] for plan in plans]
    phase = Phase()
    lock = threading.Lock()
    stop_at = time.perf_counter() + max_seconds

    def client(items: list[tuple[int, bytes]]) -> None:
        connection = RawConnection(port, timeout=60)
        latencies, ok, errors = [], set(), 0
        for member, data in items:
            started = time.perf_counter()
            if started > stop_at:
                break
            try:
                if connection.exchange(data) == 200:
                    ok.add(member)
                else:
                    errors += 1
            except (OSError, ValueError, IndexError, http.client.HTTPException):
                errors += 1
                connection.close()
            latencies.append(time.perf_counter() - started)
        connection.close()
        with lock:
            phase.latencies.extend(latencies)
            phase.ok |= ok
            phase.errors += errors

    threads = [threading.Thread(target=client, args=(items,)) for items in prepared]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=40, help="concurrent keep-alive connections")
    parser.add_argument("--retry", type=float, default=0.2, help="share of ballots sent twice (same key)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--settings", default="minsheng.settings.prod")
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="minsheng-bench-voting-"))
    django_setup(data_dir, args.settings)
    print(f"· data folder {data_dir}; preparing {args.voters} members")
    world = prepare(args.voters)
    from django.db import connections

    connections.close_all()
    rng = random.Random(args.seed)
    keys: list[str] = world["keys"]
    meeting_id, poll_id = world["meeting"], world["poll"]
    choices = [rng.choice(VALUES) for _ in keys]
    members = list(range(len(keys)))
    shares = [members[n :: args.clients] for n in range(args.clients)]  # each connection's members

    sign_in_path = f"/api/meetings/{meeting_id}/sign-in"
    ballot_path = f"/api/meetings/polls/{poll_id}/ballot"
    sign_in_plans = [[(m, _request("POST", sign_in_path, keys[m], {"method": "phone"})) for m in share]
                     for share in shares]  # fmt: skip
    ballot_plans = []
    for share in shares:
        plan = [(m, _request("POST", ballot_path, keys[m], {"choice": choices[m], "client_key": f"m{m}"}))
                for m in share]  # fmt: skip
        for member, request in list(plan):
            if rng.random() < args.retry:  # the phone lost the answer and sends the same ballot again, later
                position = next(i for i, (m, _r) in enumerate(plan) if m == member)
                plan.insert(rng.randint(position + 1, len(plan)), (member, request))
        ballot_plans.append(plan)
    retries = sum(len(plan) for plan in ballot_plans) - len(keys)

    with running_server(
        data_dir, workers=args.workers, threads=args.threads, settings_module=args.settings
    ) as url:
        port = int(url.rsplit(":", 1)[1])
        # Warm up every worker: the URL configuration imports the whole platform at first use.
        drive(url, "warm-up", lambda n: Request("GET", f"/api/meetings/{meeting_id}/agenda"),
              clients=8, requests_per_client=10, max_seconds=120)  # fmt: skip
        sign_in = run_phase(port, sign_in_plans, args.max_seconds)
        status, opened = _post(port, f"/api/meetings/polls/{poll_id}/transitions/open", world["chair_key"])
        if status != 200:
            raise SystemExit(f"the poll did not open: {status} {opened}")
        load_before = os.getloadavg()[0]
        server_before, client_before = server_cpu_seconds(port), os.times()
        voting = run_phase(port, ballot_plans, args.max_seconds)
        client_after = os.times()
        server_ms = (server_cpu_seconds(port) - server_before) / max(voting.requests, 1) * 1000
        client_s = (client_after.user - client_before.user) + (client_after.system - client_before.system)
        client_ms = client_s / max(voting.requests, 1) * 1000
        from minsheng.core.ballots import ballot_voter_ids
        from minsheng.meetings.models import Poll

        box_id = Poll.objects.get(pk=poll_id).box_id
        assert box_id is not None
        voter_ids = ballot_voter_ids(box_id=box_id)  # who voted (never what), before the close
        connections.close_all()
        screen = Screen(port, f"/meetings/{meeting_id}/screen/{world['screen_key']}/live/", poll_id)
        screen.start()
        time.sleep(rng.uniform(0, SCREEN_REFRESH_S))  # the close falls anywhere in the screen's second
        closed_at = time.perf_counter()
        status, closed = _post(port, f"/api/meetings/polls/{poll_id}/transitions/close", world["chair_key"])
        close_s = time.perf_counter() - closed_at
        screen.join(timeout=30)
        screen.stop.set()
        result_fresh = (screen.seen_at - closed_at) if screen.seen_at else float("nan")
        load_after = os.getloadavg()[0]

    if status != 200:
        raise SystemExit(f"the poll did not close: {status} {closed}")
    result = closed["result"]
    person_of = world["people"]
    acknowledged = voting.ok
    expected = {value: sum(1 for m in acknowledged if choices[m] == value) for value in VALUES}
    missing_voters = sum(1 for m in acknowledged if person_of[m] not in voter_ids)
    lost = max(missing_voters, sum(max(0, expected[v] - result[v]) for v in VALUES))
    double = max(
        sum(max(0, result[v] - expected[v]) for v in VALUES), max(0, closed["cast_count"] - len(voter_ids))
    )
    ballots_per_s = len(acknowledged) / voting.seconds if voting.seconds else 0.0
    p95 = voting.percentile(0.95)
    table = "\n".join(
        [
            "| phase | requests | errors | seconds | per s | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|",
            f"| sign-in | {sign_in.requests} | {sign_in.errors} | {sign_in.seconds:.1f} "
            f"| {sign_in.requests / sign_in.seconds:.0f} | {sign_in.percentile(0.5):.1f} "
            f"| {sign_in.percentile(0.95):.1f} |",
            f"| ballots (with retries) | {voting.requests} | {voting.errors} | {voting.seconds:.1f} "
            f"| {voting.requests / voting.seconds:.0f} | {voting.percentile(0.5):.1f} | {p95:.1f} |",
        ]
    )
    cpu = (
        f"CPU per ballot request: server {server_ms:.2f} ms (gunicorn master and workers), load generator "
        f"{client_ms:.2f} ms; on 2 otherwise idle cores that is room for about "
        f"{2000 / (server_ms + client_ms):.0f} requests/s."
    )
    summary = (
        f"{len(acknowledged)} of {len(keys)} members' ballots acknowledged ({retries} retries of the same "
        f"ballot sent with the same client key); counted for {result['yes']}, against {result['no']}, "
        f"abstaining {result['abstain']} from {closed['cast_count']} ballots; lost {lost}, double {double}. "
        f"Closing (sealing and unlinking the ballots, computing the result) took {close_s * 1000:.0f} ms; "
        f"the hall screen, asking every {SCREEN_REFRESH_S:.0f} s, showed the result {result_fresh:.2f} s "
        "after the close was sent."
    )
    low, high = len(keys) // args.clients, -(-len(keys) // args.clients)
    share_sizes = str(low) if low == high else f"{low}–{high}"
    body = (
        "## Electronic voting at national-congress size (`bench/voting.py`)\n\n"
        f"Machine: {machine_description()}; 1-minute load average {load_before:.1f} when the ballots began "
        f"and {load_after:.1f} after the close (the 2 cores are shared with other work, and the load "
        f"generator runs on them too). SQLite (WAL), settings `{args.settings}`, gunicorn {args.workers} "
        f"workers × {args.threads} threads; {args.clients} keep-alive client connections on loopback, each "
        f"taking turns among {share_sizes} members (bearer "
        "tokens), one request at a time; a secret decision poll (core ballot box: a voter row and a sealed "
        "choice row per ballot, no Event per ballot).\n\n"
        f"{table}\n\n{summary}\n\n{cpu}\n\n"
        "*lost* = acknowledged ballots missing from the count, *double* = ballots counted more than once: "
        "checked against the voters' rows and, per value, against what the acknowledged members sent (a "
        "secret count cannot be checked per member).\n"
    )
    if not args.no_write:
        section_write(DOC, "voting", body)
    print(table)
    print(summary)
    print(cpu)
    print(f"load average {load_before:.2f} before the ballots, {load_after:.2f} after the close")
    print(
        f"voting voters={len(keys)} ballots_per_s={ballots_per_s:.1f} lost={lost} double={double} "
        f"p95_ms={p95:.1f} result_fresh_s={result_fresh:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
