"""The motions side of the voices interface: adopt a voice into a suggestion; decline and forward."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.core.events import events_for
from minsheng.motions import services
from minsheng.motions.models import Motion, MotionKind
from minsheng.org.models import Membership, Role
from minsheng.voices import services as voices
from minsheng.voices.models import SocialReport, Voice
from tests.motions.builders import submitted

pytestmark = pytest.mark.django_db


def _voice_to(accounts) -> Voice:
    seat = Membership.objects.get(person=accounts["deputy"].person, role=Role.DEPUTY)
    return voices.voice_create(
        actor=None,
        channel="qr",
        text="我家门口的路口没有红绿灯，孩子上学很危险。我的电话13912345678。",
        phone="13912345678",
        addressed_to=seat,
    )


def test_deputy_adopts_a_voice_into_a_suggestion_linked_both_ways(accounts):
    voice = _voice_to(accounts)
    motion = services.motion_create_from_voice(
        actor=accounts["deputy"],
        voice=voice,
        kind=MotionKind.SUGGESTION,
        title="关于学校路口增设红绿灯的建议",
        text="群众反映学校路口没有红绿灯，建议增设。",
    )
    voice.refresh_from_db()
    assert motion.source_voice_id == voice.pk and list(voice.adopted_motions.all()) == [motion]
    assert voice.status == "adopted"
    assert "adopt_voice" in [e.verb for e in events_for(motion)]

    def voice_page(username: str) -> str:
        reader = Client()
        reader.force_login(accounts[username])
        return reader.get(reverse("voices:detail", args=[voice.pk])).content.decode()

    # The voice's page links the item for those who may open it: the draft is its proposer's alone,
    # so the office's staff and the administrator read its name and state without a link (a 404).
    page = voice_page("deputy")
    assert "已转为建议/提案" in page and f'href="{motion.get_absolute_url()}">{motion.title}' in page
    for reader in ("staff", "admin"):
        page = voice_page(reader)
        assert "已转为建议/提案" in page, reader
        assert f"建议：{motion.title}（草稿）" in page and motion.get_absolute_url() not in page, reader
    services.motion_submit(actor=accounts["deputy"], motion=motion)
    assert f'href="{motion.get_absolute_url()}">{motion.title}' in voice_page("staff")


def test_adopting_from_the_page_prefills_the_masked_text(client, accounts):
    voice = _voice_to(accounts)
    client.force_login(accounts["deputy"])
    page = client.get(reverse("motions:new") + f"?voice={voice.pk}").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    response = client.post(
        reverse("motions:new"),
        {
            "voice": voice.pk,
            "kind": "suggestion",
            "title": "关于学校路口增设红绿灯的建议",
            "text": "建议增设红绿灯。",
            "proposer_kind": "individual",
        },
    )
    assert response.status_code == 302
    assert Motion.objects.get(source_voice=voice)
    client.force_login(accounts["member"])  # not the addressee: may not adopt it
    assert client.get(reverse("motions:new") + f"?voice={voice.pk}").status_code == 404


def test_decline_and_forward_as_a_voice_or_a_report(accounts):
    motion = submitted(accounts)
    services.motion_decline(
        actor=accounts["staff"], motion=motion, reason="属于具体个案，转交有关部门参考。", forward="voice"
    )
    assert Voice.objects.filter(channel="motion_forward", text__contains=motion.title).exists()
    proposal = submitted(accounts, kind=MotionKind.PROPOSAL)
    services.motion_decline(
        actor=accounts["cppcc_staff"], motion=proposal, reason="转为社情民意信息。", forward="social_report"
    )
    assert SocialReport.objects.filter(title=proposal.title).exists()


def test_adopt_over_the_api(client, accounts):
    voice = _voice_to(accounts)
    client.force_login(accounts["member"])
    body = {"kind": "proposal", "title": "关于路口信号灯的提案", "text": "建议增设。"}
    assert (
        client.post(
            f"/api/motions/voices/{voice.pk}/adopt", body, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(accounts["deputy"])
    body["kind"] = "suggestion"
    response = client.post(f"/api/motions/voices/{voice.pk}/adopt", body, content_type="application/json")
    assert response.status_code == 201
    assert Motion.objects.get(pk=response.json()["id"]).source_voice_id == voice.pk
