"""Every role of the demo, for the permission matrices of every app.

The org demo's accounts (admin, leader, staff, cppcc_staff, deputy, member, handler, station), the
accounts other demos add (``lawstaff`` of the legislative contact point, ``jumin`` a resident with an
account, ``cppcc_staff``'s seat in the CPPCC committee that runs consultations) and a visitor who is
not signed in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from tests.conftest import demo_seed_once

DEMO_ACCOUNTS = (
    "admin",
    "leader",
    "staff",
    "cppcc_staff",
    "deputy",
    "member",
    "handler",
    "station",
    "lawstaff",
    "jumin",
)
DEMO_ROLES = ("anonymous", *DEMO_ACCOUNTS)


def demo_roles_seed() -> None:
    """The demo district and every demo account (idempotent: call it from a session fixture)."""
    from minsheng.deliberation.demo import accounts_seed as deliberation_accounts
    from minsheng.legislation.demo import accounts_seed as legislation_accounts

    demo_seed_once()
    legislation_accounts()
    deliberation_accounts()


def demo_user(role: str) -> Any:
    """A fresh user object for ``role`` (its cached memberships start empty), or an anonymous visitor."""
    from minsheng.org.models import User

    if role == "anonymous":
        return AnonymousUser()
    return User.objects.select_related("person").get(username=role)
