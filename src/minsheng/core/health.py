"""``/healthz``: is the database answering, and has a task worker been seen lately?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from minsheng.core.conf import setting

WORKER_SILENT_SECONDS = 60


@dataclass(frozen=True)
class Health:
    database: str  # "ok" or "unreachable"
    worker: str  # "ok", "silent" (no heartbeat for a while), "missing" (never), "unknown" (no database)
    heartbeat_age_seconds: float | None

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.worker == "ok"


def health_check(*, connection: BaseDatabaseWrapper | None = None, now: dt.datetime | None = None) -> Health:
    from minsheng.core.models import WorkerHeartbeat

    connection = connection or connections["default"]
    using = connection.alias
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        beats = WorkerHeartbeat.objects.using(using).order_by("-seen_at")
        newest = beats.values_list("seen_at", flat=True).first()
    except DatabaseError:
        return Health(database="unreachable", worker="unknown", heartbeat_age_seconds=None)
    if newest is None:
        return Health(database="ok", worker="missing", heartbeat_age_seconds=None)
    age = ((now or timezone.now()) - newest).total_seconds()
    silent_after = float(setting("WORKER_SILENT_SECONDS", WORKER_SILENT_SECONDS))
    return Health(database="ok", worker="ok" if age <= silent_after else "silent", heartbeat_age_seconds=age)
