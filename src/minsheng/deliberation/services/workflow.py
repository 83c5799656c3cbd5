"""The deliberation workflows' state machines, the state groups that allow set-up, meetings and
outcomes, and the error for an action the topic's or meeting's state refuses."""

from __future__ import annotations

from minsheng.core.errors import DomainError, InvalidTransitionError
from minsheng.core.transitions import Transition, TransitionTable
from minsheng.deliberation.models import MeetingStatus, OutcomeStatus, StatementStatus, TopicStatus

T = TopicStatus
S = StatementStatus

TOPIC_TRANSITIONS = TransitionTable(
    Transition("accept", sources={T.PROPOSED}, target=T.ACCEPTED, permission="deliberation.accept_topic"),
    Transition("reject", sources={T.PROPOSED}, target=T.REJECTED, permission="deliberation.reject_topic"),
    Transition("open", sources={T.ACCEPTED}, target=T.OPEN, permission="deliberation.open_topic"),
    Transition("close", sources={T.OPEN}, target=T.CLOSED, permission="deliberation.close_topic"),
    Transition("conclude", sources={T.CLOSED}, target=T.CONCLUDED, permission="deliberation.conclude_topic"),
)

STATEMENT_TRANSITIONS = TransitionTable(
    Transition(
        "publish", sources={S.PENDING}, target=S.PUBLISHED, permission="deliberation.moderate_statement"
    ),
    Transition(
        "moderate_out",
        sources={S.PENDING, S.PUBLISHED},
        target=S.REJECTED,
        permission="deliberation.moderate_statement",
    ),
    Transition(
        "restore", sources={S.REJECTED}, target=S.PUBLISHED, permission="deliberation.moderate_statement"
    ),
)

MEETING_TRANSITIONS = TransitionTable(
    Transition(
        "hold",
        sources={MeetingStatus.SCHEDULED},
        target=MeetingStatus.HELD,
        permission="deliberation.hold_meeting",
    ),
    Transition(
        "cancel",
        sources={MeetingStatus.SCHEDULED},
        target=MeetingStatus.CANCELLED,
        permission="deliberation.cancel_meeting",
    ),
)

OS = OutcomeStatus
OUTCOME_TRANSITIONS = TransitionTable(
    Transition(
        "progress",
        sources={OS.AGREED, OS.IN_PROGRESS},
        target=OS.IN_PROGRESS,
        permission="deliberation.progress_outcome",
    ),
    Transition(
        "complete",
        sources={OS.AGREED, OS.IN_PROGRESS},
        target=OS.DONE,
        permission="deliberation.complete_outcome",
    ),
)

# States in which a topic may still be set up, hold a meeting, take outcomes.
SETUP_STATES = {T.ACCEPTED, T.OPEN}
MEETING_STATES = {T.ACCEPTED, T.OPEN, T.CLOSED}


class NotOpenError(InvalidTransitionError):
    """An action refused because of the topic's or meeting's state, said in plain words."""

    def __init__(self, message: str, *, action: str, state: str) -> None:
        DomainError.__init__(self, message)
        self.action = action
        self.state = str(state)
