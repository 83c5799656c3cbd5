"""What every deliberation page needs: the topic the user may see, the session's participant."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from minsheng.deliberation import selectors
from minsheng.deliberation.api import SESSION_TOKENS
from minsheng.deliberation.models import Participant, Topic

VERIFY_PURPOSE = "deliberation"
RECEIPT_SESSION_KEY = "deliberation_receipt"


def topic_or_404(request: HttpRequest, pk: int) -> Topic:
    topic = selectors.topic_detail(request.user, pk)
    if topic is None:
        raise Http404
    return topic


def session_participant(request: HttpRequest, topic: Topic) -> Participant | None:
    token = request.session.get(SESSION_TOKENS, {}).get(str(topic.pk), "")
    return selectors.participant_for(topic, user=request.user, token=token)


def remember_token(request: HttpRequest, topic: Topic, token: str) -> None:
    tokens = dict(request.session.get(SESSION_TOKENS, {}))
    tokens[str(topic.pk)] = token
    request.session[SESSION_TOKENS] = tokens
