"""Base models and the records every app shares: the Event log, deadline rules, calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every domain row knows when it was made and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Event(models.Model):
    """One thing that happened: append-only and chained by hash so that tampering shows.

    Rows are written only by ``minsheng.core.events.event_record``; ``minsheng verify-events``
    recomputes the chain.
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("verb"), max_length=64)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), null=True, blank=True, on_delete=models.PROTECT
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True, default="")
    from_state = models.CharField(_("from state"), max_length=32, blank=True, default="")
    to_state = models.CharField(_("to state"), max_length=32, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="")
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"], name="event_target_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"


class EventChainHead(models.Model):
    """The single row that every Event writer locks: it serialises appends and remembers the tail.

    Locking it (``select_for_update``) stops two concurrent writers from both chaining onto the same
    previous hash on PostgreSQL; remembering the last sequence number and hash lets
    ``events_verify`` notice rows deleted from the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(_("last sequence number"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("event chain head")
        verbose_name_plural = _("event chain heads")

    def __str__(self) -> str:
        return f"#{self.last_seq}"


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    MONTHS = "months", _("months")


class DeadlineRule(models.Model):
    """A legal or local time limit, settable per jurisdiction (defaults from DOMAIN.md)."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty means the default for every jurisdiction."),
    )
    name = models.SlugField(_("rule name"), max_length=64)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="deadline_rule_unique_per_place"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(jurisdiction__isnull=True),
                name="deadline_rule_unique_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.get_unit_display()}"


class CalendarOverride(models.Model):
    """An administrator's correction to the national working-day calendar (e.g. a local holiday)."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"


class HolidaySchedule(models.Model):
    """A year's official holiday schedule (放假调休安排), loaded by staff from the State Council's notice.

    Once a year has a schedule, its listed days decide which days are off (休) or working (班, the
    make-up Saturdays and Sundays); every other day of the year is a working day Monday to Friday.
    A year with neither a schedule nor data in ``chinese_calendar`` is counted Monday to Friday, and
    deadlines that reach it are shown with a warning (``core.calendar``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("The notice the schedule comes from, e.g. its title and date."),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    """One day of a holiday schedule: a day off (休) or a make-up working day (班)."""

    schedule = models.ForeignKey(
        HolidaySchedule, verbose_name=_("holiday schedule"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("is a working day"))
    name = models.CharField(_("holiday"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday schedule day")
        verbose_name_plural = _("holiday schedule days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Files are stored under their hash, never under the name the uploader chose.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A file attached to any record; its type is sniffed from its content, not its name."""

    owner_type = models.ForeignKey(ContentType, verbose_name=_("owner type"), on_delete=models.PROTECT)
    owner_id = models.CharField(_("owner id"), max_length=64)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(_("extension"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return self.original_name


class Notification(models.Model):
    """An in-app notice for one user (reminders, overdue alerts, outcomes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text[:40]


class SearchEntry(models.Model):
    """Searchable text of one record: the folded text, and its characters and character pairs.

    Written only by ``minsheng.core.search``. SQLite indexes ``tokens`` with FTS5 (migration 0005),
    PostgreSQL with a GIN index over the token array (migration 0009); ``text`` is what a match is
    checked against, so one- and two-character Chinese words inside longer words match exactly.
    """

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    tokens = models.TextField(_("tokens"))
    text = models.TextField(_("searchable text"), blank=True, default="")

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_entry_one_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class BallotBox(models.Model):
    """The ballots of one poll of any app (content type + id), kept so that secrecy holds.

    Written only by ``minsheng.core.ballots``. While a secret poll is open, ``key`` (random, per poll)
    seals each voter's ballot as ``HMAC(key, voter)`` so that the voter may change it; closing the box
    destroys the key and rewrites the ballots in random order without any seal, so that nobody can
    join a voter to a choice afterwards. Named polls (记名) keep ``NamedBallot`` rows instead.
    """

    poll_type = models.ForeignKey(ContentType, verbose_name=_("poll type"), on_delete=models.PROTECT)
    poll_id = models.CharField(_("poll id"), max_length=64)
    secret = models.BooleanField(_("secret ballot"), default=True)
    key = models.BinaryField(_("sealing key"), null=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    ballots_at_close = models.PositiveIntegerField(_("ballots when closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")
        constraints = [
            models.UniqueConstraint(fields=["poll_type", "poll_id"], name="ballot_box_one_per_poll"),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(key__isnull=True),
                name="ballot_box_closed_has_no_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_type_id}:{self.poll_id}"


class BallotVoter(models.Model):
    """Who voted in a box: one row per voter, with neither the choice nor the time."""

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.CASCADE, related_name="+"
    )
    voter_id = models.BigIntegerField(_("voter"))

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [models.UniqueConstraint(fields=["box", "voter_id"], name="ballot_voter_once")]

    def __str__(self) -> str:
        return f"{self.box_id}:{self.voter_id}"


class Ballot(models.Model):
    """What was voted in a secret poll: a choice, and while open only a seal (HMAC) — no voter, no time.

    ``choice`` is canonical JSON chosen by the poll's app (e.g. ``"yes"``, or a row per candidate).
    """

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.CASCADE, related_name="+"
    )
    seal = models.CharField(_("seal"), max_length=64, null=True, blank=True)
    choice = models.TextField(_("choice"))

    class Meta:
        verbose_name = _("secret ballot")
        verbose_name_plural = _("secret ballots")
        constraints = [models.UniqueConstraint(fields=["box", "seal"], name="ballot_one_per_seal")]

    def __str__(self) -> str:
        return f"{self.box_id}"


class BallotReceipt(models.Model):
    """A client key already counted in an open box (``HMAC(key, voter + client key)``): a retried
    submission is answered without being counted again. Deleted when the box closes."""

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")
        constraints = [models.UniqueConstraint(fields=["box", "digest"], name="ballot_receipt_once")]

    def __str__(self) -> str:
        return f"{self.box_id}"


class NamedBallot(models.Model):
    """A roll-call record of a named poll (记名表决): who voted what, kept on purpose."""

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.CASCADE, related_name="+"
    )
    voter_id = models.BigIntegerField(_("voter"))
    choice = models.TextField(_("choice"))

    class Meta:
        verbose_name = _("named ballot")
        verbose_name_plural = _("named ballots")
        constraints = [models.UniqueConstraint(fields=["box", "voter_id"], name="named_ballot_once")]

    def __str__(self) -> str:
        return f"{self.box_id}:{self.voter_id}"


class JobRun(models.Model):
    """One periodic job's run for one time slot: the unique key makes the slot's enqueue happen once.

    Written only by ``minsheng.core.jobs.jobs_schedule``; any number of workers on any number of
    machines may try the same slot, and the one whose insert commits enqueues the task.
    """

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("time slot"))
    enqueued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, default="")
    worker = models.CharField(_("worker"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="job_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life (``/healthz`` and ``/metrics`` read it)."""

    worker = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)
    tasks_run = models.PositiveBigIntegerField(_("tasks run"), default=0)
    tasks_failed = models.PositiveBigIntegerField(_("tasks failed"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker} ({self.host}:{self.pid})"


class EventCheckpoint(models.Model):
    """The chain head at one moment, signed with the Ed25519 key kept outside the database.

    Written only by ``minsheng.core.checkpoints.checkpoint_sign``; also published (a public page and a
    file a day in ``MINSHENG["CHECKPOINT_DIR"]``) so that copies exist where a database administrator
    cannot rewrite them. ``minsheng verify-events`` checks the chain against every checkpoint.
    """

    seq = models.BigIntegerField(_("last event"), unique=True)
    hash = models.CharField(_("hash of the last event"), max_length=64)
    at = models.DateTimeField(_("signed at"))
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    signature = models.CharField(_("signature (base64)"), max_length=100)

    class Meta:
        verbose_name = _("event chain checkpoint")
        verbose_name_plural = _("event chain checkpoints")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Counter(models.Model):
    """How many attempts fell under one key in the current window (rate limits, failed sign-ins,
    code tries). Written only by ``minsheng.core.throttle``, under a row lock, so that concurrent
    attempts are all counted (a cache's read-then-write loses some)."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    window_ends = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("attempt counter")
        verbose_name_plural = _("attempt counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class OneTimeCode(models.Model):
    """A one-time code's SHA-256, its expiry and the tries spent on it (``minsheng.core.codes``)."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    digest = models.CharField(_("digest"), max_length=64)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return self.key


class NumberSequence(models.Model):
    """The last number handed out under one key (official document numbers such as 建议第12号).
    Written only by ``minsheng.core.sequences``: numbers are never handed out twice, even after the
    numbered record is deleted."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class SimilarityEntry(models.Model):
    """The MinHash signature of one record's text, for near-duplicate look-ups (core.similarity).

    Its band keys are ``SimilarityBand`` rows: two records whose texts share about half their
    character 3-grams agree on at least one band with probability 0.986."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("record id"))
    signature = models.BinaryField(_("MinHash signature"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("similarity entry")
        verbose_name_plural = _("similarity entries")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="similarity_entry_one_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class SimilarityBand(models.Model):
    """One LSH band key of a similarity entry: records with an equal key are candidates."""

    entry = models.ForeignKey(SimilarityEntry, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(_("band key"), db_index=True)

    class Meta:
        verbose_name = _("similarity band")
        verbose_name_plural = _("similarity bands")

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.key}"
