"""`minsheng serve` is the whole service: web pages and, in the same command, the task worker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

MINSHENG = str(Path(sys.executable).with_name("minsheng"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _service_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(MINSHENG_DATA_DIR=str(data_dir), MINSHENG_WORKERS="1", PYTHONPATH=str(REPO_ROOT))
    return env


def _wait_for(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def _analysed(database: Path, topic: int) -> bool:
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT analysed_at FROM deliberation_topic WHERE id = ?", (topic,)).fetchone()
    return row is not None and row[0] is not None


@pytest.fixture(scope="module")
def world_folder(tmp_path_factory) -> tuple[Path, dict]:
    """A data folder with a topic whose map refresh waits in the queue (made once, copied per test)."""
    folder = tmp_path_factory.mktemp("serve-world")
    made = subprocess.run(
        [sys.executable, "-m", "tests.core.serve_world"], env=_service_env(folder), cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    world = json.loads(made.stdout.strip().splitlines()[-1])
    assert world["queued"] == 1, "the votes left one map refresh in the queue"
    return folder, world


def _home_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            return page.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("separate_worker", [False, True], ids=["serve", "serve-no-worker+worker"])
def test_a_queued_map_refresh_runs_under_serve(tmp_path, world_folder, separate_worker):
    template, world = world_folder
    data = tmp_path / "data"
    shutil.copytree(template, data)
    env = _service_env(data)
    database = data / "minsheng.sqlite3"
    assert not _analysed(database, world["topic"])

    port = _free_port()
    command = [MINSHENG, "serve", "--bind", f"127.0.0.1:{port}"]
    if separate_worker:
        command.append("--no-worker")
    processes = [subprocess.Popen(command, env=env, start_new_session=True)]
    try:
        if separate_worker:
            assert _wait_for(lambda: _home_answers(port), timeout=120)
            time.sleep(8)  # a worker started with the site would have run the refresh by now
            assert not _analysed(database, world["topic"]), "serve --no-worker runs no tasks"
            processes.append(subprocess.Popen([MINSHENG, "worker"], env=env, start_new_session=True))
        assert _wait_for(lambda: _analysed(database, world["topic"]), timeout=120), "map never refreshed"
        topic_page = f"http://127.0.0.1:{port}/deliberation/{world['topic']}/"
        with urllib.request.urlopen(topic_page, timeout=30) as page:
            assert page.status == 200
        with sqlite3.connect(database) as db:
            beats = db.execute("SELECT count(*) FROM core_workerheartbeat").fetchone()[0]
            jobs = {row[0] for row in db.execute("SELECT job FROM core_jobrun")}
        assert beats == 1
        assert "motions.reminders" in jobs and "deliberation.maps_stale_refresh" in jobs
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    assert processes[0].returncode == 0


def test_web_workers_default_to_two_per_cpu_and_one_more(monkeypatch):
    from minsheng import cli

    monkeypatch.delenv("MINSHENG_WORKERS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert cli.web_workers() == 5
    monkeypatch.setenv("MINSHENG_WORKERS", "3")
    assert cli.web_workers() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: as for one CPU
    monkeypatch.delenv("MINSHENG_WORKERS")
    assert cli.web_workers() == 3
