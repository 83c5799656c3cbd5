"""Backups that restore: a consistent database snapshot, the uploaded files, and a manifest.

``backup_write(dest)`` makes a folder holding

- ``database.sqlite3`` (SQLite's online backup API, one step: a consistent copy while writers go on)
  or ``database.dump`` (``pg_dump --format=custom`` of a snapshot exported by a transaction that also
  reads the Event chain head, so the head in the manifest is exactly the dump's);
- ``media/`` (uploads) and ``secret_key`` (when the key lives in the data folder);
- ``manifest.json``: when, which engine, the Event chain head of the snapshot, and the size and SHA-256
  of every file.

``backup_restore(src)`` checks every checksum, refuses a target that already holds data, restores,
then recomputes the Event chain and compares its head with the manifest's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup or restore that cannot proceed; the message says why."""


@dataclass
class Manifest:
    created_at: str
    snapshot_started_at: str
    engine: str
    event_head: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: int = FORMAT_VERSION


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    return "sqlite" if connections["default"].vendor == "sqlite" else "postgresql"


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        env[variable] = str(db.get(key) or "")
    return env


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")
    return found


def _database() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _head_row(cursor: Any) -> dict[str, Any]:
    cursor.execute("SELECT last_seq, last_hash FROM core_eventchainhead WHERE id = 1")
    row = cursor.fetchone()
    return {"last_seq": int(row[0]), "last_hash": row[1]} if row else {"last_seq": 0, "last_hash": ""}


def _sqlite_snapshot(target: Path) -> dict[str, Any]:
    source = sqlite3.connect(str(_database()["NAME"]), timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, one consistent state
        return _head_row(copy.cursor())
    finally:
        copy.close()
        source.close()


def _postgres_snapshot(target: Path) -> dict[str, Any]:
    db = _database()
    import psycopg

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot is not None
        head = _head_row(conn.cursor())
        # pg_dump reads the same snapshot while this transaction holds it open.
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot[0]}", "--file", str(target), str(db["NAME"])],
            env=_pg_env(db), capture_output=True, text=True,
        )  # fmt: skip
        conn.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return head


def _files_of(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def backup_write(dest: Path) -> Manifest:
    """Write a backup into ``dest`` (a new or empty folder). Returns its manifest."""
    from minsheng.settings import env

    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    started = timezone.now()
    if engine == "sqlite":
        head = _sqlite_snapshot(dest / "database.sqlite3")
    else:
        head = _postgres_snapshot(dest / "database.dump")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        shutil.copytree(media, dest / "media")
    key_file = env.data_dir() / "secret_key"
    if key_file.is_file() and not env.text("MINSHENG_SECRET_KEY"):
        shutil.copy2(key_file, dest / "secret_key")
    manifest = Manifest(
        created_at=timezone.now().isoformat(),
        snapshot_started_at=started.isoformat(),
        engine=engine,
        event_head=head,
    )
    for path in _files_of(dest):
        manifest.files[path.relative_to(dest).as_posix()] = {
            "size": path.stat().st_size,
            "sha256": _sha256(path),
        }
    (dest / MANIFEST).write_text(json.dumps(manifest.__dict__, ensure_ascii=False, indent=2))
    return manifest


def manifest_read(src: Path) -> Manifest:
    try:
        data = json.loads((Path(src) / MANIFEST).read_text())
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        raise BackupError(f"{src} has no readable {MANIFEST}: {error}") from error
    if manifest.format != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.format}")
    return manifest


def backup_check(src: Path) -> Manifest:
    """The manifest, once every file it lists is present with its size and checksum."""
    manifest = manifest_read(src)
    for name, expected in manifest.files.items():
        path = Path(src) / name
        if (
            not path.is_file()
            or path.stat().st_size != expected["size"]
            or _sha256(path) != expected["sha256"]
        ):
            raise BackupError(f"{name} is missing or damaged (checksum differs from the manifest)")
    return manifest


def _postgres_is_empty() -> bool:
    with connections["default"].cursor() as cursor:
        return "django_migrations" not in connections["default"].introspection.table_names(cursor)


def backup_restore(src: Path) -> Manifest:
    """Restore ``src`` into the configured (empty) database and data folder; verify the Event chain."""
    from minsheng.settings import env

    src = Path(src)
    manifest = backup_check(src)
    if manifest.engine != _engine():
        raise BackupError(f"this backup is of {manifest.engine}; the configured database is {_engine()}")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"{media} is not empty: restore into an empty data folder")
    if manifest.engine == "sqlite":
        target = Path(str(_database()["NAME"]))
        connections["default"].close()
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists: restore into an empty data folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / "database.sqlite3", target)
    else:
        if not _postgres_is_empty():
            raise BackupError("the database already has tables: restore into an empty database")
        db = _database()
        connections["default"].close()
        result = subprocess.run(  # noqa: S603
            [_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--dbname", str(db["NAME"]), str(src / "database.dump")],
            env=_pg_env(db), capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    if (src / "media").is_dir():
        shutil.copytree(src / "media", media, dirs_exist_ok=True)
    key_file = env.data_dir() / "secret_key"
    if (src / "secret_key").is_file() and not env.text("MINSHENG_SECRET_KEY"):
        key_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / "secret_key", key_file)
        key_file.chmod(0o600)
    return manifest


def restored_chain_check(manifest: Manifest) -> list[str]:
    """Problems of the restored Event chain: what ``verify-events`` finds, or a head unlike the manifest's."""
    from minsheng.core.events import events_verify
    from minsheng.core.models import EventChainHead

    problems = events_verify()
    head = EventChainHead.objects.filter(pk=1).values("last_seq", "last_hash").first() or {
        "last_seq": 0,
        "last_hash": "",
    }
    if head != manifest.event_head:
        problems.append(f"the restored chain head {head} is not the manifest's {manifest.event_head}")
    return problems


def snapshot_time(manifest: Manifest) -> dt.datetime:
    return dt.datetime.fromisoformat(manifest.snapshot_started_at)
