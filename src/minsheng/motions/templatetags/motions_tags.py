"""Template filters of the motions pages: timeline verbs and states in words, and the staff list's
rows."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.motions.models import AssignmentStatus, MotionStatus
from minsheng.web.templatetags.site_tags import highlight, item_url_maker

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


@register.simple_tag
def motion_list_rows(rows: Iterable[Any], search_query: str) -> SafeString:
    """The staff list's table rows (``selectors.motions_rows``) in Python: through the template engine
    each row cost ~0.25 ms, a quarter of the page's time at 20 rows. Every value is escaped with the
    standard library's ``html.escape`` (what Django's ``escape`` calls); the column names label each
    cell for the phone layout; the units are the live parts (returned ones left out)."""
    number, title, signer, status, units = (
        html.escape(gettext(label)) for label in ("Number", "Title", "Lead signer", "Status", "Units")
    )
    key_mark = f' <span class="count">{html.escape(gettext("key"))}</span>'
    detail_url = item_url_maker("motions:detail")
    out = []
    for motion in rows:
        parts = "、".join(
            f"{part.unit_name}（{part.role_label}）"
            for part in motion.parts
            if part.status != AssignmentStatus.RETURNED
        )
        url = detail_url(motion.pk)
        shown_title = highlight(motion.title, search_query)
        out.append(
            f'<tr><td data-label="{number}">{html.escape(motion.number or "—")} '
            f'<span class="muted">{html.escape(str(motion.kind_label))}</span></td>'
            f'<td data-label="{title}"><a href="{url}">{shown_title}</a>'
            f"{key_mark if motion.is_key else ''}</td>"
            f'<td data-label="{signer}">{html.escape(motion.lead_signer_name)}</td>'
            f'<td data-label="{status}">{html.escape(str(motion.status_label))}</td>'
            f'<td data-label="{units}">{html.escape(parts)}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above
