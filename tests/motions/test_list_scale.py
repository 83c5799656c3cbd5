"""The motions list and detail at scale: no duplicate rows without DISTINCT, counting a few pages
ahead, and similar items scored exactly as the baseline similarity while the corpus is kept counted."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.analysis.text.similarity import similar_texts
from minsheng.core.events import event_record
from minsheng.motions.models import Motion, MotionStatus
from minsheng.motions.selectors import MotionFilters, motions_search, similar_motions
from minsheng.motions.views import lists
from tests.motions.builders import assigned, replied, submitted

pytestmark = pytest.mark.django_db

TITLES = [
    "关于增设学校路口信号灯的建议",
    "关于推进中小学课后服务提质增效的建议",
    "关于加强农村生活污水治理的建议",
    "关于学校周边道路交通安全管理的建议",
]


def _corpus(jurisdiction_id: int, exclude: int) -> list[Motion]:
    """The corpus the baseline compares with: the newest non-draft suggestions and bills."""
    return list(
        Motion.objects.filter(jurisdiction_id=jurisdiction_id, kind__in=["suggestion", "bill"])
        .exclude(status__in=[MotionStatus.DRAFT, MotionStatus.WITHDRAWN])
        .exclude(pk=exclude)
        .order_by("-id")
    )


def test_similar_items_score_exactly_like_the_baseline_and_follow_edits(accounts):
    made = [submitted(accounts, title=title) for title in TITLES]
    target = made[0]
    query = f"{target.title} {target.text}"

    def both() -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        corpus = _corpus(target.jurisdiction_id, target.pk)
        texts = [f"{m.title} {m.text}" for m in corpus]
        expected = [(corpus[i].pk, score) for i, score in similar_texts(query, texts, top_k=5)]
        got = similar_motions(
            text=query, jurisdiction_id=target.jurisdiction_id, kind=target.kind, exclude=target.pk
        )
        return [(m.pk, score) for m, score in got], expected

    got, expected = both()
    assert got == expected and got, "the same items with the same scores"
    assert target.pk not in [pk for pk, _s in got]
    # A change to a corpus item is seen at once: as a service does, it saves updated_at and records an
    # Event (the kept corpus is reused, unchecked, while the Event log has not moved).
    with transaction.atomic():
        Motion.objects.filter(pk=made[3].pk).update(
            title="关于增设学校路口信号灯和斑马线的建议", updated_at=timezone.now()
        )
        event_record(actor=None, verb="update", target=made[3])
    got_after, expected_after = both()
    assert got_after == expected_after and got_after != got
    # So is a new item.
    newcomer = submitted(accounts, title="关于增设学校路口信号灯的建议")
    got_new, expected_new = both()
    assert got_new == expected_new and newcomer.pk in [pk for pk, _s in got_new]


def test_similar_items_without_a_corpus_or_words(accounts):
    target = submitted(accounts)
    assert similar_motions(text="", jurisdiction_id=target.jurisdiction_id, kind=target.kind) == []
    assert similar_motions(text="学校路口", jurisdiction_id=target.jurisdiction_id, kind="proposal") == []


def test_unit_and_category_filters_list_each_item_once(accounts):
    first = replied(accounts)
    second = assigned(accounts, title="关于学校周边道路交通安全管理的建议")
    staff = accounts["staff"]
    for unit_name in ("区交通运输局", "区住房和城乡建设局"):  # the lead unit and the co-unit
        rows = [m.pk for m in motions_search(staff, MotionFilters(unit=accounts.unit(unit_name).pk))]
        assert sorted(rows) == sorted({first.pk, second.pk})
    rows = [m.pk for m in motions_search(staff, MotionFilters(category="A"))]
    assert rows == [first.pk]


def test_the_list_counts_a_few_pages_ahead_and_links_the_next_page(client, accounts, monkeypatch):
    for i in range(13):
        submitted(accounts, title=f"关于第{i}号路口增设信号灯的建议")
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)  # 1 per page, 10 pages ahead: counting stops at 11
    client.force_login(accounts["staff"])
    page = client.get(reverse("motions:list")).context["page"]
    assert page.paginator.more and page.paginator.count == 11 and page.has_next()
    body = client.get(reverse("motions:list")).content.decode()
    assert "1 / 11+" in body and "page=2" in body
    last = client.get(reverse("motions:list"), {"page": 999}).context["page"]
    assert not last.paginator.more and not last.has_next() and last.number == last.paginator.count


def test_detail_page_with_similar_items_has_a_budget_independent_of_rows(client, accounts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submitted(accounts)  # one earlier similar item, so that the small page shows one too
    target = submitted(accounts)
    client.force_login(accounts["staff"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("motions:detail", args=[target.pk]))
        assert response.status_code == 200 and response.context["similar"]
        return len(captured)

    small = queries()
    for title in TITLES * 2:
        submitted(accounts, title=title)
    large = queries()
    assert large <= small <= 60


def test_a_detail_page_s_similar_items_are_ranked_again_only_after_a_change(client, accounts, monkeypatch):
    from minsheng.motions.views import detail

    first = submitted(accounts)
    target = submitted(accounts)
    client.force_login(accounts["staff"])
    rankings: list[int] = []
    original = detail.similar_motions
    monkeypatch.setattr(detail, "similar_motions", lambda **kw: rankings.append(1) or original(**kw))

    def similar_ids() -> list[int]:
        response = client.get(reverse("motions:detail", args=[target.pk]))
        return [motion.pk for motion, _score in response.context["similar"]]

    assert similar_ids() == [first.pk] and len(rankings) == 1
    assert similar_ids() == [first.pk] and len(rankings) == 1  # kept: nothing changed
    later = submitted(accounts, title=TITLES[0])  # a change records an Event: ranked again
    assert later.pk in similar_ids() and len(rankings) == 2


ALPHABET = "关于加强校园周边交通安全管理的建议垃圾分类提案河道水环境 AB c\n。，"


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=25),
    query=st.text(alphabet=ALPHABET + "喵", min_size=1, max_size=30),
    dropped=st.sets(st.integers(min_value=0, max_value=24), max_size=2),
)
def test_counted_corpus_scores_equal_the_baseline(corpus, query, dropped):
    """The kept counts with the query's idf applied give similar_texts' numbers, rows left out too."""
    from minsheng.motions.selectors import _SimilarCorpus

    ids = list(range(100, 100 + len(corpus)))
    keep = [i not in dropped for i in range(len(corpus))]
    kept_ids = [pk for pk, kept in zip(ids, keep, strict=True) if kept]
    kept_texts = [text for text, kept in zip(corpus, keep, strict=True) if kept]
    expected = [
        (kept_ids[i], score) for i, score in similar_texts(query, kept_texts, top_k=5, min_score=0.01)
    ]
    try:
        got = _SimilarCorpus(ids, corpus).ranked(query, keep, top_k=5, min_score=0.01)
    except ValueError:  # no characters at all in the corpus: nothing can be similar
        got = []
    assert got == expected


def test_the_cached_assign_form_is_the_same_for_every_item_and_a_failed_one_shows_its_errors(
    client, accounts
):
    from tests.motions.builders import filed

    first, second = filed(accounts), filed(accounts, title="关于学校周边道路交通安全管理的建议")
    client.force_login(accounts["staff"])
    unit = accounts.unit("区交通运输局")

    def assign_fields(motion: Motion) -> str:
        # The fields as the page loads them when the assign action is opened (htmx).
        url = reverse("motions:act", args=[motion.pk, "assign"])
        answer = client.get(url, headers={"HX-Request": "true"})
        assert answer.status_code == 200
        html = answer.content.decode()
        return html[html.index('name="assign-state"') :]  # the form's fields, after the routing panel

    first_form, second_form = assign_fields(first), assign_fields(second)
    assert unit.name in first_form and first_form == second_form  # one rendering serves the place
    response = client.post(
        reverse("motions:act", args=[second.pk, "assign"]),
        {"_target": "", "assign-state": "filed", "assign-mode": "lead_co"},  # no lead unit: refused
    )
    assert response.status_code == 400
    page = response.content.decode()
    failed = page[page.index('data-testid="action-assign"') :].split("</details>", 1)[0]
    assert 'class="error"' in failed and unit.name in failed  # open, with its errors and its choices
    assert Motion.objects.get(pk=second.pk).status == MotionStatus.FILED


def test_the_cached_filter_form_keeps_each_search_s_choices(client, accounts):
    client.force_login(accounts["staff"])
    url = reverse("motions:list")
    replied_page = client.get(url, {"status": "replied"}).content.decode()
    filed_page = client.get(url, {"status": "filed"}).content.decode()
    assert '<option value="replied" selected>' in replied_page
    assert (
        '<option value="filed" selected>' in filed_page
        and '<option value="replied" selected>' not in filed_page
    )
