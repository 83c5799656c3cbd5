"""``minsheng backup DEST``: database snapshot, uploads and a manifest with checksums and the chain head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.core.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write a consistent backup (database, uploaded files, manifest) into a new or empty folder."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_write(options["dest"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        head = manifest.event_head
        self.stdout.write(
            f"backup {options['dest']}: {manifest.engine}, {len(manifest.files)} files, "
            f"event chain head #{head['last_seq']} {head['last_hash'][:12]}"
        )
