"""Pages of the motions app, one module per kind of page; ``urls.py`` reads them from here.

Every action posts to ``detail.act``, which calls exactly one service (the runners in ``actions``).

- ``lists``: the staff list with search and filters, and its xlsx export
- ``drafting``: a new draft (optionally adopting a voice), answering a co-signing invitation
- ``actions``: the action forms a user may use on a motion now
- ``detail``: a motion's page, the action endpoint, the reply letter and the handling report
- ``dashboard``: the leaders' and offices' dashboard
- ``public``: disclosed replies for everyone
- ``outcome``: the resident rates what became of their voice
"""

from minsheng.motions.views.actions import available_actions
from minsheng.motions.views.dashboard import dashboard
from minsheng.motions.views.detail import act, handling_report, motion_detail_page, reply_letter
from minsheng.motions.views.drafting import motion_new, sign
from minsheng.motions.views.lists import motion_export, motion_list
from minsheng.motions.views.outcome import voice_outcome_rate
from minsheng.motions.views.public import public_detail, public_list

__all__ = [
    "act",
    "available_actions",
    "dashboard",
    "handling_report",
    "motion_detail_page",
    "motion_export",
    "motion_list",
    "motion_new",
    "public_detail",
    "public_list",
    "reply_letter",
    "sign",
    "voice_outcome_rate",
]
