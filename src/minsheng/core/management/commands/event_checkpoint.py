"""``minsheng event-checkpoint``: sign the Event chain head now (``--create-key`` makes the key first)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.core.checkpoints import (
    checkpoint_sign,
    key_fingerprint,
    public_key_text,
    signing_key_create,
    signing_key_load,
    signing_key_path,
)


class Command(BaseCommand):
    help = "Sign a checkpoint of the Event chain head with the key in MINSHENG_EVENT_SIGNING_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--create-key", action="store_true", help="create the signing key if it does not exist yet"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["create_key"] and not signing_key_path().exists():
            path = signing_key_create()
            self.stdout.write(f"Created the signing key {path} (mode 600). Keep a copy offline.")
        key = signing_key_load()
        if key is None:
            raise CommandError(f"No signing key at {signing_key_path()}: run with --create-key.")
        public = public_key_text(key)
        self.stdout.write(f"Public key {public} (fingerprint {key_fingerprint(public)})")
        checkpoint = checkpoint_sign()
        if checkpoint is None:
            self.stdout.write("No events yet: nothing to sign.")
            return
        self.stdout.write(self.style.SUCCESS(f"Checkpoint of event #{checkpoint.seq}: {checkpoint.hash}"))
