"""Search lists show where the query matched: the terms in <mark>, everything else escaped."""

from __future__ import annotations

from django.urls import reverse

from minsheng.web.templatetags.site_tags import highlight
from tests.voices.test_pages import client_for


def test_highlight_marks_every_term_and_escapes_the_rest():
    assert highlight("小区<b>垃圾</b>没人清运，小区门口", "小区 垃圾") == (
        "<mark>小区</mark>&lt;b&gt;<mark>垃圾</mark>&lt;/b&gt;没人清运，<mark>小区</mark>门口"
    )
    assert highlight("５Ｇ基站", "5g") == "<mark>５Ｇ</mark>基站"  # full width and case folded
    assert highlight("<script>", "") == "&lt;script&gt;"
    assert highlight(None, "路") == ""


def test_the_voice_list_highlights_the_query(make_voice):
    voice = make_voice("小区门口的垃圾桶三天没人清运，气味很大。")
    page = client_for("staff").get(reverse("voices:list"), {"q": "垃圾"}).content.decode()
    assert f'/voices/{voice.pk}/">小区门口的<mark>垃圾</mark>桶' in page


def test_the_voice_list_without_a_query_shows_the_rows_unmarked(make_voice):
    voice = make_voice("小区门口的垃圾桶三天没人清运，气味很大。")
    response = client_for("staff").get(reverse("voices:list"))
    assert response.status_code == 200
    assert f'/voices/{voice.pk}/">小区门口的垃圾桶' in response.content.decode()
