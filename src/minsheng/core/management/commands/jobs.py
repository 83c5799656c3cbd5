"""``minsheng jobs``: the periodic jobs and their last runs; ``minsheng jobs run NAME`` queues one now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.core.jobs import job_enqueue_now, jobs_all
from minsheng.core.models import JobRun


class Command(BaseCommand):
    help = "List periodic jobs with their schedule and last queued slot, or queue one job now."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action")
        actions.add_parser("list", help="the registered jobs (default)")
        run = actions.add_parser("run", help="queue a job now, outside its schedule")
        run.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("action") == "run":
            try:
                result = job_enqueue_now(options["name"])
            except KeyError as missing:
                raise CommandError(f"no periodic job named {options['name']!r}") from missing
            self.stdout.write(f"queued {options['name']} {result.id}")
            return
        for job in jobs_all():
            last = JobRun.objects.filter(job=job.name).order_by("-slot").first()
            when = f"{last.slot:%Y-%m-%d %H:%M:%S%z}" if last else "-"
            self.stdout.write(f"{job.name:<32} {job.schedule.describe():<20} last slot {when}")
