"""Structured logs: one JSON object per line, each with the request id of the request it belongs to.

``LOGGING`` (settings/base.py) sends every logger — ours, Django's ``django.request`` (500s with their
traceback), the task worker's — through one handler with ``RequestIdFilter`` and ``JsonFormatter``.
``MINSHENG_LOG_FORMAT=text`` gives one readable line instead (the same fields).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from minsheng.core.middleware import request_id_get

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = {*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime", "request_id"}
# Objects Django attaches to its records that must not be dumped into a log line.
_SKIPPED = {"request", "server_time"}


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_get()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and key not in _SKIPPED and not key.startswith("_")
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created).isoformat(sep=" ", timespec="seconds")
        extra = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        line = f"{when} {record.levelname} {record.name} [{getattr(record, 'request_id', '')}] "
        line += record.getMessage() + (f" {extra}" if extra else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def logging_config(log_format: str) -> dict[str, Any]:
    """The LOGGING setting: everything to stderr through one handler, JSON unless asked for text."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "text" if log_format == "text" else "json",
        "filters": ["request_id"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}, "text": {"()": TextFormatter}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "minsheng": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # Django's own handlers mail admins or print only with DEBUG: replace them, so 500s are logged.
            "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
            "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }
