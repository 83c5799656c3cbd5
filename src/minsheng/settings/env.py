"""The one place that reads the process environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def text(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def data_dir() -> Path:
    """Where the SQLite database, uploads and generated files live: MINSHENG_DATA_DIR, else ``data/`` in
    the checkout (run from source) or in the current folder (installed from a wheel or the bundle)."""
    default = REPO_ROOT / "data" if (REPO_ROOT / "pyproject.toml").is_file() else Path.cwd() / "data"
    return Path(text("MINSHENG_DATA_DIR", str(default))).resolve()


def database_url() -> str:
    return text("DATABASE_URL", "")


def postgres_prepared_statements() -> bool:
    """MINSHENG_PG_PREPARE (on by default): let PostgreSQL keep the plans of repeated queries. Turn it
    off behind a transaction-pooling PgBouncer older than 1.21, which cannot carry prepared statements."""
    return flag("MINSHENG_PG_PREPARE", default=True)


def replica_database_url() -> str:
    """A read replica of DATABASE_URL (PostgreSQL); empty: every read goes to the primary."""
    return text("MINSHENG_REPLICA_DATABASE_URL", "")


def secret_key() -> str:
    """MINSHENG_SECRET_KEY, else a random key kept in the data folder (made once, readable by us only)."""
    configured = text("MINSHENG_SECRET_KEY")
    if configured:
        return configured
    key_file = data_dir() / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def event_signing_key() -> Path:
    """The Ed25519 private key that signs Event chain checkpoints: a file outside the database.

    MINSHENG_EVENT_SIGNING_KEY, else ``event-signing-key.pem`` in the data folder (the demo makes one)."""
    configured = text("MINSHENG_EVENT_SIGNING_KEY")
    return Path(configured).resolve() if configured else data_dir() / "event-signing-key.pem"


def event_trusted_keys() -> list[str]:
    """Public keys (base64) of earlier signing keys, comma-separated, still trusted for old checkpoints."""
    return [k.strip() for k in text("MINSHENG_EVENT_TRUSTED_KEYS").split(",") if k.strip()]


def allowed_hosts() -> list[str]:
    return [h.strip() for h in text("MINSHENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]


def message_backend() -> str:
    return text("MINSHENG_MESSAGE_BACKEND", "minsheng.core.messaging.LogBackend")


def log_format() -> str:
    """``json`` (default: one object per line, for log collectors) or ``text`` (for people)."""
    return text("MINSHENG_LOG_FORMAT", "json").strip().lower()


def metrics_token() -> str:
    """A bearer token that lets a scraper from another machine read ``/metrics``; empty: loopback only."""
    return text("MINSHENG_METRICS_TOKEN", "")
