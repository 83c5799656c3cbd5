"""``minsheng serve``'s process supervisor: the web server and, beside it, the task worker.

Both are forked from the ``serve`` process after Django is set up and the application warmed, so
neither imports Django, the views and jieba's dictionary again (a restart of the demo answers in
seconds, and the forked processes share those pages with their parent). The web server's exit ends
the service (its status is the service's). A worker that dies is forked again after a pause that
doubles up to a minute, so a database outage does not spin. SIGTERM or SIGINT stops both: each child
gets SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

GRACE_SECONDS = 20.0
RESTART_PAUSE_MAX = 60.0


class _Stop(Exception):
    pass


def _fork(target: Callable[[], int | None]) -> int:
    """Run ``target`` in a child process; returns the child's pid. The child never returns."""
    from django.db import connections

    connections.close_all()  # a connection must never be shared by two processes
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        code = target() or 0
    except SystemExit as stopped:
        code = stopped.code if isinstance(stopped.code, int) else (0 if stopped.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _exit_status(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _reap(pid: int | None) -> int | None:
    """The exit status of ``pid`` if it has ended (without waiting), else None."""
    if pid is None:
        return None
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 0
    return _exit_status(status) if done else None


def _stop_children(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    deadline = time.monotonic() + GRACE_SECONDS
    waiting = list(pids)
    while waiting and time.monotonic() < deadline:
        waiting = [pid for pid in waiting if _reap(pid) is None]
        if waiting:
            time.sleep(0.1)
    for pid in waiting:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            continue


def supervise(*, web: Callable[[], int | None], worker: Callable[[], int | None] | None) -> int:
    """Fork ``web`` and (unless None) ``worker``; run until the web server exits or we are told to stop."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    web_pid: int | None = None
    worker_pid: int | None = None
    pause = 1.0
    restart_at = 0.0
    try:
        web_pid = _fork(web)
        if worker is not None:
            worker_pid = _fork(worker)
        while True:
            code = _reap(web_pid)
            if code is not None:
                web_pid = None
                return code
            if worker is not None:
                ended = _reap(worker_pid)
                if ended is not None:
                    print(
                        f"minsheng: task worker stopped (status {ended}); starting it again in {pause:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    worker_pid = None
                    restart_at = time.monotonic() + pause
                    pause = min(pause * 2, RESTART_PAUSE_MAX)
                if worker_pid is None and time.monotonic() >= restart_at:
                    worker_pid = _fork(worker)
            time.sleep(0.5)
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_children([pid for pid in (web_pid, worker_pid) if pid is not None])
