"""Visibility and actions follow each role's office (issue 11.4): the congress's office handles voices to
deputies and stations, the CPPCC's office voices to members; legislation staff and residents with an
account handle none, see no list and no resident's number, and get no action form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minsheng.core.errors import DomainError
from minsheng.core.models import Event
from minsheng.org.models import BodyKind, Membership, Role
from minsheng.voices.models import SocialReport, Voice
from minsheng.voices.services import social_report_adopt, social_report_create, voice_forward
from tests.voices.conftest import RESIDENT_PHONE, account
from tests.voices.test_staff_web import client_for

ACTION_FORM_MARKERS = ("/forward/", "/answer/", "/refer/", "/merge/", "/reply/")


@pytest.fixture
def member_seat(db: None) -> Membership:
    return Membership.objects.get(
        person__user__username="member", role=Role.CPPCC_MEMBER, body__kind=BodyKind.CPPCC_COMMITTEE
    )


def test_legislation_staff_and_residents_have_no_voice_queue(make_voice):
    voice = make_voice()
    for username in ("lawstaff", "jumin"):
        client = client_for(username)
        assert client.get(reverse("voices:list")).status_code == 403, username
        page = client.get(reverse("voices:detail", args=[voice.pk]))
        assert page.status_code == 404, username
        assert RESIDENT_PHONE not in page.content.decode()
        assert client.get(reverse("voices:export")).status_code == 403, username
        assert client.get(reverse("voices:enter")).status_code == 403, username
        assert client.get(reverse("voices:reception_new")).status_code == 403, username
        user = account(username)
        for permission in ("view", "view_contact", "answer", "forward", "refer", "merge", "adopt"):
            assert not user.has_perm(f"voices.{permission}_voice", voice), (username, permission)


def test_api_follows_the_same_offices(make_voice):
    voice = make_voice()
    lawstaff = client_for("lawstaff")
    assert lawstaff.get("/api/voices/").status_code == 403
    assert lawstaff.get(f"/api/voices/{voice.pk}").status_code == 404


def test_a_voice_to_a_deputy_is_the_congress_office_s(make_voice, transport_unit):
    voice = make_voice()
    staff, cppcc_staff = account("staff"), account("cppcc_staff")
    assert staff.has_perm("voices.forward_voice", voice)
    assert not cppcc_staff.has_perm("voices.view_voice", voice)
    page = client_for("cppcc_staff").get(reverse("voices:detail", args=[voice.pk]))
    assert page.status_code == 404
    events = Event.objects.count()
    with pytest.raises(DomainError):
        voice_forward(actor=cppcc_staff, voice=voice, unit=transport_unit)
    assert Event.objects.count() == events
    assert Voice.objects.get(pk=voice.pk).status == "received"


def test_a_voice_to_a_member_is_the_cppcc_office_s(make_voice, member_seat, transport_unit):
    voice = make_voice(addressed_to=member_seat, station=None)
    cppcc_staff, staff, lawstaff = account("cppcc_staff"), account("staff"), account("lawstaff")
    assert cppcc_staff.has_perm("voices.view_contact_voice", voice)
    assert not staff.has_perm("voices.view_voice", voice)
    assert not lawstaff.has_perm("voices.view_voice", voice)
    link = f'href="{reverse("voices:detail", args=[voice.pk])}"'
    listed = client_for("cppcc_staff").get(reverse("voices:list"), {"q": voice.tracking_code})
    assert link in listed.content.decode()
    not_listed = client_for("staff").get(reverse("voices:list"), {"q": voice.tracking_code})
    assert link not in not_listed.content.decode()
    page = client_for("cppcc_staff").get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert RESIDENT_PHONE in page and "/forward/" in page
    forwarded = voice_forward(actor=cppcc_staff, voice=voice, unit=transport_unit)
    assert forwarded.status == "forwarded"


def test_pages_show_no_action_form_to_those_who_may_not_act(make_voice):
    voice = make_voice()
    handler_page = client_for("handler")
    # The handler's unit holds no work order yet: the voice is not theirs to see.
    assert handler_page.get(reverse("voices:detail", args=[voice.pk])).status_code == 404
    deputy_page = client_for("deputy").get(reverse("voices:detail", args=[voice.pk])).content.decode()
    assert all(marker in deputy_page for marker in ("/forward/", "/answer/"))


def test_social_reports_are_the_cppcc_s(db):
    with pytest.raises(DomainError):
        social_report_create(actor=account("lawstaff"), title="标题", text="内容")
    report = social_report_create(actor=account("staff"), title="转来的建议内容", text="内容")
    assert not account("staff").has_perm("voices.change_socialreport", report)
    with pytest.raises(DomainError):
        social_report_adopt(actor=account("staff"), report=report)
    assert SocialReport.objects.get(pk=report.pk).status == "submitted"
    assert social_report_adopt(actor=account("cppcc_staff"), report=report).status == "adopted"
    assert client_for("lawstaff").get(reverse("voices:report", args=[report.pk])).status_code == 404
