"""Public replies (issue 11.11): a published reply shows the suggestion's text (masked) beside it; the
public list has search and filters by kind, year, unit, category and place; bad filters are refused
in words; the list's query count does not grow with its rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minsheng.motions import services
from minsheng.motions.models import Assignment, Motion, MotionKind
from minsheng.motions.selectors import PUBLIC_CHOICES_SECONDS
from minsheng.org.models import Unit
from tests.motions.builders import lead_assignment, office, replied

pytestmark = pytest.mark.django_db
PRIVATE_TEXT = "学校路口没有信号灯，家长王女士（电话13912345678）多次反映，孩子上学很危险。"


def _published(accounts: Any, *, title: str, category: str = "A") -> Motion:
    motion = replied(accounts, category=category, title=title, kind=MotionKind.SUGGESTION)
    reply = motion.replies.get()
    services.reply_disclose(actor=office(accounts, motion), reply=reply, disclosure="full")
    return motion


def test_the_public_page_shows_the_suggestion_beside_its_reply(client: Client, accounts: Any) -> None:
    motion = _published(accounts, title="关于学校路口增设信号灯的建议")
    Motion.objects.filter(pk=motion.pk).update(text=PRIVATE_TEXT)
    page = client.get(reverse("motions:public_detail", args=[motion.pk])).content.decode()
    text_at = page.index('data-testid="public-text"')
    reply_at = page.index('data-testid="public-reply"')
    assert text_at < reply_at  # the suggestion first, then what the unit answered
    assert "学校路口没有信号灯" in page and "139****5678" in page and "13912345678" not in page
    assert "13812345678" not in page  # the unit's contact in the reply is masked too


def test_the_resident_s_name_is_masked_in_the_suggestion_as_in_the_reply(
    client: Client, accounts: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from minsheng.org.models import Membership, Role
    from minsheng.voices.models import VoiceChannel
    from minsheng.voices.services import voice_create

    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="学校路口没有信号灯。",
        phone="13912345678",
        name="王秀英",
        addressed_to=Membership.objects.filter(role=Role.DEPUTY).first(),
    )
    motion = _published(accounts, title="关于学校路口增设信号灯的建议")
    Motion.objects.filter(pk=motion.pk).update(source_voice=voice, text="居民王秀英反映学校路口没有信号灯。")
    page = client.get(reverse("motions:public_detail", args=[motion.pk])).content.decode()
    assert "王**反映学校路口没有信号灯" in page and "王秀英" not in page


def test_search_and_filters_narrow_the_public_list(client: Client, accounts: Any) -> None:
    lights = _published(accounts, title="关于学校路口增设信号灯的建议", category="A")
    buses = _published(accounts, title="关于加密公交班次的建议", category="B")
    url = reverse("motions:public_list")

    def listed(**params: Any) -> set[int]:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        page = response.content.decode()
        return {m.pk for m in (lights, buses) if reverse("motions:public_detail", args=[m.pk]) in page}

    assert listed() == {lights.pk, buses.pk}
    assert listed(q="公交") == {buses.pk}
    assert listed(category="A") == {lights.pk}
    assert listed(kind="proposal") == set()
    year = lights.submitted_at.year
    assert listed(year=year) == {lights.pk, buses.pk}
    unit = lead_assignment(lights).unit_id
    assert listed(unit=unit, category="B") == {buses.pk}
    assert listed(place=lights.jurisdiction_id) == {lights.pk, buses.pk}
    # The filter offers what finds something: the year and the unit of the published replies.
    page = client.get(url).content.decode()
    assert f'<option value="{year}">' in page and f'<option value="{unit}">' in page


def test_the_filter_choices_are_read_once_a_minute(client: Client, accounts: Any) -> None:
    """The years, units and places offered are kept for a minute: a unit whose first reply is
    published shows among the filters after it (its reply shows in the list at once)."""
    url = reverse("motions:public_list")
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        lights = _published(accounts, title="关于学校路口增设信号灯的建议")
        with CaptureQueriesContext(connection) as first:
            assert client.get(url).status_code == 200
        buses = _published(accounts, title="关于加密公交班次的建议")
        other = Unit.objects.exclude(pk=lead_assignment(lights).unit_id).first()
        assert other is not None
        Assignment.objects.filter(pk=lead_assignment(buses).pk).update(unit=other)
        with CaptureQueriesContext(connection) as kept:
            page = client.get(url).content.decode()
        assert len(kept) == len(first) - 3  # the three grouped queries of the choices were not asked
        assert reverse("motions:public_detail", args=[buses.pk]) in page
        assert f'<option value="{other.pk}">' not in page
        clock.shift(PUBLIC_CHOICES_SECONDS + 1)
        page = client.get(url).content.decode()
        assert f'<option value="{other.pk}">' in page  # new choices render a new form
        assert client.get(url, {"unit": other.pk}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"year": "abc"}, {"year": "1999"}, {"unit": "99999999"}, {"category": "Z"}, {"place": "-1"}],
)
def test_bad_filters_are_refused_in_words(client: Client, accounts: Any, params: dict[str, str]) -> None:
    _published(accounts, title="关于学校路口增设信号灯的建议")
    response = client.get(reverse("motions:public_list"), params)
    assert response.status_code == 400
    assert "选择" in response.content.decode()  # Django's "选择一个有效的选项" in the form


def test_a_long_or_hostile_query_finds_nothing_and_breaks_nothing(client: Client, accounts: Any) -> None:
    _published(accounts, title="关于学校路口增设信号灯的建议")
    for query in ("x" * 5000, "<script>alert(1)</script>", "' OR 1=1 --", "\x00"):
        response = client.get(reverse("motions:public_list"), {"q": query})
        assert response.status_code in (200, 400)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_public_list_query_count_does_not_grow(
    client: Client, accounts: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("motions:public_list")
    _published(accounts, title="关于学校路口增设信号灯的建议")
    with django_assert_max_num_queries(12) as small:
        client.get(url, {"category": "A"})
    for n in range(4):
        _published(accounts, title=f"关于第{n}个路口增设信号灯的建议")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"category": "A"})


def test_the_staff_list_shows_its_rows_with_and_without_a_query(client: Client, accounts: Any) -> None:
    motion = replied(accounts, title="关于学校路口增设信号灯的建议")
    client.force_login(accounts["staff"])
    url = reverse("motions:list")
    plain = client.get(url)
    assert plain.status_code == 200
    assert "关于学校路口增设信号灯的建议" in plain.content.decode()
    searched = client.get(url, {"q": "信号灯"}).content.decode()
    assert reverse("motions:detail", args=[motion.pk]) in searched
    assert "<mark>信号灯</mark>" in searched
