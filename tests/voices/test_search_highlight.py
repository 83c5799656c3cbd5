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


def test_the_list_rows_escape_every_value_and_show_the_unit_and_reply_date(make_voice, transport_unit):
    """The rows are written in Python (``voices_tags.voice_list_rows``): each cell as the template
    wrote it, every value escaped."""
    import datetime as dt

    from django.utils import timezone

    from minsheng.org.models import User
    from minsheng.voices import services
    from minsheng.voices.models import Voice

    voice = make_voice("路口红绿灯坏了，晚上过马路很危险。")
    staff = User.objects.get(username="staff")
    services.voice_forward(actor=staff, voice=voice, unit=transport_unit)
    Voice.objects.filter(pk=voice.pk).update(text='路口<b>"红绿灯"</b>坏了')  # as old data might hold
    voice = Voice.objects.get(pk=voice.pk)
    order = voice.work_orders.get()
    for query in ({}, {"q": "红绿灯"}):
        page = client_for("staff").get(reverse("voices:list"), query).content.decode()
        row = page[page.index(f'href="/voices/{voice.pk}/"') :].split("</tr>", 1)[0]
        shown = row.replace("<mark>", "").replace("</mark>", "")
        assert "<b>" not in row and "&lt;b&gt;&quot;红绿灯&quot;&lt;/b&gt;" in shown
        assert ("<mark>红绿灯</mark>" in row) == bool(query)
        assert f">{transport_unit.name}</td>" in row
        assert f"{order.due.month}月{order.due.day}日" in row
        assert voice.addressed_to.person.name in row
        received = timezone.localtime(voice.created_at)
        assert (
            f"{received.month}月{received.day}日" in page[: page.index(f'href="/voices/{voice.pk}/"')][-200:]
        )
    assert order.due >= dt.date.today() or 'class="overdue"' in row
    empty = client_for("staff").get(reverse("voices:list"), {"q": "没有这样的词语"}).content.decode()
    assert '<td colspan="6" class="muted">' in empty


def test_a_list_s_item_urls_are_reversed_once_and_read_as_reverse_gives_them():
    from django.urls import reverse

    from minsheng.web.templatetags.site_tags import item_url_maker

    for viewname in ("voices:detail", "motions:detail"):
        make = item_url_maker(viewname)
        for pk in (1, 9, 10, 987654321, 2**40):
            assert make(pk) == reverse(viewname, args=[pk])
