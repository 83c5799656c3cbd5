"""The action forms a user may use on a motion now: one runner per action, each calling one service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from minsheng.core.actors import Actor
from minsheng.core.errors import NotFoundError, version_of
from minsheng.core.transitions import Guard
from minsheng.motions import forms as f
from minsheng.motions import services
from minsheng.motions.models import (
    Assignment,
    Motion,
    MotionKind,
    Reply,
)
from minsheng.motions.selectors import (
    motion_settings_for,
    motions_visible_to,
)
from minsheng.motions.services import MOTION_TRANSITIONS
from minsheng.org.models import Role


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


def _run_merge(user: Actor, motion: Motion, data: dict[str, Any]) -> Any:
    into = motions_visible_to(user).filter(pk=data["into"]).first()
    if into is None:
        raise NotFoundError(_("No item with this number is visible to you."))
    return services.motion_merge(actor=user, motion=motion, into=into, expected_state=_state(data))


RUNNERS: dict[str, tuple[type[django_forms.Form], Runner]] = {
    "edit": (
        f.MotionEditForm,
        lambda u, m, d: services.motion_update(
            actor=u, motion=m, title=d["title"], text=d["text"], expected_version=d["version"] or None
        ),
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
    "consult": (
        f.ConsultForm,
        lambda u, m, d: services.assignment_consult(
            actor=u, assignment=_assignment(m, d), held_on=d["held_on"], note=d["note"]
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
            actor=u,
            reply=_reply(m, d),
            disclosure=d["disclosure"],
            summary=d["summary"],
            private_names=d["private_names"],
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
    "consult": gettext_lazy("Record the consultation with the proposers"),
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


# Actions whose rule is their transition-table row alone; the others ask their service's guard.
TABLE_ACTIONS = ("submit", "withdraw", "file", "decline", "merge", "convert", "assign")
MOTION_GUARDS: dict[str, Guard[Motion]] = {"convert": services.can_convert}
ASSIGNMENT_GUARDS: tuple[tuple[str, Guard[Assignment]], ...] = (
    ("return", services.can_return),
    ("send_views", services.can_send_views),
    ("consult", services.can_consult),
    ("reply", services.can_reply),
    ("request_extension", services.can_request_extension),
    ("extend", services.can_extend),
)


def available_actions(user: Actor, motion: Motion) -> list[ActionForm]:
    """The forms the user may use on the motion now: the transition table's actions and the services'
    guards, so a page offers exactly what the services allow."""
    actions: list[ActionForm] = []
    if services.can_edit(user, motion):
        edit_initial = {"title": motion.title, "text": motion.text, "version": version_of(motion.updated_at)}
        actions.append(action_form_make("edit", motion, initial=edit_initial))
    if services.can_invite(user, motion):
        actions.append(action_form_make("invite", motion))
    for name in MOTION_TRANSITIONS.allowed_actions(motion, user):
        motion_guard = MOTION_GUARDS.get(name)
        if name in TABLE_ACTIONS and (motion_guard is None or motion_guard(user, motion)):
            actions.append(action_form_make(name, motion))
    assignments = list(motion.assignments.all())
    for a in assignments:
        a.motion = motion  # the guards read the item's state; it is this one
        if services.can_reassign(user, a):
            actions.append(
                action_form_make(
                    "reassign", motion, initial={"assignment": a.pk}, target=str(a.pk), subject=a.unit.name
                )
            )
    for a in assignments:
        for name, assignment_guard in ASSIGNMENT_GUARDS:
            if not assignment_guard(user, a):
                continue
            initial: dict[str, Any] = {"assignment": a.pk, "state": a.status}
            if name == "extend" and a.extension_requested_to:
                initial |= {"until": a.extension_requested_to, "reason": a.extension_request_reason}
            actions.append(
                action_form_make(name, motion, initial=initial, target=str(a.pk), subject=a.unit.name)
            )
    for reply in motion.replies.all():
        reply.motion = motion
        if services.can_review_category(user, reply):
            actions.append(
                action_form_make(
                    "review_category",
                    motion,
                    initial={"reply": reply.pk, "category": reply.final_category},
                    target=str(reply.pk),
                    subject=reply.assignment.unit.name,
                )
            )
        if services.can_disclose(user, reply):
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
    if services.can_supervise(user, motion):
        actions.append(action_form_make("supervise", motion))
    if services.can_rate(user, motion):
        actions.append(action_form_make("rate", motion))
    return actions
