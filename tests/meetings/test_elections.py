"""Elections (差额, ties, too few elected → further round) and appointments person by person."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from django.utils import timezone, translation

from minsheng.core.errors import ConflictError, ValidationFailedError
from minsheng.meetings import documents, services
from minsheng.meetings.models import Appointment, ItemKind, MeetingKind, Poll, PollKind
from tests.meetings.conftest import World

pytestmark = pytest.mark.django_db


def _election(world: World, names: list[str], seats: int = 1) -> Poll:
    meeting = world.in_session(world.meeting(), present=world.deputies)  # all 9 present
    item = services.item_add(
        actor=world.staff, meeting=meeting, kind=ItemKind.ELECTION, title="选举区人大常委会副主任"
    )
    data = services.PollIn(
        title="选举区人大常委会副主任",
        kind=PollKind.ELECTION,
        seats=seats,
        nominees=[services.NomineeIn(name=name, office="区人大常委会副主任") for name in names],
    )
    poll = services.poll_create(actor=world.staff, item=item, data=data)
    return services.poll_open(actor=world.chair, poll=poll)


def _ids(poll: Poll) -> list[str]:
    return [str(pk) for pk in poll.nominees.order_by("position").values_list("id", flat=True)]


def _vote(
    world: World, poll: Poll, rows_per_voter: list[dict[str, str]], write_ins: list[list[str]] | None = None
):
    for n, rows in enumerate(rows_per_voter):
        services.ballot_submit(
            actor=world.deputies[n],
            poll_id=poll.pk,
            choice={"rows": rows, "write_ins": (write_ins or [[]] * len(rows_per_voter))[n]},
        )


def test_a_contested_election_for_one_seat(world: World) -> None:
    poll = _election(world, ["甲", "乙"])
    a, b = _ids(poll)
    _vote(world, poll, [{a: "yes", b: "no"}] * 6 + [{a: "no", b: "yes"}] * 2 + [{a: "abstain", b: "abstain"}])
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.passed is True and poll.result["elected"] == [a] and poll.result["needed"] == 5
    nominees = {n.name: n for n in poll.nominees.all()}
    assert (nominees["甲"].yes, nominees["甲"].no, nominees["甲"].abstain, nominees["甲"].passed) == (
        6,
        2,
        1,
        True,
    )
    assert (nominees["乙"].yes, nominees["乙"].passed) == (2, False)
    with translation.override("zh-hans"):
        assert documents.result_sentence(poll).endswith("应选名额已全部选出。")


def test_more_yes_than_seats_is_refused(world: World) -> None:
    poll = _election(world, ["甲", "乙"])
    a, b = _ids(poll)
    with pytest.raises(ValidationFailedError) as refused:
        services.ballot_submit(
            actor=world.deputies[0], poll_id=poll.pk, choice={"rows": {a: "yes", b: "yes"}}
        )
    with translation.override("zh-hans"):
        assert refused.value.message == "赞成的候选人与另选他人合计不得超过应选名额1名。"
    with pytest.raises(ValidationFailedError):
        services.ballot_submit(
            actor=world.deputies[0], poll_id=poll.pk, choice={"rows": {a: "yes"}, "write_ins": ["丙"]}
        )
    with pytest.raises(ValidationFailedError):
        services.ballot_submit(actor=world.deputies[0], poll_id=poll.pk, choice={"rows": {"999999": "yes"}})


def test_a_write_in_is_counted_beside_the_candidates(world: World) -> None:
    poll = _election(world, ["甲", "乙"])
    a, b = _ids(poll)
    _vote(world, poll, [{a: "no", b: "no"}] * 3, write_ins=[["丙"], ["丙"], []])
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.result["write_ins"] == {"丙": 2} and poll.passed is False


def test_a_tie_at_the_last_seat_gives_a_further_round_among_the_tied(world: World) -> None:
    poll = _election(world, ["甲", "乙", "丙"], seats=2)
    a, b, c = _ids(poll)
    # 甲 8, 乙 5, 丙 5 of 9: both 乙 and 丙 pass, and tie for the second seat.
    _vote(world, poll, [{a: "yes", b: "yes"}] * 4 + [{a: "yes", c: "yes"}] * 4 + [{b: "yes", c: "yes"}])
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.result["elected"] == [a]
    assert poll.result["further_round_seats"] == 1 and sorted(poll.result["tied"]) == sorted([b, c])
    assert poll.passed is False
    further = services.further_round_create(actor=world.staff, poll=poll)
    assert further.round == 2 and further.seats == 1 and further.previous_round == poll
    assert sorted(further.nominees.values_list("name", flat=True)) == ["丙", "乙"]
    with pytest.raises(ConflictError):
        services.further_round_create(actor=world.staff, poll=poll)


def test_too_few_elected_gives_a_further_round(world: World) -> None:
    poll = _election(world, ["甲", "乙", "丙"], seats=2)
    a, b, c = _ids(poll)
    _vote(world, poll, [{a: "yes", b: "yes"}] * 5 + [{a: "yes", c: "yes"}] * 1 + [{c: "yes"}] * 3)
    poll = services.poll_close(actor=world.chair, poll=poll)
    # 甲 6, 乙 5, 丙 4 of 9: 甲 and 乙 have more than half of all 9 members; both elected.
    assert poll.result["elected"] == [a, b] and poll.passed
    poll2 = _election(world, ["丁", "戊", "己"], seats=2)
    d, e, f = _ids(poll2)
    _vote(world, poll2, [{d: "yes", e: "yes"}] * 5 + [{f: "yes"}] * 4)
    poll2 = services.poll_close(actor=world.chair, poll=poll2)
    assert poll2.result["elected"] == [d, e]
    poll3 = _election(world, ["庚", "辛", "壬"], seats=2)
    g, h, i = _ids(poll3)
    _vote(world, poll3, [{g: "yes", h: "yes"}] * 5 + [{h: "no", i: "yes"}] * 4)
    poll3 = services.poll_close(actor=world.chair, poll=poll3)
    assert poll3.result["elected"] == [g, h]
    poll4 = _election(world, ["癸", "子", "丑"], seats=2)
    j, k, m = _ids(poll4)
    _vote(world, poll4, [{j: "yes", k: "yes"}] * 4 + [{j: "yes", m: "yes"}] * 3 + [{k: "yes"}, {m: "yes"}])
    poll4 = services.poll_close(actor=world.chair, poll=poll4)
    # 癸 7 passes; 子 5 passes; 丑 4 fails → both seats filled by 癸, 子.
    assert poll4.result["elected"] == [j, k]
    poll5 = _election(world, ["寅", "卯", "辰"], seats=2)
    n, o, p = _ids(poll5)
    _vote(world, poll5, [{n: "yes", o: "yes"}] * 4 + [{n: "yes", p: "yes"}] * 4 + [{n: "abstain"}])
    poll5 = services.poll_close(actor=world.chair, poll=poll5)
    # 寅 8 elected; 卯 4 and 辰 4 both short of 5: one seat remains, among the others.
    assert poll5.result["elected"] == [n] and poll5.result["further_round_seats"] == 1
    assert sorted(poll5.result["further_round_candidates"]) == sorted([o, p]) and not poll5.result["tied"]


def _appointments(world: World, mode: str = "each") -> Poll:
    meeting = world.in_session(
        world.meeting(kind=MeetingKind.STANDING_COMMITTEE, title="区人大常委会第二十五次会议"),
        present=world.sc_members,
    )
    item = services.item_add(
        actor=world.staff, meeting=meeting, kind=ItemKind.APPOINTMENT, title="人事任免事项"
    )
    nominees = [
        services.NomineeIn(name="王敏", office="区财政局局长", nominated_by="区人民政府区长提请"),
        services.NomineeIn(name="李强", office="区人民法院审判员", nominated_by="区人民法院院长提请"),
        services.NomineeIn(
            name="赵军", office="区交通运输局局长", action="remove", nominated_by="区人民政府区长提请"
        ),
    ]
    data = services.PollIn(title="人事任免", kind=PollKind.APPOINTMENT, mode=mode, nominees=nominees)
    return services.poll_open(
        actor=world.chair, poll=services.poll_create(actor=world.staff, item=item, data=data)
    )


def test_appointments_person_by_person_become_records_with_certificates(world: World) -> None:
    poll = _appointments(world)
    wang, li, zhao = _ids(poll)
    votes = [{wang: "yes", li: "yes", zhao: "yes"}] * 3 + [{wang: "yes", li: "no", zhao: "yes"}] * 2
    for user, rows in zip(world.sc_members, votes, strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice={"rows": rows})
    poll = services.poll_close(actor=world.chair, poll=poll)
    passed = dict(poll.nominees.values_list("name", "passed"))
    assert passed == {"王敏": True, "李强": True, "赵军": True}  # 3 of 5 is more than half of all 5
    poll = services.poll_announce(actor=world.chair, poll=poll)
    records = list(Appointment.objects.order_by("id"))
    assert [(r.name, r.action, r.number) for r in records] == [
        ("王敏", "appoint", f"〔{timezone.localdate().year}〕1号"),
        ("李强", "appoint", f"〔{timezone.localdate().year}〕2号"),
        ("赵军", "remove", f"〔{timezone.localdate().year}〕3号"),
    ]
    with translation.override("zh-hans"):
        text = "\n".join(
            p.text for p in docx.Document(io.BytesIO(documents.certificate_docx(records[0]))).paragraphs
        )
        removal = "\n".join(
            p.text for p in docx.Document(io.BytesIO(documents.certificate_docx(records[2]))).paragraphs
        )
    assert "任命书" in text and "任命王敏为区财政局局长" in text and records[0].number in text
    assert "免去赵军的区交通运输局局长职务" in removal
    record = services.appointment_oath_record(
        actor=world.staff, appointment=records[0], on=timezone.localdate()
    )
    assert record.oath_on == timezone.localdate()
    with pytest.raises(ConflictError):
        services.appointment_oath_record(actor=world.staff, appointment=record, on=timezone.localdate())
    with pytest.raises(ValidationFailedError):
        services.appointment_oath_record(actor=world.staff, appointment=records[2], on=timezone.localdate())
    with pytest.raises(ValidationFailedError):
        services.appointment_oath_record(
            actor=world.staff, appointment=records[1], on=timezone.localdate() + dt.timedelta(days=1)
        )


def test_a_nominee_short_of_a_majority_of_all_members_is_not_appointed(world: World) -> None:
    poll = _appointments(world)
    wang, li, zhao = _ids(poll)
    votes = [{wang: "yes", li: "no", zhao: "yes"}] * 3 + [{wang: "yes", li: "yes", zhao: "abstain"}] * 2
    for user, rows in zip(world.sc_members, votes, strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice={"rows": rows})
    poll = services.poll_announce(actor=world.chair, poll=services.poll_close(actor=world.chair, poll=poll))
    assert sorted(Appointment.objects.values_list("name", flat=True)) == ["王敏", "赵军"]


def test_appointments_together_pass_or_fail_as_one(world: World) -> None:
    poll = _appointments(world, mode="together")
    for user, value in zip(world.sc_members, ["yes", "yes", "no", "no", "abstain"], strict=True):
        services.ballot_submit(actor=user, poll_id=poll.pk, choice=value)
    poll = services.poll_close(actor=world.chair, poll=poll)
    assert poll.passed is False and set(poll.nominees.values_list("passed", flat=True)) == {False}
    assert services.poll_announce(actor=world.chair, poll=poll) and not Appointment.objects.exists()
