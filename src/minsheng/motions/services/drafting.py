"""Drafting and co-signing: drafts, invitations, answers, submission and withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.actors import Actor
from minsheng.core.attachments import attachments_save, uploads_check
from minsheng.core.calendar import deadline_compute
from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
    version_check,
)
from minsheng.core.events import event_record
from minsheng.core.locking import rows_locked
from minsheng.core.text import plain_text_checked
from minsheng.core.transitions import allowed_in_person, guard, transition_apply
from minsheng.motions.models import (
    Motion,
    MotionKind,
    ProposerKind,
    Signature,
    SignatureRole,
    SignatureStatus,
)
from minsheng.motions.rules import memberships_of
from minsheng.motions.selectors import motion_settings_for
from minsheng.motions.services.common import (
    KIND_PREFIX,
    motion_index,
    motion_link,
    motion_transition_apply,
    notify_later,
    office_staff,
    users_of,
)
from minsheng.motions.services.workflow import (
    SIGNATURE_TRANSITIONS,
    S,
)
from minsheng.org.models import BodyKind, Membership, Person, Role, User
from minsheng.org.selectors import today

MAX_INVITEES = 50


def _seat_for(actor: Actor, kind: str) -> Membership:
    """The actor's representative seat that allows drafting ``kind`` (deputy for suggestions/bills)."""
    wanted = Role.CPPCC_MEMBER if kind == MotionKind.PROPOSAL else Role.DEPUTY
    body_kind = BodyKind.CPPCC_COMMITTEE if kind == MotionKind.PROPOSAL else BodyKind.CONGRESS
    for membership in memberships_of(actor):
        if (
            membership.role == wanted
            and membership.body
            and membership.body.kind == body_kind
            and membership.term_id
        ):
            return membership
    if kind == MotionKind.PROPOSAL:
        raise PermissionDeniedError(_("Only CPPCC members can draft proposals."))
    raise PermissionDeniedError(_("Only deputies can draft suggestions and bills."))


# --- drafting and co-signing --------------------------------------------------------------------


@transaction.atomic
def motion_draft_for(
    *, actor: Actor, lead_signer: Person, kind: str, title: str, text: str, source: dict[str, Any]
) -> Motion:
    """A draft prepared by staff for a deputy or member, who stays in charge of it.

    Used when a consultation outcome becomes a proposal: the office writes it up, the member it is
    handed to edits, co-signs and submits it (or withdraws it). The caller has checked that the actor
    may hand the matter over; ``source`` says where it came from and goes into the Event.
    """
    author = User.objects.filter(person=lead_signer, is_active=True).first()
    if author is None:
        raise ValidationFailedError(
            _("%(name)s has no account and cannot take over a draft.") % {"name": lead_signer.name},
            field="lead_signer",
        )
    motion = motion_create(actor=actor, author=author, kind=kind, title=title, text=text)
    event_record(
        actor=actor,
        verb="hand_over",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"lead_signer": lead_signer.pk, **source},
    )
    notify_later(
        [author],
        _("A draft was prepared for you to review and submit: %(title)s") % {"title": motion.title},
        motion_link(motion),
    )
    return motion


@transaction.atomic
def motion_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    text: str,
    session: int | None = None,
    proposer_kind: str = ProposerKind.INDIVIDUAL,
    proposer_sector_id: int | None = None,
    proposer_body_id: int | None = None,
    proposer_org: str = "",
    files: Sequence[UploadedFile] = (),
    author: User | None = None,
) -> Motion:
    """A new draft with the actor as lead signer (领衔). Everything is checked before anything is saved.

    With ``author`` (see ``motion_draft_for``) the draft is the author's, their seat and their lead
    signature; ``actor`` is who typed it in.
    """
    drafter: Actor = author or actor
    if kind not in MotionKind.values:
        raise ValidationFailedError(_("Choose a suggestion, a proposal or a bill."), field="kind")
    seat = _seat_for(drafter, kind)
    assert seat.body is not None and seat.term_id is not None
    settings = motion_settings_for(seat.body.jurisdiction)
    title = plain_text_checked(
        title, field="title", label=_("The title"), max_length=settings.title_max_length
    )
    text = plain_text_checked(text, field="text", label=_("The text"), max_length=settings.text_max_length)
    if proposer_kind not in ProposerKind.values:
        raise ValidationFailedError(_("Choose who puts the item forward."), field="proposer_kind")
    group_kinds = (ProposerKind.SECTOR, ProposerKind.PARTY_ORG, ProposerKind.SPECIAL_COMMITTEE)
    if kind != MotionKind.PROPOSAL and proposer_kind in group_kinds:
        raise ValidationFailedError(
            _("Only CPPCC proposals can come from a sector, an organisation or a committee."),
            field="proposer_kind",
        )
    sector_id = body_id = None
    if proposer_kind == ProposerKind.SECTOR:
        if seat.sector_id is None or proposer_sector_id not in (None, seat.sector_id):
            raise ValidationFailedError(
                _("You can only propose for your own sector."), field="proposer_sector"
            )
        sector_id = seat.sector_id
    if proposer_kind == ProposerKind.SPECIAL_COMMITTEE:
        committees = {
            m.body_id
            for m in memberships_of(drafter)
            if m.body is not None and m.body.kind == BodyKind.CPPCC_SPECIAL_COMMITTEE
        }
        if proposer_body_id not in committees:
            raise ValidationFailedError(
                _("You can only propose for a special committee you belong to."), field="proposer_body"
            )
        body_id = proposer_body_id
    proposer_org = (proposer_org or "").strip()[:64]
    if proposer_kind == ProposerKind.PARTY_ORG and not proposer_org:
        raise ValidationFailedError(_("Name the party or organisation."), field="proposer_org")
    checked_files = uploads_check(list(files))
    if session is not None and not 1 <= session <= 99:
        raise ValidationFailedError(_("The session number is not valid."), field="session")

    motion = Motion.objects.create(
        kind=kind,
        jurisdiction=seat.body.jurisdiction,
        term_id=seat.term_id,
        session=session,
        title=title,
        text=text,
        lead_signer_id=seat.person_id,
        proposer_kind=proposer_kind,
        proposer_sector_id=sector_id,
        proposer_body_id=body_id,
        proposer_org=proposer_org if proposer_kind == ProposerKind.PARTY_ORG else "",
    )
    Signature.objects.create(
        motion=motion,
        person_id=seat.person_id,
        role=SignatureRole.LEAD,
        status=SignatureStatus.ACCEPTED,
        answered_at=timezone.now(),
    )
    attachments_save(actor=actor, owner=motion, files=checked_files)
    event_record(
        actor=actor,
        verb="create",
        target=motion,
        to_state=motion.status,
        payload={"kind": kind, "files": len(checked_files)},
    )
    motion_index(motion)
    return motion


def _draft_refusal(user: Actor, motion: Motion, *, action: str, permission: str) -> DomainError | None:
    if motion.status != S.DRAFT:
        return InvalidTransitionError(action=action, state=motion.status)
    if not allowed_in_person(user, permission, motion):  # the lead signer's own draft
        return PermissionDeniedError()
    return None


@guard
def can_edit(user: Actor, motion: Motion) -> DomainError | None:
    """The lead signer edits the draft until it is submitted."""
    return _draft_refusal(user, motion, action="edit", permission="motions.change_motion")


@guard
def can_invite(user: Actor, motion: Motion) -> DomainError | None:
    """The lead signer invites co-signers while the item is a draft."""
    return _draft_refusal(user, motion, action="invite", permission="motions.invite_motion")


@transaction.atomic
def motion_update(
    *, actor: Actor, motion: Motion, title: str, text: str, expected_version: str | None = None
) -> Motion:
    """Change a draft's title and text. ``expected_version`` (``core.errors.version_of`` of the draft the
    editor opened) makes a second editor get a conflict instead of overwriting the first one's save."""
    fresh = rows_locked(Motion).get(pk=motion.pk)
    can_edit.check(actor, fresh)
    version_check(expected=expected_version, updated_at=fresh.updated_at)
    settings = motion_settings_for(fresh.jurisdiction)
    fresh.title = plain_text_checked(
        title, field="title", label=_("The title"), max_length=settings.title_max_length
    )
    fresh.text = plain_text_checked(
        text, field="text", label=_("The text"), max_length=settings.text_max_length
    )
    fresh.save(update_fields=["title", "text", "updated_at"])
    event_record(actor=actor, verb="edit", target=fresh, from_state=fresh.status, to_state=fresh.status)
    motion_index(fresh)
    return fresh


@transaction.atomic
def motion_invite(*, actor: Actor, motion: Motion, people: Sequence[Person]) -> list[Signature]:
    """Invite co-signers (联名); each answers within the configured number of days."""
    fresh = rows_locked(Motion).get(pk=motion.pk)
    can_invite.check(actor, fresh)
    if not people:
        raise ValidationFailedError(_("Choose at least one person to invite."), field="people")
    if len(people) > MAX_INVITEES:
        raise ValidationFailedError(
            _("At most %(limit)s people can be invited at once.") % {"limit": MAX_INVITEES}, field="people"
        )
    role = Role.CPPCC_MEMBER if fresh.kind == MotionKind.PROPOSAL else Role.DEPUTY
    eligible = set(
        Membership.objects.active_on(today())
        .filter(role=role, term_id=fresh.term_id, person__in=[p.pk for p in people])
        .values_list("person_id", flat=True)
    )
    outsiders = [p.name for p in people if p.pk not in eligible]
    if outsiders:
        raise ValidationFailedError(
            _("Only deputies or members of the same term can co-sign: %(names)s.")
            % {"names": "、".join(outsiders)},
            field="people",
        )
    existing = set(fresh.signatures.values_list("person_id", flat=True))
    answer_by = today() + dt.timedelta(days=motion_settings_for(fresh.jurisdiction).invitation_days)
    next_order = fresh.signatures.count()
    created = []
    for person in people:
        if person.pk in existing:
            continue
        next_order += 1
        created.append(
            Signature.objects.create(
                motion=fresh,
                person=person,
                role=SignatureRole.CO,
                status=SignatureStatus.INVITED,
                order=next_order,
                answer_by=answer_by,
            )
        )
    if not created:
        raise ValidationFailedError(_("Everyone chosen has already been invited."), field="people")
    event_record(
        actor=actor,
        verb="invite",
        target=fresh,
        from_state=fresh.status,
        to_state=fresh.status,
        payload={"people": [s.person_id for s in created], "answer_by": answer_by},
    )
    notify_later(
        users_of(s.person_id for s in created),
        _("%(name)s invites you to co-sign “%(title)s”.")
        % {"name": fresh.lead_signer.name, "title": fresh.title},
        motion_link(fresh),
    )
    return created


@transaction.atomic
def signature_respond(*, actor: Actor, signature: Signature, accept: bool) -> Signature:
    motion = rows_locked(Motion).get(pk=signature.motion_id)
    if motion.status != S.DRAFT:
        raise InvalidTransitionError(action="accept" if accept else "decline", state=motion.status)
    if signature.answer_by and today() > signature.answer_by:
        raise ValidationFailedError(_("The invitation expired; ask the lead signer to invite you again."))
    fresh = transition_apply(
        table=SIGNATURE_TRANSITIONS,
        obj=signature,
        action="accept" if accept else "decline",
        actor=actor,
        expected_state=SignatureStatus.INVITED,
        changes={"answered_at": timezone.now()},
    )
    event_record(
        actor=actor,
        verb="cosign" if accept else "cosign_decline",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"person": signature.person_id},
    )
    return fresh


def accepted_deputy_signatures(motion: Motion) -> int:
    signers = motion.signatures.filter(status=SignatureStatus.ACCEPTED).values("person_id")
    return (
        Membership.objects.active_on(today())
        .filter(role=Role.DEPUTY, term_id=motion.term_id, person_id__in=signers)
        .values("person_id")
        .distinct()
        .count()
    )


@transaction.atomic
def motion_submit(
    *, actor: Actor, motion: Motion, as_suggestion: bool = False, expected_state: str | None = S.DRAFT
) -> Motion:
    """Submit for filing review. A bill without the configured number of deputies' signatures can
    only go in as a suggestion (``as_suggestion``)."""
    changes: dict[str, Any] = {"submitted_at": timezone.now()}
    payload: dict[str, Any] = {}
    if motion.kind == MotionKind.BILL:
        needed = motion_settings_for(motion.jurisdiction).bill_min_signers
        signed = accepted_deputy_signatures(motion)
        if signed < needed:
            if not as_suggestion:
                raise ValidationFailedError(
                    _(
                        "A bill needs at least %(needed)s deputies' signatures; it has %(signed)s. "
                        "Submit it as a suggestion instead, or wait for more co-signers."
                    )
                    % {"needed": needed, "signed": signed},
                    field="kind",
                )
            changes["kind"] = MotionKind.SUGGESTION
            payload = {"converted_from": MotionKind.BILL, "signatures": signed, "needed": needed}
    deadline = deadline_compute(rule_name="motion_assign", start=today(), jurisdiction=motion.jurisdiction)
    changes |= {"assign_due": deadline.due, "assign_due_rule": deadline.rule_name}
    fresh = motion_transition_apply(
        obj=motion,
        action="submit",
        actor=actor,
        expected_state=expected_state,
        changes=changes,
        # The kind as submitted: the duty record counts the item under it (records/duties contract).
        payload={**payload, "assign_due": deadline.due, "kind": changes.get("kind", motion.kind)},
    )
    notify_later(
        office_staff(fresh),
        _("New item for filing review: “%(title)s”.") % {"title": fresh.title},
        motion_link(fresh),
    )
    return fresh


@transaction.atomic
def motion_withdraw(*, actor: Actor, motion: Motion, expected_state: str | None = None) -> Motion:
    fresh = motion_transition_apply(obj=motion, action="withdraw", actor=actor, expected_state=expected_state)
    voice = fresh.source_voice
    live = Motion.objects.filter(source_voice=voice).exclude(status=S.WITHDRAWN)
    if voice is not None and voice.status == "adopted" and not live.exists():
        # A withdrawn draft is no dead end for the resident: the voice is routed another way.
        from minsheng.voices import services as voices

        if actor.has_perm("voices.adopt_voice", voice):
            voices.voice_release(
                actor=actor, voice=voice, motion_label=f"{KIND_PREFIX[MotionKind(fresh.kind)]}：{fresh.title}"
            )
    return fresh


@transaction.atomic
def motion_create_from_voice(
    *, actor: Actor, voice: Any, kind: str, title: str, text: str, lead_signer: Person | None = None
) -> Motion:
    """Adopt a voice into a suggestion or proposal drafted by the actor, linked both ways."""
    if lead_signer is not None and lead_signer.pk != getattr(actor, "person_id", None):
        raise PermissionDeniedError(_("Only the lead signer can adopt a voice into their own draft."))
    motion = motion_create(actor=actor, kind=kind, title=title, text=text)
    Motion.objects.filter(pk=motion.pk).update(source_voice=voice)
    motion.source_voice = voice
    from minsheng.voices import services as voices

    voices.voice_adopt(
        actor=actor, voice=voice, motion_label=f"{KIND_PREFIX[MotionKind(kind)]}：{motion.title}"
    )
    event_record(
        actor=actor,
        verb="adopt_voice",
        target=motion,
        from_state=motion.status,
        to_state=motion.status,
        payload={"voice": voice.pk},
    )
    return motion
