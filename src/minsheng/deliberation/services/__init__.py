"""Writes of the deliberation app, one module per entity; import from here
(``from minsheng.deliberation import services``).

Every status change goes through a transition table in ``workflow`` and leaves an Event. The one exception is
the vote: ``vote_cast`` is the hot path (thousands per minute during a consultation), so it writes one
upserted ``Vote`` row with its time and no Event — the Event chain serialises every writer of the
platform, and a vote is a participant's opinion, not a change of a record's state. See
docs/benchmarks.md (deliberation section) for the measurement behind this choice.

Modules: ``workflow`` (transition tables, state groups, ``NotOpenError``), ``common`` (hashes,
throttles, permission checks), ``topics``, ``participants``, ``votes``, ``statements``, ``analysis``
(the opinion map), ``polis_import``, ``meetings``, ``outcomes``.
"""

from minsheng.deliberation.services.analysis import (
    ANALYSES_KEPT,
    ANALYSIS_MIN_INTERVAL,
    DIVISIVE_SHOWN,
    INCREMENTAL_MARGIN,
    analysis_cache_clear,
    analysis_compute,
    analysis_flag,
    analysis_request,
)
from minsheng.deliberation.services.common import (
    REASON_MAX_LENGTH,
    count_within_hour,
    phone_hash,
    refusal_unless_perm,
    require_perm,
    token_hash,
)
from minsheng.deliberation.services.meetings import (
    AttendeeIn,
    can_schedule_meeting,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
)
from minsheng.deliberation.services.outcomes import (
    can_add_outcome,
    outcome_add,
    outcome_complete,
    outcome_convert,
    outcome_progress,
)
from minsheng.deliberation.services.participants import (
    Joined,
    participant_by_token,
    participant_join,
)
from minsheng.deliberation.services.polis_import import (
    IMPORT_MAX_VOTES,
    conversation_import,
)
from minsheng.deliberation.services.statements import (
    STATEMENTS_PER_PARTICIPANT_PER_HOUR,
    statement_lookup,
    statement_moderate,
    statement_submit,
)
from minsheng.deliberation.services.topics import (
    PROPOSALS_PER_PHONE_PER_HOUR,
    SEEDS_MAX,
    TopicSetup,
    can_set_up,
    seeds_add,
    topic_accept,
    topic_close,
    topic_conclude,
    topic_open,
    topic_propose,
    topic_reject,
)
from minsheng.deliberation.services.votes import (
    vote_cast,
)
from minsheng.deliberation.services.workflow import (
    MEETING_STATES,
    MEETING_TRANSITIONS,
    OUTCOME_TRANSITIONS,
    SETUP_STATES,
    STATEMENT_TRANSITIONS,
    TOPIC_TRANSITIONS,
    NotOpenError,
)

__all__ = [
    "ANALYSES_KEPT",
    "ANALYSIS_MIN_INTERVAL",
    "DIVISIVE_SHOWN",
    "IMPORT_MAX_VOTES",
    "INCREMENTAL_MARGIN",
    "MEETING_STATES",
    "MEETING_TRANSITIONS",
    "OUTCOME_TRANSITIONS",
    "PROPOSALS_PER_PHONE_PER_HOUR",
    "REASON_MAX_LENGTH",
    "SEEDS_MAX",
    "SETUP_STATES",
    "STATEMENTS_PER_PARTICIPANT_PER_HOUR",
    "STATEMENT_TRANSITIONS",
    "TOPIC_TRANSITIONS",
    "AttendeeIn",
    "Joined",
    "NotOpenError",
    "TopicSetup",
    "analysis_cache_clear",
    "analysis_compute",
    "analysis_flag",
    "analysis_request",
    "can_add_outcome",
    "can_schedule_meeting",
    "can_set_up",
    "conversation_import",
    "count_within_hour",
    "meeting_cancel",
    "meeting_hold",
    "meeting_schedule",
    "outcome_add",
    "outcome_complete",
    "outcome_convert",
    "outcome_progress",
    "participant_by_token",
    "participant_join",
    "phone_hash",
    "refusal_unless_perm",
    "require_perm",
    "seeds_add",
    "statement_lookup",
    "statement_moderate",
    "statement_submit",
    "token_hash",
    "topic_accept",
    "topic_close",
    "topic_conclude",
    "topic_open",
    "topic_propose",
    "topic_reject",
    "vote_cast",
]
