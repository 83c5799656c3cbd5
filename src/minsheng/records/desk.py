"""The records block of the role home (/me/): the first items of my duties and links to the record."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.records import selectors
from minsheng.web.views import DeskPanel

ROWS = 5


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not user.is_authenticated:
        return []
    result: list[DeskPanel] = []
    person_id = getattr(user, "person_id", None)
    if person_id and selectors.representative(person_id) is not None:
        items = selectors.inbox_for(user)
        result.append(
            DeskPanel(
                template="records/_desk.html",
                context={"items": items[:ROWS], "more": max(0, len(items) - ROWS), "person_id": person_id},
            )
        )
    if user.has_perm("records.manage_records"):
        result.append(DeskPanel(template="records/_desk_staff.html", context={}))
    return result
