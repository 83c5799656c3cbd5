"""A tiny workflow for testing the transition helper against a real table.

The model's app label is not an installed app, so ``makemigrations`` never sees it; the table is
created by the ``ticket_table`` fixture with the schema editor for the test module, then dropped.
"""

from __future__ import annotations

import rules
from django.conf import settings
from django.db import models

from minsheng.core.transitions import Transition, TransitionTable


class TicketStatus(models.TextChoices):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ARCHIVED = "archived"


class Ticket(models.Model):
    title = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.DRAFT)
    note = models.CharField(max_length=100, blank=True, default="")
    # No database-level constraint: a foreign key into org_user from a table Django's flush does not
    # know would make PostgreSQL refuse to TRUNCATE users after transactional tests.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: models.Manager[Ticket] = models.Manager()

    class Meta:
        app_label = "core_tests"

    def __str__(self) -> str:
        return self.title


@rules.predicate
def is_author(user, ticket) -> bool:
    return ticket is not None and ticket.author_id == user.pk


@rules.predicate
def is_reviewer(user) -> bool:
    return bool(user.is_staff)


rules.set_perm("core_tests.submit_ticket", is_author)
rules.set_perm("core_tests.review_ticket", is_reviewer)
rules.set_perm("core_tests.archive_ticket", is_author | is_reviewer)

TICKET_TRANSITIONS = TransitionTable(
    Transition("submit", {TicketStatus.DRAFT}, TicketStatus.SUBMITTED, "core_tests.submit_ticket"),
    Transition("accept", {TicketStatus.SUBMITTED}, TicketStatus.ACCEPTED, "core_tests.review_ticket"),
    Transition("reject", {TicketStatus.SUBMITTED}, TicketStatus.DRAFT, "core_tests.review_ticket"),
    Transition(
        "archive",
        {TicketStatus.DRAFT, TicketStatus.ACCEPTED},
        TicketStatus.ARCHIVED,
        "core_tests.archive_ticket",
    ),
)
