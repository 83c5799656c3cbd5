"""``manage.py verify_events`` (``minsheng verify-events``): recompute the Event hash chain and check it
against every signed checkpoint (stored, published, and copies kept elsewhere: ``--checkpoints DIR``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from minsheng.core.checkpoints import checkpoints_published, checkpoints_verify
from minsheng.core.events import events_count, events_verify
from minsheng.core.models import EventCheckpoint


class Command(BaseCommand):
    help = (
        "Check that no Event was changed, deleted or re-ordered, and that the chain matches every signed "
        "checkpoint; exits with status 1 if not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="a folder of checkpoint files copied off the server (checkpoints-YYYY-MM-DD.txt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        copies = checkpoints_published(options["checkpoints"]) if options["checkpoints"] else []
        problems = checkpoints_verify(extra=copies) + events_verify()
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
        checked = EventCheckpoint.objects.count() + len(copies)
        self.stdout.write(
            ngettext(
                "Checked against %(count)d signed checkpoint.",
                "Checked against %(count)d signed checkpoints.",
                checked,
            )
            % {"count": checked}
        )
