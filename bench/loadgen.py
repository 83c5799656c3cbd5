"""A small, bounded HTTP load generator for the benchmarks (loopback only).

It starts the real server (gunicorn, production settings) on 127.0.0.1 against a given data folder,
then drives it from client threads with keep-alive connections, each request bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def machine_description() -> str:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB"
    return f"{os.cpu_count()} CPUs ({cpu}){memory}, Python {platform.python_version()}"


def cpu_probe_ms() -> float:
    """The time of a fixed pure-Python loop: how fast this (shared, virtual) machine runs right now.
    Its readings on the same machine have differed by more than half from one minute to the next, and
    every page's time moves with it."""
    started = time.perf_counter()
    total = 0
    for number in range(2_000_000):
        total += number
    return 1000 * (time.perf_counter() - started)


@contextlib.contextmanager
def running_server(
    data_dir: Path,
    *,
    workers: int = 2,
    threads: int = 4,
    start_timeout: float = 60.0,
    settings_module: str = "minsheng.settings.prod",
    with_worker: bool = False,
) -> Iterator[str]:
    """gunicorn on a free loopback port with the production settings; yields the base URL.

    ``settings_module`` lets a benchmark try a settings change before it is made (default: prod).
    ``with_worker`` also runs the task worker (``minsheng worker``), as ``minsheng serve`` does: it
    runs the queued tasks and does the database's upkeep (``core/upkeep.py``).
    """
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "MINSHENG_DATA_DIR": str(data_dir),
        "MINSHENG_ALLOWED_HOSTS": HOST,
    }
    command = [
        sys.executable, "-m", "gunicorn", "minsheng.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=REPO)
    minsheng = str(Path(sys.executable).with_name("minsheng"))
    worker = subprocess.Popen([minsheng, "worker"], env=env, cwd=REPO) if with_worker else None
    try:
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection(HOST, port, timeout=2)
                connection.request("GET", "/livez")
                if connection.getresponse().status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start within {start_timeout:.0f} s")
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            worker.kill()  # it would finish a long task first (a periodic job started by the run)
            worker.wait(timeout=30)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LoadResult:
    name: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    client_cpu_s: float = 0.0
    """CPU time the load generator itself used (user + system, this process) while driving."""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class _RawConnection:
    """A minimal HTTP/1.1 keep-alive client over one loopback socket, for high request rates.

    It sends each request as ready-made bytes and reads the status line, the headers it needs
    (Content-Length, Connection, Transfer-Encoding) and the body: a real HTTP exchange per request,
    without ``http.client``'s per-request header building and e-mail-parser header reading, so that
    the load generator leaves the shared cores to the server.
    """

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.reader: Any = None

    def _open(self) -> None:
        sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.reader = sock, sock.makefile("rb")

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.reader = None

    def exchange(self, data: bytes) -> int:
        """Send one request, read its whole response; returns the status."""
        if self.sock is None:
            self._open()
        assert self.sock is not None
        self.sock.sendall(data)
        reader = self.reader
        status_line = reader.readline()
        if not status_line:
            raise http.client.RemoteDisconnected("the server closed the connection")
        status = int(status_line.split(None, 2)[1])
        length, closing = 0, False
        while True:
            line = reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                closing = value.strip().lower() == b"close"
            elif name == b"transfer-encoding" and value.strip().lower() != b"identity":
                raise http.client.HTTPException("chunked responses are not supported by the raw client")
        if length and len(reader.read(length)) != length:
            raise http.client.IncompleteRead(b"")
        if closing:
            self.close()
        return status


def request_bytes(request: Request, port: int) -> bytes:
    """The request as it goes on the wire (HTTP/1.1, keep-alive, Content-Length when there is a body)."""
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    body = request.body or b""
    if body or request.method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def drive(
    base_url: str,
    name: str,
    next_request: Callable[[int], Request],
    *,
    clients: int = 8,
    requests_per_client: int = 100,
    max_seconds: float = 60.0,
    ok_statuses: frozenset[int] = frozenset({200, 201, 204, 302}),
    raw: bool = False,
    reconnect: bool = False,
) -> LoadResult:
    """``clients`` threads each send up to ``requests_per_client`` requests (stop at ``max_seconds``).

    ``reconnect=True`` opens a new connection for every request and asks the server to close it, as
    nginx talks to its upstream by default: each request then goes to whichever server process
    accepts it first, where a kept-alive connection stays with one process for its life.

    ``raw=True`` builds every request's bytes before the clock starts and sends them with
    ``_RawConnection`` (still one request per exchange, keep-alive, responses read in full);
    the default uses ``http.client``.
    """
    port = int(base_url.rsplit(":", 1)[1])
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    prepared: list[list[bytes]] = []
    if raw:
        prepared = [
            [
                request_bytes(next_request(i * requests_per_client + n), port)
                for n in range(requests_per_client)
            ]
            for i in range(clients)
        ]
    stop_at = time.monotonic() + max_seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        own: list[float] = []
        own_errors = 0
        for number in range(requests_per_client):
            if time.monotonic() > stop_at:
                break
            request = next_request(index * requests_per_client + number)
            started = time.perf_counter()
            try:
                headers = dict(request.headers)
                if reconnect:
                    connection.close()  # the next request connects anew (inside the timing)
                    headers["Connection"] = "close"
                connection.request(request.method, request.path, body=request.body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status not in ok_statuses:
                    own_errors += 1
            except (OSError, http.client.HTTPException):
                own_errors += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
            own.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(own)
            errors[0] += own_errors

    def raw_client(index: int) -> None:
        connection = _RawConnection(port, timeout=30)
        own: list[float] = []
        own_errors = 0
        clock = time.perf_counter
        for data in prepared[index]:
            started = clock()
            if started > stop_at_perf:
                break
            try:
                if connection.exchange(data) not in ok_statuses:
                    own_errors += 1
            except (OSError, ValueError, IndexError, http.client.HTTPException):
                own_errors += 1
                connection.close()
            own.append(clock() - started)
        connection.close()
        with lock:
            latencies.extend(own)
            errors[0] += own_errors

    cpu_before = os.times()
    started = time.perf_counter()
    stop_at_perf = started + max_seconds
    workers = [threading.Thread(target=raw_client if raw else client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    cpu_after = os.times()
    return LoadResult(
        name=name,
        requests=len(latencies),
        errors=errors[0],
        seconds=seconds,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p95_ms=_percentile(latencies, 0.95) * 1000,
        client_cpu_s=(cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
    )


def results_table(results: Sequence[LoadResult]) -> str:
    lines = ["| page | requests | errors | p50 ms | p95 ms | req/s |", "|---|---|---|---|---|---|"]
    for r in results:
        row = [r.name, r.requests, r.errors, f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}", f"{r.rps:.0f}"]
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def section_write(path: Path, key: str, body: str) -> None:
    """Replace the text between <!-- key:start --> and <!-- key:end --> (or append it)."""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
