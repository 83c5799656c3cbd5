"""Query budgets: list, search, public and desk pages cost the same with few rows and with many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minsheng.motions import services
from minsheng.motions.models import Reply
from tests.motions.builders import replied

pytestmark = pytest.mark.django_db

PAGES = [
    ("staff", reverse("motions:list")),
    ("staff", reverse("motions:list") + "?q=信号灯&kind=suggestion&status=replied&category=A"),
    ("staff", "/api/motions/"),
    ("staff", "/api/motions/?q=路口"),
    ("handler", reverse("motions:list")),
    ("deputy", reverse("motions:list")),
    (None, reverse("motions:public_list")),
    (None, "/api/motions/public"),
    ("leader", reverse("motions:dashboard")),
    ("staff", "/me/"),
    ("handler", "/me/"),
    ("deputy", "/me/"),
    ("leader", "/me/"),
]


def _make(accounts, n: int) -> None:
    for i in range(n):
        motion = replied(accounts, title=f"关于学校路口信号灯的建议（{i}）")
        services.reply_disclose(actor=accounts["staff"], reply=motion.replies.get(), disclosure="full")


def _queries(client, accounts, username, url) -> int:
    if username:
        client.force_login(accounts[username])
    else:
        client.logout()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_query_counts_do_not_grow_with_rows(client, accounts):
    _make(accounts, 2)
    small = {(u, url): _queries(client, accounts, u, url) for u, url in PAGES}
    _make(accounts, 8)
    assert Reply.objects.count() >= 10
    large = {(u, url): _queries(client, accounts, u, url) for u, url in PAGES}
    grew = {key: (small[key], large[key]) for key in small if large[key] > small[key]}
    assert grew == {}, grew
    pages = {key: count for key, count in large.items() if key[1] != "/me/"}
    homes = {key: count for key, count in large.items() if key[1] == "/me/"}
    assert max(pages.values()) <= 40, pages
    # The role home gathers the panels of every app's desk.py (seven apps today): its budget grows with
    # the apps, never with the rows (checked above).
    assert max(homes.values(), default=0) <= 60, homes


def test_detail_page_budget(client, accounts, django_assert_max_num_queries):
    motion = replied(accounts)
    client.force_login(accounts["staff"])
    with django_assert_max_num_queries(60):
        assert client.get(reverse("motions:detail", args=[motion.pk])).status_code == 200


def test_the_item_page_reads_the_relations_that_have_rows_and_knows_the_empty_ones(
    accounts, django_assert_num_queries
):
    from minsheng.motions.selectors import motion_detail
    from tests.motions.builders import submitted

    motion = replied(accounts)
    shown = motion_detail(accounts.fresh("staff"), motion.pk)
    assert shown is not None
    expected = list(Reply.objects.filter(motion=motion).values_list("pk", flat=True))
    with django_assert_num_queries(0):  # all answered from what motion_detail read
        replies = list(shown.replies.all())
        assert replies[0].assignment.unit.name and list(shown.evaluations.all()) == []
        assert list(shown.merged_items.all()) == [] and len(shown.assignments.all()) == 2
    assert [r.pk for r in replies] == expected
    assert shown.replies.filter(pk=replies[0].pk).get() == replies[0]  # a filter still asks the database
    fresh = submitted(accounts)
    shown = motion_detail(accounts.fresh("staff"), fresh.pk)
    with django_assert_num_queries(0):
        assert not shown.replies.all() and not shown.evaluations.all() and not shown.assignments.all()
        # What the page shows of a signer was read with it (the person's other columns were not).
        assert [(s.person.name, s.get_role_display(), s.status, s.person_id) for s in shown.signatures.all()]


def _related_as_shown(motion) -> dict:
    return {
        "signatures": [(s.pk, s.person.name, s.status) for s in motion.signatures.all()],
        "assignments": [
            (a.pk, a.unit.name, [v.pk for v in a.views_sent.all()]) for a in motion.assignments.all()
        ],
        "replies": [(r.pk, r.assignment.unit.name, r.final_category) for r in motion.replies.all()],
        "evaluations": [(e.pk, e.proposer.name) for e in motion.evaluations.all()],
        "merged_items": [(m.pk, m.lead_signer.name) for m in motion.merged_items.all()],
    }


def test_the_item_page_reads_what_djangos_own_prefetch_reads(accounts, django_assert_num_queries):
    """The page's reads are compiled once and reused (core.queries.kept_query_rows): for two items
    and two readers they give what Django's prefetch gives, and each read row knows its item."""
    from django.db.models import prefetch_related_objects

    from minsheng.motions.models import Motion
    from minsheng.motions.selectors import _detail_prefetches, motion_detail, timeline_for
    from tests.motions.builders import submitted

    items = [replied(accounts), submitted(accounts)]
    for reader in ("staff", "admin"):
        for item in items:
            shown = motion_detail(accounts.fresh(reader), item.pk)
            assert shown is not None and shown.pk == item.pk
            by_django = Motion.objects.get(pk=item.pk)
            prefetch_related_objects([by_django], *_detail_prefetches())
            with django_assert_num_queries(0):
                assert _related_as_shown(shown) == _related_as_shown(by_django)
                assert all(reply.motion is shown for reply in shown.replies.all())
            assert [e.seq for e in timeline_for(shown)] == [e.seq for e in timeline_for(by_django)]
    assert motion_detail(accounts.fresh("staff"), 2**64) is None  # any digits of an address: not found
