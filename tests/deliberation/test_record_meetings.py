"""A consultation meeting counts in the duty record of the members on its attendance list who came: the
meeting's ``hold`` Event names them; a name two representatives share is left out, not guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.core.models import Event
from minsheng.deliberation import services
from minsheng.org.models import Membership, Role
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import RecordEntry
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _hold(world, topic, names: list[tuple[str, str, bool]]):
    meeting = services.meeting_schedule(
        actor=world.staff, topic=topic, starts_at=timezone.now() + dt.timedelta(days=2), place="社区议事厅"
    )
    return services.meeting_hold(
        actor=world.staff,
        meeting=meeting,
        minutes="与会各方一致同意分摊方案。",
        attendees=[services.AttendeeIn(name=n, kind=k, present=p) for n, k, p in names],
    )


def test_members_who_came_count_and_the_rebuild_agrees(world, topic):
    member = world.member.person
    absent = PersonFactory(name="缺席委员")
    Membership.objects.create(person=absent, body=world.committee, role=Role.CPPCC_MEMBER,
                              start=dt.date(2020, 1, 1))  # fmt: skip
    meeting = _hold(world, topic, [(member.name, "member", True), ("缺席委员", "member", False),
                                   ("张三", "resident", True)])  # fmt: skip
    event = Event.objects.get(verb="hold", target_id=str(meeting.pk))
    assert event.payload["members"] == [member.pk]
    record_update()
    lines = list(
        RecordEntry.objects.filter(kind="deliberation_meeting").values_list("person_id", "target_id")
    )
    assert lines == [(member.pk, str(meeting.pk))]
    record_rebuild()
    assert (
        list(RecordEntry.objects.filter(kind="deliberation_meeting").values_list("person_id", "target_id"))
        == lines
    )


def test_a_name_shared_by_two_members_is_left_out(world, topic):
    member = world.member.person
    namesake = PersonFactory(name=member.name)
    Membership.objects.create(person=namesake, body=world.committee, role=Role.CPPCC_MEMBER,
                              start=dt.date(2020, 1, 1))  # fmt: skip
    meeting = _hold(world, topic, [(member.name, "member", True)])
    assert Event.objects.get(verb="hold", target_id=str(meeting.pk)).payload["members"] == []
    record_update()
    assert not RecordEntry.objects.filter(kind="deliberation_meeting").exists()


def test_a_meeting_held_before_the_event_named_members_counts_from_its_list(world, topic):
    """A hold Event of that time has the counts only: the record credits the members from the
    attendance rows the hold wrote, by the same rule, in the update and the rebuild alike."""
    member = world.member.person
    meeting = _hold(world, topic, [(member.name, "member", True), ("张三", "resident", True)])
    held = Event.objects.filter(verb="hold", target_id=str(meeting.pk))
    payload = dict(held.get().payload)
    del payload["members"]
    held.update(payload=payload)  # as the Event was written then
    record_update()
    lines = list(
        RecordEntry.objects.filter(kind="deliberation_meeting").values_list("person_id", "target_id")
    )
    assert lines == [(member.pk, str(meeting.pk))]
    record_rebuild()
    rebuilt = RecordEntry.objects.filter(kind="deliberation_meeting").values_list("person_id", "target_id")
    assert list(rebuilt) == lines
