"""Who may do what in legislative consultation, as django-rules predicates: `legislation.<verb>_<model>`.

- Staff of the legislative contact point (membership role staff or station_staff in the Body of kind
  legislative_contact_point that holds the task), or an administrator, run tasks: every step,
  versions, meetings, sorting, the report, adoption.
- Anyone may comment while a task is open for comment; the service also requires the commenter to be
  signed in or to have verified a mobile number (a session fact, not a user fact).
- The public reads tasks from the moment they open for comment; staff read them from the start.
"""

from __future__ import annotations

import contextlib
from typing import Any

import rules
from django.utils import timezone

from minsheng.legislation.models import PUBLIC_STATUSES, ConsultationTask, Opinion, ReportEntry, TaskStatus
from minsheng.org.models import BodyKind, Membership, Role
from minsheng.org.rules import has_admin_role
from minsheng.org.selectors import today

CONTACT_POINT_ROLES = (Role.STAFF, Role.STATION_STAFF)


def contact_points_staffed_by(user: Any) -> set[int]:
    """The ids of the contact points where ``user`` works today (cached on the user object)."""
    cached = getattr(user, "_legislation_contact_points", None)
    if cached is not None:
        return cached
    person_id = getattr(user, "person_id", None)
    ids: set[int] = set()
    if person_id is not None and getattr(user, "is_authenticated", False):
        ids = set(
            Membership.objects.active_on(today())
            .filter(
                person_id=person_id,
                role__in=CONTACT_POINT_ROLES,
                body__kind=BodyKind.LEGISLATIVE_CONTACT_POINT,
            )
            .values_list("body_id", flat=True)
        )
    with contextlib.suppress(AttributeError):  # cached for the rest of the request
        user._legislation_contact_points = ids
    return ids


def _task_of(obj: Any) -> ConsultationTask | None:
    if isinstance(obj, ConsultationTask):
        return obj
    if isinstance(obj, Opinion | ReportEntry):
        return obj.task
    return None


@rules.predicate
def is_contact_point_staff(user: Any, obj: Any = None) -> bool:
    """Staff of the contact point of this task; without a task, staff of any contact point."""
    points = contact_points_staffed_by(user)
    task = _task_of(obj)
    return bool(points) if task is None else task.contact_point_id in points


@rules.predicate
def is_task_public(user: Any, obj: Any = None) -> bool:
    task = _task_of(obj)
    return task is not None and task.status in PUBLIC_STATUSES


@rules.predicate
def is_open_for_comment(user: Any, obj: Any = None) -> bool:
    """In the consulting step and not past the comment deadline (the deadline is the rule's, stored)."""
    task = _task_of(obj)
    return (
        task is not None
        and task.status == TaskStatus.CONSULTING
        and timezone.localdate() <= task.comment_deadline
    )


@rules.predicate
def is_own_opinion(user: Any, obj: Any = None) -> bool:
    return (
        isinstance(obj, Opinion) and obj.author_id is not None and obj.author_id == getattr(user, "pk", None)
    )


runs_tasks = is_contact_point_staff | has_admin_role

rules.add_perm("legislation.add_consultationtask", runs_tasks)
rules.add_perm("legislation.change_consultationtask", runs_tasks)
rules.add_perm("legislation.view_consultationtask", is_task_public | runs_tasks)
rules.add_perm("legislation.add_opinion", is_open_for_comment)
rules.add_perm("legislation.view_opinion", is_own_opinion | runs_tasks)
rules.add_perm("legislation.view_contact_opinion", runs_tasks)  # names and verified phones
rules.add_perm("legislation.change_opinion", runs_tasks)  # sorting
rules.add_perm("legislation.add_meeting", runs_tasks)
rules.add_perm("legislation.change_reportentry", runs_tasks)
rules.add_perm("legislation.view_statistics", rules.always_allow)
