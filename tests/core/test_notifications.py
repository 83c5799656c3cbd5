"""In-app notifications, with an optional message after commit."""

from __future__ import annotations

import pytest

from minsheng.core import messaging
from minsheng.core.notifications import notifications_unread, notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_leaves_an_unread_notice(django_capture_on_commit_callbacks):
    messaging.outbox_clear()
    user = UserFactory(phone="13900001111")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user, None], text="您的建议已答复", link="/motions/1/", send_message=True)
    assert [n.text for n in notifications_unread(user)] == ["您的建议已答复"]
    assert [m.to for m in messaging.outbox] == ["13900001111"]


def test_no_message_before_commit(django_capture_on_commit_callbacks):
    messaging.outbox_clear()
    user = UserFactory(phone="13900002222")
    with django_capture_on_commit_callbacks(execute=False):
        notify(users=[user], text="提醒", send_message=True)
    assert messaging.outbox == []
