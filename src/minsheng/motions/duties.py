"""What suggestions, proposals and bills give the duty record and the my-duties inbox
(the contract: ``minsheng.records.contract``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minsheng.motions.models import Assignment, Motion, MotionKind, Signature, SignatureRole, SignatureStatus
from minsheng.motions.selectors import awaiting_rating, invitations_for
from minsheng.records.contract import ActPage, Credit, EventRow, InboxItem, Mark, RecordKind, Seats

GROUP = _("Suggestions, proposals and bills")
WITHDRAWN = frozenset({"withdrawn"})
LED = {
    MotionKind.SUGGESTION: "suggestion_led",
    MotionKind.PROPOSAL: "proposal_led",
    MotionKind.BILL: "bill_led",
}
COSIGNED = {
    MotionKind.SUGGESTION: "suggestion_cosigned",
    MotionKind.PROPOSAL: "proposal_cosigned",
    MotionKind.BILL: "bill_cosigned",
}
ALL_KINDS = frozenset({*LED.values(), *COSIGNED.values()})

RECORD_KINDS = (
    RecordKind("bill_led", _("bills led"), GROUP, WITHDRAWN),
    RecordKind("bill_cosigned", _("bills co-signed"), GROUP, WITHDRAWN),
    RecordKind("suggestion_led", _("suggestions led"), GROUP, WITHDRAWN),
    RecordKind("suggestion_cosigned", _("suggestions co-signed"), GROUP, WITHDRAWN),
    RecordKind("proposal_led", _("proposals led"), GROUP, WITHDRAWN),
    RecordKind("proposal_cosigned", _("proposals co-signed"), GROUP, WITHDRAWN),
    # The answer's result category (A/B/C/D, as reviewed by the office) of each item the person led.
    RecordKind("motion_answered", _("items led that were answered (by result category)"), GROUP),
)
ANSWERED = frozenset({"motion_answered"})
ASSIGNMENT = "motions.assignment"

TARGET = "motions.motion"
# Outcomes the record keeps for an item: how it ended in review, then the proposer's rating.
REVIEW_OUTCOMES = {"withdraw": "withdrawn", "merge": "merged", "decline": "declined", "convert": "converted"}
HANDLES = {
    TARGET: frozenset({"submit", "rate", "disclose", "review_category", *REVIEW_OUTCOMES}),
    ASSIGNMENT: frozenset({"reply"}),
}
# The signed-in page of an act, and its public page (a motion is public once a reply is disclosed).
ACT_URLS = {TARGET: ActPage("motions:detail", "motions:public_detail")}


def _answered(events: list[EventRow], seats: Seats) -> dict[int, Credit]:
    """A unit's reply (an Event on its assignment): the line of the item's lead, with the category."""
    assignment_ids = {int(e.target_id) for e in events if e.target_type == ASSIGNMENT}
    if not assignment_ids:
        return {}
    rows = {
        pk: (motion_id, title, jurisdiction_id)
        for pk, motion_id, title, jurisdiction_id in Assignment.objects.filter(
            pk__in=assignment_ids
        ).values_list("pk", "motion_id", "motion__title", "motion__jurisdiction_id")
    }
    leads = dict(
        Signature.objects.filter(
            motion_id__in={row[0] for row in rows.values()},
            role=SignatureRole.LEAD,
            status=SignatureStatus.ACCEPTED,
        ).values_list("motion_id", "person_id")
    )
    found: dict[int, Credit] = {}
    for event in events:
        row = rows.get(int(event.target_id)) if event.target_type == ASSIGNMENT else None
        if row is None or row[0] not in leads:
            continue
        motion_id, title, jurisdiction_id = row
        body_id = seats.body(leads[motion_id], event.at, jurisdiction_id)
        if body_id is not None:
            found[event.seq] = Credit(leads[motion_id], "motion_answered", event.at, event.seq, TARGET,
                                      str(motion_id), title, body_id,
                                      outcome=str(event.payload.get("category", "")))  # fmt: skip
    return found


def credits(events: list[EventRow], seats: Seats) -> Iterator[Credit | Mark]:
    answered = _answered(events, seats)
    events = [e for e in events if e.target_type == TARGET or e.seq in answered]
    submitted = [int(e.target_id) for e in events if e.verb == "submit"]
    motions: dict[int, Any] = {
        row["pk"]: row
        for row in Motion.objects.filter(pk__in=submitted).values(
            "pk", "kind", "title", "term__body_id", "jurisdiction_id"
        )
    }
    signers: dict[int, list[tuple[int, str]]] = {}
    for motion_id, person_id, role in (
        Signature.objects.filter(motion_id__in=submitted, status=SignatureStatus.ACCEPTED)
        .order_by("order", "id")
        .values_list("motion_id", "person_id", "role")
    ):
        signers.setdefault(motion_id, []).append((person_id, role))
    for event in events:
        if event.seq in answered:
            credit = answered[event.seq]
            yield credit
            # A later reply (separate units) or the office's review changes the category.
            yield Mark(TARGET, credit.target_id, outcome=credit.outcome, kinds=ANSWERED)
        elif event.verb == "review_category":
            yield Mark(TARGET, event.target_id, outcome=str(event.payload.get("to", "")), kinds=ANSWERED)
        elif event.verb == "submit":
            motion = motions.get(int(event.target_id))
            if motion is None:
                continue
            kind = event.payload.get("kind") or motion["kind"]
            for signer_id, role in signers.get(motion["pk"], ()):
                code = LED.get(kind) if role == SignatureRole.LEAD else COSIGNED.get(kind)
                body_id = seats.body(signer_id, event.at, motion["jurisdiction_id"])
                if code is None or body_id is None:
                    continue
                yield Credit(
                    person_id=signer_id,
                    kind=code,
                    at=event.at,
                    seq=event.seq,
                    target_type=TARGET,
                    target_id=event.target_id,
                    title=motion["title"],
                    body_id=body_id,
                )
        elif event.verb in REVIEW_OUTCOMES:
            yield Mark(TARGET, event.target_id, outcome=REVIEW_OUTCOMES[event.verb], kinds=ALL_KINDS)
        elif event.verb == "rate":
            rater = seats.person(event.actor_id)
            if rater is not None:
                outcome = str(event.payload.get("overall", ""))
                yield Mark(TARGET, event.target_id, outcome=outcome, person_id=rater, kinds=ALL_KINDS)
        elif event.verb == "disclose":
            yield Mark(TARGET, event.target_id, public=event.payload.get("disclosure") != "none")


def inbox(user: Any) -> list[InboxItem]:
    items = [
        InboxItem(
            app="motions",
            kind=_("Invitation to co-sign"),
            title=signature.motion.title,
            url=reverse("motions:detail", args=[signature.motion_id]),
            action=_("Answer"),
            due=signature.answer_by,
            order=10,
        )
        for signature in invitations_for(user)[:20]
    ]
    items += [
        InboxItem(
            app="motions",
            kind=_("Reply to rate"),
            title=motion.title,
            url=reverse("motions:detail", args=[motion.pk]),
            action=_("Rate the reply"),
            order=20,
        )
        for motion in awaiting_rating(user)[:20]
    ]
    return items
