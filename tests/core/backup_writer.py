"""Run as ``python -m tests.core.backup_writer SECONDS``: write Events in a loop (production settings)
and print ``<n> <ISO time>`` after each commit, i.e. each acknowledged write."""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings.prod")


def main() -> None:
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from minsheng.core.events import event_record

    deadline = time.monotonic() + float(sys.argv[1])
    n = 0
    while time.monotonic() < deadline:
        n += 1
        with transaction.atomic():
            event_record(actor=None, verb="backup_probe", payload={"n": n})
        print(n, timezone.now().isoformat(), flush=True)


if __name__ == "__main__":
    main()
