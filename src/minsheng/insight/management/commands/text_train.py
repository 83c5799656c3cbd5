"""`minsheng text train [--csv FILE] [--extra-words FILE]`: train a routing model and keep it.

Without ``--csv`` the platform's confirmed assignments are the examples (what the daily job does);
with it, a labelled file of the TipDM 附件2 form (``留言分词``, ``一级分类``) gives a cold start whose
categories are then mapped to units on the routing page. The model becomes active only if it does
at least as well as the active one on the newest fifth (or the held-back fifth of the file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.analysis.text.files import TextInputError, read_labelled
from minsheng.core.errors import DomainError
from minsheng.insight import services
from minsheng.insight.models import RoutingSource


class Command(BaseCommand):
    help = "Train a routing model from confirmed assignments or a labelled CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="labelled CSV (留言分词, 一级分类)")

    def handle(self, *args: Any, **options: Any) -> None:
        examples = None
        source = RoutingSource.PLATFORM
        if options["csv"] is not None:
            try:
                texts, labels = read_labelled(options["csv"])
            except TextInputError as error:
                raise CommandError(str(error)) from None
            # A file has no times: its order stands for time (the last fifth is held back).
            start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
            times = [start + dt.timedelta(seconds=i) for i in range(len(texts))]
            examples = services.Examples(texts, labels, times)
            source = RoutingSource.CSV

        def progress(stage: str, done: int, total: int) -> None:
            self.stdout.write(f"\r  {stage:<10} {done}/{total}", ending="")
            if done >= total:
                self.stdout.write("")

        try:
            version = services.routing_model_train(
                actor=None, source=source, examples=examples, progress=progress
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        quality = version.quality
        self.stdout.write(
            f"model #{version.number}: {'accepted' if version.accepted else 'not accepted'}; "
            f"held back {version.n_heldout}: accuracy {quality['accuracy']}, macro-F1 {quality['macro_f1']}, "
            f"top-2 {quality['top2_accuracy']}, ECE {quality['ece']}; {version.seconds:.1f} s"
        )
        self.stdout.write(version.reason)
