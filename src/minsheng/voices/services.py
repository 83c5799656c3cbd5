"""Writes of the voices app. Every state change goes through ``VOICE_TRANSITIONS`` and leaves an Event."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor, account_or_none, account_required
from minsheng.core.attachments import attachments_save, uploads_check
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    ConflictError,
    DomainError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.messaging import message_send
from minsheng.core.notifications import notify
from minsheng.core.receipts import (
    RECEIPT_ALPHABET,
    receipt_code_new,
    receipt_code_normalise,
    receipt_lookup,
    receipt_number,
)
from minsheng.core.search import search_index
from minsheng.core.similarity import similarity_index
from minsheng.core.text import plain_text_checked
from minsheng.core.throttle import throttle_count
from minsheng.core.transitions import Transition, TransitionTable, guard, transition_apply, transition_refusal
from minsheng.core.validators import credit_code_checked
from minsheng.core.verification import mobile_normalise
from minsheng.org.models import (
    CONGRESS_OFFICE_KINDS,
    CPPCC_OFFICE_KINDS,
    STATION_KINDS,
    Body,
    Jurisdiction,
    JurisdictionLevel,
    Membership,
    Role,
    Unit,
    User,
)
from minsheng.voices.models import (
    ENTERPRISE_NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Rating,
    ReceptionDay,
    ReceptionDayStatus,
    ReferralReason,
    ReplyRule,
    ReplySource,
    SocialReport,
    SocialReportStatus,
    Voice,
    VoiceChannel,
    VoiceKind,
    VoiceReply,
    VoiceStatus,
    WorkOrder,
    WorkOrderStatus,
)
from minsheng.voices.rules import is_handler_of, is_submitter, voice_is_cppcc

S = VoiceStatus
W = WorkOrderStatus

# ``in_person``: the unit's or the person's own act, which no administrator does for them.
VOICE_TRANSITIONS = TransitionTable(
    Transition("answer", sources={S.RECEIVED}, target=S.REPLIED, permission="voices.answer_voice"),
    Transition("forward", sources={S.RECEIVED}, target=S.FORWARDED, permission="voices.forward_voice"),
    Transition("refer", sources={S.RECEIVED}, target=S.REFERRED, permission="voices.refer_voice"),
    Transition("merge", sources={S.RECEIVED}, target=S.MERGED, permission="voices.merge_voice"),
    Transition("adopt", sources={S.RECEIVED}, target=S.ADOPTED, permission="voices.adopt_voice"),
    Transition(
        "reply",
        sources={S.FORWARDED, S.REHANDLING},
        target=S.REPLIED,
        permission="voices.reply_voice",
        in_person=True,
    ),
    # The unit says the matter is not its business: back to routing (only before it ever replied).
    Transition(
        "return", sources={S.FORWARDED}, target=S.RECEIVED, permission="voices.return_voice", in_person=True
    ),
    # The person's rating: satisfied or basically satisfied closes the voice …
    Transition("close", {S.REPLIED}, S.CLOSED, "voices.rate_voice", in_person=True),
    # … dissatisfied sends a unit's reply back to the unit, with a new deadline …
    Transition("rehandle", {S.REPLIED}, S.REHANDLING, "voices.rate_voice", in_person=True),
    # … and a direct answer back to triage.
    Transition("reopen", {S.REPLIED}, S.RECEIVED, "voices.rate_voice", in_person=True),
    # The draft made from it was withdrawn: back to routing.
    Transition("release", {S.ADOPTED}, S.RECEIVED, "voices.adopt_voice"),
    # The person rates what became of a voice adopted into a suggestion or proposal (no state change).
    Transition("rate_outcome", {S.ADOPTED}, S.ADOPTED, "voices.rate_voice", in_person=True),
)

# A unit's work order, as a suggestion's assignment: reply, return, more time asked, granted, refused.
WORK_ORDER_TRANSITIONS = TransitionTable(
    Transition("reply", {W.OPEN}, W.REPLIED, "voices.handle_workorder", in_person=True),
    Transition("return", {W.OPEN}, W.RETURNED, "voices.handle_workorder", in_person=True),
    Transition("request_extension", {W.OPEN}, W.OPEN, "voices.handle_workorder", in_person=True),
    Transition("extend", {W.OPEN}, W.OPEN, "voices.decide_workorder"),
    Transition("refuse_extension", {W.OPEN}, W.OPEN, "voices.decide_workorder"),
    Transition("reopen", {W.REPLIED}, W.OPEN, "voices.reopen_workorder", in_person=True),
)

# A reception day: announced (published), then held on the day or after it, or cancelled before.
RECEPTION_DAY_TRANSITIONS = TransitionTable(
    Transition("hold", {ReceptionDayStatus.PUBLISHED}, ReceptionDayStatus.HELD, "voices.hold_receptionday"),
    Transition(
        "cancel", {ReceptionDayStatus.PUBLISHED}, ReceptionDayStatus.CANCELLED, "voices.cancel_receptionday"
    ),
)

SOCIAL_REPORT_TRANSITIONS = TransitionTable(
    Transition(
        "adopt",
        sources={SocialReportStatus.SUBMITTED},
        target=SocialReportStatus.ADOPTED,
        permission="voices.change_socialreport",
    ),
    Transition(
        "archive",
        sources={SocialReportStatus.SUBMITTED, SocialReportStatus.ADOPTED},
        target=SocialReportStatus.ARCHIVED,
        permission="voices.change_socialreport",
    ),
)

# Unambiguous characters only: no 0/O, 1/I; 32 symbols × 10 places = 50 bits, never guessed in practice.
TRACKING_ALPHABET = RECEIPT_ALPHABET
NAME_MAX_LENGTH = 64
FORWARDED_TEXT_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 500
RECEPTION_NOTICE_DAYS = 3  # DOMAIN.md §2: date, place and deputies posted 3 days ahead
# Public counters, the same for the web pages and the API (one throttle each, here).
SUBMISSIONS_PER_CLIENT_PER_HOUR = 10
# The start of an HTML tag, comment or doctype ("<" before a letter, "/", "!" or "?"), or a script URL.
# The API states the same rule in its schema (voices/api.py TEXT_PATTERN).
_MARKUP = re.compile(r"<\s*[/!?A-Za-z]|javascript:", re.IGNORECASE)


# The voices this browser proved with tracking code and phone (the last few), for the tracking page
# and the apps that add to it.
TRACKED_SESSION_KEY = "voices_tracked"
TRACKED_PER_SESSION = 10


def tracking_session_add(session: SessionBase, voice_id: int) -> None:
    tracked = [pk for pk in session.get(TRACKED_SESSION_KEY, []) if pk != voice_id]
    session[TRACKED_SESSION_KEY] = [*tracked[-(TRACKED_PER_SESSION - 1) :], voice_id]


# A voice's tracking code is a receipt code (core.receipts).
tracking_code_new = receipt_code_new
tracking_code_normalise = receipt_code_normalise


# Voices are long by default; shorter fields pass their own limit.
_clean_text = partial(plain_text_checked, max_length=TEXT_MAX_LENGTH)


def voice_submission_throttle(*, client: str) -> None:
    """Count one submission from ``client`` (its address); RateLimitedError past the hourly limit."""
    throttle_count(f"voices:submit:{client}", limit=SUBMISSIONS_PER_CLIENT_PER_HOUR, seconds=3600)


def voice_track(*, client: str, code: str, phone: str) -> Voice:
    """The voice a tracking code and mobile number open, for the resident who sent it (a receipt
    look-up: failures counted per client, no hint which part was wrong; ``core.receipts``)."""
    from minsheng.voices.selectors import voice_for_tracking  # selectors import this module

    phone = receipt_number(phone)
    return receipt_lookup(
        scope="voices:track",
        client=client,
        find=lambda: voice_for_tracking(code=code, phone=phone),
        not_found=_("No message matches this tracking code and mobile number."),
    )


def routing_rule_for(station: Body | None) -> str:
    """The deadline rule for routing a new voice: a liaison station gives an effective reply within
    7 days (``voice_station_reply``), sooner than the general 10 days (``voice_forward``)."""
    return "voice_station_reply" if station is not None else "voice_forward"


def voice_text_check(text: str, name: str = "") -> None:
    """Check a voice's text and name before anything else (e.g. before a one-time code is used up)."""
    _clean_text(text, field="text")
    _clean_text(name, field="name", max_length=NAME_MAX_LENGTH, required=False)


def enterprise_checked(name: str, credit_code: str) -> tuple[str, str]:
    """(name, normalised code) of an enterprise's need, or ("", "") for a resident's voice."""
    if not (name or "").strip() and not (credit_code or "").strip():
        return "", ""
    clean = _clean_text(
        name, field="enterprise_name", max_length=ENTERPRISE_NAME_MAX_LENGTH, label=_("The enterprise's name")
    )
    return clean, credit_code_checked(credit_code, field="credit_code")


def _default_district() -> Jurisdiction:
    district = Jurisdiction.objects.filter(level=JurisdictionLevel.DISTRICT).order_by("code").first()
    if district is None:
        raise ValidationFailedError(_("No district is set up yet."))
    return district


def _jurisdiction_for(
    *, place: Jurisdiction | None, station: Body | None, addressed_to: Membership | None
) -> Jurisdiction:
    if place is not None:
        return place
    if station is not None:
        return station.jurisdiction
    if addressed_to is not None:
        return addressed_to.jurisdiction
    return _default_district()


def _users_of(memberships: Sequence[Membership]) -> list[User]:
    return list(User.objects.filter(person__in=[m.person_id for m in memberships], is_active=True))


def voice_submitter_tell(voice: Voice, text: str) -> None:
    """The person learns of progress: in the app when signed in, by text message otherwise."""
    link = f"/voices/track/?code={voice.tracking_code}"
    if voice.submitter_id is not None:
        notify(users=[voice.submitter], text=text, link=link, send_message=True)
    elif voice.phone:
        # The receipt already names the code; a text message that repeats it reads as a mistake.
        body = (
            text
            if voice.tracking_code in text
            else _("%(text)s Tracking code: %(code)s") % {"text": text, "code": voice.tracking_code}
        )
        transaction.on_commit(partial(message_send, to=voice.phone, subject=text[:60], body=body))


def _index_new(voice: Voice) -> None:
    """The search entry and similarity signature of a voice created in this transaction."""
    search_index(voice, voice.text, voice.tracking_code, voice.name, created=True)
    similarity_index(voice, voice.text, created=True)


def _visit_day_checked(day: ReceptionDay, *, station: Body | None) -> None:
    """A visit belongs to a reception day that was held: published, today or earlier, same station."""
    day = ReceptionDay.objects.get(pk=day.pk)  # as stored now: it may have been cancelled meanwhile
    if day.status == ReceptionDayStatus.CANCELLED:  # a held day still takes visits entered late
        raise ValidationFailedError(_("That reception day was cancelled."), field="reception_day")
    if day.date > timezone.localdate():
        raise ValidationFailedError(
            _("That reception day is on %(date)s: visits are recorded on the day or after it.")
            % {"date": f"{day.date:%Y-%m-%d}"},
            field="reception_day",
        )
    if station is not None and station.pk != day.station_id:
        raise ValidationFailedError(
            _("That reception day belongs to another station."), field="reception_day"
        )


def voice_create(
    *,
    actor: Actor,
    channel: str,
    text: str,
    phone: str,
    name: str = "",
    addressed_to: Membership | None = None,
    station: Body | None = None,
    place: Jurisdiction | None = None,
    files: Sequence[UploadedFile] = (),
    kind: str = VoiceKind.SUGGESTION,
    reception_day: ReceptionDay | None = None,
    enterprise_name: str = "",
    credit_code: str = "",
) -> Voice:
    """Record a voice. The caller has verified the phone (one-time code) or is staff entering it.

    An enterprise's need gives the enterprise's name and unified social credit code (both or neither).
    """
    if channel not in VoiceChannel.values:
        raise ValidationFailedError(_("Unknown channel."), field="channel")
    if kind not in VoiceKind.values:
        raise ValidationFailedError(_("Choose what kind of message this is."), field="kind")
    # A declined motion forwarded as a voice keeps its full text (motions allow longer texts).
    limit = FORWARDED_TEXT_MAX_LENGTH if channel == VoiceChannel.MOTION_FORWARD else TEXT_MAX_LENGTH
    clean_text = _clean_text(text, field="text", max_length=limit)
    clean_name = _clean_text(name, field="name", max_length=NAME_MAX_LENGTH, required=False)
    enterprise_name, credit_code = enterprise_checked(enterprise_name, credit_code)
    if channel == VoiceChannel.MOTION_FORWARD and not (phone or "").strip():
        number = ""
    else:
        number = mobile_normalise(phone)
    signed_in = bool(getattr(actor, "is_authenticated", False))
    if channel == VoiceChannel.RECEPTION and not (signed_in and actor.has_perm("voices.enter_voice")):
        raise PermissionDeniedError()
    if station is not None and station.kind not in STATION_KINDS:
        raise ValidationFailedError(_("Choose a liaison station."), field="station")
    if reception_day is not None:
        _visit_day_checked(reception_day, station=station)
        station = station or reception_day.station
    checked = uploads_check(list(files))  # before anything is written: a bad file saves nothing

    jurisdiction = _jurisdiction_for(place=place, station=station, addressed_to=addressed_to)
    today = timezone.localdate()
    triage = deadline_compute(rule_name=routing_rule_for(station), start=today, jurisdiction=jurisdiction)
    # The person is the submitter only when they submit for themselves while signed in.
    submitter = account_or_none(actor) if channel in (VoiceChannel.WEB, VoiceChannel.QR) else None
    with transaction.atomic():
        voice = Voice.objects.create(
            tracking_code=tracking_code_new(),
            channel=channel,
            kind=kind,
            text=clean_text,
            name=clean_name,
            phone=number,
            submitter=submitter,
            entered_by=account_or_none(actor) if submitter is None else None,
            addressed_to=addressed_to,
            station=station,
            place=place,
            jurisdiction=jurisdiction,
            reception_day=reception_day,
            triage_due=triage.due,
            triage_rule=triage.rule_name,
            enterprise_name=enterprise_name,
            credit_code=credit_code,
        )
        attachments_save(actor=actor, owner=voice, files=checked)
        _index_new(voice)
        recipients: list[Membership] = [addressed_to] if addressed_to is not None else []
        if station is not None:
            recipients += list(Membership.objects.active_on(today).filter(body=station, role="station_staff"))
        users = _users_of(recipients)
        if users:
            notify(users=users, text=_("A new voice arrived: %(summary)s") % {"summary": voice.summary},
                   link=f"/voices/{voice.pk}/")  # fmt: skip
        voice_submitter_tell(
            voice, _("Your message was received. Tracking code: %(code)s") % {"code": voice.tracking_code}
        )
        # Recorded last: from here to the commit the Event chain's head is locked, and every writer of
        # the platform waits on it (the index and the notices above took longer than the Event).
        event_record(
            actor=actor,
            verb="create",
            target=voice,
            to_state=voice.status,
            payload={
                "channel": channel,
                "triage_due": triage.due,
                "rule": triage.rule_name,
                "files": len(checked),
                "enterprise": bool(credit_code),
            },
        )
    return voice


def voice_answer(*, actor: Actor, voice: Voice, text: str, expected_state: str | None = None) -> Voice:
    """The receiving deputy, member or station answers the person directly."""
    clean = _clean_text(text, field="text")
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS, obj=voice, action="answer", actor=actor, expected_state=expected_state
        )
        VoiceReply.objects.create(
            voice=voice, source=ReplySource.DIRECT, text=clean, author=account_required(actor)
        )
        voice_submitter_tell(voice, _("Your message has been answered. Please rate the answer."))
    return voice


def voice_forward(
    *,
    actor: Actor,
    voice: Voice,
    unit: Unit,
    reply_rule: str = ReplyRule.COMPLAINT,
    instructions: str = "",
    expected_state: str | None = None,
) -> Voice:
    """Forward to a handling unit as a work order (交办); its reply deadline comes from the calendar."""
    if reply_rule not in ReplyRule.values:
        raise ValidationFailedError(_("Choose a reply deadline."), field="reply_rule")
    clean_instructions = _clean_text(
        instructions, field="instructions", max_length=REASON_MAX_LENGTH, required=False
    )
    today = timezone.localdate()
    due = deadline_compute(rule_name=reply_rule, start=today, jurisdiction=voice.jurisdiction)
    return_by = deadline_compute(rule_name="voice_return", start=today, jurisdiction=voice.jurisdiction)
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=voice,
            action="forward",
            actor=actor,
            expected_state=expected_state,
            payload={"unit": unit.name, "unit_id": unit.pk, "due": due.due, "rule": due.rule_name},
        )
        try:
            with transaction.atomic():
                WorkOrder.objects.create(
                    voice=voice,
                    unit=unit,
                    instructions=clean_instructions,
                    due=due.due,
                    due_rule=due.rule_name,
                    forwarded_by=account_required(actor),
                    return_by=min(return_by.due, due.due),
                    max_due=_latest_due(due.due, due.rule_name, voice),
                )
        except IntegrityError as exc:  # another open work order: someone else forwarded it first
            raise ConflictError() from exc
        handlers = Membership.objects.active_on(timezone.localdate()).filter(unit=unit, role="handler")
        notify(
            users=_users_of(list(handlers)),
            text=_("New work order, reply by %(due)s: %(summary)s")
            % {"due": f"{due.due:%Y-%m-%d}", "summary": voice.summary},
            link=f"/voices/{voice.pk}/",
        )
        voice_submitter_tell(voice, _("Your message was forwarded to %(unit)s.") % {"unit": unit.name})
    return voice


def voice_refer(
    *, actor: Actor, voice: Voice, reason: str, note: str = "", expected_state: str | None = None
) -> Voice:
    """Not accepted here: the person is told where the matter belongs (courts, arbitration, review…)."""
    if reason not in ReferralReason.values:
        raise ValidationFailedError(_("Choose a reason."), field="reason")
    clean_note = _clean_text(note, field="note", max_length=REASON_MAX_LENGTH, required=False)
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=voice,
            action="refer",
            actor=actor,
            expected_state=expected_state,
            payload={"reason": reason, "note": clean_note},
            changes={"referral_reason": reason, "referral_note": clean_note},
        )
        voice_submitter_tell(
            voice,
            _("Your message cannot be handled here: %(reason)s.") % {"reason": ReferralReason(reason).label},
        )
    return voice


def voice_merge(*, actor: Actor, voice: Voice, into: Voice, expected_state: str | None = None) -> Voice:
    """A duplicate: ``voice`` is handled together with ``into`` and its person hears the same answer."""
    if into.pk == voice.pk:
        raise ValidationFailedError(_("A voice cannot be merged into itself."), field="into")
    if into.status == VoiceStatus.MERGED:
        raise ValidationFailedError(
            _("That voice was itself merged; choose the one it was merged into."), field="into"
        )
    if not actor.has_perm("voices.view_voice", into):
        raise ValidationFailedError(_("Voice not found."), field="into")
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=voice,
            action="merge",
            actor=actor,
            expected_state=expected_state,
            payload={"into": into.pk},
            changes={"merged_into": into},
        )
        voice_submitter_tell(voice, _("Your message is handled together with a similar one."))
    return voice


def voice_adopt(*, actor: Actor, voice: Voice, motion_label: str) -> Voice:
    """Taken up in a suggestion or proposal (the motions app links back with ``source_voice``)."""
    label = _clean_text(motion_label, field="motion_label", max_length=200)
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS, obj=voice, action="adopt", actor=actor, payload={"motion": label}
        )
        voice_submitter_tell(voice, _("Your message was taken up in: %(motion)s") % {"motion": label})
    return voice


def voice_release(*, actor: Actor, voice: Voice, motion_label: str) -> Voice:
    """The draft made from the voice was withdrawn: the voice goes back to be routed another way."""
    label = _clean_text(motion_label, field="motion_label", max_length=200)
    with transaction.atomic():
        triage = deadline_compute(
            rule_name=routing_rule_for(voice.station),
            start=timezone.localdate(),
            jurisdiction=voice.jurisdiction,
        )
        voice = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=voice,
            action="release",
            actor=actor,
            changes={"triage_due": triage.due, "triage_rule": triage.rule_name},
            payload={"motion": label, "triage_due": triage.due},
        )
    return voice


def _open_work_order(voice: Voice) -> WorkOrder | None:
    return (
        rows_locked(WorkOrder).filter(voice=voice, status=WorkOrderStatus.OPEN).select_related("unit").first()
    )


def _latest_due(due: dt.date, rule_name: str, voice: Voice) -> dt.date:
    """How far a reply date may be extended: at most one more period of the rule that set it (an
    urgent, same-day matter cannot be put off)."""
    return deadline_compute(rule_name=rule_name, start=due, jurisdiction=voice.jurisdiction).due


def voice_reply(*, actor: Actor, voice: Voice, text: str, expected_state: str | None = None) -> Voice:
    """The unit answers its work order; the person (and those of merged duplicates) is told."""
    clean = _clean_text(text, field="text")
    # Only the unit answers for itself: not even a superuser replies in its name.
    if not is_handler_of(actor, voice):
        raise PermissionDeniedError()
    with transaction.atomic():
        voice = transition_apply(
            table=VOICE_TRANSITIONS, obj=voice, action="reply", actor=actor, expected_state=expected_state
        )
        work_order = _open_work_order(voice)
        if work_order is None:  # the table allows reply only while a work order is open
            raise ConflictError()
        transition_apply(
            table=WORK_ORDER_TRANSITIONS,
            obj=work_order,
            action="reply",
            actor=actor,
            changes={"replied_at": timezone.now(), "extension_requested_to": None},
        )
        VoiceReply.objects.create(
            voice=voice,
            work_order=work_order,
            source=ReplySource.UNIT,
            text=clean,
            author=account_required(actor),
        )
        message = _("%(unit)s replied to your message. Please rate the reply.") % {
            "unit": work_order.unit.name
        }
        voice_submitter_tell(voice, message)
        for duplicate in voice.duplicates.all():
            voice_submitter_tell(duplicate, message)
    return voice


def voice_rate(
    *, actor: Actor, voice: Voice, rating: str, comment: str = "", expected_state: str | None = None
) -> Voice:
    """The person rates the latest answer; 不满意 sends it back (to the unit with a new deadline)."""
    if rating not in Rating.values:
        raise ValidationFailedError(_("Choose a rating."), field="rating")
    clean_comment = _clean_text(comment, field="comment", max_length=REASON_MAX_LENGTH, required=False)
    # Only the person who sent the voice rates the answer: not even a superuser rates in their name.
    if not is_submitter(actor, voice):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        reply = VoiceReply.objects.filter(voice=locked, rated_at__isnull=True).order_by("-id").first()
        payload: dict[str, Any] = {"rating": rating}
        if rating != Rating.DISSATISFIED:
            action = "close"
        elif reply is not None and reply.work_order_id is not None:
            action = "rehandle"
        else:
            action = "reopen"
        work_order = None
        if action == "rehandle":
            assert reply is not None and reply.work_order is not None
            work_order = reply.work_order
            new_due = deadline_compute(
                rule_name=work_order.due_rule, start=timezone.localdate(), jurisdiction=locked.jurisdiction
            )
            # The Event says why the deadline moves: the person was dissatisfied with the reply.
            payload.update({"due": new_due.due, "previous_due": work_order.due, "rule": new_due.rule_name})
        voice = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=locked,
            action=action,
            actor=actor,
            expected_state=expected_state,
            payload=payload,
        )
        if reply is not None:
            VoiceReply.objects.filter(pk=reply.pk).update(
                rating=rating, rating_comment=clean_comment, rated_at=timezone.now()
            )
        if work_order is not None:
            transition_apply(
                table=WORK_ORDER_TRANSITIONS,
                obj=work_order,
                action="reopen",
                actor=actor,
                changes={
                    "due": payload["due"],
                    "round": work_order.round + 1,
                    "replied_at": None,
                    "max_due": _latest_due(payload["due"], work_order.due_rule, locked),
                },
                payload={"due": payload["due"], "previous_due": work_order.due},
            )
            handlers = Membership.objects.active_on(timezone.localdate()).filter(
                unit_id=work_order.unit_id, role="handler"
            )
            notify(
                users=_users_of(list(handlers)),
                text=_("The person was dissatisfied; handle again by %(due)s: %(summary)s")
                % {"due": f"{payload['due']:%Y-%m-%d}", "summary": voice.summary},
                link=f"/voices/{voice.pk}/",
            )
    return voice


def work_order_remind(*, actor: Actor, voice: Voice, note: str = "") -> WorkOrder:
    """Chase (催办) the unit of the open work order: an Event on the voice and a notice to its handlers."""
    clean = _clean_text(note, field="note", max_length=REASON_MAX_LENGTH, required=False)
    if not actor.has_perm("voices.remind_voice", voice):
        raise PermissionDeniedError()
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        work_order = _open_work_order(locked)
        if work_order is None:
            raise ValidationFailedError(_("There is no open work order to chase."))
        event_record(
            actor=actor,
            verb="remind",
            target=locked,
            from_state=locked.status,
            to_state=locked.status,
            payload={"unit": work_order.unit.name, "due": work_order.due, "note": clean},
        )
        handlers = Membership.objects.active_on(timezone.localdate()).filter(
            unit=work_order.unit, role="handler"
        )
        notify(
            users=_users_of(list(handlers)),
            text=_("Reminder: reply by %(due)s: %(summary)s")
            % {"due": f"{work_order.due:%Y-%m-%d}", "summary": locked.summary},
            link=f"/voices/{locked.pk}/",
            send_message=True,
        )
    return work_order


# A unit's work order: return it, ask for more time; the routers grant or refuse ---------------


def voice_router_users(voice: Voice) -> list[User]:
    """Who routes the voice: its addressee and its station's staff, else the office over its place."""
    today = timezone.localdate()
    seats: list[Membership] = [voice.addressed_to] if voice.addressed_to is not None else []
    if voice.station_id is not None:
        seats += list(
            Membership.objects.active_on(today).filter(body_id=voice.station_id, role=Role.STATION_STAFF)
        )
    if not seats:
        kinds = CPPCC_OFFICE_KINDS if voice_is_cppcc(voice) else CONGRESS_OFFICE_KINDS
        places = [voice.jurisdiction_id, *(j.pk for j in voice.jurisdiction.ancestors())]
        seats = list(
            Membership.objects.active_on(today).filter(
                role=Role.STAFF, body__kind__in=kinds, body__jurisdiction_id__in=places
            )
        )
    return _users_of(seats)


def unit_handler_users(unit_id: int) -> list[User]:
    return _users_of(
        list(Membership.objects.active_on(timezone.localdate()).filter(unit_id=unit_id, role=Role.HANDLER))
    )


def _open_work_order_of(voice: Voice) -> WorkOrder:
    """The voice's open work order, locked; a voice with none gives a clear conflict."""
    work_order = _open_work_order(voice)
    if work_order is None:
        raise ConflictError(message=_("This voice has no open work order any more."))
    return work_order


def work_order_return(*, actor: Actor, voice: Voice, reason: str, expected_state: str | None = None) -> Voice:
    """退回: the unit says the matter is not its business, with a reason, by the return date; the voice
    goes back to those who route it, with a new routing deadline."""
    clean = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        work_order = _open_work_order_of(locked)
        if work_order.return_by is None or timezone.localdate() > work_order.return_by:
            raise ValidationFailedError(
                _("The period for returning this work order ended on %(date)s.")
                % {"date": f"{work_order.return_by or work_order.created_at.date():%Y-%m-%d}"},
                field="reason",
            )
        triage = deadline_compute(
            rule_name=routing_rule_for(locked.station),
            start=timezone.localdate(),
            jurisdiction=locked.jurisdiction,
        )
        fresh = transition_apply(
            table=VOICE_TRANSITIONS,
            obj=locked,
            action="return",
            actor=actor,
            expected_state=expected_state,
            changes={"triage_due": triage.due, "triage_rule": triage.rule_name},
            payload={"unit": work_order.unit.name, "reason": clean, "triage_due": triage.due},
        )
        transition_apply(
            table=WORK_ORDER_TRANSITIONS,
            obj=work_order,
            action="return",
            actor=actor,
            changes={"return_reason": clean, "extension_requested_to": None},
            payload={"reason": clean},
        )
        notify(
            users=voice_router_users(fresh),
            text=_("%(unit)s returned a voice as not its business (%(reason)s); route it again by %(date)s: "
                   "%(summary)s")
            % {"unit": work_order.unit.name, "reason": clean, "date": f"{triage.due:%Y-%m-%d}",
               "summary": fresh.summary},
            link=f"/voices/{fresh.pk}/",
        )  # fmt: skip
    return fresh


def _until_checked(work_order: WorkOrder, until: dt.date) -> None:
    if work_order.max_due is None:
        raise ValidationFailedError(_("This work order cannot be extended."), field="until")
    if until <= work_order.due:
        raise ValidationFailedError(_("The new deadline must be later than the current one."), field="until")
    if until > work_order.max_due:
        raise ValidationFailedError(
            _("The deadline cannot go beyond %(date)s (one more period of its rule).")
            % {"date": f"{work_order.max_due:%Y-%m-%d}"},
            field="until",
        )


def work_order_extension_request(*, actor: Actor, voice: Voice, until: dt.date, reason: str) -> WorkOrder:
    """The unit asks for more time, with a reason; those who route the voice grant or refuse it."""
    clean = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        work_order = _open_work_order_of(locked)
        _until_checked(work_order, until)
        fresh = transition_apply(
            table=WORK_ORDER_TRANSITIONS,
            obj=work_order,
            action="request_extension",
            actor=actor,
            changes={"extension_requested_to": until, "extension_request_reason": clean},
            payload={"unit": work_order.unit.name, "until": until, "due": work_order.due, "reason": clean},
        )
        notify(
            users=voice_router_users(locked),
            text=_("%(unit)s asks for more time, until %(date)s (%(reason)s): %(summary)s")
            % {"unit": work_order.unit.name, "date": f"{until:%Y-%m-%d}", "reason": clean,
               "summary": locked.summary},
            link=f"/voices/{locked.pk}/",
        )  # fmt: skip
    return fresh


def work_order_extend(*, actor: Actor, voice: Voice, reason: str, until: dt.date | None = None) -> WorkOrder:
    """Grant more time: to the date asked for, or another date up to the limit. The person is told."""
    clean = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        work_order = _open_work_order_of(locked)
        until = until or work_order.extension_requested_to
        if until is None:
            raise ValidationFailedError(_("Choose the new deadline."), field="until")
        _until_checked(work_order, until)
        fresh = transition_apply(
            table=WORK_ORDER_TRANSITIONS,
            obj=work_order,
            action="extend",
            actor=actor,
            changes={"due": until, "extension_reason": clean, "extension_requested_to": None},
            payload={
                "unit": work_order.unit.name,
                "due": until,
                "previous_due": work_order.due,
                "reason": clean,
            },
        )
        notify(
            users=unit_handler_users(work_order.unit_id),
            text=_("More time granted: reply by %(date)s: %(summary)s")
            % {"date": f"{until:%Y-%m-%d}", "summary": locked.summary},
            link=f"/voices/{locked.pk}/",
        )
        voice_submitter_tell(
            locked,
            _("%(unit)s needs more time to answer your message: now by %(date)s.")
            % {"unit": work_order.unit.name, "date": f"{until:%Y-%m-%d}"},
        )
    return fresh


def work_order_extension_refuse(*, actor: Actor, voice: Voice, reason: str) -> WorkOrder:
    """Refuse the unit's request for more time, with a reason: the reply date stays."""
    clean = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    with transaction.atomic():
        locked = rows_locked(Voice).get(pk=voice.pk)
        work_order = _open_work_order_of(locked)
        if work_order.extension_requested_to is None:
            raise ValidationFailedError(_("The unit has not asked for more time."))
        fresh = transition_apply(
            table=WORK_ORDER_TRANSITIONS,
            obj=work_order,
            action="refuse_extension",
            actor=actor,
            changes={"extension_requested_to": None},
            payload={
                "unit": work_order.unit.name,
                "asked": work_order.extension_requested_to,
                "due": work_order.due,
                "reason": clean,
            },
        )
        notify(
            users=unit_handler_users(work_order.unit_id),
            text=_("More time refused (%(reason)s); reply by %(date)s: %(summary)s")
            % {"reason": clean, "date": f"{work_order.due:%Y-%m-%d}", "summary": locked.summary},
            link=f"/voices/{locked.pk}/",
        )
    return fresh


# Reception days -------------------------------------------------------------------------------


def _reception_notice_checked(date: dt.date) -> None:
    earliest = timezone.localdate() + dt.timedelta(days=RECEPTION_NOTICE_DAYS)
    if date < earliest:
        raise ValidationFailedError(
            _("Reception days are announced at least %(days)s days ahead (the earliest date is %(date)s).")
            % {"days": RECEPTION_NOTICE_DAYS, "date": f"{earliest:%Y-%m-%d}"},
            field="date",
        )


def _reception_slot_checked(
    *, station: Body, date: dt.date, start_time: dt.time, end_time: dt.time, other_than: int | None = None
) -> None:
    """A station receives in one place at a time: two published days may not overlap."""
    if end_time <= start_time:
        raise ValidationFailedError(_("A reception day must end after it starts."), field="end_time")
    overlapping = ReceptionDay.objects.filter(
        station=station,
        date=date,
        status=ReceptionDayStatus.PUBLISHED,
        start_time__lt=end_time,
        end_time__gt=start_time,
    )
    if other_than is not None:
        overlapping = overlapping.exclude(pk=other_than)
    clash = overlapping.order_by("start_time").first()
    if clash is not None:
        raise ValidationFailedError(
            _("%(station)s already receives visitors from %(start)s to %(end)s that day.")
            % {
                "station": station.name,
                "start": f"{clash.start_time:%H:%M}",
                "end": f"{clash.end_time:%H:%M}",
            },
            field="start_time",
        )


def reception_day_publish(
    *,
    actor: Actor,
    station: Body,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    place: str,
    deputies: Sequence[Membership] = (),
    note: str = "",
) -> ReceptionDay:
    """Announce a reception day at least three days ahead, with place and receiving deputies."""
    if station.kind not in STATION_KINDS:
        raise ValidationFailedError(_("Choose a liaison station."), field="station")
    if not actor.has_perm("voices.manage_station", station):
        raise PermissionDeniedError()
    _reception_notice_checked(date)
    clean_place = _clean_text(place, field="place", max_length=200)
    clean_note = _clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        # The station row is locked so that two announcements cannot both pass the overlap check.
        rows_locked(Body).filter(pk=station.pk).first()
        _reception_slot_checked(station=station, date=date, start_time=start_time, end_time=end_time)
        day = ReceptionDay.objects.create(
            station=station,
            date=date,
            start_time=start_time,
            end_time=end_time,
            place=clean_place,
            note=clean_note,
            created_by=account_required(actor),
        )
        day.deputies.set(deputies)
        event_record(
            actor=actor,
            verb="publish",
            target=day,
            to_state=day.status,
            payload={"date": date, "deputies": [m.pk for m in deputies]},
        )
        users = _users_of(list(deputies))
        if users:
            notify(
                users=users,
                text=_("You receive visitors at %(station)s on %(date)s.")
                % {"station": station.name, "date": f"{date:%Y-%m-%d}"},
                link="/voices/reception/",
            )
    return day


def reception_day_update(
    *,
    actor: Actor,
    day: ReceptionDay,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    place: str,
    deputies: Sequence[Membership] = (),
    note: str = "",
) -> ReceptionDay:
    """Change an announced day before it takes place; a new date needs the same notice as a new day.

    Deputies who are added or removed and, when date, time or place change, every receiving deputy
    are told; the Event keeps what changed.
    """
    if not actor.has_perm("voices.manage_station", day.station):
        raise PermissionDeniedError()
    clean_place = _clean_text(place, field="place", max_length=200)
    clean_note = _clean_text(note, field="note", max_length=300, required=False)
    with transaction.atomic():
        locked = rows_locked(ReceptionDay).select_related("station").get(pk=day.pk)
        if locked.status != ReceptionDayStatus.PUBLISHED:
            raise ConflictError(message=_("A held or cancelled reception day cannot be changed."))
        if locked.date <= timezone.localdate():  # visits may already be recorded against it
            raise ValidationFailedError(
                _("A reception day cannot be changed on or after the day."), field="date"
            )
        if date != locked.date:
            _reception_notice_checked(date)
        _reception_slot_checked(
            station=locked.station, date=date, start_time=start_time, end_time=end_time, other_than=locked.pk
        )
        before = {
            "date": locked.date,
            "start_time": f"{locked.start_time:%H:%M}",
            "end_time": f"{locked.end_time:%H:%M}",
            "place": locked.place,
            "note": locked.note,
        }
        after = {
            "date": date,
            "start_time": f"{start_time:%H:%M}",
            "end_time": f"{end_time:%H:%M}",
            "place": clean_place,
            "note": clean_note,
        }
        old_seats = set(locked.deputies.values_list("pk", flat=True))
        new_seats = {m.pk for m in deputies}
        changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
        if not changed and old_seats == new_seats:
            return locked
        locked.date, locked.start_time, locked.end_time = date, start_time, end_time
        locked.place, locked.note = clean_place, clean_note
        locked.save(update_fields=["date", "start_time", "end_time", "place", "note", "updated_at"])
        locked.deputies.set(deputies)
        event_record(
            actor=actor,
            verb="update",
            target=locked,
            payload={
                "changed": changed,
                "deputies_added": sorted(new_seats - old_seats),
                "deputies_removed": sorted(old_seats - new_seats),
            },
        )
        _reception_change_notify(locked, old_seats=old_seats, new_seats=new_seats, moved=bool(changed))
    return locked


def _reception_change_notify(
    day: ReceptionDay, *, old_seats: set[int], new_seats: set[int], moved: bool
) -> None:
    when = {"station": day.station.name, "date": f"{day.date:%Y-%m-%d}"}
    seats = Membership.objects.select_related("person")
    added = _users_of(list(seats.filter(pk__in=new_seats - old_seats)))
    removed = _users_of(list(seats.filter(pk__in=old_seats - new_seats)))
    kept = _users_of(list(seats.filter(pk__in=old_seats & new_seats))) if moved else []
    if added:
        notify(users=added, text=_("You receive visitors at %(station)s on %(date)s.") % when,
               link="/voices/reception/")  # fmt: skip
    if removed:
        notify(users=removed, text=_("You no longer receive visitors at %(station)s on %(date)s.") % when,
               link="/voices/reception/")  # fmt: skip
    if kept:
        notify(users=kept, text=_("The reception day at %(station)s was changed: now %(date)s.") % when,
               link="/voices/reception/")  # fmt: skip


def reception_day_cancel(*, actor: Actor, day: ReceptionDay, reason: str) -> ReceptionDay:
    clean = _clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    return transition_apply(
        table=RECEPTION_DAY_TRANSITIONS, obj=day, action="cancel", actor=actor, payload={"reason": clean}
    )


@guard
def can_hold_reception_day(user: Actor, day: ReceptionDay) -> DomainError | None:
    """A receiving deputy or the station's staff record a published day as held, on the day or after."""
    refusal = transition_refusal(table=RECEPTION_DAY_TRANSITIONS, obj=day, action="hold", actor=user)
    if refusal is None and day.date > timezone.localdate():
        return ValidationFailedError(
            _("That reception day is on %(date)s: it is recorded as held on the day or after it.")
            % {"date": f"{day.date:%Y-%m-%d}"},
            field="date",
        )
    return refusal


def reception_day_hold(*, actor: Actor, day: ReceptionDay, expected_state: str | None = None) -> ReceptionDay:
    """Record that the day took place: the Event names the receiving deputies (the duty record credits
    them) and the visits recorded against the day so far."""
    with transaction.atomic():
        # Deputies cannot change on or after the day (``reception_day_update``), which holding needs.
        deputies = sorted(day.deputies.values_list("pk", flat=True))
        visits = Voice.objects.filter(reception_day=day).count()
        return transition_apply(
            table=RECEPTION_DAY_TRANSITIONS,
            obj=day,
            action="hold",
            actor=actor,
            expected_state=expected_state,
            payload={"deputies": deputies, "visits": visits},
            guard=can_hold_reception_day,
        )


# Social-conditions reports (社情民意) ------------------------------------------------------------


def social_report_create(*, actor: Actor, title: str, text: str, source_label: str = "") -> SocialReport:
    """A CPPCC member or staff files a social-conditions report."""
    if not actor.has_perm("voices.add_socialreport"):
        raise PermissionDeniedError()
    clean_title = _clean_text(title, field="title", max_length=100)
    clean_text = _clean_text(text, field="text", max_length=5000)
    clean_source = _clean_text(source_label, field="source_label", max_length=200, required=False)
    from minsheng.voices.rules import memberships_of

    places = [m.jurisdiction for m in memberships_of(actor)]
    jurisdiction = places[0] if places else _default_district()
    with transaction.atomic():
        report = SocialReport.objects.create(
            title=clean_title,
            text=clean_text,
            source_label=clean_source,
            author=account_required(actor),
            jurisdiction=jurisdiction,
        )
        event_record(actor=actor, verb="create", target=report, to_state=report.status)
        search_index(report, report.title, report.text)
    return report


def social_report_adopt(*, actor: Actor, report: SocialReport, note: str = "") -> SocialReport:
    clean = _clean_text(note, field="note", max_length=REASON_MAX_LENGTH, required=False)
    with transaction.atomic():
        report = transition_apply(
            table=SOCIAL_REPORT_TRANSITIONS, obj=report, action="adopt", actor=actor, payload={"note": clean}
        )
        notify(users=[report.author], text=_("Your report was adopted: %(title)s") % {"title": report.title})
    return report


def social_report_archive(*, actor: Actor, report: SocialReport) -> SocialReport:
    return transition_apply(table=SOCIAL_REPORT_TRANSITIONS, obj=report, action="archive", actor=actor)
