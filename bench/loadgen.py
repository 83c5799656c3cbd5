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


@contextlib.contextmanager
def running_server(
    data_dir: Path, *, workers: int = 2, threads: int = 4, start_timeout: float = 60.0
) -> Iterator[str]:
    """gunicorn on a free loopback port with the production settings; yields the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minsheng.settings.prod",
        "MINSHENG_DATA_DIR": str(data_dir),
        "MINSHENG_ALLOWED_HOSTS": HOST,
    }
    command = [
        sys.executable, "-m", "gunicorn", "minsheng.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection(HOST, port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start within {start_timeout:.0f} s")
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


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

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drive(
    base_url: str,
    name: str,
    next_request: Callable[[int], Request],
    *,
    clients: int = 8,
    requests_per_client: int = 100,
    max_seconds: float = 60.0,
    ok_statuses: frozenset[int] = frozenset({200, 201, 204, 302}),
) -> LoadResult:
    """``clients`` threads each send up to ``requests_per_client`` requests (stop at ``max_seconds``)."""
    port = int(base_url.rsplit(":", 1)[1])
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
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

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    return LoadResult(
        name=name,
        requests=len(latencies),
        errors=errors[0],
        seconds=seconds,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p95_ms=_percentile(latencies, 0.95) * 1000,
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
