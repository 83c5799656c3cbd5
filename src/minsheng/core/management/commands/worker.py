"""``minsheng worker``: run queued tasks and the periodic jobs (``minsheng serve`` starts one itself)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.core.worker import JobWorker, worker_id_new


class Command(BaseCommand):
    help = "Run background tasks and enqueue due periodic jobs until stopped (SIGTERM or Ctrl+C)."
    # `serve` checked the project a moment ago; checks would import every view (seconds of start-up).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument("--worker-id", default="", help="unique name (default: host-pid-random)")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = JobWorker(
            worker_id=options["worker_id"] or worker_id_new(),
            interval=max(0.05, options["interval"]),
            max_tasks=options["max_tasks"],
        )
        worker.configure_signals()
        worker.run()
