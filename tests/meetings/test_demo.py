"""The demo: the congress's next session, a standing-committee meeting with three appointments, a
CPPCC plenary; the demo accounts see them as their roles do."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.meetings import demo
from minsheng.meetings.models import Appointment, Meeting, MeetingStatus, Poll
from minsheng.org.demo import DEMO_PASSWORD
from tests.conftest import demo_seed_once

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def test_demo_meetings(django_capture_on_commit_callbacks) -> None:
    demo_seed_once()
    assert not demo.exists()
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed()
    assert demo.exists()
    session = Meeting.objects.get(title=demo.CONGRESS_TITLE)
    assert session.status == MeetingStatus.NOTIFIED and session.attendees.filter(voting=True).count() == 415
    assert set(session.items.values_list("kind", flat=True)) >= {"report", "decision", "election", "other"}
    election = Poll.objects.get(meeting=session, kind="election")
    assert election.nominees.count() == 2 and election.seats == 1
    standing = Meeting.objects.get(title=demo.STANDING_TITLE)
    assert standing.status == MeetingStatus.PUBLISHED and standing.attendees.count() == 33
    assert Appointment.objects.filter(nominee__poll__meeting=standing).count() == 3
    plenary = Meeting.objects.get(title=demo.PLENARY_TITLE)
    assert plenary.status == MeetingStatus.PUBLISHED and Poll.objects.get(meeting=plenary).passed
    # The deputy is called to the session and may ask for leave; staff and the chair run it.
    deputy = signed_in("deputy").get(f"/meetings/{session.pk}/").content.decode()
    assert "请假" in deputy and demo.CONGRESS_TITLE in deputy
    assert demo.CONGRESS_TITLE in signed_in("deputy").get("/me/").content.decode()
    assert signed_in("staff").get(f"/meetings/{session.pk}/roster/").status_code == 200
    assert signed_in("leader").get(f"/meetings/{session.pk}/console/").status_code == 200
    # The public sees the published meetings and their results.
    public = Client().get("/meetings/").content.decode()
    assert demo.STANDING_TITLE in public and demo.PLENARY_TITLE in public
    assert demo.CONGRESS_TITLE not in public
    certificate = Appointment.objects.filter(nominee__poll__meeting=standing).first()
    assert certificate is not None
    download = signed_in("staff").get(f"/meetings/appointments/{certificate.pk}/certificate.docx")
    assert download.status_code == 200
