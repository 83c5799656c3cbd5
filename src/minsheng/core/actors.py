"""Who performs a change: the types every service's ``actor`` parameter uses.

``Actor`` is whoever acts through the site or the API: a signed-in account, or an anonymous visitor
(``request.user`` as Django gives it; rules predicates answer ``False`` for the anonymous one).
``ActorOrSystem`` adds ``None``: the platform itself (a background task, the command line); only
writers that have no permission to check accept it (``event_record``, reminders, analyses).

The account model lives in ``org``; core names it for the type checker only, so that nothing in
core imports an app when the program runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser

from minsheng.core.errors import PermissionDeniedError

if TYPE_CHECKING:
    from minsheng.org.models import User

Actor: TypeAlias = "User | AnonymousUser"
ActorOrSystem: TypeAlias = "User | AnonymousUser | None"


def account_or_none(actor: ActorOrSystem) -> User | None:
    """The signed-in account behind ``actor``; ``None`` for an anonymous visitor or the system."""
    if actor is None or isinstance(actor, AnonymousUser):
        return None
    return actor


def account_required(actor: ActorOrSystem) -> User:
    """The signed-in account behind ``actor``, for rows that record who wrote them.

    Services call it after their permission check (which no anonymous visitor passes), so it never
    refuses in practice; if it did, the refusal is a ``PermissionDeniedError``, not a broken row.
    """
    account = account_or_none(actor)
    if account is None:
        raise PermissionDeniedError()
    return account
