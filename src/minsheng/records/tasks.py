"""Background work: the record reads new Events every minute and is rebuilt from the log each night."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from minsheng.core.jobs import DailyAt, Every, job_register
from minsheng.records.engine import record_rebuild, record_update

UPDATE_EVERY = dt.timedelta(minutes=1)


@task()
def records_update_task() -> dict[str, int]:
    return {"added": record_update()}


@task()
def records_rebuild_task() -> dict[str, int]:
    return {"lines": record_rebuild()}


job_register("records.update", task=records_update_task, schedule=Every(UPDATE_EVERY))
job_register("records.rebuild", task=records_rebuild_task, schedule=DailyAt(dt.time(2, 30)))
