"""What legislative consultation gives the duty record and the my-duties inbox
(the contract: ``minsheng.records.contract``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.legislation.models import ConsultationTask, Opinion
from minsheng.legislation.selectors import tasks_open
from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats

RECORD_KINDS = (RecordKind("legislative_opinion", _("legislative opinions given"), _("Legislation")),)
HANDLES = {"legislation.consultationtask": frozenset({"opinion_submit", "adoption_record"})}
OPINION = "legislation.opinion"


def _tasks_of_opinions(ids: Sequence[str]) -> dict[str, int]:
    rows = Opinion.objects.filter(pk__in=[int(i) for i in ids if i.isdigit()]).values_list("pk", "task_id")
    return {str(pk): task_id for pk, task_id in rows}


# An opinion has no page of its own: its line opens the draft law's consultation page. Opinions are
# not listed on the public profile.
ACT_URLS = {OPINION: ActPage("legislation:task", via=_tasks_of_opinions)}


def _adopted_opinions(events: list[EventRow]) -> dict[int, list[int]]:
    """Report entry → the opinions it sorted (an adoption is recorded per entry)."""
    entry_ids = {
        int(e.payload["entry"]) for e in events if e.verb == "adoption_record" and "entry" in e.payload
    }
    found: dict[int, list[int]] = {}
    for entry_id, opinion_id in Opinion.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "pk"):
        found.setdefault(entry_id, []).append(opinion_id)
    return found


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    titles = dict(
        ConsultationTask.objects.filter(pk__in={int(e.target_id) for e in events}).values_list("pk", "title")
    )
    opinions_of = _adopted_opinions(events)
    for event in events:
        if event.verb == "adoption_record":
            # Adopted, partly adopted or not: the outcome of every opinion the entry sorted.
            for adopted_id in opinions_of.get(int(event.payload.get("entry", 0)), ()):
                yield Mark(OPINION, str(adopted_id), outcome=str(event.payload.get("outcome", "")))
            continue
        person_id = seats.person(event.actor_id)
        opinion_id = event.payload.get("opinion")
        if person_id is None or opinion_id is None:
            continue
        body_id = seats.body(person_id, event.at)
        if body_id is None:
            continue
        yield Credit(
            person_id=person_id,
            kind="legislative_opinion",
            at=event.at,
            seq=event.seq,
            target_type=OPINION,
            target_id=str(opinion_id),
            title=titles.get(int(event.target_id), ""),
            body_id=body_id,
        )


def inbox(user: Any) -> list[InboxItem]:
    """Drafts open for comment that this deputy or member has not commented on yet."""
    if not getattr(user, "person_id", None):
        return []
    commented = Opinion.objects.filter(author=user).values("task_id")
    return [
        InboxItem(
            app="legislation",
            kind=_("Draft open for comment"),
            title=task.title,
            url=reverse("legislation:task", args=[task.pk]),
            action=_("Comment on the draft"),
            due=task.comment_deadline,
            order=60,
        )
        for task in tasks_open().exclude(pk__in=commented)[:10]
    ]
