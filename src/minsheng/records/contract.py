"""What an app gives the duty record and the my-duties inbox: the contract of ``<app>/duties.py``.

An app that contributes has ``minsheng/<app>/duties.py`` with any of:

- ``RECORD_KINDS: tuple[RecordKind, ...]`` — the lines it adds to a person's record;
- ``HANDLES: dict[str, frozenset[str]]`` — target type label (``"motions.motion"``, ``""`` for none)
  → the Event verbs it reads (the record reads only those Events, so a rebuild skips the rest);
- ``def credits(events: list[EventRow], seats: Seats) -> Iterable[Credit | Mark]`` — what those Events
  mean for the record: a ``Credit`` adds one line for one person (at most one per person, kind and
  act: repeating an Event changes nothing), a ``Mark`` changes the outcome or publicity of the lines
  already credited for an act (withdrawn, merged, adopted, satisfied, disclosed);
- ``def inbox(user) -> list[InboxItem]`` — what this user has to do now, each with one action;
- ``ACT_URLS: dict[str, ActPage]`` — act type label → the page a record line about such an act links to.

The record (``records.services``) discovers these modules like the menu discovers ``nav.py``, so a new
app plugs in with one file and no change to ``records``. The functions must work on any batch of
Events, in order: the incremental update passes the few new ones, the full rebuild passes them all in
chunks; both must give the same record (tests/records/test_invariants.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils import timezone
from django_stubs_ext import StrOrPromise

from minsheng.org.models import REPRESENTATIVE_ROLES, Membership


@dataclass(frozen=True)
class RecordKind:
    """One line of the record: ``code`` is stored, ``label`` shown, ``group`` orders the record.

    Acts whose outcome is in ``void_outcomes`` (a cancelled reception day, a withdrawn motion) stay
    listed but are not counted; whether they earn points is the points scheme's choice."""

    code: str
    label: StrOrPromise
    group: StrOrPromise
    void_outcomes: frozenset[str] = frozenset()


class EventRow(NamedTuple):
    """The fields of an Event a contributor reads (lighter than a model instance: a rebuild reads
    millions)."""

    seq: int
    at: dt.datetime
    actor_id: int | None
    verb: str
    target_type: str
    target_id: str
    from_state: str
    to_state: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Credit:
    """One act that counts for one person."""

    person_id: int
    kind: str
    at: dt.datetime
    seq: int
    target_type: str
    target_id: str
    title: str = ""
    body_id: int | None = None
    value: float | None = None
    outcome: str = ""
    public: bool = False


@dataclass(frozen=True)
class Mark:
    """A later Event about an act: set the outcome and/or publicity of the lines credited for it.

    ``kinds`` limits it to some kinds (empty: every kind credited for the act); ``person_id`` to one
    person (``None``: everyone credited for it)."""

    target_type: str
    target_id: str
    outcome: str | None = None
    public: bool | None = None
    kinds: frozenset[str] = frozenset()
    person_id: int | None = None


@dataclass(frozen=True)
class ActPage:
    """Where a record line links: URL names of the page for the private record (the person and the
    staff who see their annual report in draft) and for the public profile (``""``: no link there).

    The page takes the act's id, or — when the act has no page of its own (an opinion, a statement,
    a visit) — the id ``via`` gives for it (the draft law, the topic, the activity): ``via`` receives
    every act id of the lines shown at once and answers in one query. ``anchor`` (with ``{id}``, that
    same id) names the place on a page that takes no id (a reading group on the reading page).
    ``pages`` is for acts whose lines open pages of different kinds (a visit to an activity or to a
    key project): it answers the URLs themselves, in one query."""

    private: str
    public: str = ""
    via: Callable[[Sequence[str]], dict[str, int]] | None = None
    anchor: str = ""
    pages: Callable[[Sequence[str]], dict[str, str]] | None = None


@dataclass(frozen=True)
class InboxItem:
    """One thing to do, with one action: ``url`` opens the page where it is done."""

    app: str
    kind: StrOrPromise
    title: str
    url: str
    action: StrOrPromise
    due: dt.date | None = None
    order: int = 50


SeatRow = tuple[int, int, dt.date, dt.date | None]  # body, its jurisdiction, start, end


@dataclass
class Seats:
    """Who is a deputy or member where: user → person, membership → person and body, and a person's
    representative seats — so that contributors attribute acts without a query per Event.

    ``Seats.load()`` reads everything at once (the full rebuild); ``Seats()`` asks the database on
    first need of each user, person or membership (the incremental update, which reads a few Events).
    """

    complete: bool = False
    person_of_user: dict[int, int | None] = field(default_factory=dict)
    seats_of_person: dict[int, list[SeatRow]] = field(default_factory=dict)
    membership_seat: dict[int, tuple[int, int | None]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Seats:
        from minsheng.org.models import User

        seats = cls(complete=True)
        seats._seats_read(Membership.objects.all())
        seats.membership_seat = {
            pk: (person_id, body_id)
            for pk, person_id, body_id in Membership.objects.values_list("pk", "person_id", "body_id")
        }
        seats.person_of_user = dict(User.objects.filter(person__isnull=False).values_list("id", "person_id"))
        return seats

    def _seats_read(self, memberships: Any) -> None:
        rows = (
            memberships.filter(role__in=REPRESENTATIVE_ROLES, body__isnull=False)
            .order_by("start", "id")
            .values_list("person_id", "body_id", "body__jurisdiction_id", "start", "end")
        )
        for person_id, body_id, jurisdiction_id, start, end in rows:
            self.seats_of_person.setdefault(person_id, []).append((body_id, jurisdiction_id, start, end))

    def person(self, user_id: int | None) -> int | None:
        if user_id is None:
            return None
        if user_id not in self.person_of_user and not self.complete:
            from minsheng.org.models import User

            self.person_of_user[user_id] = (
                User.objects.filter(pk=user_id).values_list("person_id", flat=True).first()
            )
        return self.person_of_user.get(user_id)

    def membership(self, membership_id: int) -> tuple[int, int | None] | None:
        """The person and body of a membership."""
        if membership_id not in self.membership_seat and not self.complete:
            row = Membership.objects.filter(pk=membership_id).values_list("person_id", "body_id").first()
            if row is not None:
                self.membership_seat[membership_id] = row
        return self.membership_seat.get(membership_id)

    def body(self, person_id: int, at: dt.datetime, jurisdiction_id: int | None = None) -> int | None:
        """The body of the person's representative seat on that day (in that jurisdiction if they
        hold one there); ``None`` if they held none — the act then does not count (records are for
        deputies and members)."""
        if person_id not in self.seats_of_person and not self.complete:
            self.seats_of_person[person_id] = []
            self._seats_read(Membership.objects.filter(person_id=person_id))
        day = at.astimezone(timezone.get_default_timezone()).date()  # the record's calendar, not a request's
        fallback: int | None = None
        for body_id, seat_jurisdiction, start, end in self.seats_of_person.get(person_id, ()):
            if start <= day and (end is None or end >= day):
                if jurisdiction_id is None or seat_jurisdiction == jurisdiction_id:
                    return body_id
                fallback = fallback or body_id
        return fallback


def year_of(at: dt.datetime) -> int:
    """The record's year: the local calendar year of the act."""
    return timezone.localtime(at).year
