"""The motions workflow's state machines and the state groups services, views and templates share.

Motion:      draft → submitted → filed → assigned → replied → closed
                        ↘ declined / merged        ↘ rehandling → replied
   (bills)              ↘ referred → on_agenda (presidium or chair's meeting; or convert: a suggestion)
                                                   ↘ follow_up (B items) → replied
Assignment:  pending → views_sent (co-unit) | replied (lead/separate) | returned (misassigned)
"""

from __future__ import annotations

from minsheng.core.transitions import Transition, TransitionTable
from minsheng.motions.models import AssignmentStatus, MotionStatus, SignatureStatus

S = MotionStatus
A = AssignmentStatus

# ``in_person``: the lead signer's, a proposer's or a unit's own act, which no administrator does for
# them (core.transitions); the office's acts an administrator may take on.
MOTION_TRANSITIONS = TransitionTable(
    Transition("submit", {S.DRAFT}, S.SUBMITTED, "motions.submit_motion", in_person=True),
    Transition("withdraw", {S.DRAFT, S.SUBMITTED}, S.WITHDRAWN, "motions.withdraw_motion", in_person=True),
    Transition("file", {S.SUBMITTED}, S.FILED, "motions.review_motion"),
    Transition("decline", {S.SUBMITTED}, S.DECLINED, "motions.review_motion"),
    Transition("merge", {S.SUBMITTED, S.FILED}, S.MERGED, "motions.review_motion"),
    Transition("convert", {S.SUBMITTED, S.REFERRED}, S.SUBMITTED, "motions.review_motion"),
    Transition("put_on_agenda", {S.SUBMITTED, S.REFERRED}, S.ON_AGENDA, "motions.decide_bill"),
    Transition("refer", {S.SUBMITTED}, S.REFERRED, "motions.decide_bill"),
    Transition("assign", {S.FILED}, S.ASSIGNED, "motions.assign_motion"),
    Transition("reassign", {S.ASSIGNED}, S.ASSIGNED, "motions.assign_motion"),
    Transition(
        "replies_complete",
        {S.ASSIGNED, S.REHANDLING, S.FOLLOW_UP},
        S.REPLIED,
        "motions.reply_motion",
        in_person=True,
    ),
    Transition("review_category", {S.REPLIED}, S.REPLIED, "motions.review_motion"),
    Transition("rehandle", {S.REPLIED}, S.REHANDLING, "motions.rate_motion", in_person=True),
    Transition("follow_up", {S.REPLIED}, S.FOLLOW_UP, "motions.rate_motion", in_person=True),
    Transition("close", {S.REPLIED}, S.CLOSED, "motions.rate_motion", in_person=True),
)
ASSIGNMENT_TRANSITIONS = TransitionTable(
    Transition("return", {A.PENDING}, A.RETURNED, "motions.handle_assignment", in_person=True),
    Transition("send_views", {A.PENDING}, A.VIEWS_SENT, "motions.handle_assignment", in_person=True),
    Transition("reply", {A.PENDING}, A.REPLIED, "motions.handle_assignment", in_person=True),
    Transition("extend", {A.PENDING}, A.PENDING, "motions.extend_assignment"),
    Transition("reopen", {A.REPLIED}, A.PENDING, "motions.reopen_assignment", in_person=True),
)
INVITED = SignatureStatus.INVITED
SIGNATURE_TRANSITIONS = TransitionTable(
    Transition("accept", {INVITED}, SignatureStatus.ACCEPTED, "motions.sign_signature", in_person=True),
    Transition("decline", {INVITED}, SignatureStatus.DECLINED, "motions.sign_signature", in_person=True),
)

# Submitted or filed: the office owes an assignment by the item's assign-by date.
AWAITING_ASSIGNMENT_STATES = (S.SUBMITTED, S.FILED)
HANDLING_STATES = (S.ASSIGNED, S.REHANDLING, S.FOLLOW_UP)
DISCLOSABLE_STATES = (S.REPLIED, S.REHANDLING, S.FOLLOW_UP, S.CLOSED)
# A finished or never-started item cannot be put under key supervision.
SUPERVISE_CLOSED_STATES = (S.DRAFT, S.CLOSED, S.DECLINED, S.MERGED, S.WITHDRAWN)
