"""Every record line links to its act, and the link opens (200) for whoever sees the line: the person
and the staff who read their draft annual report (the private record), anybody on the public profile
(only published acts are listed there)."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.org.models import User
from minsheng.records.engine import record_rebuild
from minsheng.records.models import RecordEntry
from minsheng.records.selectors import act_urls
from tests.conftest import demo_seed_all

pytestmark = pytest.mark.django_db

# Kinds whose acts have a page (or a page of what they belong to): every line of them links.
LINKED_PRIVATELY = {
    "suggestion_led", "suggestion_cosigned", "bill_led", "bill_cosigned", "proposal_led", "proposal_cosigned",
    "voice_received", "voice_handled", "reception_day", "social_report", "legislative_opinion",
    "deliberation_joined", "deliberation_statement", "deliberation_meeting", "supervision_joined",
    "supervision_visit", "reading_joined", "reading_note", "reading_checkin", "meeting_attended",
}  # fmt: skip


@pytest.fixture
def full_demo(db: None) -> None:
    """Every app's demo and the acts it lacks, in this test's transaction (rolled back after, so the
    other tests keep the district demo alone)."""
    demo_seed_all()
    _acts_the_demo_lacks()
    record_rebuild()


def _acts_the_demo_lacks() -> None:
    """Reading joined and checked in, a deliberation joined, a statement and a consultation meeting
    attended (the member), a legislative opinion (the deputy): the demo has none of these in a record."""
    from django.utils import timezone

    from minsheng.cli import demo_accounts_seed
    from minsheng.deliberation import services as deliberation
    from minsheng.deliberation.models import Topic, TopicStatus
    from minsheng.legislation.models import TaskStatus
    from minsheng.org.models import Body, BodyKind, Membership, Role
    from minsheng.records import services as records
    from minsheng.records.models import Book, ReadingGroup
    from tests.legislation.helpers import task_at

    demo_accounts_seed()
    member, deputy, lawstaff = (User.objects.get(username=n) for n in ("member", "deputy", "lawstaff"))
    seat = Membership.objects.filter(person=member.person, role=Role.CPPCC_MEMBER).first()
    group = ReadingGroup.objects.create(body=seat.body, name="链接测试读书会")
    book = Book.objects.create(group=group, title="乡土中国", author="费孝通")
    records.reading_group_join(actor=member, group=group)
    records.reading_checkin(actor=member, book=book)
    topic = Topic.objects.filter(status=TopicStatus.OPEN).order_by("pk").first()
    joined = deliberation.participant_join(topic=topic, user=member)
    deliberation.statement_submit(participant=joined.participant, text="建议错时开放机关单位停车场。")
    staff = User.objects.get(username="cppcc_staff")
    meeting = deliberation.meeting_schedule(
        actor=staff, topic=topic, starts_at=timezone.now() - timezone.timedelta(days=1), place="协商议事室"
    )
    present = [deliberation.AttendeeIn(name=member.person.name, kind="member")]
    deliberation.meeting_hold(actor=staff, meeting=meeting, minutes="围绕停车难协商。", attendees=present)
    point = Membership.objects.filter(
        person=lawstaff.person, role=Role.STAFF, body__kind=BodyKind.LEGISLATIVE_CONTACT_POINT
    ).values_list("body", flat=True)[0]
    task_at(TaskStatus.CONSULTING, staff=lawstaff, contact_point=Body.objects.get(pk=point), commenter=deputy,
            today=timezone.localdate())  # fmt: skip


def _readers() -> dict[str, list[RecordEntry]]:
    """Each account with lines → its lines (any person of the demo with an account, not only two)."""
    lines: dict[str, list[RecordEntry]] = {}
    for entry in RecordEntry.objects.filter(person__user__isnull=False).select_related("person__user"):
        lines.setdefault(entry.person.user.username, []).append(entry)
    return lines


def _staff_of(entries: list[RecordEntry]) -> list[str]:
    """The staff who read this person's draft annual report: the congress's office for a deputy's
    lines, the CPPCC's for a member's."""
    from minsheng.org.models import BodyKind

    lines = RecordEntry.objects.filter(pk__in=[e.pk for e in entries])
    kinds = set(lines.values_list("body__kind", flat=True))
    return [name for kind, name in ((BodyKind.CONGRESS, "staff"), (BodyKind.CPPCC_COMMITTEE, "cppcc_staff"))
            if kind in kinds]  # fmt: skip


def _opens(client: Client, url: str) -> int:
    return client.get(url.split("#", 1)[0]).status_code


def test_every_line_links_and_the_link_opens_for_whoever_sees_it(full_demo: None) -> None:
    readers = _readers()
    kinds = {e.kind for lines in readers.values() for e in lines}
    assert kinds >= LINKED_PRIVATELY - {
        "bill_led",
        "bill_cosigned",
        "proposal_cosigned",
        "deliberation_joined",
    }
    _private_lines_open(readers)
    _public_lines_open(readers)


def _private_lines_open(readers: dict[str, list[RecordEntry]]) -> None:
    """Each line of the private record links, and opens for the person and their staff."""
    for owner, lines in sorted(readers.items()):
        urls = act_urls([(e.target_type, e.target_id) for e in lines], public=False)
        unlinked = sorted(
            {e.kind for e in lines if e.kind in LINKED_PRIVATELY and (e.target_type, e.target_id) not in urls}
        )
        assert unlinked == [], owner
        for reader in (owner, *_staff_of(lines)):
            client = Client()
            client.force_login(User.objects.get(username=reader))
            failed = {url: code for url in sorted(set(urls.values())) if (code := _opens(client, url)) != 200}
            assert failed == {}, (owner, reader)


def _public_lines_open(readers: dict[str, list[RecordEntry]]) -> None:
    """Each public line's link (the profile's) opens for an anonymous visitor."""
    public = [e for lines in readers.values() for e in lines if e.public]
    assert {e.kind for e in public} >= {"reception_day"}
    urls = act_urls([(e.target_type, e.target_id) for e in public], public=True)
    assert urls, "published acts have public pages"
    client = Client()
    failed = {url: code for url in sorted(set(urls.values())) if (code := _opens(client, url)) != 200}
    assert failed == {}
