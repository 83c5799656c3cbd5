"""Background work: the opinion map is recomputed by a task, debounced, never inside a vote's request."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from minsheng.deliberation.models import Topic


@task()
def analysis_refresh(topic_id: int) -> None:
    from minsheng.deliberation.services import analysis_compute

    analysis_compute(topic_id=topic_id)


def analysis_enqueue(topic_id: int) -> None:
    """Queue a map update, at the earliest ANALYSIS_MIN_INTERVAL after the previous one.

    Backends that cannot defer (the tests' ImmediateBackend) run it at once.
    """
    from minsheng.deliberation.services import ANALYSIS_MIN_INTERVAL

    runner = analysis_refresh
    if default_task_backend.supports_defer:
        last = Topic.objects.filter(pk=topic_id).values_list("analysed_at", flat=True).first()
        now = timezone.now()
        run_after: dt.datetime = max(now, (last or now) + ANALYSIS_MIN_INTERVAL)
        if run_after > now:
            runner = analysis_refresh.using(run_after=run_after)
    runner.enqueue(topic_id)
