"""The legislation block on the signed-in user's home (/me/)."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.legislation.models import Opinion
from minsheng.legislation.rules import contact_points_staffed_by
from minsheng.legislation.selectors import tasks_for_staff
from minsheng.org.rules import has_admin_role
from minsheng.web.views import DeskPanel

DESK_TASKS = 5


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not user.is_authenticated:
        return []
    tasks = []
    if contact_points_staffed_by(user) or has_admin_role(user):
        tasks = list(tasks_for_staff(user)[:DESK_TASKS])
    opinions = Opinion.objects.filter(author=user).count()
    if not tasks and not opinions:
        return []
    return [DeskPanel(template="legislation/_desk.html", context={"tasks": tasks, "opinions": opinions})]
