"""Pages of the deliberation app, one module per audience; ``urls.py`` reads them from here.

They read through selectors, write through services, hold no workflow.

- ``common``: the topic the user may see, the participant kept in the session
- ``topics``: the public list, proposing a topic, verifying a phone, a topic's page
- ``participation``: joining, voting, writing a statement, the live opinion map
- ``reports``: the report page and its downloads
- ``manage``: the staff desk of a topic
"""

from minsheng.deliberation.views.manage import manage, manage_act, outcome_progress
from minsheng.deliberation.views.participation import (
    lookup,
    map_partial,
    receipt,
    statement_write,
    topic_join,
    vote,
)
from minsheng.deliberation.views.reports import (
    export_comments,
    export_docx,
    export_map_png,
    export_votes,
    report,
)
from minsheng.deliberation.views.topics import topic_detail, topic_list, topic_propose

__all__ = [
    "export_comments",
    "export_docx",
    "export_map_png",
    "export_votes",
    "lookup",
    "manage",
    "manage_act",
    "map_partial",
    "outcome_progress",
    "receipt",
    "report",
    "statement_write",
    "topic_detail",
    "topic_join",
    "topic_list",
    "topic_propose",
    "vote",
]
