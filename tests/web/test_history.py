"""Every page that shows history renders every kind of entry: a person's or the system's, every verb.

The demo's overdue suggestion (/motions/6/) was a 500 for handler, staff and leader because a reminder
Event has no actor. Here the system writes one Event of every verb an app records onto a suggestion, a
voice and a consultation task, and each history page must render it in words (no raw verb).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client
from django.utils import timezone

from minsheng.core.events import event_record
from minsheng.legislation import selectors as legislation_selectors
from minsheng.legislation import services as legislation_services
from minsheng.legislation.sample import SAMPLE_DRAFT, SAMPLE_ISSUER, SAMPLE_QUESTIONS, SAMPLE_TITLE
from minsheng.motions.templatetags.motions_tags import VERBS as MOTION_VERBS
from minsheng.org.models import Body, BodyKind, Membership, Person, Role, User
from minsheng.voices.models import VoiceChannel
from minsheng.voices.presenters import _verb_labels as voice_verb_labels
from minsheng.voices.services import voice_create
from minsheng.web.templatetags.site_tags import actor_name
from tests.motions.builders import Accounts, replied

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src/minsheng"


def verbs_recorded_by(app: str) -> set[str]:
    """Every verb an app's code can record: literal ``verb=`` arguments and transition actions."""
    verbs: set[str] = set()
    for source in (SRC / app).rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        verbs |= set(re.findall(r'verb="(\w+)"', text))
        verbs |= {v for pair in re.findall(r'verb="(\w+)" if .+? else "(\w+)"', text) for v in pair}
        verbs |= set(re.findall(r'Transition\(\s*"(\w+)"', text))
    return verbs


def system_events(target: object, verbs: set[str]) -> None:
    with transaction.atomic():
        for verb in sorted(verbs):
            event_record(actor=None, verb=verb, target=target, payload={})  # type: ignore[arg-type]


def page_as(username: str, path: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, (username, path, response.status_code)
    return response.content.decode()


def test_the_system_has_a_name_in_every_language():
    assert actor_name(None) == "系统"
    user = User(username="clerk", first_name="王办理")
    assert actor_name(user) == "王办理"


@pytest.mark.parametrize("app", ["motions", "voices", "legislation"])
def test_every_verb_an_app_records_has_words(app: str):
    tables = {
        "motions": set(MOTION_VERBS),
        "voices": set(voice_verb_labels()),
        "legislation": set(legislation_selectors.VERB_LABELS),
    }
    recorded = verbs_recorded_by(app)
    assert len(recorded) > 10, "the scan found the app's verbs"
    assert recorded - tables[app] == set()


def test_a_suggestion_shows_system_entries_of_every_verb_to_every_office():
    accounts = Accounts()
    motion = replied(accounts)
    system_events(motion, set(MOTION_VERBS))
    for username in ("handler", "staff", "leader", "deputy"):
        html = page_as(username, f"/motions/{motion.pk}/")
        timeline = html.split('data-testid="timeline"', 1)[1]
        assert "系统 · 发送提醒" in timeline
        assert not re.search(r"· [a-z_]{3,} ", timeline), "every verb in words"


def test_the_handling_report_names_the_system_and_the_verbs_in_words():
    import io

    import docx

    accounts = Accounts()
    motion = replied(accounts)
    system_events(motion, {"remind"})
    client = Client()
    client.force_login(accounts["staff"])
    response = client.get(f"/motions/{motion.pk}/report.docx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "系统 · 发送提醒" in text
    assert "remind" not in text and "assigned→" not in text


def test_a_voice_shows_system_entries_of_every_verb():
    seat = Membership.objects.filter(person__user__username="deputy", role=Role.DEPUTY).get()
    voice = voice_create(
        actor=AnonymousUser(),
        channel=VoiceChannel.WEB,
        text="小区门口路灯坏了一个月，晚上出行很不方便。",
        phone="13912345678",
        addressed_to=seat,
    )
    system_events(voice, set(voice_verb_labels()))
    html = page_as("deputy", f"/voices/{voice.pk}/")
    assert "已催办承办单位" in html
    assert not re.search(r"<strong>[a-z_]{3,}</strong>", html)


def test_a_consultation_task_shows_system_entries_of_every_verb():
    point = Body.objects.get(kind=BodyKind.LEGISLATIVE_CONTACT_POINT)
    person = Person.objects.create(name="史联络", pinyin="shi lian luo")
    Membership.objects.create(person=person, body=point, role=Role.STAFF, start=dt.date(2021, 12, 28))
    staff = User.objects.create_user(username="history-lawstaff", password="a-long-password", person=person)
    task = legislation_services.task_create(
        actor=staff,
        contact_point=point,
        title=SAMPLE_TITLE,
        issuing_body=SAMPLE_ISSUER,
        received_on=timezone.localdate(),
        draft=legislation_services.draft_read(text=SAMPLE_DRAFT),
        key_questions=SAMPLE_QUESTIONS,
    )
    system_events(task, set(legislation_selectors.VERB_LABELS))
    html = page_as("history-lawstaff", f"/legislation/{task.pk}/manage/")
    assert "系统 · 向参与者反馈采纳情况" in html
