"""``minsheng serve``'s process supervisor: the web server and, beside it, the task worker.

The web server's exit ends the service (its status is the service's). A worker that dies is
started again after a pause that doubles up to a minute, so a database outage does not spin.
SIGTERM or SIGINT stops both: each child gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import FrameType

GRACE_SECONDS = 20.0
RESTART_PAUSE_MAX = 60.0


class _Stop(Exception):
    pass


def _stop_children(children: Sequence[subprocess.Popen[bytes] | None]) -> None:
    running = [child for child in children if child is not None and child.poll() is None]
    for child in running:
        child.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for child in running:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def supervise(*, web: Sequence[str], worker: Sequence[str] | None, env: Mapping[str, str]) -> int:
    """Run ``web`` and (unless None) ``worker`` until the web server exits or we are told to stop."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    web_process: subprocess.Popen[bytes] | None = None
    worker_process: subprocess.Popen[bytes] | None = None
    pause = 1.0
    restart_at = 0.0
    try:
        web_process = subprocess.Popen(web, env=dict(env))  # noqa: S603 - our own fixed command
        if worker is not None:
            worker_process = subprocess.Popen(worker, env=dict(env))  # noqa: S603
        while True:
            code = web_process.poll()
            if code is not None:
                return code
            if worker is not None and worker_process is not None and worker_process.poll() is not None:
                print(
                    f"minsheng: the task worker stopped (status {worker_process.returncode}); "
                    f"starting it again in {pause:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                restart_at = time.monotonic() + pause
                pause = min(pause * 2, RESTART_PAUSE_MAX)
                worker_process = None
            if worker is not None and worker_process is None and time.monotonic() >= restart_at:
                worker_process = subprocess.Popen(worker, env=dict(env))  # noqa: S603
            time.sleep(0.5)
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_children([web_process, worker_process])
