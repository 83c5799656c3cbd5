"""The voices list at scale: counting stops a few pages ahead, common words walk the newest-first index."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from minsheng.voices import demo, selectors, views
from minsheng.voices.selectors import VoiceFilters, voices_search
from tests.voices.conftest import account
from tests.voices.test_pages import client_for


@pytest.fixture
def seeded(db):
    demo.seed()


def _ids(username: str, query: str) -> list[int]:
    return [v.pk for v in voices_search(account(username), VoiceFilters(query=query))]


@pytest.mark.parametrize("username", ["staff", "deputy", "station", "handler", "member"])
def test_a_common_word_finds_the_same_visible_voices_as_a_rare_one(seeded, make_voice, monkeypatch, username):
    first = make_voice(text="学校门口道路坑洼，雨天积水。")
    second = make_voice(text="道路两侧路灯不亮，请维修。")
    make_voice(text="公园厕所需要清洁。")
    rare = _ids(username, "道路")  # few matches: the matching ids first, then sorted
    monkeypatch.setattr(selectors, "BROAD_SEARCH_MATCHES", 1)  # now every word counts as common
    common = _ids(username, "道路")
    assert common == rare
    if username in ("staff", "deputy", "station"):
        assert common[:2] == [second.pk, first.pk]  # newest first, only the matching voices
    assert _ids(username, "火星") == []


def test_a_tracking_code_still_finds_its_voice_when_words_are_common(seeded, make_voice, monkeypatch):
    voice = make_voice(text="道路破损。")
    monkeypatch.setattr(selectors, "BROAD_SEARCH_MATCHES", 1)
    assert _ids("staff", voice.tracking_code) == [voice.pk]


def test_the_list_counts_a_few_pages_ahead_and_links_the_next_page(seeded, make_voice, monkeypatch):
    for i in range(14):
        make_voice(text=f"第{i}条：路灯不亮。")
    monkeypatch.setattr(views, "PAGE_SIZE", 1)  # 1 per page, 10 pages ahead: counting stops at 11
    response = client_for("staff").get(reverse("voices:list"))
    assert response.status_code == 200
    paginator = response.context["page"].paginator
    assert paginator.more and paginator.count == 11
    body = response.content.decode()
    assert "1 / 11+" in body and "page=2" in body
    last = client_for("staff").get(reverse("voices:list"), {"page": 999}).context["page"]
    assert not last.paginator.more and not last.has_next()


def test_a_common_word_search_has_a_budget_independent_of_rows(
    seeded, make_voice, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors, "BROAD_SEARCH_MATCHES", 1)
    client = client_for("staff")
    make_voice(text="道路破损。")
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse("voices:list"), {"q": "道路"}).status_code == 200
    for i in range(20):
        make_voice(text=f"第{i}处道路破损。")
    with django_assert_max_num_queries(30) as large:
        assert client.get(reverse("voices:list"), {"q": "道路"}).status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries)


def test_the_cached_filter_form_keeps_each_search_s_choices(seeded):
    client = client_for("staff")
    received = client.get(reverse("voices:list"), {"status": "received"}).content.decode()
    forwarded = client.get(reverse("voices:list"), {"status": "forwarded"}).content.decode()
    assert '<option value="received" selected>' in received
    assert '<option value="forwarded" selected>' in forwarded
    assert '<option value="received" selected>' not in forwarded


def test_the_cached_forward_form_serves_every_voice_of_the_place(seeded, make_voice, transport_unit):
    first, second = make_voice(text="路灯不亮。"), make_voice(text="道路破损。")
    client = client_for("staff")

    def forward_form(voice) -> str:
        url = reverse("voices:action", args=[voice.pk, "forward"])
        page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        start = page.index('name="expected_state"')
        return page[start:]

    assert first.jurisdiction_id == second.jurisdiction_id
    first_form, second_form = forward_form(first), forward_form(second)
    assert transport_unit.name in first_form and first_form == second_form


def test_how_common_a_word_is_is_asked_once_in_five_minutes(seeded, make_voice, monkeypatch):
    """The answer only picks the plan (both find the same voices): it is kept, and asked again after."""
    from minsheng.core import search

    asked: list[str] = []
    read = search._search_is_common_read

    def counted(model, query, terms, matches):
        asked.append(query)
        return read(model, query, terms, matches)

    monkeypatch.setattr(search, "_search_is_common_read", counted)
    make_voice(text="学校门口道路坑洼，雨天积水。")
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        first = _ids("staff", "道路")
        assert _ids("staff", "道路") == first and asked == ["道路"]
        _ids("staff", "路灯")
        assert asked == ["道路", "路灯"]  # another word is asked about
        clock.shift(search.COMMONNESS_KEPT_SECONDS + 1)
        assert _ids("staff", "道路") == first and asked == ["道路", "路灯", "道路"]
