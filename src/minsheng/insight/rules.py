"""Permissions of the text-intelligence app, as django-rules predicates: ``insight.<verb>_<model>``.

- Staff of a (non-station) body and administrators train routing models and map categories to
  units; anyone who may forward a voice sees the suggestion beside the form (asked there).
- Hot issues of a jurisdiction: staff of a body whose jurisdiction covers it, leaders of the
  standing committee or the CPPCC, administrators. Handing an issue to a unit needs staff (and
  each voice's own forwarding rights, checked by the voices services).
"""

from __future__ import annotations

from typing import Any

import rules

from minsheng.org.models import LEADER_ROLES, Jurisdiction
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import memberships_of
from minsheng.voices.rules import is_body_staff, staff_jurisdiction_ids_of


def _jurisdiction_of(obj: Any) -> Jurisdiction | None:
    """Pages ask with the jurisdiction; the admin asks with a report (of one jurisdiction)."""
    return obj if obj is None or isinstance(obj, Jurisdiction) else obj.jurisdiction


def _jurisdiction_and_parents(jurisdiction: Any) -> set[int]:
    ids: set[int] = set()
    node = _jurisdiction_of(jurisdiction)
    while node is not None and node.pk not in ids:
        ids.add(node.pk)
        node = node.parent
    return ids


@rules.predicate
def is_staff_over(user: Any, jurisdiction: Any) -> bool:
    """Staff of a body whose jurisdiction is this one (or the report's) or above it."""
    if jurisdiction is None:
        return False
    return bool(staff_jurisdiction_ids_of(user) & _jurisdiction_and_parents(jurisdiction))


@rules.predicate
def is_leader_over(user: Any, jurisdiction: Any) -> bool:
    if jurisdiction is None:
        return False
    scope = _jurisdiction_and_parents(jurisdiction)
    return any(
        m.role in LEADER_ROLES and m.body is not None and m.body.jurisdiction_id in scope
        for m in memberships_of(user)
    )


def may_hold_hot_issue_roles(user: Any) -> bool:
    """Whether the user holds any role that ``insight.view_hotissuereport`` could grant for some
    jurisdiction (staff, a leader, an administrator): without one, no jurisdiction need be asked."""
    return bool(
        staff_jurisdiction_ids_of(user)
        or has_admin_role(user)
        or any(m.role in LEADER_ROLES for m in memberships_of(user))
    )


rules.add_perm("insight.train_routingmodel", is_body_staff | has_admin_role)
rules.add_perm("insight.view_routingmodel", is_body_staff | has_admin_role)
rules.add_perm("insight.view_hotissuereport", is_staff_over | is_leader_over | has_admin_role)
rules.add_perm("insight.forward_hotissuereport", is_staff_over | has_admin_role)
