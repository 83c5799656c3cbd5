"""The motions endpoints of the JSON API: every action of the web pages, with the same permissions.

Each write calls the same service as the page; refusals come back as the API's error format
(400 bad input, 403 not allowed, 404 not visible, 409 wrong state or someone else was first).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError, version_of
from minsheng.core.privacy import mask_text
from minsheng.motions import services
from minsheng.motions.models import Assignment, Motion, Reply, Signature
from minsheng.motions.selectors import (
    MotionFilters,
    motion_detail,
    motion_ids_visible_to,
    motions_search,
    motions_visible_to,
    public_motion,
    public_replies,
    reply_public_text,
    similar_motions,
    timeline_for,
)
from minsheng.org.models import Person, Unit

router = Router(tags=["motions"])

MAX_TEXT = 20_000
Kind = Literal["suggestion", "proposal", "bill"]
RatingValue = Literal["satisfied", "basically", "dissatisfied"]
CategoryValue = Literal["A", "B", "C", "D"]


# --- output -------------------------------------------------------------------------------------


class SignatureOut(Schema):
    person_id: int
    name: str
    role: str
    status: str


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit: str
    role: str
    status: str
    due: dt.date
    due_rule: str
    max_due: dt.date
    return_by: dt.date


class ReplyOut(Schema):
    id: int
    assignment_id: int
    round: int
    category: str
    reviewed_category: str
    text: str
    disclosure: str


class EvaluationOut(Schema):
    round: int
    proposer_id: int
    overall: str
    process: str
    result: str


class MotionOut(Schema):
    id: int
    kind: str
    status: str
    number: str
    title: str
    lead_signer_id: int
    lead_signer: str
    term_id: int
    session: int | None
    created_at: dt.datetime


class MotionDetailOut(MotionOut):
    text: str
    version: str
    proposer_kind: str
    merged_into_id: int | None
    decline_reason: str
    round: int
    assign_due: dt.date | None
    signatures: list[SignatureOut]
    assignments: list[AssignmentOut]
    replies: list[ReplyOut]
    evaluations: list[EvaluationOut]


class EventOut(Schema):
    seq: int
    at: dt.datetime
    verb: str
    from_state: str
    to_state: str
    payload: dict


class SimilarOut(Schema):
    id: int
    title: str
    status: str
    score: float


class PublicReplyOut(Schema):
    motion_id: int
    title: str
    number: str
    unit: str
    category: str
    text: str
    disclosed_at: dt.datetime | None


def _summary(m: Motion) -> dict:
    return {
        "id": m.pk,
        "kind": m.kind,
        "status": m.status,
        "number": m.number,
        "title": m.title,
        "lead_signer_id": m.lead_signer_id,
        "lead_signer": m.lead_signer.name,
        "term_id": m.term_id,
        "session": m.session,
        "created_at": m.created_at,
    }


def _detail(m: Motion) -> dict:
    return {
        **_summary(m),
        "text": m.text,
        "version": version_of(m.updated_at),
        "proposer_kind": m.proposer_kind,
        "merged_into_id": m.merged_into_id,
        "decline_reason": m.decline_reason,
        "round": m.round,
        "assign_due": m.assign_due,
        "signatures": [
            {"person_id": s.person_id, "name": s.person.name, "role": s.role, "status": s.status}
            for s in m.signatures.all()
        ],
        "assignments": [
            {
                "id": a.pk,
                "unit_id": a.unit_id,
                "unit": a.unit.name,
                "role": a.role,
                "status": a.status,
                "due": a.due,
                "due_rule": a.due_rule,
                "max_due": a.max_due,
                "return_by": a.return_by,
            }
            for a in m.assignments.all()
        ],
        "replies": [
            {
                "id": r.pk,
                "assignment_id": r.assignment_id,
                "round": r.round,
                "category": r.category,
                "reviewed_category": r.reviewed_category,
                "text": r.text,
                "disclosure": r.disclosure,
            }
            for r in m.replies.all()
        ],
        "evaluations": [
            {
                "round": e.round,
                "proposer_id": e.proposer_id,
                "overall": e.overall,
                "process": e.process,
                "result": e.result,
            }
            for e in m.evaluations.all()
        ],
    }


def _visible(request: HttpRequest, pk: int) -> Motion:
    motion = motion_detail(request.user, pk)
    if motion is None:
        raise NotFoundError()
    return motion


def _fresh(request: HttpRequest, pk: int) -> dict:
    return _detail(_visible(request, pk))


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    found = Assignment.objects.select_related("motion", "unit").filter(pk=pk).first()
    if found is None or not motions_visible_to(request.user).filter(pk=found.motion_id).exists():
        raise NotFoundError()
    return found


def _reply(request: HttpRequest, pk: int) -> Reply:
    found = Reply.objects.select_related("motion", "assignment").filter(pk=pk).first()
    if found is None or not motions_visible_to(request.user).filter(pk=found.motion_id).exists():
        raise NotFoundError()
    return found


def _unit(pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise NotFoundError()
    return unit


# --- reads --------------------------------------------------------------------------------------


class ListQuery(Schema):
    q: str = Field("", max_length=50)
    kind: Kind | None = None
    status: str = Field("", max_length=16)
    unit: ObjectId | None = None
    category: CategoryValue | None = None
    term: ObjectId | None = None
    session: int | None = Field(None, ge=1, le=99)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=100_000)


class MotionPage(Schema):
    count: int
    results: list[MotionOut]


PAGE = 50


@router.get("/", response=MotionPage, summary="Search the items you may see")
def motion_list(request: HttpRequest, query: Query[ListQuery]) -> dict:
    filters = MotionFilters(
        query=query.q,
        kind=query.kind or "",
        status=query.status,
        unit=query.unit,
        category=query.category or "",
        term=query.term,
        session=query.session,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    motions = motions_search(request.user, filters)
    start = (query.page - 1) * PAGE
    return {"count": motions.count(), "results": [_summary(m) for m in motions[start : start + PAGE]]}


@router.get(
    "/public", response=list[PublicReplyOut], auth=PUBLIC, summary="Published replies (personal data masked)"
)
def public_list(request: HttpRequest, page: int = Query(1, ge=1, le=100_000)) -> list[dict]:
    rows = public_replies()[(page - 1) * PAGE : page * PAGE]
    return [_public(r) for r in rows]


def _public(r: Reply) -> dict:
    return {
        "motion_id": r.motion_id,
        "title": mask_text(r.motion.title),
        "number": r.motion.number,
        "unit": r.assignment.unit.name,
        "category": r.final_category,
        "text": reply_public_text(r),
        "disclosed_at": r.disclosed_at,
    }


@router.get(
    "/public/{pk}", response=list[PublicReplyOut], auth=PUBLIC, summary="One item's published replies"
)
def public_detail(request: HttpRequest, pk: ObjectId) -> list[dict]:
    found = public_motion(pk)
    if found is None:
        raise NotFoundError()
    return [_public(r) for r in found[1]]


@router.get("/{pk}", response=MotionDetailOut, summary="One item")
def motion_get(request: HttpRequest, pk: ObjectId) -> dict:
    return _fresh(request, pk)


@router.get("/{pk}/timeline", response=list[EventOut], summary="The item's timeline, from Events")
def motion_timeline(request: HttpRequest, pk: ObjectId) -> list:
    return timeline_for(_visible(request, pk))


@router.get("/{pk}/similar", response=list[SimilarOut], summary="Similar earlier items")
def motion_similar(request: HttpRequest, pk: ObjectId) -> list[dict]:
    motion = _visible(request, pk)
    if not (
        request.user.has_perm("motions.review_motion", motion)
        or request.user.has_perm("motions.change_motion", motion)
    ):
        return []
    found = similar_motions(
        text=f"{motion.title} {motion.text}",
        jurisdiction_id=motion.jurisdiction_id,
        kind=motion.kind,
        exclude=motion.pk,
    )
    openable = motion_ids_visible_to(request.user, [m.pk for m, _score in found])  # as the page lists
    return [
        {"id": m.pk, "title": m.title, "status": m.status, "score": s} for m, s in found if m.pk in openable
    ]


# --- drafting -------------------------------------------------------------------------------


class MotionDraftIn(Schema):
    kind: Kind
    title: str = Field(max_length=200)
    text: str = Field(max_length=MAX_TEXT)
    session: int | None = Field(None, ge=1, le=99)
    proposer_kind: Literal["individual", "joint", "sector", "party_org", "special_committee"] = "individual"
    proposer_body_id: ObjectId | None = None
    proposer_org: str = Field("", max_length=64)


@router.post("/", response={201: MotionDetailOut}, summary="Draft an item (you are the lead signer)")
def motion_create(request: HttpRequest, payload: MotionDraftIn) -> Status[dict]:
    motion = services.motion_create(actor=request.user, **payload.dict())
    return Status(201, _fresh(request, motion.pk))


class FromVoiceIn(Schema):
    kind: Literal["suggestion", "proposal"]
    title: str = Field(max_length=200)
    text: str = Field(max_length=MAX_TEXT)


@router.post(
    "/voices/{voice_id}/adopt", response={201: MotionDetailOut}, summary="Adopt a voice into your draft"
)
def motion_from_voice(request: HttpRequest, voice_id: ObjectId, payload: FromVoiceIn) -> Status[dict]:
    from minsheng.voices.models import Voice

    voice = Voice.objects.filter(pk=voice_id).first()
    if voice is None or not request.user.has_perm("voices.view_voice", voice):
        raise NotFoundError()
    motion = services.motion_create_from_voice(
        actor=request.user, voice=voice, kind=payload.kind, title=payload.title, text=payload.text
    )
    return Status(201, _fresh(request, motion.pk))


class EditIn(Schema):
    title: str = Field(max_length=200)
    text: str = Field(max_length=MAX_TEXT)
    expected_version: str | None = Field(
        None, max_length=40, description="The draft's `version` when it was read; a later save is a 409"
    )


@router.post("/{pk}/edit", response=MotionDetailOut, summary="Edit a draft")
def motion_edit(request: HttpRequest, pk: ObjectId, payload: EditIn) -> dict:
    services.motion_update(
        actor=request.user,
        motion=_visible(request, pk),
        title=payload.title,
        text=payload.text,
        expected_version=payload.expected_version,
    )
    return _fresh(request, pk)


class InviteIn(Schema):
    person_ids: list[ObjectId] = Field(min_length=1, max_length=services.MAX_INVITEES)


@router.post("/{pk}/invite", response=MotionDetailOut, summary="Invite co-signers")
def motion_invite(request: HttpRequest, pk: ObjectId, payload: InviteIn) -> dict:
    people = list(Person.objects.filter(pk__in=payload.person_ids))
    if len(people) != len(set(payload.person_ids)):
        raise NotFoundError()
    services.motion_invite(actor=request.user, motion=_visible(request, pk), people=people)
    return _fresh(request, pk)


class SignIn(Schema):
    accept: bool


@router.post("/{pk}/sign", response=MotionDetailOut, summary="Answer an invitation to co-sign")
def motion_sign(request: HttpRequest, pk: ObjectId, payload: SignIn) -> dict:
    signature = Signature.objects.filter(
        motion_id=pk, person_id=getattr(request.user, "person_id", None) or 0
    ).first()
    if signature is None:
        raise NotFoundError()
    services.signature_respond(actor=request.user, signature=signature, accept=payload.accept)
    return _fresh(request, pk)


class StateIn(Schema):
    state: str | None = Field(
        None, max_length=16, description="The state you saw; a different one gives 409."
    )


class SubmitIn(StateIn):
    as_suggestion: bool = False


@router.post("/{pk}/submit", response=MotionDetailOut, summary="Submit for filing review")
def motion_submit(request: HttpRequest, pk: ObjectId, payload: SubmitIn) -> dict:
    services.motion_submit(
        actor=request.user,
        motion=_visible(request, pk),
        as_suggestion=payload.as_suggestion,
        expected_state=payload.state,
    )
    return _fresh(request, pk)


@router.post("/{pk}/withdraw", response=MotionDetailOut, summary="Withdraw")
def motion_withdraw(request: HttpRequest, pk: ObjectId, payload: StateIn) -> dict:
    services.motion_withdraw(actor=request.user, motion=_visible(request, pk), expected_state=payload.state)
    return _fresh(request, pk)


# --- filing review --------------------------------------------------------------------------


@router.post("/{pk}/file", response=MotionDetailOut, summary="File (立案)")
def motion_file(request: HttpRequest, pk: ObjectId, payload: StateIn) -> dict:
    services.motion_file(actor=request.user, motion=_visible(request, pk), expected_state=payload.state)
    return _fresh(request, pk)


class DeclineIn(StateIn):
    reason: str = Field(max_length=2000)
    forward: Literal["", "voice", "social_report"] = ""


@router.post("/{pk}/decline", response=MotionDetailOut, summary="Do not file, with a reason (不予立案)")
def motion_decline(request: HttpRequest, pk: ObjectId, payload: DeclineIn) -> dict:
    services.motion_decline(
        actor=request.user,
        motion=_visible(request, pk),
        reason=payload.reason,
        forward=payload.forward,
        expected_state=payload.state,
    )
    return _fresh(request, pk)


class MergeIn(StateIn):
    into: ObjectId


@router.post("/{pk}/merge", response=MotionDetailOut, summary="Merge into another item (并案)")
def motion_merge(request: HttpRequest, pk: ObjectId, payload: MergeIn) -> dict:
    services.motion_merge(
        actor=request.user,
        motion=_visible(request, pk),
        into=_visible(request, payload.into),
        expected_state=payload.state,
    )
    return _fresh(request, pk)


@router.post("/{pk}/convert", response=MotionDetailOut, summary="Convert a bill into a suggestion")
def motion_convert(request: HttpRequest, pk: ObjectId, payload: StateIn) -> dict:
    services.motion_convert(actor=request.user, motion=_visible(request, pk), expected_state=payload.state)
    return _fresh(request, pk)


# --- assignment and handling ----------------------------------------------------------------


class AssignIn(StateIn):
    mode: Literal["lead_co", "separate"]
    lead_unit: ObjectId | None = None
    co_units: list[ObjectId] = Field(default_factory=list, max_length=20)
    units: list[ObjectId] = Field(default_factory=list, max_length=20)


@router.post("/{pk}/assign", response=MotionDetailOut, summary="Assign (交办)")
def motion_assign(request: HttpRequest, pk: ObjectId, payload: AssignIn) -> dict:
    services.motion_assign(
        actor=request.user,
        motion=_visible(request, pk),
        mode=payload.mode,
        lead_unit=_unit(payload.lead_unit) if payload.lead_unit else None,
        co_units=[_unit(u) for u in payload.co_units],
        units=[_unit(u) for u in payload.units],
        expected_state=payload.state,
    )
    return _fresh(request, pk)


class ReassignIn(Schema):
    unit: ObjectId


@router.post(
    "/assignments/{pk}/reassign", response=AssignmentOut, summary="Give a returned part to another unit"
)
def assignment_reassign(request: HttpRequest, pk: ObjectId, payload: ReassignIn) -> dict:
    created = services.motion_reassign(
        actor=request.user, assignment=_assignment(request, pk), unit=_unit(payload.unit)
    )
    return _assignment_out(created)


def _assignment_out(a: Assignment) -> dict:
    return {
        "id": a.pk,
        "unit_id": a.unit_id,
        "unit": a.unit.name,
        "role": a.role,
        "status": a.status,
        "due": a.due,
        "due_rule": a.due_rule,
        "max_due": a.max_due,
        "return_by": a.return_by,
    }


class MotionReasonIn(StateIn):
    reason: str = Field(max_length=2000)


@router.post("/assignments/{pk}/return", response=AssignmentOut, summary="Return as misassigned (退回)")
def assignment_return(request: HttpRequest, pk: ObjectId, payload: MotionReasonIn) -> dict:
    return _assignment_out(
        services.assignment_return(
            actor=request.user,
            assignment=_assignment(request, pk),
            reason=payload.reason,
            expected_state=payload.state,
        )
    )


class TextIn(StateIn):
    text: str = Field(max_length=MAX_TEXT)


@router.post("/assignments/{pk}/views", response=AssignmentOut, summary="A co-unit's views to the lead unit")
def assignment_views(request: HttpRequest, pk: ObjectId, payload: TextIn) -> dict:
    return _assignment_out(
        services.assignment_send_views(
            actor=request.user,
            assignment=_assignment(request, pk),
            text=payload.text,
            expected_state=payload.state,
        )
    )


class ReplyIn(TextIn):
    category: CategoryValue


@router.post("/assignments/{pk}/reply", response=ReplyOut, summary="Reply with a result category")
def assignment_reply(request: HttpRequest, pk: ObjectId, payload: ReplyIn) -> Reply:
    return services.assignment_reply(
        actor=request.user,
        assignment=_assignment(request, pk),
        category=payload.category,
        text=payload.text,
        expected_state=payload.state,
    )


class ExtendIn(MotionReasonIn):
    until: dt.date


@router.post("/assignments/{pk}/request-extension", response=AssignmentOut, summary="Ask for more time")
def assignment_request_extension(request: HttpRequest, pk: ObjectId, payload: ExtendIn) -> dict:
    return _assignment_out(
        services.assignment_extension_request(
            actor=request.user,
            assignment=_assignment(request, pk),
            until=payload.until,
            reason=payload.reason,
        )
    )


@router.post("/assignments/{pk}/extend", response=AssignmentOut, summary="Approve an extension")
def assignment_extend(request: HttpRequest, pk: ObjectId, payload: ExtendIn) -> dict:
    return _assignment_out(
        services.assignment_extend(
            actor=request.user,
            assignment=_assignment(request, pk),
            until=payload.until,
            reason=payload.reason,
            expected_state=payload.state,
        )
    )


class ReviewIn(Schema):
    category: CategoryValue


@router.post("/replies/{pk}/review", response=ReplyOut, summary="Review the category")
def reply_review(request: HttpRequest, pk: ObjectId, payload: ReviewIn) -> Reply:
    return services.reply_review(actor=request.user, reply=_reply(request, pk), category=payload.category)


class DiscloseIn(Schema):
    disclosure: Literal["full", "summary", "none"]
    summary: str = Field("", max_length=2000)
    private_names: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20, description="私人姓名（公开时隐去）"
    )


@router.post("/replies/{pk}/disclose", response=ReplyOut, summary="Decide the public disclosure")
def reply_disclose(request: HttpRequest, pk: ObjectId, payload: DiscloseIn) -> Reply:
    return services.reply_disclose(
        actor=request.user,
        reply=_reply(request, pk),
        disclosure=payload.disclosure,
        summary=payload.summary,
        private_names=payload.private_names,
    )


class RateIn(StateIn):
    overall: RatingValue
    process: RatingValue | Literal[""] = ""
    result: RatingValue | Literal[""] = ""
    comment: str = Field("", max_length=2000)


@router.post("/{pk}/rate", response=MotionDetailOut, summary="Rate the reply")
def motion_rate(request: HttpRequest, pk: ObjectId, payload: RateIn) -> dict:
    services.motion_rate(
        actor=request.user,
        motion=_visible(request, pk),
        overall=payload.overall,
        process=payload.process,
        result=payload.result,
        comment=payload.comment,
        expected_state=payload.state or "replied",
    )
    return _fresh(request, pk)


class SuperviseIn(Schema):
    leader_id: ObjectId
    note: str = Field("", max_length=200)


@router.post("/{pk}/supervise", response=MotionDetailOut, summary="Key supervision with a named leader")
def motion_supervise(request: HttpRequest, pk: ObjectId, payload: SuperviseIn) -> dict:
    leader = Person.objects.filter(pk=payload.leader_id).first()
    if leader is None:
        raise NotFoundError()
    services.motion_supervise(
        actor=request.user, motion=_visible(request, pk), leader=leader, note=payload.note
    )
    return _fresh(request, pk)
