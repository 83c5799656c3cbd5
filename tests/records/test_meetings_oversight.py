"""Sessions and supervision in the record: attended, on leave, absent without leave, votes taken part
in — and never a ballot: the record holds who voted (participation), not how."""

from __future__ import annotations

import json

import pytest

from minsheng.core.models import Ballot
from minsheng.meetings import services
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import RecordEntry
from tests.meetings.conftest import build_world

pytestmark = pytest.mark.django_db


def _kinds(person_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in RecordEntry.objects.filter(person_id=person_id).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_attendance_leave_absence_and_votes_without_the_ballot():
    world = build_world()
    record_update()
    meeting = services.meeting_notify(actor=world.staff, meeting=world.meeting())
    on_leave = world.deputies[8]
    seat = services.leave_request(actor=on_leave, meeting=meeting, reason="住院治疗")
    services.leave_decide(actor=world.staff, attendee=seat, approve=True)
    meeting = services.meeting_open(actor=world.staff, meeting=meeting)
    for user in world.deputies[:6]:
        services.attendee_sign_in(actor=user, meeting=meeting)
    poll = services.poll_open(actor=world.chair, poll=world.decision(meeting))
    services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice="no")
    services.ballot_submit(actor=world.deputies[1], poll_id=poll.pk, choice="yes")
    services.poll_close(actor=world.chair, poll=poll)
    services.meeting_close(actor=world.staff, meeting=meeting)
    record_update()

    assert _kinds(world.deputies[0].person_id) == {"meeting_attended": 1, "votes_cast": 1}
    assert _kinds(world.deputies[2].person_id) == {"meeting_attended": 1}, "signed in, did not vote"
    assert _kinds(on_leave.person_id) == {"meeting_leave": 1}
    assert _kinds(world.deputies[6].person_id) == {"meeting_absent": 1}, "neither signed in nor on leave"
    # Who voted is participation; how they voted never reaches the record.
    assert Ballot.objects.filter(choice=json.dumps("no")).exists()
    lines = list(RecordEntry.objects.values())
    assert not any(str(v) == "no" or str(v) == "yes" for line in lines for v in line.values())
    voted = RecordEntry.objects.filter(kind="votes_cast")
    assert set(voted.values_list("outcome", flat=True)) == {""} and set(
        voted.values_list("title", flat=True)
    ) == {poll.title}
    incremental = sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome"))
    record_rebuild()
    assert sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome")) == incremental


def test_supervision_attendance_and_visits():
    from minsheng.oversight import services as oversight
    from tests.oversight.builders import World, activity, team_user

    world = World()
    record_update()
    act = activity(world, team=3)
    people = sorted(act.team.values_list("person_id", flat=True))
    oversight.activity_attendance_record(actor=world["staff"], activity=act, present=people[:2])
    record_update()
    joined = RecordEntry.objects.filter(kind="supervision_joined", target_id=str(act.pk))
    assert sorted(joined.values_list("person_id", flat=True)) == people[:2]
    oversight.activity_attendance_record(actor=world["staff"], activity=act, present=people[1:])
    record_update()
    outcomes = dict(
        RecordEntry.objects.filter(kind="supervision_joined", target_id=str(act.pk)).values_list(
            "person_id", "outcome"
        )
    )
    assert outcomes == {people[0]: "absent", people[1]: "", people[2]: ""}, "the last attendance list counts"
    visitor = team_user(world, act)
    oversight.visit_record(actor=visitor, date=act.start_date, place="湖塘镇某企业", activity=act)
    record_update()
    assert RecordEntry.objects.filter(kind="supervision_visit", person=visitor.person).count() == 1
    incremental = sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome"))
    record_rebuild()
    assert sorted(RecordEntry.objects.values_list("person_id", "kind", "target_id", "outcome")) == incremental
