"""The text-intelligence panels on real pages: suggestions beside the forward form, duplicates beside
the merge form, similar open voices and "support instead" for residents, reply flags, hot issues."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.core.verification import phone_session_remember
from minsheng.insight import services
from minsheng.insight.models import HotIssueReport, RoutingSource, VoiceSupport
from minsheng.org.models import Unit
from minsheng.voices import services as voice_services
from minsheng.voices.models import ReferralReason, VoiceStatus

from .conftest import TOPICS, account

pytestmark = pytest.mark.django_db

LAMP = "湖塘镇花园路的路灯坏了三个月，晚上一片漆黑，行人很不安全，请尽快修复。我的电话13812345678"
LAMP_AGAIN = "湖塘镇花园路的路灯坏了快三个月，晚上一片漆黑，行人很不安全，请相关部门尽快修复！"


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(account(username))
    return client


def test_staff_see_the_routing_suggestion_beside_the_forward_form(confirmed, staff, make_voice):
    confirmed(2)
    services.routing_model_train(actor=staff, source=RoutingSource.PLATFORM)
    voice = make_voice("小区门口烧烤摊的油烟太大，晚上吵到凌晨")
    staff_client = signed_in("staff")
    page = staff_client.get(reverse("voices:detail", args=[voice.pk])).content.decode()
    forward_url = reverse("voices:action", args=[voice.pk, "forward"])
    assert f'hx-get="{forward_url}"' in page  # the form and its suggestion load when opened
    page = staff_client.get(forward_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="routing-suggestion"' in page
    unit = Unit.objects.get(name="区城市管理局")
    assert f'data-fill="id_unit" data-value="{unit.pk}"' in page
    # A deputy to whom the voice is not addressed sees no voice at all, let alone a suggestion.
    assert signed_in("handler").get(reverse("voices:detail", args=[voice.pk])).status_code == 404


def test_merge_candidates_beside_the_merge_form(make_voice):
    first = make_voice(LAMP)
    second = make_voice(LAMP_AGAIN)
    make_voice("建议在南夏墅街道增设公交线路，方便群众出行。")
    url = reverse("voices:action", args=[second.pk, "merge"])
    page = signed_in("staff").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="merge-candidates"' in page
    assert f'data-fill="id_into" data-value="{first.tracking_code}"' in page


def test_residents_see_similar_open_voices_masked_and_support_one(make_voice):
    voice = make_voice(LAMP)
    client = Client()
    response = client.post(reverse("insight:similar_voices"), {"text": LAMP_AGAIN})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="similar-voice"' in page
    assert "13812345678" not in page  # the other resident's number is masked
    url = reverse("insight:voice_support", args=[voice.pk])
    refused = client.post(url, {"phone": "13900001111"})
    assert refused.status_code == 400 and VoiceSupport.objects.count() == 0
    session = client.session
    phone_session_remember(session, "13900001111")
    session.save()
    done = client.post(url, {"phone": "13900001111"})
    assert done.status_code == 200 and 'data-testid="supported"' in done.content.decode()
    again = client.post(url, {"phone": "13900001111"})
    assert again.status_code == 400 and VoiceSupport.objects.filter(voice=voice).count() == 1


def test_closed_or_unrelated_voices_are_not_offered_and_cannot_be_supported(make_voice, staff):
    voice = make_voice(LAMP)
    voice_services.voice_refer(actor=staff, voice=voice, reason=ReferralReason.LITIGATION, note="")
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.REFERRED
    page = Client().post(reverse("insight:similar_voices"), {"text": LAMP_AGAIN}).content.decode()
    assert "similar-voice" not in page
    client = Client()
    session = client.session
    phone_session_remember(session, "13900002222")
    session.save()
    assert (
        client.post(reverse("insight:voice_support", args=[voice.pk]), {"phone": "13900002222"}).status_code
        == 400
    )
    assert (
        Client().post(reverse("insight:similar_voices"), {"text": "学校食堂的饭菜价格太高"}).content.strip()
        == b""
    )


def test_reply_check_flags_while_writing_and_only_for_those_who_see_the_voice(make_voice, staff):
    voice = make_voice(LAMP)
    voice_services.voice_forward(actor=staff, voice=voice, unit=Unit.objects.get(name="区交通运输局"))
    url = reverse("insight:reply_check")
    response = signed_in("handler").post(url, {"target": f"voice:{voice.pk}", "text": "已收悉。"})
    page = response.content.decode()
    flags = set(re.findall(r'data-flag="(\w+)"', page))
    assert {"too_short", "no_action", "no_contact"} <= flags
    assert signed_in("deputy").post(url, {"target": f"voice:{voice.pk}", "text": "x"}).status_code == 404
    assert signed_in("handler").post(url, {"target": "voice:x", "text": "x"}).status_code == 404


def test_hot_issues_computed_shown_exported_and_handed_to_a_unit(make_voice, staff):
    from minsheng.org.models import Jurisdiction

    hutang = Jurisdiction.objects.get(name="湖塘镇")
    texts = [
        "湖塘镇长虹路工地每天晚上十点以后还在打桩，噪音太大，孩子睡不着觉。",
        "长虹路那个工地夜间施工太吵了，打桩声一直到半夜，请管一管。",
        "湖塘镇长虹路建筑工地夜里施工，噪音扰民严重，多次打12345没有用。",
        "投诉长虹路工地夜间违规施工，打桩噪音影响周边几个小区居民休息。",
    ]
    voices = [make_voice(text, place=hutang) for text in texts]
    for topic in TOPICS.values():  # the rest of the period's messages: other places, other problems
        for text in topic:
            make_voice(text)
    client = signed_in("staff")
    district = hutang.parent
    response = client.post(reverse("insight:hot_refresh", args=[district.pk]))
    assert response.status_code == 302  # the task ran at once in tests (immediate backend)
    report = HotIssueReport.objects.get(jurisdiction=district)
    assert report.issues and set(report.issues[0]["ids"]) == {v.pk for v in voices}
    page = client.get(reverse("insight:hot") + f"?j={district.pk}").content.decode()
    assert 'data-testid="hot-issues"' in page and "长虹路" in page
    docx = client.get(reverse("insight:hot_docx", args=[report.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    unit = Unit.objects.get(name="区住房和城乡建设局")
    forwarded = client.post(reverse("insight:hot_forward", args=[report.pk]), {"rank": 1, "unit": unit.pk})
    assert forwarded.status_code == 302
    statuses = sorted(v.status for v in type(voices[0]).objects.filter(pk__in=[v.pk for v in voices]))
    assert statuses == sorted([VoiceStatus.FORWARDED] + [VoiceStatus.MERGED] * 3)
    assert signed_in("deputy").get(reverse("insight:hot")).status_code == 404
    assert signed_in("deputy").get(reverse("insight:hot_docx", args=[report.pk])).status_code == 404


def test_routing_page_training_from_the_page_and_the_api(confirmed, staff):
    confirmed(2)
    client = signed_in("staff")
    assert client.get(reverse("insight:routing")).status_code == 200
    assert signed_in("deputy").get(reverse("insight:routing")).status_code == 404
    assert signed_in("deputy").post(reverse("insight:routing_train")).status_code == 404
    assert client.post(reverse("insight:routing_train")).status_code == 302
    page = client.get(reverse("insight:routing")).content.decode()
    assert 'data-testid="active-model"' in page
    api = client.post(
        "/api/insight/routing/suggest", {"text": "垃圾桶满了没人清运"}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json()["suggestions"][0]["name"] == "区城市管理局"
    anonymous = Client().post("/api/insight/routing/suggest", {"text": "x"}, content_type="application/json")
    assert anonymous.status_code == 401


def test_similar_past_motions_panel_for_drafting_members():
    client = signed_in("member")
    response = client.post(
        reverse("insight:similar_motions"),
        {"title": "关于加强校园周边交通安全的提案", "text": "校门口拥堵", "kind": "proposal"},
    )
    assert response.status_code == 200
    assert (
        Client().post(reverse("insight:similar_motions"), {"title": "x"}).status_code == 302
    )  # sign in first
    assert signed_in("handler").post(reverse("insight:similar_motions"), {"title": "x"}).status_code == 404
