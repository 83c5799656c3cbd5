"""Every write of the motions app, one module per stage; import from here (``from minsheng.motions
import services``). Statuses change only through the transition tables in ``workflow``.

- ``workflow``: the state machines and the state groups views and templates share
- ``common``: who to tell (office staff, unit handlers, proposers), links, the search index
- ``drafting``: drafts, co-signing, submission, withdrawal, adopting a voice
- ``filing``: filing review — file, decline (and forward), merge, convert
- ``assignment``: assignment to units, returns, reassignment, co-unit views, extensions
- ``replies``: replies, category review, disclosure, ratings and what follows them
- ``supervision``: key supervision by a leader

An action whose rule is more than its transition-table row has one guard, ``can_<verb>(user, obj)``,
beside its service (``core.transitions.guard``); the service checks it and the pages ask it, so the
forms a page offers are exactly what the services allow.
"""

from minsheng.motions.services.assignment import (
    CONSULTATION_RULE,
    assignment_consult,
    assignment_extend,
    assignment_extension_request,
    assignment_return,
    assignment_send_views,
    can_consult,
    can_extend,
    can_reassign,
    can_request_extension,
    can_return,
    can_send_views,
    motion_assign,
    motion_reassign,
)
from minsheng.motions.services.common import (
    KIND_PREFIX,
    REASON_MAX_LENGTH,
    cn_day,
    handling_refusal,
    motion_get,
    motion_index,
    motion_link,
    motion_transition_apply,
    notify_later,
    office_staff,
    proposer_users,
    reason_checked,
    unit_handlers,
    users_of,
)
from minsheng.motions.services.drafting import (
    MAX_INVITEES,
    accepted_deputy_signatures,
    can_edit,
    can_invite,
    motion_create,
    motion_create_from_voice,
    motion_draft_for,
    motion_invite,
    motion_submit,
    motion_update,
    motion_withdraw,
    signature_respond,
)
from minsheng.motions.services.filing import (
    FORWARD_CHOICES,
    can_convert,
    motion_convert,
    motion_decline,
    motion_file,
    motion_merge,
)
from minsheng.motions.services.replies import (
    assignment_reply,
    can_disclose,
    can_rate,
    can_reply,
    can_review_category,
    motion_rate,
    motion_resident_rate,
    reply_disclose,
    reply_review,
)
from minsheng.motions.services.supervision import (
    can_supervise,
    key_supervision_of,
    motion_supervise,
)
from minsheng.motions.services.workflow import (
    ASSIGNMENT_TRANSITIONS,
    AWAITING_ASSIGNMENT_STATES,
    DISCLOSABLE_STATES,
    HANDLING_STATES,
    MOTION_TRANSITIONS,
    SIGNATURE_TRANSITIONS,
    SUPERVISE_CLOSED_STATES,
)

__all__ = [
    "ASSIGNMENT_TRANSITIONS",
    "AWAITING_ASSIGNMENT_STATES",
    "CONSULTATION_RULE",
    "DISCLOSABLE_STATES",
    "FORWARD_CHOICES",
    "HANDLING_STATES",
    "KIND_PREFIX",
    "MAX_INVITEES",
    "MOTION_TRANSITIONS",
    "REASON_MAX_LENGTH",
    "SIGNATURE_TRANSITIONS",
    "SUPERVISE_CLOSED_STATES",
    "accepted_deputy_signatures",
    "assignment_consult",
    "assignment_extend",
    "assignment_extension_request",
    "assignment_reply",
    "assignment_return",
    "assignment_send_views",
    "can_consult",
    "can_convert",
    "can_disclose",
    "can_edit",
    "can_extend",
    "can_invite",
    "can_rate",
    "can_reassign",
    "can_reply",
    "can_request_extension",
    "can_return",
    "can_review_category",
    "can_send_views",
    "can_supervise",
    "cn_day",
    "handling_refusal",
    "key_supervision_of",
    "motion_assign",
    "motion_convert",
    "motion_create",
    "motion_create_from_voice",
    "motion_decline",
    "motion_draft_for",
    "motion_file",
    "motion_get",
    "motion_index",
    "motion_invite",
    "motion_link",
    "motion_merge",
    "motion_rate",
    "motion_reassign",
    "motion_resident_rate",
    "motion_submit",
    "motion_supervise",
    "motion_transition_apply",
    "motion_update",
    "motion_withdraw",
    "notify_later",
    "office_staff",
    "proposer_users",
    "reason_checked",
    "reply_disclose",
    "reply_review",
    "signature_respond",
    "unit_handlers",
    "users_of",
]
