"""Backups under load: every write acknowledged before the snapshot is restored, and the chain verifies."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from tests.conftest import REPO_ROOT

MINSHENG = str(Path(sys.executable).with_name("minsheng"))


def _env(data: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(MINSHENG_DATA_DIR=str(data), PYTHONPATH=str(REPO_ROOT), MINSHENG_SECRET_KEY="")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MINSHENG, *args], env=env, capture_output=True, text=True, timeout=600, check=check
    )


def _postgres_databases() -> Iterator[tuple[str, str]]:
    url = os.environ["DATABASE_URL"]
    import psycopg

    parsed = urlparse(url)
    names = [f"{parsed.path.lstrip('/')}_backup_{part}" for part in ("src", "dst")]
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield tuple(urlunparse(parsed._replace(path=f"/{name}")) for name in names)  # type: ignore[misc]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield "", ""
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("PostgreSQL round trip runs under `make test-postgres` (DATABASE_URL)")
    yield from _postgres_databases()


def _restored_probes(data: Path, database_url: str) -> set[int]:
    query = "SELECT payload FROM core_event WHERE verb = 'backup_probe'"
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            rows = conn.execute(query).fetchall()
        return {row[0]["n"] for row in rows}
    with sqlite3.connect(data / "minsheng.sqlite3") as db:
        return {json.loads(row[0])["n"] for row in db.execute(query)}


def test_a_backup_taken_under_write_load_restores_every_acknowledged_write(tmp_path, databases):
    source_url, target_url = databases
    source, target, backup = tmp_path / "source", tmp_path / "target", tmp_path / "backup"
    env = _env(source, source_url)
    _run(["migrate", "-v0"], env)
    (source / "media" / "attachments").mkdir(parents=True)
    (source / "media" / "attachments" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(2048))

    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.core.backup_writer", "15"], env=env, cwd=REPO_ROOT,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(4)  # the writer is committing steadily
    made = _run(["backup", str(backup)], env)
    out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    acknowledged = [
        (int(n), dt.datetime.fromisoformat(at)) for n, at in (line.split() for line in out.splitlines())
    ]
    manifest = json.loads((backup / "manifest.json").read_text())
    snapshot = dt.datetime.fromisoformat(manifest["snapshot_started_at"])
    before = {n for n, at in acknowledged if at < snapshot}
    assert len(before) > 20 and len(acknowledged) > len(before), "writes before and after the snapshot"
    assert "event chain head" in made.stdout
    assert {"media/attachments/photo.jpg", "secret_key"} <= set(manifest["files"])

    restored = _run(["restore", str(backup)], _env(target, target_url), check=False)
    assert restored.returncode == 0, restored.stderr
    assert "verified" in restored.stdout
    probes = _restored_probes(target, target_url)
    assert before <= probes, f"lost acknowledged writes: {sorted(before - probes)[:10]}"
    assert probes == set(range(1, max(probes) + 1)), "a snapshot has no gaps"
    assert manifest["event_head"]["last_seq"] == max(probes), "the manifest's head is the snapshot's"
    assert (target / "media" / "attachments" / "photo.jpg").read_bytes() == (
        source / "media" / "attachments" / "photo.jpg"
    ).read_bytes()
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()

    again = _run(["restore", str(backup)], _env(target, target_url), check=False)
    assert again.returncode != 0 and ("empty" in again.stderr), "a restore never overwrites data"


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    source, backup, target = tmp_path / "source", tmp_path / "backup", tmp_path / "target"
    env = _env(source)
    _run(["migrate", "-v0"], env)
    _run(["backup", str(backup)], env)
    with (backup / "database.sqlite3").open("r+b") as damaged:
        damaged.seek(200)
        damaged.write(b"\x00\x01\x02")
    refused = _run(["restore", str(backup)], _env(target), check=False)
    assert refused.returncode != 0 and "checksum" in refused.stderr
    assert not (target / "minsheng.sqlite3").exists()


def test_a_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    env = _env(tmp_path / "source")
    _run(["migrate", "-v0"], env)
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "old.txt").write_text("x")
    refused = _run(["backup", str(tmp_path / "backup")], env, check=False)
    assert refused.returncode != 0 and "not empty" in refused.stderr
