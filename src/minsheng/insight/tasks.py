"""Background work of the text-intelligence app: training routing models and computing hot issues.

Periodic jobs: ``insight.routing_train`` (daily 02:30; trains only when at least ROUTING_RETRAIN_NEW
confirmed assignments arrived since the active model, or when there is none) and
``insight.hot_issues`` (daily 06:00, every district and city).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from minsheng.core.errors import DomainError
from minsheng.core.jobs import DailyAt, job_register
from minsheng.insight import services
from minsheng.insight.models import RoutingSource
from minsheng.insight.progress import progress_reporter, progress_set
from minsheng.insight.selectors import routing_version_active
from minsheng.org.models import Jurisdiction, User

ROUTING_RETRAIN_NEW = 50
ROUTING_PROGRESS = "routing"


def hot_progress_name(jurisdiction_id: int) -> str:
    return f"hot:{jurisdiction_id}"


def routing_train_now(user_id: int | None = None) -> dict[str, Any]:
    """Train from the platform's confirmed assignments, reporting progress; errors become the
    progress message instead of a failed task (the person who started it reads them there)."""
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    progress_set(ROUTING_PROGRESS, state="running", stage="collect")
    try:
        version = services.routing_model_train(
            actor=actor, source=RoutingSource.PLATFORM, progress=progress_reporter(ROUTING_PROGRESS)
        )
    except DomainError as error:
        progress_set(ROUTING_PROGRESS, state="failed", message=str(error.message))
        return {"error": str(error.message)}
    progress_set(ROUTING_PROGRESS, state="done", message=version.reason)
    return {"version": version.number, "accepted": version.accepted}


@task()
def routing_train_task(user_id: int | None = None) -> dict[str, Any]:
    return routing_train_now(user_id)


def routing_train_if_due() -> dict[str, Any]:
    examples = services.routing_examples_platform()
    active = routing_version_active()
    if len(examples.texts) < services.MIN_EXAMPLES:
        return {"skipped": "too few examples"}
    if active is not None and len(examples.texts) - active.n_train < ROUTING_RETRAIN_NEW:
        return {"skipped": "few new examples"}
    return routing_train_now(None)


@task()
def routing_train_due_task() -> dict[str, Any]:
    return routing_train_if_due()


def hot_issues_now(jurisdiction_id: int, user_id: int | None = None) -> dict[str, Any]:
    name = hot_progress_name(jurisdiction_id)
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    jurisdiction = Jurisdiction.objects.get(pk=jurisdiction_id)
    progress_set(name, state="running", stage="cluster")
    try:
        report = services.hot_issues_compute(actor=actor, jurisdiction=jurisdiction)
    except DomainError as error:
        progress_set(name, state="failed", message=str(error.message))
        return {"error": str(error.message)}
    progress_set(name, state="done")
    return {"report": report.pk, "issues": len(report.issues)}


@task()
def hot_issues_task(jurisdiction_id: int, user_id: int | None = None) -> dict[str, Any]:
    return hot_issues_now(jurisdiction_id, user_id)


@task()
def hot_issues_all_task() -> dict[str, Any]:
    done = {}
    for jurisdiction_id in Jurisdiction.objects.filter(level__in=("city", "district")).values_list(
        "pk", flat=True
    ):
        done[str(jurisdiction_id)] = hot_issues_now(jurisdiction_id)
    return done


job_register("insight.routing_train", task=routing_train_due_task, schedule=DailyAt(dt.time(2, 30)))
job_register("insight.hot_issues", task=hot_issues_all_task, schedule=DailyAt(dt.time(6, 0)))
