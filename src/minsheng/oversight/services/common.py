"""Helpers every oversight service shares: typed text, people to tell, dates the Chinese way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.notifications import notify
from minsheng.core.text import plain_text_checked
from minsheng.org.models import Body, BodyKind, Jurisdiction, Membership, Role, Unit, User
from minsheng.org.selectors import today
from minsheng.oversight.models import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH


def cn_day(day: dt.date) -> str:
    """A date as Chinese documents write it, whatever the interface language (2025年3月1日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def title_checked(value: str, *, field: str = "title", label: str | Promise | None = None) -> str:
    return plain_text_checked(value, field=field, label=label or _("The title"), max_length=TITLE_MAX_LENGTH)


def text_checked(
    value: str, *, field: str = "text", label: str | Promise | None = None, required: bool = True
) -> str:
    return plain_text_checked(
        value, field=field, label=label or _("The text"), max_length=TEXT_MAX_LENGTH, required=required
    )


def note_checked(
    value: str, *, field: str = "reason", label: str | Promise | None = None, required: bool = True
) -> str:
    return plain_text_checked(
        value, field=field, label=label or _("The reason"), max_length=NOTE_MAX_LENGTH, required=required
    )


def require(actor: Actor, permission: str, obj: Any = None) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDeniedError()


def not_in_future(day: dt.date, *, field: str) -> None:
    if day > today():
        raise ValidationFailedError(_("This date is in the future."), field=field)


def units_in_place_checked(
    jurisdiction: Jurisdiction, units: Sequence[Unit], *, field: str = "units"
) -> None:
    """Units of the jurisdiction itself or of its townships; each once."""
    places = {jurisdiction.pk, *jurisdiction.children.values_list("pk", flat=True)}
    outside = [u.name for u in units if u.jurisdiction_id not in places]
    if outside:
        raise ValidationFailedError(
            _("These units are outside the jurisdiction: %(names)s.") % {"names": "、".join(outside)},
            field=field,
        )
    if len({u.pk for u in units}) != len(units):
        raise ValidationFailedError(_("A unit appears twice."), field=field)


def users_of_people(person_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True))


def unit_handlers(unit_ids: Iterable[int]) -> list[User]:
    people = Membership.objects.active_on(today()).filter(role=Role.HANDLER, unit_id__in=list(unit_ids))
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def organs_condition(body: Body) -> Q:
    """The supervising body and its organs (working bodies, special committees; for the standing
    committee also the congress's special committees)."""
    condition = Q(pk=body.pk) | Q(parent_id=body.pk)
    if body.kind == BodyKind.STANDING_COMMITTEE and body.parent_id:
        condition |= Q(parent_id=body.parent_id, kind=BodyKind.SPECIAL_COMMITTEE)
    return condition


def body_staff(body_id: int) -> list[User]:
    """Staff of a supervising body's organs (they are told of reports to review, overdue items)."""
    body = Body.objects.filter(pk=body_id).first()
    if body is None:
        return []
    organs = Body.objects.filter(organs_condition(body)).values("pk")
    people = Membership.objects.active_on(today()).filter(role=Role.STAFF, body_id__in=organs)
    return list(User.objects.filter(person__in=people.values("person_id"), is_active=True))


def notify_later(users: Sequence[User], text: str, link: str, *, send_message: bool = False) -> None:
    """Tell people once the change is committed (never about a change that was rolled back)."""
    if users:
        transaction.on_commit(
            partial(notify, users=list(users), text=text, link=link, send_message=send_message)
        )
