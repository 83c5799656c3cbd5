"""The resident learns the outcome (issue 11.2): the tracking page follows a voice into the suggestion
it became — its units, its answer as published (masked), the deputy's rating — the resident is told by
message when it moves, and rates the outcome with the tracking code and phone number."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.core.errors import PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for
from minsheng.core.messaging import outbox
from minsheng.core.models import Notification
from minsheng.motions import services
from minsheng.motions.models import HandlingMode, Motion, MotionKind, ResidentRating
from minsheng.org.models import Membership, Role
from minsheng.voices import services as voices
from minsheng.voices.models import Voice, VoiceStatus
from minsheng.voices.rules import TrackingActor

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _voice(accounts: Any, text: str = "我家门口的路口没有红绿灯，孩子上学很危险。") -> Voice:
    seat = Membership.objects.get(person=accounts["deputy"].person, role=Role.DEPUTY)
    return voices.voice_create(
        actor=None, channel="web", text=text, phone=PHONE, name="王女士", addressed_to=seat
    )


def _adopted(accounts: Any, voice: Voice) -> Motion:
    return services.motion_create_from_voice(
        actor=accounts["deputy"],
        voice=voice,
        kind=MotionKind.SUGGESTION,
        title="关于学校路口增设红绿灯的建议",
        text="群众反映学校路口没有红绿灯，建议增设。",
    )


def _tracking(voice: Voice) -> Client:
    client = Client()
    response = client.post(reverse("voices:track"), {"code": voice.tracking_code, "phone": PHONE})
    assert response.status_code == 302
    return client


def _page(client: Client, voice: Voice) -> str:
    return client.get(reverse("voices:tracked", args=[voice.pk])).content.decode()


def _messages_to_resident() -> list[str]:
    return [m.body for m in outbox if m.to == PHONE]


def test_the_tracking_page_follows_the_voice_to_the_end(accounts, django_capture_on_commit_callbacks):
    voice = _voice(accounts)
    staff, handler, deputy = accounts["staff"], accounts["handler"], accounts["deputy"]
    with django_capture_on_commit_callbacks(execute=True):
        motion = _adopted(accounts, voice)
    client = _tracking(voice)
    page = _page(client, voice)
    assert "关于学校路口增设红绿灯的建议" in page and "草稿" in page  # the deputy is drafting it

    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        motion = services.motion_submit(actor=deputy, motion=motion)
        motion = services.motion_file(actor=staff, motion=motion)
        motion = services.motion_assign(
            actor=staff,
            motion=motion,
            mode=HandlingMode.LEAD_CO,
            lead_unit=accounts.unit("区交通运输局"),
            co_units=[accounts.unit("区住房和城乡建设局")],
        )
    told = _messages_to_resident()
    assert len(told) == 3 and all(voice.tracking_code in body for body in told)
    page = _page(client, voice)
    assert "区交通运输局" in page and "区住房和城乡建设局" in page

    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.assignment_reply(
            actor=handler,
            assignment=motion.assignments.get(role="lead"),
            category="A",
            text="信号灯已于本月建成投用。联系人王科长，电话13811112222。",
        )
    assert len(_messages_to_resident()) == 1
    page = _page(client, voice)
    assert "答复未公开" in page and "信号灯已于本月建成投用" not in page  # not published yet

    with django_capture_on_commit_callbacks(execute=True):
        services.reply_disclose(actor=staff, reply=reply, disclosure="full")
        services.motion_rate(actor=deputy, motion=Motion.objects.get(pk=motion.pk), overall="satisfied")
    page = _page(client, voice)
    assert "信号灯已于本月建成投用" in page and "13811112222" not in page and "138****2222" in page
    assert deputy.person.name in page and "满意" in page  # the deputy's rating
    assert any("公开" in body for body in _messages_to_resident())
    assert Motion.objects.get(pk=motion.pk).status == "closed"

    # The resident rates the outcome; the deputy hears of it; the Event is on the voice.
    notices = Notification.objects.filter(user=deputy).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("motions:voice_outcome_rate", args=[voice.pk]),
            {"motion": motion.pk, "rating": "basically", "comment": "希望再加一个减速带。"},
        )
    assert response.status_code == 302
    rating = ResidentRating.objects.get(voice=voice)
    assert (rating.motion_id, rating.round, rating.rating) == (motion.pk, 1, "basically")
    assert list(events_for(voice))[-1].verb == "rate_outcome"
    assert Notification.objects.filter(user=deputy).count() == notices + 1
    page = _page(client, voice)
    assert "基本满意" in page and 'name="rating"' not in page


def test_rating_the_outcome_is_refused_cleanly(accounts):
    voice = _voice(accounts)
    motion = _adopted(accounts, voice)
    client = _tracking(voice)
    url = reverse("motions:voice_outcome_rate", args=[voice.pk])
    # No answer yet: nothing to rate.
    client.post(url, {"motion": motion.pk, "rating": "satisfied"})
    assert not ResidentRating.objects.exists()
    with pytest.raises(ValidationFailedError):
        services.motion_resident_rate(actor=TrackingActor(voice.pk), voice=voice, rating="satisfied")
    # Someone who did not prove the tracking code and phone: not found, nothing written.
    other = Client()
    assert other.post(url, {"motion": motion.pk, "rating": "satisfied"}).status_code == 404
    # A signed-in official is not the resident.
    with pytest.raises(PermissionDeniedError):
        services.motion_resident_rate(actor=accounts["admin"], voice=voice, rating="satisfied")
    assert not ResidentRating.objects.exists()


def test_bad_ratings_and_a_second_rating_change_nothing(accounts):
    voice = _voice(accounts)
    motion = _adopted(accounts, voice)
    staff = accounts["staff"]
    motion = services.motion_submit(actor=accounts["deputy"], motion=motion)
    motion = services.motion_file(actor=staff, motion=motion)
    motion = services.motion_assign(
        actor=staff, motion=motion, mode=HandlingMode.SEPARATE, units=[accounts.unit("区交通运输局")]
    )
    services.assignment_reply(
        actor=accounts["handler"], assignment=motion.assignments.get(), category="B", text="正在设计。"
    )
    client = _tracking(voice)
    url = reverse("motions:voice_outcome_rate", args=[voice.pk])
    for bad in ({"motion": motion.pk, "rating": "great"}, {"motion": "x", "rating": "satisfied"},
                {"motion": motion.pk, "rating": "satisfied", "comment": "<script>alert(1)</script>"},
                {"motion": motion.pk, "rating": "satisfied", "comment": "长" * 501}):  # fmt: skip
        response = client.post(url, bad)
        assert response.status_code == 302
        assert not ResidentRating.objects.exists()
        assert "rate_outcome" not in [e.verb for e in events_for(voice)]
    assert client.post(url, {"motion": motion.pk, "rating": "dissatisfied"}).status_code == 302
    assert client.post(url, {"motion": motion.pk, "rating": "satisfied"}).status_code == 302
    assert list(ResidentRating.objects.values_list("rating", flat=True)) == ["dissatisfied"]
    assert [e.verb for e in events_for(voice)].count("rate_outcome") == 1


def test_a_withdrawn_draft_sends_the_voice_back_to_routing(accounts, django_capture_on_commit_callbacks):
    voice = _voice(accounts)
    motion = _adopted(accounts, voice)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.motion_withdraw(actor=accounts["deputy"], motion=motion)
    voice.refresh_from_db()
    assert voice.status == VoiceStatus.RECEIVED
    assert [e.verb for e in events_for(voice)][-1] == "release"
    assert len(_messages_to_resident()) == 1


def test_a_merged_duplicate_follows_the_voice_it_joined(accounts, django_capture_on_commit_callbacks):
    first = _voice(accounts)
    duplicate = _voice(accounts, text="学校门口的路口也需要红绿灯，太危险了。")
    voices.voice_merge(actor=accounts["deputy"], voice=duplicate, into=first)
    motion = _adopted(accounts, first)
    page = _page(_tracking(duplicate), duplicate)
    assert motion.title in page
