"""The meetings endpoints of the JSON API: every action of the app, members' ballots included.

Members vote with ``POST /meetings/polls/{id}/ballot`` as themselves (bearer token, or the browser
session with CSRF); the body never names the voter. A ``client_key`` (one per submission, chosen by
the device) makes a retried submission count once. Results are shown only once a poll is closed,
and to the public only once the meeting is published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectBody, ObjectId
from minsheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from minsheng.meetings import selectors, services
from minsheng.meetings.counting import PassRule
from minsheng.meetings.models import (
    AgendaItem,
    Appointment,
    Attendee,
    Document,
    Meeting,
    Nominee,
    Poll,
)
from minsheng.org.models import Body, Person

router = Router(tags=["meetings"])


# Schemas ------------------------------------------------------------------------------------------


class MeetingIn(ObjectBody):
    body: ObjectId
    kind: Literal[
        "congress_session", "standing_committee", "chairs_meeting", "cppcc_plenary", "cppcc_standing"
    ]
    title: str = Field(min_length=1, max_length=100)
    starts_on: dt.date
    ends_on: dt.date
    venue: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class AttendanceOut(Schema):
    entitled: int
    present: int
    on_leave: int
    absent: int
    leave_requested: int
    non_voting: int


class MeetingOut(Schema):
    id: int
    body_id: int
    body: str
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    description: str
    status: str

    @staticmethod
    def resolve_body(obj: Meeting) -> str:
        return obj.body.name


class ItemIn(ObjectBody):
    kind: Literal["report", "decision", "election", "appointment", "inquiry", "other"]
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    parent: ObjectId | None = None


class ItemUpdateIn(ObjectBody):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class VersionOut(Schema):
    id: int
    name: str
    size: int
    uploaded_at: dt.datetime
    url: str


class DocumentOut(Schema):
    id: int
    title: str
    public: bool
    versions: list[VersionOut]


class NomineeOut(Schema):
    id: int
    name: str
    action: str
    office: str
    nominated_by: str
    profile: str
    reasons: str
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    passed: bool | None = None


class PollOut(Schema):
    id: int
    meeting_id: int
    item_id: int
    kind: str
    title: str
    status: str
    method: str
    secret: bool
    allow_change: bool
    rule: dict[str, Any]
    seats: int
    mode: str
    round: int
    nominees: list[NomineeOut]
    entitled_count: int | None = None
    present_count: int | None = None
    cast_count: int | None = None
    result: dict[str, Any] | None = None
    passed: bool | None = None


class ItemOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    description: str
    motion_id: int | None
    documents: list[DocumentOut]
    polls: list[int]
    children: list[ItemOut]


class NomineeIn(ObjectBody):
    name: str = Field(min_length=1, max_length=64)
    office: str = Field(min_length=1, max_length=100)
    action: Literal["appoint", "remove", "elect"] = "appoint"
    person: ObjectId | None = None
    nominated_by: str = Field(default="", max_length=100)
    profile: str = Field(default="", max_length=5000)
    reasons: str = Field(default="", max_length=5000)


class RuleIn(ObjectBody):
    base: Literal["all", "present", "cast"]
    numerator: int = Field(ge=0, le=100)
    denominator: int = Field(ge=1, le=100)
    strict: bool = True


class PollIn(ObjectBody):
    kind: Literal["decision", "election", "appointment"] = "decision"
    title: str = Field(min_length=1, max_length=200)
    secret: bool | None = None
    allow_change: bool | None = None
    seats: int = Field(default=1, ge=1, le=50)
    mode: Literal["each", "together"] = "each"
    nominees: list[NomineeIn] = Field(default_factory=list, max_length=50)
    rule: RuleIn | None = None


class BallotIn(ObjectBody):
    model_config = {"extra": "forbid"}
    choice: Literal["yes", "no", "abstain"] | None = None
    rows: dict[str, Literal["yes", "no", "abstain"]] | None = Field(default=None, max_length=50)
    write_ins: list[str] = Field(default_factory=list, max_length=10)
    client_key: str = Field(default="", max_length=64, pattern=r"^[A-Za-z0-9_\-]*$")


class BallotOut(Schema):
    poll: int
    counted: bool
    first: bool
    replayed: bool
    may_change: bool


class MyBallotOut(Schema):
    poll: int
    status: str
    voted: bool
    choice: Any = None


class ProgressOut(Schema):
    poll: int
    status: str
    voted: int
    present: int
    not_voted: int
    not_voted_names: list[str] | None = None


class ReasonIn(ObjectBody):
    reason: str = Field(min_length=1, max_length=300)


class NoteIn(ObjectBody):
    note: str = Field(default="", max_length=300)


class SignInIn(ObjectBody):
    method: Literal["phone", "qr", "clerk"] = "phone"
    token: str = Field(default="", max_length=200)
    person: ObjectId | None = None


class AttendeeOut(Schema):
    id: int
    person_id: int
    name: str
    voting: bool
    capacity: str
    present: bool
    signed_in_via: str
    leave_status: str
    leave_reason: str

    @staticmethod
    def resolve_name(obj: Attendee) -> str:
        return obj.person.name


class AttendeeIn(ObjectBody):
    person: ObjectId
    capacity: str = Field(default="", max_length=64)


class HandsIn(ObjectBody):
    yes: int = Field(ge=0, le=100_000)
    no: int = Field(ge=0, le=100_000)
    abstain: int = Field(ge=0, le=100_000)


class AppointmentOut(Schema):
    id: int
    name: str
    action: str
    office: str
    effective_on: dt.date
    number: str
    oath_on: dt.date | None
    certificate_url: str


class OathIn(ObjectBody):
    on: dt.date


class TokenOut(Schema):
    token: str
    url: str


class ScreenOut(Schema):
    meeting: int
    attendance: AttendanceOut
    voting: ProgressOut | None = None
    result: PollOut | None = None


# Helpers ------------------------------------------------------------------------------------------


def _meeting(request: HttpRequest, meeting_id: ObjectId) -> Meeting:
    meeting = selectors.meeting_detail(request.user, meeting_id)
    if meeting is None:
        raise NotFoundError()
    return meeting


def _poll(request: HttpRequest, poll_id: ObjectId) -> Poll:
    poll = selectors.poll_detail(request.user, poll_id)
    if poll is None:
        raise NotFoundError()
    return poll


def _item(request: HttpRequest, item_id: ObjectId) -> AgendaItem:
    item = AgendaItem.objects.select_related("meeting", "meeting__body").filter(pk=item_id).first()
    if item is None or not request.user.has_perm("meetings.view_meeting", item.meeting):
        raise NotFoundError()
    return item


def _attendance(meeting: Meeting | int) -> dict[str, int]:
    counts = services.attendance_counts(meeting)
    return {**counts.as_dict(), "leave_requested": counts.leave_requested}


def _nominee_out(nominee: Nominee, show: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": nominee.pk,
        "name": nominee.name,
        "action": nominee.action,
        "office": nominee.office,
        "nominated_by": nominee.nominated_by,
        "profile": nominee.profile,
        "reasons": nominee.reasons,
    }
    if show:
        out.update(yes=nominee.yes, no=nominee.no, abstain=nominee.abstain, passed=nominee.passed)
    return out


def poll_out(user: Any, poll: Poll) -> dict[str, Any]:
    """The poll; its numbers only once it is closed and the user may see results."""
    show = poll.status in selectors.PUBLIC_POLL_STATES and (
        user is None or user.has_perm("meetings.view_results", poll)
    )
    out: dict[str, Any] = {
        "id": poll.pk,
        "meeting_id": poll.meeting_id,
        "item_id": poll.item_id,
        "kind": poll.kind,
        "title": poll.title,
        "status": poll.status,
        "method": poll.method,
        "secret": poll.secret,
        "allow_change": poll.allow_change,
        "rule": {
            "base": poll.rule_base,
            "numerator": poll.rule_numerator,
            "denominator": poll.rule_denominator,
            "strict": poll.rule_strict,
        },
        "seats": poll.seats,
        "mode": poll.mode,
        "round": poll.round,
        "nominees": [_nominee_out(n, show) for n in poll.nominees.all()],
    }
    if show:
        out.update(
            entitled_count=poll.entitled_count,
            present_count=poll.present_count,
            cast_count=poll.cast_count,
            result=poll.result,
            passed=poll.passed,
        )
    return out


def _item_out(view: selectors.ItemView) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": view.item.pk,
        "number": view.number,
        "kind": view.item.kind,
        "title": view.item.title,
        "description": view.item.description,
        "motion_id": view.item.motion_id,
        "documents": [
            {
                "id": d.pk,
                "title": d.title,
                "public": d.public,
                "versions": [
                    {
                        "id": v.pk,
                        "name": v.original_name,
                        "size": v.size,
                        "uploaded_at": v.created_at,
                        "url": reverse("meetings:file", args=[v.pk]),
                    }
                    for v in getattr(d, "versions", [])
                ],
            }
            for d in view.documents
        ],
        "polls": [p.pk for p in view.polls],
        "children": [_item_out(child) for child in view.children],
    }


def _progress(poll: Poll) -> dict[str, Any]:
    progress = selectors.poll_progress(poll)
    return {
        "poll": poll.pk,
        "status": poll.status,
        "voted": progress.voted,
        "present": progress.present,
        "not_voted": progress.not_voted,
        "not_voted_names": progress.not_voted_names,
    }


def _appointment_out(record: Appointment) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": record.pk,
        "name": record.name,
        "action": record.action,
        "office": record.office,
        "effective_on": record.effective_on,
        "number": record.number,
        "oath_on": record.oath_on,
        "certificate_url": reverse("meetings:certificate", args=[record.pk]),
    }


# Meetings -----------------------------------------------------------------------------------------


@router.get("", response=list[MeetingOut], auth=PUBLIC)
def meetings_list(request: HttpRequest) -> Any:
    return list(selectors.meetings_visible_to(request.user)[:200])


@router.post("", response={201: MeetingOut})
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    body = Body.objects.filter(pk=payload.body).first()
    if body is None:
        raise ValidationFailedError(field="body")
    data = services.MeetingIn(**payload.dict(exclude={"body"}))
    return Status(201, services.meeting_create(actor=request.user, body=body, data=data))


@router.get("/{int:meeting_id}", response=MeetingOut, auth=PUBLIC)
def meeting_get(request: HttpRequest, meeting_id: ObjectId) -> Any:
    return _meeting(request, meeting_id)


@router.put("/{int:meeting_id}", response=MeetingOut)
def meeting_update(request: HttpRequest, meeting_id: ObjectId, payload: MeetingIn) -> Any:
    data = services.MeetingIn(**payload.dict(exclude={"body"}))
    return services.meeting_update(actor=request.user, meeting=_meeting(request, meeting_id), data=data)


MEETING_ACTIONS = {
    "notify": services.meeting_notify,
    "open": services.meeting_open,
    "close": services.meeting_close,
    "publish": services.meeting_publish,
}


@router.post("/{int:meeting_id}/transitions/{action}", response=MeetingOut)
def meeting_transition(
    request: HttpRequest, meeting_id: ObjectId, action: Literal["notify", "open", "close", "publish"]
) -> Any:
    """Move the meeting on: notify (takes the roster), open (in session), close, publish."""
    return MEETING_ACTIONS[action](actor=request.user, meeting=_meeting(request, meeting_id))


@router.get("/{int:meeting_id}/agenda", response=list[ItemOut], auth=PUBLIC)
def meeting_agenda(request: HttpRequest, meeting_id: ObjectId) -> Any:
    meeting = _meeting(request, meeting_id)
    knows = request.user.has_perm("meetings.view_roster", meeting)
    return [_item_out(view) for view in selectors.agenda(meeting, public_only=not knows)]


@router.post("/{int:meeting_id}/items", response={201: ItemOut})
def item_add(request: HttpRequest, meeting_id: ObjectId, payload: ItemIn) -> Any:
    meeting = _meeting(request, meeting_id)
    parent = AgendaItem.objects.filter(pk=payload.parent, meeting=meeting).first() if payload.parent else None
    if payload.parent and parent is None:
        raise ValidationFailedError(field="parent")
    item = services.item_add(
        actor=request.user,
        meeting=meeting,
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        parent=parent,
    )
    return Status(201, _item_out(selectors.ItemView(item, str(item.position), [], [], [])))


@router.put("/items/{int:item_id}", response=ItemOut)
def item_update(request: HttpRequest, item_id: ObjectId, payload: ItemUpdateIn) -> Any:
    item = services.item_update(
        actor=request.user, item=_item(request, item_id), title=payload.title, description=payload.description
    )
    return _item_out(selectors.ItemView(item, str(item.position), [], [], []))


@router.post("/items/{int:item_id}/documents", response={201: DocumentOut})
def document_add(
    request: HttpRequest,
    item_id: ObjectId,
    file: File[UploadedFile],
    title: Form[str],
    public: Form[bool] = True,
) -> Any:
    document = services.document_add(
        actor=request.user, item=_item(request, item_id), title=title, upload=file, public=public
    )
    selectors._attach_versions([document])
    return Status(201, _item_out(selectors.ItemView(document.item, "", [], [document], []))["documents"][0])


@router.post("/documents/{int:document_id}/versions", response={201: DocumentOut})
def document_version_add(request: HttpRequest, document_id: ObjectId, file: File[UploadedFile]) -> Any:
    document = Document.objects.select_related("item__meeting__body").filter(pk=document_id).first()
    if document is None or not request.user.has_perm("meetings.view_meeting", document.item.meeting):
        raise NotFoundError()
    document = services.document_version_add(actor=request.user, document=document, upload=file)
    selectors._attach_versions([document])
    return Status(201, _item_out(selectors.ItemView(document.item, "", [], [document], []))["documents"][0])


# Roster, leave, sign-in ---------------------------------------------------------------------------


@router.get("/{int:meeting_id}/attendance", response=AttendanceOut, auth=PUBLIC)
def attendance(request: HttpRequest, meeting_id: ObjectId) -> Any:
    meeting = _meeting(request, meeting_id)
    if not request.user.has_perm("meetings.view_roster", meeting) and meeting.status != "published":
        raise PermissionDeniedError()
    return _attendance(meeting)


@router.get("/{int:meeting_id}/roster", response=list[AttendeeOut])
def roster(request: HttpRequest, meeting_id: ObjectId) -> Any:
    meeting = _meeting(request, meeting_id)
    if not request.user.has_perm("meetings.view_roster", meeting):
        raise PermissionDeniedError()
    return list(selectors.roster(meeting))


@router.post("/{int:meeting_id}/roster", response={201: AttendeeOut})
def roster_add(request: HttpRequest, meeting_id: ObjectId, payload: AttendeeIn) -> Any:
    person = Person.objects.filter(pk=payload.person).first()
    if person is None:
        raise ValidationFailedError(field="person")
    attendee = services.attendee_add(
        actor=request.user, meeting=_meeting(request, meeting_id), person=person, capacity=payload.capacity
    )
    return Status(201, attendee)


@router.post("/{int:meeting_id}/leave", response=AttendeeOut)
def leave_request(request: HttpRequest, meeting_id: ObjectId, payload: ReasonIn) -> Any:
    return services.leave_request(
        actor=request.user, meeting=_meeting(request, meeting_id), reason=payload.reason
    )


@router.delete("/{int:meeting_id}/leave", response=AttendeeOut)
def leave_withdraw(request: HttpRequest, meeting_id: ObjectId) -> Any:
    return services.leave_withdraw(actor=request.user, meeting=_meeting(request, meeting_id))


@router.post("/attendees/{int:attendee_id}/leave/{decision}", response=AttendeeOut)
def leave_decide(
    request: HttpRequest,
    attendee_id: ObjectId,
    decision: Literal["approve", "refuse", "revoke"],
    payload: NoteIn,
) -> Any:
    attendee = Attendee.objects.select_related("meeting__body", "person").filter(pk=attendee_id).first()
    if attendee is None or not request.user.has_perm("meetings.view_meeting", attendee.meeting):
        raise NotFoundError()
    if decision == "revoke":
        return services.leave_revoke(actor=request.user, attendee=attendee)
    return services.leave_decide(
        actor=request.user, attendee=attendee, approve=decision == "approve", note=payload.note
    )


@router.post("/{int:meeting_id}/sign-in", response=AttendeeOut)
def sign_in(request: HttpRequest, meeting_id: ObjectId, payload: SignInIn) -> Any:
    """Sign in: ``phone`` (yourself), ``qr`` (yourself, with the door code's ``token``) or ``clerk``
    (staff, naming the ``person``)."""
    meeting = _meeting(request, meeting_id)
    if payload.method == "qr" and services.checkin_meeting_id(payload.token) != meeting.pk:
        raise ValidationFailedError(field="token")
    person = Person.objects.filter(pk=payload.person).first() if payload.person else None
    return services.attendee_sign_in(
        actor=request.user, meeting=meeting, method=payload.method, person=person
    )


@router.get("/{int:meeting_id}/checkin-token", response=TokenOut)
def checkin_token(request: HttpRequest, meeting_id: ObjectId) -> Any:
    """The door code (valid two minutes), for a door kiosk that draws its own QR code."""
    from django.urls import reverse

    meeting = _meeting(request, meeting_id)
    if not request.user.has_perm("meetings.sign_in_others", meeting):
        raise PermissionDeniedError()
    token = services.checkin_token(meeting)
    return {"token": token, "url": request.build_absolute_uri(reverse("meetings:checkin") + "?t=" + token)}


# Polls --------------------------------------------------------------------------------------------


@router.post("/items/{int:item_id}/polls", response={201: PollOut})
def poll_create(request: HttpRequest, item_id: ObjectId, payload: PollIn) -> Any:
    people = {p.pk: p for p in Person.objects.filter(pk__in=[n.person for n in payload.nominees if n.person])}
    nominees = [
        services.NomineeIn(
            name=n.name,
            office=n.office,
            person=people.get(n.person) if n.person else None,
            action=n.action,
            nominated_by=n.nominated_by,
            profile=n.profile,
            reasons=n.reasons,
        )
        for n in payload.nominees
    ]
    rule = None
    if payload.rule is not None:
        if payload.rule.numerator > payload.rule.denominator:
            raise ValidationFailedError(field="rule")
        rule = PassRule(
            payload.rule.base, payload.rule.numerator, payload.rule.denominator, payload.rule.strict
        )
    data = services.PollIn(
        title=payload.title,
        kind=payload.kind,
        secret=payload.secret,
        allow_change=payload.allow_change,
        seats=payload.seats,
        mode=payload.mode,
        nominees=nominees,
        rule=rule,
    )
    poll = services.poll_create(actor=request.user, item=_item(request, item_id), data=data)
    return Status(201, poll_out(request.user, _poll(request, poll.pk)))


@router.get("/polls/{int:poll_id}", response=PollOut, auth=PUBLIC)
def poll_get(request: HttpRequest, poll_id: ObjectId) -> Any:
    return poll_out(request.user, _poll(request, poll_id))


POLL_ACTIONS = {"open": services.poll_open, "close": services.poll_close, "announce": services.poll_announce}


@router.post("/polls/{int:poll_id}/transitions/{action}", response=PollOut)
def poll_transition(
    request: HttpRequest, poll_id: ObjectId, action: Literal["open", "close", "announce"]
) -> Any:
    """The chair's console: open (quorum checked), close (result computed), announce."""
    poll = POLL_ACTIONS[action](actor=request.user, poll=_poll(request, poll_id))
    return poll_out(request.user, _poll(request, poll.pk))


@router.post("/polls/{int:poll_id}/show-of-hands", response=PollOut)
def show_of_hands(request: HttpRequest, poll_id: ObjectId, payload: HandsIn) -> Any:
    poll = services.show_of_hands_record(
        actor=request.user,
        poll=_poll(request, poll_id),
        yes=payload.yes,
        no=payload.no,
        abstain=payload.abstain,
    )
    return poll_out(request.user, _poll(request, poll.pk))


@router.post("/polls/{int:poll_id}/further-round", response={201: PollOut})
def further_round(request: HttpRequest, poll_id: ObjectId) -> Any:
    poll = services.further_round_create(actor=request.user, poll=_poll(request, poll_id))
    return Status(201, poll_out(request.user, _poll(request, poll.pk)))


@router.delete("/polls/{int:poll_id}", response={204: None})
def poll_delete(request: HttpRequest, poll_id: ObjectId) -> Any:
    services.poll_delete(actor=request.user, poll=_poll(request, poll_id))
    return Status(204, None)


@router.post("/polls/{int:poll_id}/ballot", response=BallotOut)
def ballot_submit(request: HttpRequest, poll_id: ObjectId, payload: BallotIn) -> Any:
    """Vote: ``{"choice": "yes"}`` on a decision; ``{"rows": {"<nominee id>": "yes", …}, "write_ins":
    [...]}`` on an election or person-by-person appointments. Retry with the same ``client_key``."""
    choice: Any = (
        payload.choice if payload.rows is None else {"rows": payload.rows, "write_ins": payload.write_ins}
    )
    receipt = services.ballot_submit(
        actor=request.user, poll_id=poll_id, choice=choice, client_key=payload.client_key
    )
    return {
        "poll": poll_id,
        "counted": True,
        "first": receipt.first,
        "replayed": receipt.replayed,
        "may_change": receipt.may_change,
    }


@router.get("/polls/{int:poll_id}/ballot", response=MyBallotOut)
def my_ballot(request: HttpRequest, poll_id: ObjectId) -> Any:
    """Whether I voted, and while the poll is open what (nobody can know it after the close)."""
    poll = _poll(request, poll_id)
    return {
        "poll": poll.pk,
        "status": poll.status,
        "voted": selectors.has_voted(request.user, poll),
        "choice": selectors.my_ballot(request.user, poll),
    }


@router.get("/polls/{int:poll_id}/progress", response=ProgressOut)
def poll_progress(request: HttpRequest, poll_id: ObjectId) -> Any:
    """The console: how many have voted (names of those who have not, for named polls only)."""
    poll = _poll(request, poll_id)
    if not request.user.has_perm("meetings.view_console", poll):
        raise PermissionDeniedError()
    return _progress(poll)


@router.get("/{int:meeting_id}/screen", response=ScreenOut, auth=PUBLIC)
def screen(request: HttpRequest, meeting_id: ObjectId, key: str) -> Any:
    """What the hall screen shows (the screen key is the meeting's kiosk key)."""
    meeting = selectors.meeting_for_screen(meeting_id, key[:64])
    if meeting is None:
        raise NotFoundError()
    current = selectors.open_poll(meeting)
    latest = selectors.latest_result(meeting) if current is None else None
    return {
        "meeting": meeting.pk,
        "attendance": _attendance(meeting),
        "voting": _progress(current) if current else None,
        "result": poll_out(None, latest) if latest else None,
    }


# Appointments -------------------------------------------------------------------------------------


@router.get("/{int:meeting_id}/appointments", response=list[AppointmentOut])
def appointments(request: HttpRequest, meeting_id: ObjectId) -> Any:
    return [_appointment_out(record) for record in selectors.appointments_of(_meeting(request, meeting_id))]


@router.post("/appointments/{int:appointment_id}/oath", response=AppointmentOut)
def oath(request: HttpRequest, appointment_id: ObjectId, payload: OathIn) -> Any:
    record = selectors.appointment_detail(request.user, appointment_id)
    if record is None:
        raise NotFoundError()
    return _appointment_out(
        services.appointment_oath_record(actor=request.user, appointment=record, on=payload.on)
    )


# Bills --------------------------------------------------------------------------------------------


class BillOut(Schema):
    id: int
    kind: str
    title: str
    status: str


class BillDecisionIn(ObjectBody):
    decision: Literal["agenda", "refer", "suggestion"]
    decided_by: Literal["presidium", "chairs_meeting"] = "presidium"
    meeting: ObjectId | None = None
    committee: ObjectId | None = None


@router.get("/bills", response=list[BillOut])
def bills(request: HttpRequest) -> Any:
    """Bills awaiting the decision of the presidium or the chair's meeting."""
    return selectors.bills_awaiting_decision(request.user)


@router.post("/bills/{int:motion_id}/decision", response=BillOut)
def bill_decide(request: HttpRequest, motion_id: ObjectId, payload: BillDecisionIn) -> Any:
    """Put the bill on a meeting's agenda (an item with its own vote), refer it to a special committee,
    or handle it as a suggestion; the signers are told."""
    from minsheng.motions import services as motions

    bill = next((b for b in selectors.bills_awaiting_decision(request.user) if b.pk == motion_id), None)
    if bill is None:
        raise NotFoundError()
    if payload.decision == "agenda":
        meeting = selectors.meetings_for_bills(request.user).filter(pk=payload.meeting or 0).first()
        if meeting is None:
            raise ValidationFailedError(field="meeting")
        return motions.bill_put_on_agenda(
            actor=request.user, motion=bill, meeting=meeting, decided_by=payload.decided_by
        )
    if payload.decision == "refer":
        committee = (
            selectors.special_committees({bill.jurisdiction_id}).filter(pk=payload.committee or 0).first()
        )
        if committee is None:
            raise ValidationFailedError(field="committee")
        return motions.bill_refer(
            actor=request.user, motion=bill, committee=committee, decided_by=payload.decided_by
        )
    return motions.motion_convert(actor=request.user, motion=bill, expected_state=bill.status)
