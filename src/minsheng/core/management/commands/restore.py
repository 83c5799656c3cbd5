"""``minsheng restore SRC``: check the backup, restore it into an empty database and data folder, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.core.backup import BackupError, backup_restore, restored_chain_check


class Command(BaseCommand):
    help = "Restore a backup made by `minsheng backup` into an empty database, then verify the Event chain."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(options["src"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        problems = restored_chain_check(manifest)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"restored, but the Event chain does not verify ({len(problems)} problems)")
        head = manifest.event_head
        self.stdout.write(
            f"restored {options['src']} ({manifest.snapshot_started_at}); "
            f"event chain verified up to #{head['last_seq']}"
        )
