"""Template filters of the motions pages: timeline verbs and states in words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from minsheng.motions.models import AssignmentStatus, MotionStatus

register = template.Library()

VERBS = {
    "create": _("drafted"),
    "edit": _("edited the draft"),
    "invite": _("invited co-signers"),
    "accept": _("accepted the invitation to co-sign"),
    "cosign": _("co-signed"),
    "cosign_decline": _("declined to co-sign"),
    "submit": _("submitted"),
    "withdraw": _("withdrew"),
    "file": _("filed"),
    "decline": _("did not file"),
    "forward": _("forwarded the content"),
    "merge": _("merged into another item"),
    "merge_in": _("took in a merged item"),
    "convert": _("converted into a suggestion"),
    "put_on_agenda": _("put on a meeting's agenda"),
    "refer": _("referred to a special committee"),
    "assign": _("assigned"),
    "reassign": _("gave a returned part to another unit"),
    "replies_complete": _("all replies received"),
    "review_category": _("reviewed the category"),
    "disclose": _("decided the public disclosure"),
    "rate": _("rated the reply"),
    "rehandle": _("sent back for re-handling"),
    "follow_up": _("followed until solved"),
    "close": _("closed"),
    "supervise": _("chose as a key item"),
    "adopt_voice": _("adopted from a voice"),
    "hand_over": _("drafted from a consultation outcome and handed over"),
    "remind": _("reminder sent"),
    "remind_disclosure": _("reminded to decide on public disclosure"),
    "remind_consultation": _("reminded to consult the proposers"),
    "consult": _("consulted the proposers"),
    "demo_backdate": _("demo data: dates moved back"),
    "assigned": _("part assigned to the unit"),
    "reopen": _("reopened for the unit"),
    "extend": _("deadline extended"),
    "request_extension": _("asked for more time"),
    "return": _("returned as misassigned"),
    "send_views": _("sent views to the lead unit"),
    "reply": _("replied"),
}
STATES = {**dict(MotionStatus.choices), **dict(AssignmentStatus.choices)}


@register.filter
def verb_label(verb: str) -> str:
    return str(VERBS.get(verb, verb))


@register.filter
def state_label(state: str) -> str:
    return str(STATES.get(state, state))
