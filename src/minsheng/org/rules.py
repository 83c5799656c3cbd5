"""Permissions of the org app, as django-rules predicates: `org.<verb>_<model>`."""

from __future__ import annotations

import rules

from minsheng.org.models import Role
from minsheng.org.selectors import memberships_of


def _roles(user: object) -> set[str]:
    # From the memberships loaded once per user object (every page's menu asks these predicates).
    return {membership.role for membership in memberships_of(user)}


@rules.predicate
def has_admin_role(user: object) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.ADMIN in _roles(user)


@rules.predicate
def is_signed_in(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def has_staff_role(user: object) -> bool:
    return bool({Role.STAFF, Role.STATION_STAFF, Role.ADMIN} & _roles(user))


# Public directory data: anyone may read it; private contact data only administrators and staff.
rules.add_perm("org.view_person", rules.always_allow)
rules.add_perm("org.view_contact_person", has_admin_role | has_staff_role)
rules.add_perm("org.change_jurisdiction", has_admin_role)
rules.add_perm("org.change_body", has_admin_role)
rules.add_perm("org.change_unit", has_admin_role)
rules.add_perm("org.change_membership", has_admin_role)
rules.add_perm("org.view_token", is_signed_in)
# The working-day calendar lives in core, which knows no roles: administrators load holiday schedules.
rules.add_perm("core.load_holidayschedule", has_admin_role)
