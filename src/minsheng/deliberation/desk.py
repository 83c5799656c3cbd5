"""The deliberation block on the signed-in user's home: the topics they run, with the moderation queue."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest

from minsheng.deliberation.models import StatementStatus, TopicStatus
from minsheng.deliberation.selectors import topics_visible_to
from minsheng.web.views import DeskPanel


def panels(request: HttpRequest) -> list[DeskPanel]:
    user = request.user
    if not user.has_perm("deliberation.change_topic"):
        return []
    topics = list(
        topics_visible_to(user)
        .exclude(status__in=[TopicStatus.CONCLUDED, TopicStatus.REJECTED])
        .annotate(pending_count=Count("statements", filter=Q(statements__status=StatementStatus.PENDING)))[
            :20
        ]
    )
    return [DeskPanel(template="deliberation/_desk.html", context={"topics": topics})] if topics else []
