"""Writes of the meetings app: meetings, agenda, documents, roster, leave, sign-in, polls, appointments.

Every status change goes through a transition table below and leaves an Event. The exception is the
ballot: ``ballot_submit`` is the hot path (thousands of members within seconds) and writes no Event —
an Event per ballot would serialise every ballot on the chain head and would record when each member
voted, next to the poll; ``core.ballots`` keeps secret ballots unlinkable. Opening, closing and
announcing a poll write Events with counts only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import ballots
from minsheng.core.attachments import DOCUMENT, attachments_save, upload_check
from minsheng.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.notifications import notify
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import Transition, TransitionTable, transition_apply
from minsheng.meetings import counting
from minsheng.meetings.counting import PassRule, Turnout
from minsheng.meetings.models import (
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AgendaItem,
    Appointment,
    AppointmentMode,
    Attendee,
    Document,
    ItemKind,
    LeaveStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Nominee,
    NomineeAction,
    Poll,
    PollKind,
    PollMethod,
    PollStatus,
    RulePurpose,
    SignInMethod,
    VotingRule,
    VotingSettings,
)
from minsheng.org.models import Body, BodyKind, Membership, Person, Role, Term, User

M = MeetingStatus
P = PollStatus
L = LeaveStatus

MEETING_TRANSITIONS = TransitionTable(
    Transition("notify", sources={M.DRAFT}, target=M.NOTIFIED, permission="meetings.notify_meeting"),
    Transition("open", sources={M.NOTIFIED}, target=M.IN_SESSION, permission="meetings.open_meeting"),
    Transition("close", sources={M.IN_SESSION}, target=M.CLOSED, permission="meetings.close_meeting"),
    Transition("publish", sources={M.CLOSED}, target=M.PUBLISHED, permission="meetings.publish_meeting"),
)

POLL_TRANSITIONS = TransitionTable(
    Transition("open", sources={P.DRAFT}, target=P.OPEN, permission="meetings.open_poll"),
    Transition("close", sources={P.OPEN}, target=P.CLOSED, permission="meetings.close_poll"),
    Transition("announce", sources={P.CLOSED}, target=P.ANNOUNCED, permission="meetings.announce_poll"),
    Transition(
        "record_show_of_hands", sources={P.DRAFT}, target=P.CLOSED, permission="meetings.record_show_of_hands"
    ),
)

LEAVE_TRANSITIONS = TransitionTable(
    Transition(
        "request_leave", sources={L.NONE, L.REFUSED}, target=L.REQUESTED, permission="meetings.request_leave"
    ),
    Transition("withdraw_leave", sources={L.REQUESTED}, target=L.NONE, permission="meetings.request_leave"),
    Transition("approve_leave", sources={L.REQUESTED}, target=L.APPROVED, permission="meetings.decide_leave"),
    Transition("refuse_leave", sources={L.REQUESTED}, target=L.REFUSED, permission="meetings.decide_leave"),
    Transition("revoke_leave", sources={L.APPROVED}, target=L.NONE, permission="meetings.decide_leave"),
    state_field="leave_status",
)

# Which body a meeting of each kind belongs to, and whose memberships make the entitled roster.
KIND_BODY: dict[str, str] = {
    MeetingKind.CONGRESS_SESSION: BodyKind.CONGRESS,
    MeetingKind.STANDING_COMMITTEE: BodyKind.STANDING_COMMITTEE,
    MeetingKind.CHAIRS_MEETING: BodyKind.STANDING_COMMITTEE,
    MeetingKind.CPPCC_PLENARY: BodyKind.CPPCC_COMMITTEE,
    MeetingKind.CPPCC_STANDING: BodyKind.CPPCC_COMMITTEE,
}
KIND_ROLES: dict[str, tuple[str, ...]] = {
    MeetingKind.CONGRESS_SESSION: (Role.DEPUTY,),
    MeetingKind.STANDING_COMMITTEE: (Role.SC_CHAIR, Role.SC_VICE_CHAIR, Role.SC_MEMBER),
    MeetingKind.CHAIRS_MEETING: (Role.SC_CHAIR, Role.SC_VICE_CHAIR),
    MeetingKind.CPPCC_PLENARY: (Role.CPPCC_MEMBER, Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR),
    MeetingKind.CPPCC_STANDING: (Role.CPPCC_CHAIR, Role.CPPCC_VICE_CHAIR),
}
CPPCC_STANDING_TITLE = "常委"
"""A CPPCC member who sits on its standing committee holds a membership titled 常委 (政协常务委员)."""

# Defaults of DOMAIN.md §8 when no VotingRule row is set (for the body, then for its kind).
MORE_THAN_HALF_OF_ALL = PassRule(counting.BASE_ALL, 1, 2, strict=True)
DEFAULT_QUORUM: dict[str, PassRule] = {
    BodyKind.CONGRESS: PassRule(counting.BASE_ALL, 2, 3, strict=False),  # 三分之二以上的代表出席
}
MEETING_EDIT_STATES = (M.DRAFT, M.NOTIFIED, M.IN_SESSION)
LEAVE_STATES = (M.NOTIFIED, M.IN_SESSION)
REASON_MAX_LENGTH = 300
CHECKIN_SALT = "minsheng.meetings.checkin"
CHECKIN_MAX_AGE = 120
"""Seconds a door QR code stays valid; the door screen shows a new one every 30 seconds."""
MAX_NOMINEES = 50
MAX_WRITE_INS = 10
NAME_MAX_LENGTH = 64


# Rules and settings -------------------------------------------------------------------------------


def voting_rule(body: Body, purpose: str) -> PassRule:
    """The body's rule for ``purpose``: its own row, else its kind's row, else the default."""
    rows = {
        (row.body_id is not None): row
        for row in VotingRule.objects.filter(
            Q(body=body) | Q(body__isnull=True, body_kind=body.kind), purpose=purpose
        )
    }
    row = rows.get(True) or rows.get(False)
    if row is not None:
        return PassRule(row.base, row.numerator, row.denominator, row.strict)
    if purpose == RulePurpose.QUORUM:
        return DEFAULT_QUORUM.get(body.kind, MORE_THAN_HALF_OF_ALL)
    return MORE_THAN_HALF_OF_ALL


def voting_settings(body: Body) -> VotingSettings:
    found = VotingSettings.objects.filter(body=body).first()
    return found if found is not None else VotingSettings(body=body)


def poll_rule(poll: Poll) -> PassRule:
    return PassRule(poll.rule_base, poll.rule_numerator, poll.rule_denominator, poll.rule_strict)


# Helpers ------------------------------------------------------------------------------------------


def _require(actor: Any, permission: str, obj: Any) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDeniedError()


def _users_of(person_ids: Sequence[int]) -> list[User]:
    return list(User.objects.filter(person_id__in=person_ids, is_active=True))


def _notify_attendees(meeting: Meeting, text: str) -> None:
    person_ids = list(meeting.attendees.values_list("person_id", flat=True))
    link = reverse("meetings:detail", args=[meeting.pk])
    transaction.on_commit(partial(notify, users=_users_of(person_ids), text=text, link=link))


def _locked_meeting(meeting: Meeting, states: Sequence[str], action: str) -> Meeting:
    locked = rows_locked(Meeting).select_related("body").get(pk=meeting.pk)
    if locked.status not in states:
        raise InvalidTransitionError(action=action, state=locked.get_status_display())
    return locked


# Meetings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingIn:
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str
    description: str = ""


def _meeting_clean(body: Body, data: MeetingIn) -> dict[str, Any]:
    if data.kind not in KIND_BODY:
        raise ValidationFailedError(_("Choose the kind of meeting."), field="kind")
    if KIND_BODY[data.kind] != body.kind:
        raise ValidationFailedError(
            _("A %(kind)s is a meeting of a %(body_kind)s, not of “%(body)s”.")
            % {
                "kind": MeetingKind(data.kind).label,
                "body_kind": BodyKind(KIND_BODY[data.kind]).label,
                "body": body.name,
            },
            field="kind",
        )
    if data.ends_on < data.starts_on:
        raise ValidationFailedError(_("A meeting cannot end before it starts."), field="ends_on")
    if (data.ends_on - data.starts_on).days > 31:
        raise ValidationFailedError(_("A meeting lasts at most a month."), field="ends_on")
    return {
        "kind": data.kind,
        "title": plain_text_checked(data.title, field="title", max_length=TITLE_MAX_LENGTH, label=_("Title")),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "venue": plain_text_checked(data.venue, field="venue", max_length=200, label=_("Venue")),
        "description": plain_text_checked(
            data.description, field="description", max_length=TEXT_MAX_LENGTH, required=False
        ),
    }


def _term_of(body: Body, day: dt.date) -> Term | None:
    """The congress or CPPCC term in force on ``day`` (a standing committee's is its congress's)."""
    root = body.parent if body.kind == BodyKind.STANDING_COMMITTEE and body.parent_id else body
    return (
        Term.objects.filter(body=root, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .order_by("-number")
        .first()
    )


def meeting_create(*, actor: Any, body: Body, data: MeetingIn) -> Meeting:
    _require(actor, "meetings.add_meeting", body)
    fields = _meeting_clean(body, data)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body, term=_term_of(body, data.starts_on), created_by=actor, **fields
        )
        event_record(
            actor=actor,
            verb="create",
            target=meeting,
            to_state=meeting.status,
            payload={"title": meeting.title},
        )
    return meeting


def meeting_update(*, actor: Any, meeting: Meeting, data: MeetingIn) -> Meeting:
    _require(actor, "meetings.change_meeting", meeting)
    fields = _meeting_clean(meeting.body, data)
    with transaction.atomic():
        locked = _locked_meeting(meeting, (M.DRAFT, M.NOTIFIED), "update")
        if locked.status != M.DRAFT and fields["starts_on"] != locked.starts_on:
            raise ValidationFailedError(
                _("The roster was taken for the notified date: the date can no longer change."),
                field="starts_on",
            )
        changed = {name: str(value) for name, value in fields.items() if getattr(locked, name) != value}
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        event_record(actor=actor, verb="update", target=locked, payload={"changed": sorted(changed)})
    return locked


def entitled_memberships(meeting: Meeting) -> list[Membership]:
    """The body's members in office on the meeting's first day, one seat per person."""
    seats = (
        Membership.objects.active_on(meeting.starts_on)
        .filter(body_id=meeting.body_id, role__in=KIND_ROLES[meeting.kind])
        .select_related("person")
        .order_by("person__pinyin", "person_id")
    )
    if meeting.kind == MeetingKind.CPPCC_STANDING:
        seats = (
            Membership.objects.active_on(meeting.starts_on)
            .filter(body_id=meeting.body_id)
            .filter(
                Q(role__in=KIND_ROLES[meeting.kind])
                | Q(role=Role.CPPCC_MEMBER, title__contains=CPPCC_STANDING_TITLE)
            )
            .select_related("person")
            .order_by("person__pinyin", "person_id")
        )
    unique: dict[int, Membership] = {}
    for seat in seats:
        unique.setdefault(seat.person_id, seat)
    return list(unique.values())


def _roster_snapshot(meeting: Meeting) -> int:
    seats = entitled_memberships(meeting)
    if not seats:
        raise ValidationFailedError(
            _("No member of %(body)s is in office on %(day)s: there is nobody to notify.")
            % {"body": meeting.body.name, "day": meeting.starts_on},
            field="roster",
        )
    listed = set(Attendee.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    Attendee.objects.filter(meeting=meeting, person_id__in=[s.person_id for s in seats]).update(voting=True)
    Attendee.objects.bulk_create(
        [
            Attendee(meeting=meeting, person_id=seat.person_id, voting=True, capacity=seat.title or "")
            for seat in seats
            if seat.person_id not in listed
        ]
    )
    return len(seats)


def meeting_notify(*, actor: Any, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    """Take the roster (members in office on the first day) and tell every attendee."""
    with transaction.atomic():
        locked = _locked_meeting(meeting, (M.DRAFT,), "notify")
        entitled = _roster_snapshot(locked)
        meeting = transition_apply(
            table=MEETING_TRANSITIONS,
            obj=locked,
            action="notify",
            actor=actor,
            expected_state=expected_state,
            payload={"entitled": entitled},
        )
        text = _("You are called to %(title)s, %(start)s at %(venue)s.") % {
            "title": meeting.title,
            "start": meeting.starts_on,
            "venue": meeting.venue,
        }
        _notify_attendees(meeting, text)
    return meeting


def meeting_open(*, actor: Any, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    with transaction.atomic():
        meeting = transition_apply(
            table=MEETING_TRANSITIONS, obj=meeting, action="open", actor=actor, expected_state=expected_state
        )
        _notify_attendees(meeting, _("%(title)s is in session: please sign in.") % {"title": meeting.title})
    return meeting


def meeting_close(*, actor: Any, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    with transaction.atomic():
        if Poll.objects.filter(meeting=meeting, status=P.OPEN).exists():
            raise ValidationFailedError(_("Close the open vote before closing the meeting."), field="status")
        counts = attendance_counts(meeting)
        meeting = transition_apply(
            table=MEETING_TRANSITIONS,
            obj=meeting,
            action="close",
            actor=actor,
            expected_state=expected_state,
            payload=counts.as_dict(),
        )
        _notify_attendees(meeting, _("%(title)s has closed.") % {"title": meeting.title})
    return meeting


def meeting_publish(*, actor: Any, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    with transaction.atomic():
        meeting = transition_apply(
            table=MEETING_TRANSITIONS,
            obj=meeting,
            action="publish",
            actor=actor,
            expected_state=expected_state,
        )
        _notify_attendees(
            meeting,
            _("The agenda, documents and results of %(title)s are published.") % {"title": meeting.title},
        )
    return meeting


# Attendance ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceCounts:
    entitled: int
    """应到: entitled members on the roster."""
    present: int
    """实到: entitled members signed in."""
    on_leave: int
    """请假: entitled members whose leave was approved."""
    leave_requested: int
    non_voting: int
    """列席: attendees without a vote."""
    non_voting_present: int

    @property
    def absent(self) -> int:
        """缺席: entitled, neither signed in nor on leave."""
        return self.entitled - self.present - self.on_leave

    def as_dict(self) -> dict[str, int]:
        return {
            "entitled": self.entitled,
            "present": self.present,
            "on_leave": self.on_leave,
            "absent": self.absent,
            "non_voting": self.non_voting,
        }


def attendance_counts(meeting: Meeting | int) -> AttendanceCounts:
    """One aggregate query (the hall screen asks every second)."""
    from django.db.models import Count

    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    voting, non_voting = Q(voting=True), Q(voting=False)
    row = Attendee.objects.filter(meeting_id=meeting_id).aggregate(
        n_entitled=Count("id", filter=voting),
        n_present=Count("id", filter=voting & Q(present=True)),
        n_on_leave=Count("id", filter=voting & Q(leave_status=L.APPROVED)),
        n_requested=Count("id", filter=voting & Q(leave_status=L.REQUESTED)),
        n_non_voting=Count("id", filter=non_voting),
        n_non_voting_present=Count("id", filter=non_voting & Q(present=True)),
    )
    return AttendanceCounts(
        entitled=row["n_entitled"],
        present=row["n_present"],
        on_leave=row["n_on_leave"],
        leave_requested=row["n_requested"],
        non_voting=row["n_non_voting"],
        non_voting_present=row["n_non_voting_present"],
    )


def attendee_add(*, actor: Any, meeting: Meeting, person: Person, capacity: str = "") -> Attendee:
    """Add a non-voting attendee (列席), e.g. the head of a department reporting to the meeting."""
    _require(actor, "meetings.change_meeting", meeting)
    capacity = plain_text_checked(capacity, field="capacity", max_length=64, required=False)
    with transaction.atomic():
        locked = _locked_meeting(meeting, MEETING_EDIT_STATES, "add_attendee")
        if Attendee.objects.filter(meeting=locked, person=person).exists():
            raise ValidationFailedError(
                _("%(name)s is already on the roster.") % {"name": person.name}, field="person"
            )
        attendee = Attendee.objects.create(meeting=locked, person=person, voting=False, capacity=capacity)
        event_record(
            actor=actor, verb="add_attendee", target=locked, payload={"person": person.pk, "voting": False}
        )
    return attendee


def _seat_locked(meeting: Meeting, person_id: int) -> Attendee | None:
    """The roster row, locked, with the person (for messages and answers) in the same query."""
    return rows_locked(Attendee).select_related("person").filter(meeting=meeting, person_id=person_id).first()


def _own_seat(actor: Any, meeting: Meeting) -> Attendee:
    person_id = getattr(actor, "person_id", None)
    seat = Attendee.objects.filter(meeting=meeting, person_id=person_id).first() if person_id else None
    if seat is None:
        raise PermissionDeniedError(_("You are not on the roster of this meeting."))
    return seat


def leave_request(*, actor: Any, meeting: Meeting, reason: str) -> Attendee:
    """A member asks for leave (请假), with a reason, before or during the meeting."""
    clean = plain_text_checked(reason, field="reason", max_length=REASON_MAX_LENGTH, label=_("Reason"))
    with transaction.atomic():
        locked = _locked_meeting(meeting, LEAVE_STATES, "request_leave")
        seat = _own_seat(actor, locked)
        if seat.present:
            raise ValidationFailedError(_("You have signed in: leave is no longer needed."), field="reason")
        seat = transition_apply(
            table=LEAVE_TRANSITIONS,
            obj=seat,
            action="request_leave",
            actor=actor,
            changes={"leave_reason": clean, "leave_note": ""},
            payload={"reason": clean},
        )
    staff_text = _("%(name)s asks for leave from %(title)s.") % {
        "name": actor.person.name,
        "title": meeting.title,
    }
    transaction.on_commit(partial(_tell_staff, meeting, staff_text))
    return seat


def _tell_staff(meeting: Meeting, text: str) -> None:
    from minsheng.meetings.rules import body_root_id

    root = body_root_id(meeting.body)
    staff_ids = [
        m.person_id
        for m in Membership.objects.active_on(timezone.localdate())
        .filter(role=Role.STAFF, body__isnull=False)
        .select_related("body__parent__parent")
        if m.body is not None and body_root_id(m.body) == root
    ]
    notify(users=_users_of(staff_ids), text=text, link=reverse("meetings:roster", args=[meeting.pk]))


def leave_withdraw(*, actor: Any, meeting: Meeting) -> Attendee:
    with transaction.atomic():
        seat = _own_seat(actor, meeting)
        return transition_apply(table=LEAVE_TRANSITIONS, obj=seat, action="withdraw_leave", actor=actor)


def leave_decide(*, actor: Any, attendee: Attendee, approve: bool, note: str = "") -> Attendee:
    """Staff approve or refuse a request; the member is told."""
    clean = plain_text_checked(note, field="note", max_length=REASON_MAX_LENGTH, required=not approve)
    action = "approve_leave" if approve else "refuse_leave"
    with transaction.atomic():
        _locked_meeting(attendee.meeting, LEAVE_STATES, action)  # sign-in takes the same lock
        if approve and Attendee.objects.filter(pk=attendee.pk, present=True).exists():
            # Signed in while the request waited: a member present cannot be on leave.
            raise ValidationFailedError(
                _("%(name)s has already signed in to this meeting: the leave cannot be approved.")
                % {"name": attendee.person.name}
            )
        seat = transition_apply(
            table=LEAVE_TRANSITIONS,
            obj=attendee,
            action=action,
            actor=actor,
            changes={"leave_note": clean},
            payload={"note": clean} if clean else None,
        )
        meeting = seat.meeting
        if approve:
            text = _("Your leave from %(title)s is approved.") % {"title": meeting.title}
        else:
            text = _("Your leave from %(title)s is refused: %(note)s") % {
                "title": meeting.title,
                "note": clean,
            }
        users = _users_of([seat.person_id])
        transaction.on_commit(
            partial(notify, users=users, text=text, link=reverse("meetings:detail", args=[meeting.pk]))
        )
    return seat


def leave_revoke(*, actor: Any, attendee: Attendee) -> Attendee:
    """Staff cancel an approved leave (the member came after all), so that they can sign in."""
    with transaction.atomic():
        _locked_meeting(attendee.meeting, LEAVE_STATES, "revoke_leave")
        return transition_apply(table=LEAVE_TRANSITIONS, obj=attendee, action="revoke_leave", actor=actor)


def checkin_token(meeting: Meeting) -> str:
    """What the door QR code carries: the meeting, signed and timed (valid CHECKIN_MAX_AGE seconds)."""
    return signing.TimestampSigner(salt=CHECKIN_SALT).sign(str(meeting.pk))


def checkin_meeting_id(token: str) -> int:
    try:
        value = signing.TimestampSigner(salt=CHECKIN_SALT).unsign(token[:200], max_age=CHECKIN_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise ValidationFailedError(
            _("This QR code has expired: scan the code on the door screen again."), field="token"
        ) from expired
    except signing.BadSignature as bad:
        raise ValidationFailedError(_("This is not a sign-in code of a meeting."), field="token") from bad
    return int(value)


def attendee_sign_in(
    *, actor: Any, meeting: Meeting, method: str = SignInMethod.PHONE, person: Person | None = None
) -> Attendee:
    """Sign in (签到): the member on their phone or at the door (QR), or a clerk for them.

    Signing in again changes nothing (a retried scan is harmless). A member on leave is refused: staff
    cancel the leave first.
    """
    if method not in SignInMethod.values:
        raise ValidationFailedError(_("Unknown way of signing in."), field="method")
    with transaction.atomic():
        locked = _locked_meeting(meeting, (M.IN_SESSION,), "sign_in")
        if method == SignInMethod.CLERK:
            _require(actor, "meetings.sign_in_others", locked)
            if person is None:
                raise ValidationFailedError(_("Choose whom to sign in."), field="person")
            seat = _seat_locked(locked, person.pk)
            if seat is None:
                raise ValidationFailedError(
                    _("%(name)s is not on the roster of this meeting.") % {"name": person.name},
                    field="person",
                )
        else:
            _require(actor, "meetings.sign_in", locked)
            person_id = getattr(actor, "person_id", None)
            seat = _seat_locked(locked, person_id) if person_id else None
            if seat is None:  # an administrator holds every permission, but no seat
                raise PermissionDeniedError(_("You are not on the roster of this meeting."))
        if seat.present:
            return seat
        if seat.leave_status == L.APPROVED:
            raise ValidationFailedError(
                _("%(name)s is on leave from this meeting: the staff must cancel the leave first.")
                % {"name": seat.person.name},
                field="person",
            )
        seat.present = True
        seat.signed_in_at = timezone.now()
        seat.signed_in_via = method
        seat.save(update_fields=["present", "signed_in_at", "signed_in_via"])
        event_record(actor=actor, verb="sign_in", target=seat, payload={"via": method})
    return seat


# Agenda and documents -----------------------------------------------------------------------------


def item_add(
    *,
    actor: Any,
    meeting: Meeting,
    kind: str,
    title: str,
    description: str = "",
    parent: AgendaItem | None = None,
    motion: Any = None,
) -> AgendaItem:
    _require(actor, "meetings.change_meeting", meeting)
    if kind not in ItemKind.values:
        raise ValidationFailedError(_("Choose the kind of item."), field="kind")
    clean_title = plain_text_checked(title, field="title", max_length=200, label=_("Title"))
    clean_description = plain_text_checked(
        description, field="description", max_length=TEXT_MAX_LENGTH, required=False
    )
    if parent is not None and (parent.meeting_id != meeting.pk or parent.parent_id is not None):
        raise ValidationFailedError(
            _("A sub-item belongs under a main item of the same meeting."), field="parent"
        )
    with transaction.atomic():
        locked = _locked_meeting(meeting, MEETING_EDIT_STATES, "add_item")
        last = AgendaItem.objects.filter(meeting=locked, parent=parent).aggregate(last=Max("position"))[
            "last"
        ]
        item = AgendaItem.objects.create(
            meeting=locked,
            parent=parent,
            position=(last or 0) + 1,
            kind=kind,
            title=clean_title,
            description=clean_description,
            motion=motion,
        )
        event_record(actor=actor, verb="add_item", target=locked, payload={"item": item.pk, "kind": kind})
    return item


def item_update(*, actor: Any, item: AgendaItem, title: str, description: str = "") -> AgendaItem:
    _require(actor, "meetings.change_meeting", item)
    clean_title = plain_text_checked(title, field="title", max_length=200, label=_("Title"))
    clean_description = plain_text_checked(
        description, field="description", max_length=TEXT_MAX_LENGTH, required=False
    )
    with transaction.atomic():
        _locked_meeting(item.meeting, MEETING_EDIT_STATES, "update_item")
        item.title, item.description = clean_title, clean_description
        item.save(update_fields=["title", "description", "updated_at"])
        event_record(actor=actor, verb="update_item", target=item.meeting, payload={"item": item.pk})
    return item


def document_add(
    *, actor: Any, item: AgendaItem, title: str, upload: UploadedFile, public: bool = True
) -> Document:
    """A document of an item (docx or pdf, checked by content), first version."""
    _require(actor, "meetings.change_meeting", item)
    clean = plain_text_checked(title, field="title", max_length=200, label=_("Title"))
    checked = upload_check(upload, kind=DOCUMENT)
    with transaction.atomic():
        _locked_meeting(item.meeting, MEETING_EDIT_STATES, "add_document")
        document = Document.objects.create(item=item, title=clean, public=public)
        attachments_save(actor=actor, owner=document, files=[checked])
        event_record(actor=actor, verb="add_document", target=item.meeting, payload={"document": document.pk})
    return document


def document_version_add(*, actor: Any, document: Document, upload: UploadedFile) -> Document:
    """A new version of a document; earlier versions stay (members may compare)."""
    _require(actor, "meetings.change_meeting", document)
    checked = upload_check(upload, kind=DOCUMENT)
    with transaction.atomic():
        _locked_meeting(document.item.meeting, MEETING_EDIT_STATES, "add_version")
        attachments_save(actor=actor, owner=document, files=[checked])
        document.save(update_fields=["updated_at"])
        event_record(
            actor=actor, verb="add_version", target=document.item.meeting, payload={"document": document.pk}
        )
    return document


# Polls --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NomineeIn:
    name: str
    office: str
    person: Person | None = None
    action: str = NomineeAction.APPOINT
    nominated_by: str = ""
    profile: str = ""
    reasons: str = ""


@dataclass(frozen=True)
class PollIn:
    title: str
    kind: str = PollKind.DECISION
    secret: bool | None = None
    """None: the body's setting (named polls or secret); elections are always secret."""
    allow_change: bool | None = None
    seats: int = 1
    mode: str = AppointmentMode.EACH
    nominees: Sequence[NomineeIn] = field(default_factory=tuple)
    rule: PassRule | None = None
    """None: the body's rule for the poll's kind."""


ITEM_POLL_KINDS = {
    ItemKind.ELECTION: {PollKind.ELECTION},
    ItemKind.APPOINTMENT: {PollKind.APPOINTMENT, PollKind.DECISION},
}
PURPOSE_OF_KIND = {
    PollKind.DECISION: RulePurpose.DECISION,
    PollKind.ELECTION: RulePurpose.ELECTION,
    PollKind.APPOINTMENT: RulePurpose.APPOINTMENT,
}


def _nominees_clean(data: PollIn) -> list[Nominee]:
    if data.kind == PollKind.DECISION:
        return []
    if not data.nominees:
        raise ValidationFailedError(_("Add at least one candidate or nominee."), field="nominees")
    if len(data.nominees) > MAX_NOMINEES:
        raise ValidationFailedError(
            _("At most %(limit)s candidates or nominees.") % {"limit": MAX_NOMINEES}, field="nominees"
        )
    if data.kind == PollKind.ELECTION and len(data.nominees) < data.seats:
        raise ValidationFailedError(
            _("An election for %(seats)s seats needs at least %(seats)s candidates.") % {"seats": data.seats},
            field="nominees",
        )
    rows = []
    names: set[str] = set()
    for position, given in enumerate(data.nominees, start=1):
        name = plain_text_checked(given.name, field="nominees", max_length=NAME_MAX_LENGTH, label=_("Name"))
        if name in names:
            raise ValidationFailedError(_("%(name)s is listed twice.") % {"name": name}, field="nominees")
        names.add(name)
        action = NomineeAction.ELECT if data.kind == PollKind.ELECTION else given.action
        if action not in NomineeAction.values or (data.kind == PollKind.APPOINTMENT and action == "elect"):
            raise ValidationFailedError(_("Choose appoint or remove."), field="nominees")
        rows.append(
            Nominee(
                person=given.person,
                name=name,
                action=action,
                office=plain_text_checked(given.office, field="nominees", max_length=100, label=_("Office")),
                nominated_by=plain_text_checked(
                    given.nominated_by, field="nominees", max_length=100, required=False
                ),
                profile=plain_text_checked(
                    given.profile, field="nominees", max_length=TEXT_MAX_LENGTH, required=False
                ),
                reasons=plain_text_checked(
                    given.reasons, field="nominees", max_length=TEXT_MAX_LENGTH, required=False
                ),
                position=position,
            )
        )
    return rows


def poll_create(*, actor: Any, item: AgendaItem, data: PollIn, previous_round: Poll | None = None) -> Poll:
    """Prepare a vote on an item; its rule is the body's for the kind unless given (data, per poll)."""
    _require(actor, "meetings.change_poll", item)
    allowed = ITEM_POLL_KINDS.get(ItemKind(item.kind), {PollKind.DECISION})
    if data.kind not in allowed:
        raise ValidationFailedError(_("This kind of vote does not fit this agenda item."), field="kind")
    if not 1 <= data.seats <= MAX_NOMINEES:
        raise ValidationFailedError(_("The number of seats is not valid."), field="seats")
    if data.mode not in AppointmentMode.values:
        raise ValidationFailedError(_("Choose how the nominees are voted on."), field="mode")
    title = plain_text_checked(data.title, field="title", max_length=200, label=_("Title"))
    nominees = _nominees_clean(data)
    meeting = item.meeting
    body = meeting.body
    purpose = (
        RulePurpose.FURTHER_ROUND if previous_round is not None else PURPOSE_OF_KIND[PollKind(data.kind)]
    )
    rule = data.rule or voting_rule(body, purpose)
    settings = voting_settings(body)
    secret = (
        True
        if data.kind == PollKind.ELECTION
        else (not settings.named_polls if data.secret is None else data.secret)
    )
    with transaction.atomic():
        locked = _locked_meeting(meeting, MEETING_EDIT_STATES, "add_poll")
        poll = Poll.objects.create(
            meeting=locked,
            item=item,
            kind=data.kind,
            title=title,
            secret=secret,
            allow_change=settings.allow_change if data.allow_change is None else data.allow_change,
            rule_base=rule.base,
            rule_numerator=rule.numerator,
            rule_denominator=rule.denominator,
            rule_strict=rule.strict,
            seats=data.seats if data.kind == PollKind.ELECTION else 1,
            mode=data.mode,
            round=previous_round.round + 1 if previous_round else 1,
            previous_round=previous_round,
        )
        for nominee in nominees:
            nominee.poll = poll
        Nominee.objects.bulk_create(nominees)
        event_record(
            actor=actor,
            verb="create",
            target=poll,
            to_state=poll.status,
            payload={
                "kind": poll.kind,
                "secret": poll.secret,
                "rule": [rule.base, rule.numerator, rule.denominator, rule.strict],
                "nominees": len(nominees),
            },
        )
    return poll


def quorum_check(meeting: Meeting) -> AttendanceCounts:
    """Refuse (with the numbers) while attendance is below the body's quorum."""
    counts = attendance_counts(meeting)
    rule = voting_rule(meeting.body, RulePurpose.QUORUM)
    turnout = Turnout(entitled=counts.entitled, present=counts.present, cast=counts.present)
    if not counts.entitled or not counting.rule_met(rule, counts.present, turnout):
        raise ValidationFailedError(
            _(
                "No quorum: %(present)s of %(entitled)s members are present, %(needed)s are needed "
                "before a vote can open."
            )
            % {
                "present": counts.present,
                "entitled": counts.entitled,
                "needed": counting.votes_needed(rule, turnout),
            },
            field="quorum",
        )
    return counts


def poll_open(*, actor: Any, poll: Poll, expected_state: str | None = None) -> Poll:
    """Open electronic voting: the meeting in session, no other vote open, the quorum present."""
    with transaction.atomic():
        meeting = _locked_meeting(poll.meeting, (M.IN_SESSION,), "open_poll")
        if not actor.has_perm("meetings.open_poll", poll):  # before telling anything about the room
            raise PermissionDeniedError()
        if Poll.objects.filter(meeting=meeting, status=P.OPEN).exclude(pk=poll.pk).exists():
            raise ConflictError(message=_("Another vote is open in this meeting: close it first."))
        counts = quorum_check(meeting)
        poll = transition_apply(
            table=POLL_TRANSITIONS,
            obj=poll,
            action="open",
            actor=actor,
            expected_state=expected_state,
            changes={"opened_at": timezone.now()},
            payload={"entitled": counts.entitled, "present": counts.present},
        )
        box = ballots.ballot_box_open(poll=poll, secret=poll.secret)
        Poll.objects.filter(pk=poll.pk).update(box_id=box.pk)
        poll.box_id = box.pk
    return poll


# Ballots ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotReceipt:
    poll_id: int
    first: bool
    replayed: bool
    choice: Any
    may_change: bool


def _rows_of(nominee_ids: Sequence[int], given: Any) -> dict[str, str]:
    if not isinstance(given, dict):
        raise ValidationFailedError(
            _("Mark each candidate or nominee for, against or abstain."), field="rows"
        )
    rows: dict[str, str] = {}
    known = {str(pk) for pk in nominee_ids}
    for key, value in given.items():
        if str(key) not in known:
            raise ValidationFailedError(_("This ballot names someone who is not on it."), field="rows")
        if value not in counting.VALUES:
            raise ValidationFailedError(_("Mark each row for, against or abstain."), field="rows")
        rows[str(key)] = value
    return rows


def ballot_choice_clean(poll: _PollShape, raw: Any) -> Any:
    """The stored shape of a ballot: ``"yes"|"no"|"abstain"`` for a decision (or appointments voted
    together); ``{"rows": {nominee: value}, "write_ins": [...]}`` for elections and person by person."""
    if poll.kind == PollKind.DECISION or (
        poll.kind == PollKind.APPOINTMENT and poll.mode == AppointmentMode.TOGETHER
    ):
        value = raw.get("choice") if isinstance(raw, dict) else raw
        if value not in counting.VALUES:
            raise ValidationFailedError(_("Choose for, against or abstain."), field="choice")
        return value
    if not isinstance(raw, dict):
        raise ValidationFailedError(_("The ballot is not valid."), field="choice")
    rows = _rows_of(poll.nominee_ids, raw.get("rows", {}))
    if not rows and not raw.get("write_ins"):
        raise ValidationFailedError(_("Mark at least one row before submitting."), field="rows")
    if poll.kind == PollKind.APPOINTMENT:
        return {"rows": rows}
    write_ins_raw = raw.get("write_ins") or []
    if not isinstance(write_ins_raw, list) or len(write_ins_raw) > MAX_WRITE_INS:
        raise ValidationFailedError(_("Too many names written in."), field="write_ins")
    write_ins = sorted(
        {
            plain_text_checked(str(name), field="write_ins", max_length=NAME_MAX_LENGTH)
            for name in write_ins_raw
        }
    )
    if not counting.election_ballot_valid(rows, write_ins, poll.seats):
        raise ValidationFailedError(
            _("At most %(seats)s people may be voted for (candidates marked for and names written in).")
            % {"seats": poll.seats},
            field="rows",
        )
    return {"rows": rows, "write_ins": write_ins}


@dataclass(frozen=True)
class _PollShape:
    """What a ballot needs to know about its poll and the voter's seat: read in one query."""

    id: int
    kind: str
    mode: str
    seats: int
    status: str
    allow_change: bool
    box_id: int | None
    meeting_status: str
    nominee_ids: tuple[int, ...]


_NOMINEES_CACHE: dict[int, tuple[int, ...]] = {}
"""Nominee ids of open polls, per process: they cannot change once a poll is open."""


@cache
def _poll_and_seat_sql() -> str:
    """The poll, its meeting's status and the voter's seat in one statement (the hot path: written
    out, as ``core.ballots`` does, because compiling the ORM's queries costs as much as running them)."""
    poll, meeting, attendee = Poll._meta.db_table, Meeting._meta.db_table, Attendee._meta.db_table
    return (
        "SELECT p.id, p.kind, p.mode, p.seats, p.status, p.allow_change, p.box_id, m.status, "  # noqa: S608
        f"a.id, a.voting, a.present, a.leave_status FROM {poll} p JOIN {meeting} m ON m.id = p.meeting_id "
        f"LEFT JOIN {attendee} a ON a.meeting_id = p.meeting_id AND a.person_id = %s WHERE p.id = %s"
    )


def _poll_and_seat(poll_id: int, person_id: int | None) -> tuple[_PollShape, dict[str, Any] | None]:
    with connection.cursor() as cursor:
        cursor.execute(_poll_and_seat_sql(), [person_id or 0, poll_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFoundError(_("There is no such vote."))
    pk, kind, mode, seats, status, allow_change, box_id, meeting_status, seat_id, voting, present, leave = row
    seat = (
        {"voting": bool(voting), "present": bool(present), "leave_status": leave}
        if seat_id is not None and person_id is not None
        else None
    )
    nominee_ids: tuple[int, ...] = ()
    if kind != PollKind.DECISION:
        cached = _NOMINEES_CACHE.get(poll_id) if status == P.OPEN else None
        if cached is None:
            cached = tuple(
                Nominee.objects.filter(poll_id=poll_id)
                .order_by("position", "id")
                .values_list("id", flat=True)
            )
            if status == P.OPEN:
                _NOMINEES_CACHE[poll_id] = cached
        nominee_ids = cached
    shape = _PollShape(
        id=pk,
        kind=kind,
        mode=mode,
        seats=seats,
        status=status,
        allow_change=bool(allow_change),
        box_id=box_id,
        meeting_status=meeting_status,
        nominee_ids=nominee_ids,
    )
    return shape, seat


def ballot_refusal(shape: _PollShape, seat: dict[str, Any] | None) -> None:
    """Raise the reason this member may not vote in this poll now, in words they understand."""
    if seat is None:
        raise PermissionDeniedError(_("You are not on the roster of this meeting, so you cannot vote."))
    if not seat["voting"]:
        raise PermissionDeniedError(_("Attendees without a vote (列席) do not vote."))
    if seat["leave_status"] == L.APPROVED:
        raise PermissionDeniedError(_("You are on leave from this meeting, so you cannot vote."))
    if not seat["present"]:
        raise PermissionDeniedError(_("Sign in to the meeting before voting."))
    if shape.status == P.DRAFT:
        raise InvalidTransitionError(action=str(_("vote")), state=str(P.DRAFT.label))
    if shape.status != P.OPEN or shape.box_id is None:
        raise ballots.BallotBoxClosedError()


def _checked(actor: Any, poll_id: int, choice: Any) -> tuple[int, _PollShape, Any]:
    person_id = getattr(actor, "person_id", None) if getattr(actor, "is_authenticated", False) else None
    shape, seat = _poll_and_seat(poll_id, person_id)
    ballot_refusal(shape, seat)
    assert person_id is not None
    return person_id, shape, ballot_choice_clean(shape, choice)


def ballot_check(*, actor: Any, poll_id: int, choice: Any) -> Any:
    """The ballot as ``ballot_submit`` would store it, or its refusal; stores nothing (confirmation)."""
    return _checked(actor, poll_id, choice)[2]


def ballot_submit(*, actor: Any, poll_id: int, choice: Any, client_key: str = "") -> BallotReceipt:
    """A member's ballot (secret or named, as the poll is). Safe to retry: the same ``client_key``
    counts once; without changes allowed, a second ballot is refused. Writes no Event (module doc)."""
    person_id, shape, clean = _checked(actor, poll_id, choice)
    assert shape.box_id is not None
    result = ballots.ballot_cast(
        box_id=shape.box_id,
        voter_id=person_id,
        choice=clean,
        client_key=client_key,
        allow_change=shape.allow_change,
    )
    return BallotReceipt(
        poll_id=poll_id,
        first=result.first,
        replayed=result.replayed,
        choice=clean,
        may_change=shape.allow_change,
    )


# Closing and results ------------------------------------------------------------------------------


def _turnout(poll: Poll, cast: int) -> Turnout:
    counts = attendance_counts(poll.meeting_id)
    return Turnout(entitled=counts.entitled, present=counts.present, cast=cast)


def poll_result(
    poll: Poll, choices: Sequence[Any], turnout: Turnout
) -> tuple[dict[str, Any], bool | None, dict[int, tuple[counting.Tally, bool]]]:
    """(result JSON, passed, per nominee (tally, passed)): computed from the ballots' choices only."""
    rule = poll_rule(poll)
    needed = counting.votes_needed(rule, turnout)
    base = {"needed": needed, "base": turnout.base(rule)}
    if poll.kind == PollKind.DECISION or poll.mode == AppointmentMode.TOGETHER:
        tally = counting.tally_values(choices)
        passed = counting.rule_met(rule, tally.yes, turnout)
        rows: dict[int, tuple[counting.Tally, bool]] = {}
        if poll.kind == PollKind.APPOINTMENT:
            rows = {pk: (tally, passed) for pk in poll.nominees.values_list("id", flat=True)}
        return {**base, **tally.as_dict(), "not_voting": max(turnout.present - turnout.cast, 0)}, passed, rows
    nominee_ids = list(poll.nominees.order_by("position", "id").values_list("id", flat=True))
    tallies = counting.tally_rows(choices, [str(pk) for pk in nominee_ids])
    if poll.kind == PollKind.APPOINTMENT:
        rows = {
            pk: (tallies[str(pk)], counting.rule_met(rule, tallies[str(pk)].yes, turnout))
            for pk in nominee_ids
        }
        return (
            {**base, "not_voting": max(turnout.present - turnout.cast, 0)},
            all(p for _t, p in rows.values()),
            rows,
        )
    write_ins = counting.tally_write_ins(choices)
    yes_counts = {str(pk): tallies[str(pk)].yes for pk in nominee_ids}
    yes_counts.update({f"w:{name}": count for name, count in write_ins.items()})
    outcome = counting.election_outcome(seats=poll.seats, yes_counts=yes_counts, rule=rule, turnout=turnout)
    elected = set(outcome.elected)
    rows = {pk: (tallies[str(pk)], str(pk) in elected) for pk in nominee_ids}
    result = {
        **base,
        "write_ins": write_ins,
        "elected": outcome.elected,
        "further_round_seats": outcome.further_round_seats,
        "further_round_candidates": outcome.further_round_candidates,
        "tied": outcome.tied,
        "not_voting": max(turnout.present - turnout.cast, 0),
    }
    return result, outcome.further_round_seats == 0, rows


def _store_rows(rows: dict[int, tuple[counting.Tally, bool]]) -> None:
    nominees = list(Nominee.objects.filter(pk__in=rows))
    for nominee in nominees:
        tally, passed = rows[nominee.pk]
        nominee.yes, nominee.no, nominee.abstain, nominee.passed = tally.yes, tally.no, tally.abstain, passed
    Nominee.objects.bulk_update(nominees, ["yes", "no", "abstain", "passed"])


def poll_close(*, actor: Any, poll: Poll, expected_state: str | None = None) -> Poll:
    """Close the vote: the box is sealed for good (secret ballots unlinked), the result computed and
    stated with every number. The Event holds counts only."""
    with transaction.atomic():
        if not actor.has_perm("meetings.close_poll", poll):
            raise PermissionDeniedError()
        locked = rows_locked(Poll).get(pk=poll.pk)
        if locked.status != P.OPEN or locked.box_id is None:
            raise InvalidTransitionError(action="close", state=locked.get_status_display())
        box = ballots.ballot_box_close(box_id=locked.box_id)
        choices = ballots.ballot_choices(box_id=box.pk)
        turnout = _turnout(locked, cast=len(choices))
        result, passed, rows = poll_result(locked, choices, turnout)
        _store_rows(rows)
        poll = transition_apply(
            table=POLL_TRANSITIONS,
            obj=locked,
            action="close",
            actor=actor,
            expected_state=expected_state,
            changes={
                "closed_at": timezone.now(),
                "entitled_count": turnout.entitled,
                "present_count": turnout.present,
                "cast_count": turnout.cast,
                "result": result,
                "passed": passed,
            },
            payload={
                "entitled": turnout.entitled,
                "present": turnout.present,
                "cast": turnout.cast,
                "passed": passed,
                "result": result,
            },
        )
    _NOMINEES_CACHE.pop(poll.pk, None)
    return poll


def show_of_hands_record(*, actor: Any, poll: Poll, yes: int, no: int, abstain: int) -> Poll:
    """A clerk enters a show-of-hands result (举手表决) as the fallback: counts only, checked against
    those present, and the same pass rule."""
    if poll.kind == PollKind.ELECTION:
        raise ValidationFailedError(
            _("Elections are held by secret ballot, not by show of hands."), field="kind"
        )
    if min(yes, no, abstain) < 0:
        raise ValidationFailedError(_("Counts cannot be negative."), field="yes")
    with transaction.atomic():
        meeting = _locked_meeting(poll.meeting, (M.IN_SESSION,), "record_show_of_hands")
        if not actor.has_perm("meetings.record_show_of_hands", poll):
            raise PermissionDeniedError()
        counts = quorum_check(meeting)
        if yes + no + abstain > counts.present:
            raise ValidationFailedError(
                _("%(total)s hands counted, but only %(present)s members are present.")
                % {"total": yes + no + abstain, "present": counts.present},
                field="yes",
            )
        turnout = Turnout(entitled=counts.entitled, present=counts.present, cast=yes + no + abstain)
        choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
        result, passed, rows = poll_result(poll, choices, turnout)
        if poll.kind == PollKind.APPOINTMENT and poll.mode == AppointmentMode.EACH:
            raise ValidationFailedError(
                _("Person-by-person appointments need a ballot per nominee: vote electronically."),
                field="mode",
            )
        _store_rows(rows)
        now = timezone.now()
        poll = transition_apply(
            table=POLL_TRANSITIONS,
            obj=poll,
            action="record_show_of_hands",
            actor=actor,
            changes={
                "method": PollMethod.SHOW_OF_HANDS,
                "opened_at": now,
                "closed_at": now,
                "entitled_count": turnout.entitled,
                "present_count": turnout.present,
                "cast_count": turnout.cast,
                "result": result,
                "passed": passed,
            },
            payload={"yes": yes, "no": no, "abstain": abstain, "passed": passed},
        )
    return poll


def _next_certificate_number(body: Body, year: int) -> str:
    prefix = f"〔{year}〕"
    taken = Appointment.objects.filter(body=body, number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


def poll_announce(*, actor: Any, poll: Poll, expected_state: str | None = None) -> Poll:
    """The chair announces the result; a passed appointment or removal becomes a record."""
    with transaction.atomic():
        poll = transition_apply(
            table=POLL_TRANSITIONS,
            obj=poll,
            action="announce",
            actor=actor,
            expected_state=expected_state,
            changes={"announced_at": timezone.now()},
            payload={"passed": poll.passed},
        )
        if poll.kind == PollKind.APPOINTMENT:
            meeting = poll.meeting
            effective = min(timezone.localdate(), meeting.ends_on)  # the meeting's last day at the latest
            for nominee in poll.nominees.filter(passed=True).order_by("position", "id"):
                record = Appointment.objects.create(
                    nominee=nominee,
                    body=meeting.body,
                    name=nominee.name,
                    action=nominee.action,
                    office=nominee.office,
                    effective_on=effective,
                    number=_next_certificate_number(meeting.body, effective.year),
                )
                event_record(
                    actor=actor,
                    verb="record_appointment",
                    target=record,
                    payload={"office": record.office, "action": record.action, "number": record.number},
                )
    return poll


def further_round_create(*, actor: Any, poll: Poll) -> Poll:
    """另行选举: a new round for the seats still open, among the candidates the count names."""
    if poll.kind != PollKind.ELECTION or poll.status not in (P.CLOSED, P.ANNOUNCED):
        raise InvalidTransitionError(action="further_round", state=poll.get_status_display())
    seats = int(poll.result.get("further_round_seats") or 0)
    keys = [key for key in poll.result.get("further_round_candidates", []) if not str(key).startswith("w:")]
    if seats < 1 or not keys:
        raise ValidationFailedError(_("Every seat is filled: no further round is needed."), field="poll")
    if poll.further_rounds.exists():
        raise ConflictError(message=_("The further round of this election already exists."))
    candidates = list(
        Nominee.objects.filter(poll=poll, pk__in=[int(key) for key in keys]).order_by("position")
    )
    data = PollIn(
        title=_("%(title)s (further round)") % {"title": poll.title},
        kind=PollKind.ELECTION,
        seats=seats,
        nominees=[
            NomineeIn(
                name=c.name,
                office=c.office,
                person=c.person,
                action=c.action,
                nominated_by=c.nominated_by,
                profile=c.profile,
                reasons=c.reasons,
            )
            for c in candidates
        ],
    )
    return poll_create(actor=actor, item=poll.item, data=data, previous_round=poll)


def appointment_oath_record(*, actor: Any, appointment: Appointment, on: dt.date) -> Appointment:
    """The constitutional oath (宪法宣誓) of an appointee, recorded once."""
    _require(actor, "meetings.change_appointment", appointment)
    if appointment.action != NomineeAction.APPOINT:
        raise ValidationFailedError(_("Only appointees take the oath."), field="oath_on")
    if on > timezone.localdate():
        raise ValidationFailedError(_("The oath cannot be recorded for a future day."), field="oath_on")
    with transaction.atomic():
        locked = rows_locked(Appointment).get(pk=appointment.pk)
        if locked.oath_on is not None:
            raise ConflictError(message=_("The oath is already recorded."))
        locked.oath_on = on
        locked.save(update_fields=["oath_on", "updated_at"])
        event_record(actor=actor, verb="record_oath", target=locked, payload={"on": on})
    return locked


def poll_delete(*, actor: Any, poll: Poll) -> None:
    """A prepared vote that was never opened may be removed."""
    _require(actor, "meetings.change_poll", poll)
    with transaction.atomic():
        locked = rows_locked(Poll).get(pk=poll.pk)
        if locked.status != P.DRAFT:
            raise InvalidTransitionError(action="delete", state=locked.get_status_display())
        event_record(actor=actor, verb="delete_poll", target=locked.meeting, payload={"poll": locked.pk})
        try:
            locked.delete()
        except IntegrityError as error:  # a further round points at it
            raise ConflictError(
                message=_("This vote is referred to by another and cannot be removed.")
            ) from error


# Bills on the agenda --------------------------------------------------------------------------------

BILL_TITLE_MAX_LENGTH = 150


def bill_item_add(*, actor: Any, meeting: Meeting, motion: Any) -> AgendaItem:
    """A bill the presidium or the chair's meeting put on the agenda: an item with its own vote.

    Called by ``motions.services.bill_put_on_agenda`` inside its transaction (the bill's status and
    the signers' notice are the motions app's)."""
    body = meeting.body
    if (
        body.kind not in (BodyKind.CONGRESS, BodyKind.STANDING_COMMITTEE)
        or body.jurisdiction_id != motion.jurisdiction_id
    ):
        raise ValidationFailedError(
            _("A bill goes on the agenda of a meeting of its own congress or standing committee."),
            field="meeting",
        )
    if AgendaItem.objects.filter(motion=motion).exists():
        raise ConflictError(message=_("This bill is already on an agenda."))
    title = motion.title[:BILL_TITLE_MAX_LENGTH]
    item = item_add(
        actor=actor,
        meeting=meeting,
        kind=ItemKind.DECISION,
        title=_("Deliberation of the bill “%(title)s”") % {"title": title},
        description=motion.text[:TEXT_MAX_LENGTH],
        motion=motion,
    )
    poll_create(
        actor=actor,
        item=item,
        data=PollIn(title=_("Decision on the bill “%(title)s”") % {"title": title}, kind=PollKind.DECISION),
    )
    return item
