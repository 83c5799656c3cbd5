"""``manage.py verify_events`` (``minsheng verify-events``): recompute the Event hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from minsheng.core.events import events_count, events_verify


class Command(BaseCommand):
    help = "Check that no Event was changed, deleted or re-ordered; exits with status 1 if any was."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = events_verify()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                ngettext(
                    "The event chain is broken: %(count)d problem found.",
                    "The event chain is broken: %(count)d problems found.",
                    len(problems),
                )
                % {"count": len(problems)},
                returncode=1,
            )
        count = events_count()
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Event chain intact: %(count)d event.", "Event chain intact: %(count)d events.", count
                )
                % {"count": count}
            )
        )
