"""``manage.py motions_remind``: queue the reminder task (``--now`` runs it in this process)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.motions.tasks import motions_remind_task, reminders_all


class Command(BaseCommand):
    help = "Remind units and offices of deadlines (replies, disclosure, consultation) and alert overdue ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Run in this process instead of queueing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            counts = reminders_all()
            self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
            return
        result = motions_remind_task.enqueue()
        self.stdout.write(f"queued {result.id}")
