"""The actions a user may take on a motion now, and their forms: one runner per action, each calling one
service. A page lists the actions (``available_actions``, no form built); an action's form is built when
the reader opens it (``action_form_make``, GET on the action's URL) or sends it back with errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
    """An action the user may take: its name, label, and the assignment or reply it is for (``target``,
    named by ``subject``). ``initial`` is what its form starts from; ``form`` is set only where a form
    was built (the action the reader opened, or one sent back with errors)."""

    name: str
    label: StrOrPromise
    target: str = ""
    subject: str = ""
    initial: Mapping[str, Any] = field(default_factory=dict)
    form: django_forms.Form | None = None


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
    name: str, motion: Motion, data: Any = None, initial: Mapping[str, Any] | None = None, target: str = ""
) -> django_forms.Form:
    form_class, _runner = RUNNERS[name]
    return form_class(
        data,
        initial={"state": motion.status, **(initial or {})},
        prefix=f"{name}{target}",
        **_form_kwargs(name, motion),
    )


def action_with_form(action: ActionForm, motion: Motion, data: Any = None) -> ActionForm:
    """The action with its form built: unbound from its initial values, or bound to ``data``."""
    return replace(action, form=action_form_make(action.name, motion, data, action.initial, action.target))


def _offer(
    name: str, initial: Mapping[str, Any] | None = None, target: str = "", subject: str = ""
) -> ActionForm:
    return ActionForm(name=name, label=LABELS[name], target=target, subject=subject, initial=initial or {})


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
    """The actions the user may take on the motion now: the transition table's actions and the services'
    guards, so a page offers exactly what the services allow. No form is built here."""
    actions: list[ActionForm] = []
    if services.can_edit(user, motion):
        edit_initial = {"title": motion.title, "text": motion.text, "version": version_of(motion.updated_at)}
        actions.append(_offer("edit", edit_initial))
    if services.can_invite(user, motion):
        actions.append(_offer("invite"))
    for name in MOTION_TRANSITIONS.allowed_actions(motion, user):
        motion_guard = MOTION_GUARDS.get(name)
        if name in TABLE_ACTIONS and (motion_guard is None or motion_guard(user, motion)):
            actions.append(_offer(name))
    assignments = list(motion.assignments.all())
    for a in assignments:
        a.motion = motion  # the guards read the item's state; it is this one
        if services.can_reassign(user, a):
            actions.append(_offer("reassign", {"assignment": a.pk}, str(a.pk), a.unit.name))
    for a in assignments:
        for name, assignment_guard in ASSIGNMENT_GUARDS:
            if not assignment_guard(user, a):
                continue
            initial: dict[str, Any] = {"assignment": a.pk, "state": a.status}
            if name == "extend" and a.extension_requested_to:
                initial |= {"until": a.extension_requested_to, "reason": a.extension_request_reason}
            actions.append(_offer(name, initial, str(a.pk), a.unit.name))
    for reply in motion.replies.all():
        reply.motion = motion
        if services.can_review_category(user, reply):
            review_initial = {"reply": reply.pk, "category": reply.final_category}
            actions.append(
                _offer("review_category", review_initial, str(reply.pk), reply.assignment.unit.name)
            )
        if services.can_disclose(user, reply):
            subject = _("%(unit)s, round %(n)s") % {"unit": reply.assignment.unit.name, "n": reply.round}
            disclose_initial = {"reply": reply.pk, "disclosure": reply.disclosure or "full"}
            actions.append(_offer("disclose", disclose_initial, str(reply.pk), subject))
    if services.can_supervise(user, motion):
        actions.append(_offer("supervise"))
    if services.can_rate(user, motion):
        actions.append(_offer("rate"))
    return actions


def available_action(user: Actor, motion: Motion, name: str, target: str) -> ActionForm | None:
    """The one action ``name`` (for ``target``) if the user may take it now, else None."""
    return next((a for a in available_actions(user, motion) if (a.name, a.target) == (name, target)), None)
