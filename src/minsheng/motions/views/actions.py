"""The action forms a user may use on a motion now: one runner per action, each calling one service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from minsheng.core.errors import NotFoundError
from minsheng.motions import forms as f
from minsheng.motions import services
from minsheng.motions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Reply,
)
from minsheng.motions.selectors import (
    motion_settings_for,
    motions_visible_to,
)
from minsheng.motions.services import ASSIGNMENT_TRANSITIONS, MOTION_TRANSITIONS, SUPERVISE_CLOSED_STATES
from minsheng.org.models import Role
from minsheng.org.selectors import today


@dataclass(frozen=True)
class ActionForm:
    name: str
    label: StrOrPromise
    form: django_forms.Form
    target: str = ""
    subject: str = ""


Runner = Callable[[Any, Motion, dict[str, Any]], Any]


def _assignment(motion: Motion, data: dict[str, Any]) -> Assignment:
    found = motion.assignments.filter(pk=data["assignment"]).select_related("motion", "unit").first()
    if found is None:
        raise NotFoundError()
    return found


def _reply(motion: Motion, data: dict[str, Any]) -> Reply:
    found = motion.replies.filter(pk=data["reply"]).select_related("motion", "assignment").first()
    if found is None:
        raise NotFoundError()
    return found


def _state(data: dict[str, Any]) -> str | None:
    return data.get("state") or None


def _run_merge(user: Any, motion: Motion, data: dict[str, Any]) -> Any:
    into = motions_visible_to(user).filter(pk=data["into"]).first()
    if into is None:
        raise NotFoundError(_("No item with this number is visible to you."))
    return services.motion_merge(actor=user, motion=motion, into=into, expected_state=_state(data))


RUNNERS: dict[str, tuple[type[django_forms.Form], Runner]] = {
    "edit": (
        f.MotionEditForm,
        lambda u, m, d: services.motion_update(actor=u, motion=m, title=d["title"], text=d["text"]),
    ),
    "invite": (f.InviteForm, lambda u, m, d: services.motion_invite(actor=u, motion=m, people=d["names"])),
    "submit": (
        f.SubmitForm,
        lambda u, m, d: services.motion_submit(
            actor=u, motion=m, as_suggestion=d["as_suggestion"], expected_state=_state(d)
        ),
    ),
    "withdraw": (
        f.StateForm,
        lambda u, m, d: services.motion_withdraw(actor=u, motion=m, expected_state=_state(d)),
    ),
    "file": (f.StateForm, lambda u, m, d: services.motion_file(actor=u, motion=m, expected_state=_state(d))),
    "decline": (
        f.DeclineForm,
        lambda u, m, d: services.motion_decline(
            actor=u, motion=m, reason=d["reason"], forward=d["forward"], expected_state=_state(d)
        ),
    ),
    "merge": (f.MergeForm, _run_merge),
    "convert": (
        f.StateForm,
        lambda u, m, d: services.motion_convert(actor=u, motion=m, expected_state=_state(d)),
    ),
    "assign": (
        f.AssignForm,
        lambda u, m, d: services.motion_assign(
            actor=u,
            motion=m,
            mode=d["mode"],
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            units=list(d["units"]),
            expected_state=_state(d),
        ),
    ),
    "reassign": (
        f.ReassignForm,
        lambda u, m, d: services.motion_reassign(actor=u, assignment=_assignment(m, d), unit=d["unit"]),
    ),
    "return": (
        f.ReturnForm,
        lambda u, m, d: services.assignment_return(
            actor=u, assignment=_assignment(m, d), reason=d["reason"], expected_state=_state(d)
        ),
    ),
    "send_views": (
        f.ViewsForm,
        lambda u, m, d: services.assignment_send_views(
            actor=u, assignment=_assignment(m, d), text=d["text"], expected_state=_state(d)
        ),
    ),
    "reply": (
        f.ReplyForm,
        lambda u, m, d: services.assignment_reply(
            actor=u,
            assignment=_assignment(m, d),
            category=d["category"],
            text=d["text"],
            expected_state=_state(d),
        ),
    ),
    "request_extension": (
        f.ExtensionRequestForm,
        lambda u, m, d: services.assignment_extension_request(
            actor=u, assignment=_assignment(m, d), until=d["until"], reason=d["reason"]
        ),
    ),
    "extend": (
        f.ExtendForm,
        lambda u, m, d: services.assignment_extend(
            actor=u,
            assignment=_assignment(m, d),
            until=d["until"],
            reason=d["reason"],
            expected_state=_state(d),
        ),
    ),
    "review_category": (
        f.ReviewForm,
        lambda u, m, d: services.reply_review(actor=u, reply=_reply(m, d), category=d["category"]),
    ),
    "disclose": (
        f.DiscloseForm,
        lambda u, m, d: services.reply_disclose(
            actor=u, reply=_reply(m, d), disclosure=d["disclosure"], summary=d["summary"]
        ),
    ),
    "rate": (
        f.RateForm,
        lambda u, m, d: services.motion_rate(
            actor=u,
            motion=m,
            overall=d["overall"],
            process=d["process"],
            result=d["result"],
            comment=d["comment"],
            expected_state=_state(d),
        ),
    ),
    "supervise": (
        f.SuperviseForm,
        lambda u, m, d: services.motion_supervise(actor=u, motion=m, leader=d["leader"], note=d["note"]),
    ),
}

LABELS: dict[str, StrOrPromise] = {
    "edit": gettext_lazy("Edit the draft"),
    "invite": gettext_lazy("Invite co-signers"),
    "submit": gettext_lazy("Submit"),
    "withdraw": gettext_lazy("Withdraw"),
    "file": gettext_lazy("File this item"),
    "decline": gettext_lazy("Do not file"),
    "merge": gettext_lazy("Merge into another item"),
    "convert": gettext_lazy("Convert into a suggestion"),
    "assign": gettext_lazy("Assign"),
    "reassign": gettext_lazy("Give the returned part to another unit"),
    "return": gettext_lazy("Return as misassigned"),
    "send_views": gettext_lazy("Send views to the lead unit"),
    "reply": gettext_lazy("Reply"),
    "extend": gettext_lazy("Approve an extension"),
    "request_extension": gettext_lazy("Ask for more time"),
    "review_category": gettext_lazy("Review the category"),
    "disclose": gettext_lazy("Public disclosure"),
    "rate": gettext_lazy("Rate the reply"),
    "supervise": gettext_lazy("Key supervision"),
}


def _form_kwargs(name: str, motion: Motion) -> dict[str, Any]:
    if name == "invite":
        role = Role.CPPCC_MEMBER if motion.kind == MotionKind.PROPOSAL else Role.DEPUTY
        return {"role": role, "term_id": motion.term_id}
    if name in ("assign", "reassign"):
        return {"jurisdiction_id": motion.jurisdiction_id}
    if name == "reply":
        return {"categories": motion_settings_for(motion.jurisdiction).categories}
    return {}


def action_form_make(
    name: str,
    motion: Motion,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    target: str = "",
    subject: str = "",
) -> ActionForm:
    form_class, _runner = RUNNERS[name]
    form = form_class(
        data,
        initial={"state": motion.status, **(initial or {})},
        prefix=f"{name}{target}",
        **_form_kwargs(name, motion),
    )
    return ActionForm(name=name, label=LABELS[name], form=form, target=target, subject=subject)


def _assignment_action_fits(name: str, assignment: Assignment, motion: Motion) -> bool:
    """Only the forms that make sense for this unit's part now (the services enforce the same)."""
    if name == "reopen":
        return False
    if name == "reply":
        return assignment.role != AssignmentRole.CO
    if name == "send_views":
        return assignment.role == AssignmentRole.CO
    if name == "return":
        return motion.status == MotionStatus.ASSIGNED and today() <= assignment.return_by
    return True


def available_actions(user: Any, motion: Motion) -> list[ActionForm]:
    """The forms the user may use on the motion now (the same predicates the services check)."""
    actions: list[ActionForm] = []
    for name in MOTION_TRANSITIONS.allowed_actions(motion, user):
        if name == "convert" and motion.kind != MotionKind.BILL:
            continue
        if name in RUNNERS and name not in ("review_category",):
            actions.append(action_form_make(name, motion))
    if motion.status == MotionStatus.DRAFT and user.has_perm("motions.change_motion", motion):
        actions.insert(
            0, action_form_make("edit", motion, initial={"title": motion.title, "text": motion.text})
        )
        actions.insert(1, action_form_make("invite", motion))
    if motion.status == MotionStatus.ASSIGNED and user.has_perm("motions.assign_motion", motion):
        actions = [a for a in actions if a.name != "reassign"]
        for a in motion.assignments.all():
            if a.status == AssignmentStatus.RETURNED and not a.replacement_id:
                actions.append(
                    action_form_make(
                        "reassign",
                        motion,
                        initial={"assignment": a.pk},
                        target=str(a.pk),
                        subject=a.unit.name,
                    )
                )
    handling = motion.status in services.HANDLING_STATES
    for a in motion.assignments.all() if handling else []:
        for name in ASSIGNMENT_TRANSITIONS.allowed_actions(a, user):
            if not _assignment_action_fits(name, a, motion):
                continue
            initial: dict[str, Any] = {"assignment": a.pk, "state": a.status}
            if name == "extend" and a.extension_requested_to:
                initial |= {"until": a.extension_requested_to, "reason": a.extension_request_reason}
            actions.append(
                action_form_make(name, motion, initial=initial, target=str(a.pk), subject=a.unit.name)
            )
            if name == "reply":
                actions.append(
                    action_form_make(
                        "request_extension", motion, initial=initial, target=str(a.pk), subject=a.unit.name
                    )
                )
    if user.has_perm("motions.review_motion", motion) and motion.status in services.DISCLOSABLE_STATES:
        for reply in motion.replies.all():
            if motion.status == MotionStatus.REPLIED and reply.round == motion.round:
                actions.append(
                    action_form_make(
                        "review_category",
                        motion,
                        initial={"reply": reply.pk, "category": reply.final_category},
                        target=str(reply.pk),
                        subject=reply.assignment.unit.name,
                    )
                )
            actions.append(
                action_form_make(
                    "disclose",
                    motion,
                    initial={"reply": reply.pk, "disclosure": reply.disclosure or "full"},
                    target=str(reply.pk),
                    subject=_("%(unit)s, round %(n)s")
                    % {"unit": reply.assignment.unit.name, "n": reply.round},
                )
            )
    if (
        motion.status not in SUPERVISE_CLOSED_STATES
        and user.has_perm("motions.supervise_motion", motion)
        and not hasattr_key(motion)
    ):
        actions.append(action_form_make("supervise", motion))
    if motion.status == MotionStatus.REPLIED and user.has_perm("motions.rate_motion", motion):
        rated = any(
            e.round == motion.round and e.proposer_id == user.person_id for e in motion.evaluations.all()
        )
        actions = [a for a in actions if a.name not in ("rehandle", "follow_up", "close")]
        if not rated:
            actions.append(action_form_make("rate", motion))
    return [a for a in actions if a.name in RUNNERS]


def hasattr_key(motion: Motion) -> bool:
    try:
        return motion.key_supervision is not None
    except Motion.key_supervision.RelatedObjectDoesNotExist:
        return False
