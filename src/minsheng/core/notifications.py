"""In-app notifications, also sent through the message backend once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from minsheng.core.messaging import message_send
from minsheng.core.models import Notification


def notify(
    *, users: Iterable[Any], text: str, link: str = "", send_message: bool = False
) -> list[Notification]:
    """Leave a notice for each user; with ``send_message`` also text their phone after commit."""
    recipients = [user for user in users if user is not None]
    notices = Notification.objects.bulk_create(
        [Notification(user=user, text=text[:500], link=link[:300]) for user in recipients]
    )
    if send_message:
        addresses = [getattr(user, "phone", None) or getattr(user, "email", "") for user in recipients]
        body = f"{text}\n{link}".strip()
        for address in filter(None, addresses):
            transaction.on_commit(partial(message_send, to=address, subject=text[:60], body=body))
    return notices


def notifications_unread(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by("-created_at", "-id")
