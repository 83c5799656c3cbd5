"""Helpers every stage of the motions workflow shares: who to tell, links, indexing, reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    NotFoundError,
)
from minsheng.core.notifications import notify
from minsheng.core.search import search_index
from minsheng.core.similarity import similarity_index
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import transition_apply
from minsheng.motions.models import (
    Assignment,
    Motion,
    MotionKind,
)
from minsheng.motions.rules import proposer_ids
from minsheng.motions.services.workflow import HANDLING_STATES, MOTION_TRANSITIONS
from minsheng.org.models import BodyKind, Membership, Role, User
from minsheng.org.selectors import today

REASON_MAX_LENGTH = 2000
KIND_PREFIX = {MotionKind.SUGGESTION: "建议", MotionKind.PROPOSAL: "提案", MotionKind.BILL: "议案"}


# --- helpers ------------------------------------------------------------------------------------


def cn_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reason_checked(value: str, *, field: str = "reason") -> str:
    return plain_text_checked(value, field=field, label=_("The reason"), max_length=REASON_MAX_LENGTH)


def users_of(person_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True))


def unit_handlers(unit_ids: Iterable[int]) -> list[User]:
    people = Membership.objects.active_on(today()).filter(role=Role.HANDLER, unit_id__in=list(unit_ids))
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def office_staff(motion: Motion) -> list[User]:
    kinds = (
        (BodyKind.CPPCC_SPECIAL_COMMITTEE,)
        if motion.kind == MotionKind.PROPOSAL
        else (BodyKind.WORKING_BODY,)
    )
    people = Membership.objects.active_on(today()).filter(
        role=Role.STAFF, body__kind__in=kinds, body__jurisdiction_id=motion.jurisdiction_id
    )
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def motion_link(motion: Motion) -> str:
    return reverse("motions:detail", args=[motion.pk])


def notify_later(users: Sequence[User], text: str, link: str, *, send_message: bool = False) -> None:
    transaction.on_commit(partial(notify, users=list(users), text=text, link=link, send_message=send_message))


def motion_index(motion: Motion) -> None:
    search_index(motion, motion.title, motion.text, motion.number, motion.lead_signer.name)
    similarity_index(motion, f"{motion.title}\n{motion.text}")


def proposer_users(motion: Motion) -> list[User]:
    return users_of(proposer_ids(motion))


def motion_get(pk: int) -> Motion:
    motion = Motion.objects.select_related("jurisdiction", "lead_signer").filter(pk=pk).first()
    if motion is None:
        raise NotFoundError()
    return motion


def handling_refusal(assignment: Assignment, action: str) -> DomainError | None:
    """Refuses ``action`` on a unit's part unless its item is being handled (assigned, re-handled,
    followed up)."""
    status = assignment.motion.status
    if status not in HANDLING_STATES:
        return InvalidTransitionError(action=action, state=status)
    return None


# --- the resident whose voice became the item ------------------------------------------------------


def _news_for_resident(motion: Motion, action: str) -> str:
    """What the resident is told when the item that grew out of their voice moves (empty: nothing)."""
    title = {"title": motion.title}
    news = {
        "submit": _("Your message became “%(title)s”, now submitted for review."),
        "file": _("“%(title)s”, which grew out of your message, was accepted for handling."),
        "decline": _("“%(title)s”, which grew out of your message, was not accepted."),
        "merge": _("“%(title)s”, which grew out of your message, is handled together with a similar item."),
        "assign": _("“%(title)s”, which grew out of your message, was assigned to the units that answer it."),
        "replies_complete": _("“%(title)s”, which grew out of your message, has been answered."),
        "rehandle": _("“%(title)s”, which grew out of your message, is being handled again."),
        "follow_up": _("“%(title)s”, which grew out of your message, is followed until it is solved."),
        "close": _("“%(title)s”, which grew out of your message, was closed. You can rate the outcome."),
        "withdraw": _("The draft “%(title)s” made from your message was withdrawn."),
        "disclose": _("The reply to “%(title)s”, which grew out of your message, was published."),
    }
    text = news.get(action)
    return text % title if text else ""


def resident_tell(motion: Motion, action: str) -> None:
    """Tell each resident whose voice became this item (or an item merged into it) how it moved, by
    message or in the app (``voices.services.voice_submitter_tell``, after commit)."""
    text = _news_for_resident(motion, action)
    if not text:
        return
    from minsheng.voices.models import Voice
    from minsheng.voices.services import voice_submitter_tell

    merged = Motion.objects.filter(merged_into=motion).values("pk")
    voices = Voice.objects.filter(Q(adopted_motions=motion) | Q(adopted_motions__in=merged)).distinct()
    for voice in voices.select_related("submitter"):
        voice_submitter_tell(voice, text)


def motion_transition_apply(*, obj: Motion, action: str, actor: Actor, **options: Any) -> Motion:
    """A step of the motions workflow (``MOTION_TRANSITIONS``); the resident whose voice became the
    item hears of it."""
    fresh = transition_apply(table=MOTION_TRANSITIONS, obj=obj, action=action, actor=actor, **options)
    resident_tell(fresh, action)
    return fresh
