"""Blocks of the role home (/me/): a deputy's or member's items and ratings, a unit's deadlines,
the offices' queues and the leaders' figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.motions.rules import handler_unit_ids, is_any_office_staff, is_leader, roles
from minsheng.motions.selectors import (
    assignment_queue,
    assignments_for_handler,
    awaiting_rating,
    consultations_due,
    dashboard_for,
    disclosure_queue,
    extension_requests,
    invitations_for,
    my_motions,
    returned_assignments,
    review_queue,
)
from minsheng.org.models import Role
from minsheng.org.selectors import today
from minsheng.web.views import DeskPanel

TEMPLATE = "motions/_desk.html"
ROWS = 10


@dataclass(frozen=True)
class Row:
    pk: int
    title: str
    note: str = ""
    overdue: bool = False


def _day(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _disclose_note(reply: Any) -> str:
    if reply.disclose_by is None:
        return str(reply.assignment.unit.name)
    unit, day = reply.assignment.unit.name, _day(reply.disclose_by)
    return _("%(unit)s · decide by %(day)s") % {"unit": unit, "day": day}


def _links(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"label": label, "url": url} for label, url in pairs]


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    held = roles(user)
    result: list[DeskPanel] = []
    if {Role.DEPUTY, Role.CPPCC_MEMBER} & held:
        mine = [Row(m.pk, m.title, m.get_status_display()) for m in my_motions(user)[:ROWS]]
        rating = [Row(m.pk, m.title, _("awaiting your rating")) for m in awaiting_rating(user)]
        invited = [
            Row(s.motion_id, s.motion.title, _("answer by %(day)s") % {"day": _day(s.answer_by)})
            for s in invitations_for(user)[:ROWS]
        ]
        result.append(
            DeskPanel(
                template=TEMPLATE,
                context={
                    "kind": "representative",
                    "title": _("My suggestions and proposals"),
                    "sections": [
                        {"title": _("Awaiting my rating"), "rows": rating},
                        {"title": _("Invitations to co-sign"), "rows": invited},
                        {"title": _("My items"), "rows": mine},
                    ],
                    "links": _links(
                        (_("Draft a new item"), reverse("motions:new")),
                        (_("All my items"), reverse("motions:list")),
                    ),
                },
            )
        )
    if handler_unit_ids(user):
        day = today()
        rows = [
            Row(
                a.motion_id,
                a.motion.title,
                _("%(unit)s · %(role)s · due %(day)s")
                % {"unit": a.unit.name, "role": a.get_role_display(), "day": _day(a.due)},
                overdue=a.due < day,
            )
            for a in assignments_for_handler(user)[:50]
        ]
        consult = [
            Row(
                a.motion_id,
                a.motion.title,
                _("consult the proposers by %(day)s") % {"day": _day(a.consult_by)},
                overdue=a.consult_by is not None and a.consult_by < day,
            )
            for a in consultations_due(user)[:ROWS]
        ]
        result.append(
            DeskPanel(
                template=TEMPLATE,
                context={
                    "kind": "unit",
                    "title": _("Items assigned to my unit"),
                    "sections": [
                        {"title": _("By deadline"), "rows": rows},
                        {"title": _("Consultations with the proposers"), "rows": consult},
                    ],
                    "links": _links((_("Search items"), reverse("motions:list"))),
                },
            )
        )
    if is_any_office_staff(user):
        sections = [
            {
                "title": _("Filing review"),
                "rows": [Row(m.pk, m.title, m.lead_signer.name) for m in review_queue(user)[:ROWS]],
            },
            {
                "title": _("To assign"),
                "rows": [
                    Row(
                        m.pk,
                        m.title,
                        _("assign by %(day)s") % {"day": _day(m.assign_due)},
                        overdue=bool(m.assign_due and m.assign_due < today()),
                    )
                    for m in assignment_queue(user)[:ROWS]
                ],
            },
            {
                "title": _("Returned by units"),
                "rows": [
                    Row(a.motion_id, a.motion.title, a.unit.name) for a in returned_assignments(user)[:ROWS]
                ],
            },
            {
                "title": _("Extension requests"),
                "rows": [
                    Row(
                        a.motion_id,
                        a.motion.title,
                        _("%(unit)s asks until %(day)s")
                        % {"unit": a.unit.name, "day": _day(a.extension_requested_to)},
                    )
                    for a in extension_requests(user)[:ROWS]
                ],
            },
            {
                "title": _("Replies to review and disclose"),
                "rows": [
                    Row(
                        r.motion_id,
                        r.motion.title,
                        _disclose_note(r),
                        overdue=bool(r.disclose_by and r.disclose_by < today()),
                    )
                    for r in disclosure_queue(user)[:ROWS]
                ],
            },
            {
                "title": _("Consultations overdue"),
                "rows": [
                    Row(
                        a.motion_id,
                        a.motion.title,
                        _("%(unit)s · due %(day)s") % {"unit": a.unit.name, "day": _day(a.consult_by)},
                        overdue=True,
                    )
                    for a in consultations_due(user, overdue_only=True)[:ROWS]
                ],
            },
        ]
        result.append(
            DeskPanel(
                template=TEMPLATE,
                context={
                    "kind": "office",
                    "title": _("Suggestion and proposal office"),
                    "sections": sections,
                    "links": _links(
                        (_("Search items"), reverse("motions:list")),
                        (_("Dashboard"), reverse("motions:dashboard")),
                    ),
                },
            )
        )
    if is_leader(user):
        board = dashboard_for(user)
        result.append(
            DeskPanel(
                template=TEMPLATE,
                context={
                    "kind": "leader",
                    "title": _("Suggestions and proposals at a glance"),
                    "board": board,
                    "sections": [
                        {
                            "title": _("Key items"),
                            "rows": [
                                Row(m.pk, m.title, m.get_status_display()) for m in board.key_items[:ROWS]
                            ],
                        }
                    ],
                    "links": [],
                },
            )
        )
    return result
