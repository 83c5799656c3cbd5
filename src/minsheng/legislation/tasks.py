"""Background work of the legislation app: large drafts are read by a task while the page polls."""

from __future__ import annotations

from django_tasks import task


@task()
def draft_import_read(job_id: int) -> None:
    from minsheng.legislation.services import draft_import_run

    draft_import_run(job_id=job_id)


def draft_import_enqueue(job_id: int) -> None:
    """Queue the reading of an uploaded draft (the tests' ImmediateBackend reads it at once)."""
    draft_import_read.enqueue(job_id)
