"""The deliberation endpoints of the JSON API: every action of the app.

Participants vote through ``POST /topics/{id}/votes`` with the token ``POST /topics/{id}/join`` gave
them (header ``X-Participant-Token``), or as the signed-in user (session with CSRF, or bearer token).
The participant is never named in the request body, so no one can vote as someone else. Who is calling
is decided in ``minsheng.apiauth`` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from minsheng.apiauth import PUBLIC, participant_or_public
from minsheng.core.apitypes import MAX_INT32, ObjectId
from minsheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from minsheng.core.verification import phone_session_verified
from minsheng.deliberation import selectors, services
from minsheng.deliberation.models import (
    STATEMENT_MAX_LENGTH,
    Meeting,
    Outcome,
    Participant,
    Statement,
    Topic,
)
from minsheng.org.models import Body, Person, Sector, Unit

router = Router(tags=["deliberation"])
PARTICIPANT = participant_or_public(services.participant_by_token)

SESSION_TOKENS = "deliberation_tokens"


# Schemas ------------------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    title: str
    question: str
    background: str
    status: str
    body: str
    audience: str
    moderation: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    analysed_at: dt.datetime | None

    @staticmethod
    def resolve_body(obj: Topic) -> str:
        return obj.body.name


class TopicIn(Schema):
    body: ObjectId
    title: str = Field(min_length=1, max_length=100)
    question: str = Field(min_length=1, max_length=300)
    background: str = Field(default="", max_length=5000)


class AcceptIn(Schema):
    audience: Literal["public", "named", "sector"] = "public"
    sector: ObjectId | None = None
    people: list[ObjectId] = Field(default_factory=list, max_length=1000)
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    moderation: Literal["pre", "post"] = "post"
    statement_max_length: int = Field(STATEMENT_MAX_LENGTH, ge=1, le=MAX_INT32)
    seeds: list[str] = Field(default_factory=list, max_length=200)


class TopicReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class SeedsIn(Schema):
    texts: list[str] = Field(min_length=1, max_length=200)


class JoinOut(Schema):
    participant: int
    token: str


class VoteIn(Schema):
    model_config = {"extra": "forbid"}
    statement: ObjectId
    vote: Literal[-1, 0, 1]


class VoteOut(Schema):
    statement: int
    vote: int
    voted_at: dt.datetime


class StatementIn(Schema):
    model_config = {"extra": "forbid"}
    text: str = Field(min_length=1, max_length=STATEMENT_MAX_LENGTH)


class StatementOut(Schema):
    id: int
    text: str
    status: str
    is_seed: bool
    moderation_reason: str


class ModerateIn(Schema):
    action: Literal["publish", "moderate_out", "restore"]
    reason: str = Field(default="", max_length=300)


class AnalysisOut(Schema):
    computed_at: dt.datetime
    vote_count: int
    incremental: bool
    result: dict[str, Any]
    divisive: list[dict[str, Any]]
    my_group: int | None = None


class TopicMeetingIn(Schema):
    starts_at: dt.datetime
    place: str = Field(min_length=1, max_length=200)


class DeliberationMeetingOut(Schema):
    id: int
    starts_at: dt.datetime
    place: str
    status: str
    minutes: str


class AttendeeSchema(Schema):
    name: str = Field(min_length=1, max_length=64)
    kind: Literal["resident", "member", "department", "expert"]
    affiliation: str = Field(default="", max_length=100)
    present: bool = True


class HoldIn(Schema):
    minutes: str = Field(min_length=1, max_length=20000)
    attendees: list[AttendeeSchema] = Field(min_length=1, max_length=500)


class OutcomeIn(Schema):
    text: str = Field(min_length=1, max_length=1000)
    unit: ObjectId
    due: dt.date


class OutcomeOut(Schema):
    id: int
    text: str
    unit: str
    due: dt.date
    status: str
    converted_kind: str
    converted_id: int | None

    @staticmethod
    def resolve_unit(obj: Outcome) -> str:
        return obj.unit.name


class ProgressIn(Schema):
    text: str = Field(min_length=1, max_length=1000)


class ConvertIn(Schema):
    kind: Literal["proposal", "social_report"]
    text: str = Field(default="", max_length=5000)
    title: str = Field(default="", max_length=60)
    lead_signer_id: ObjectId | None = None


class ImportOut(Schema):
    statements: int
    participants: int
    votes: int


# Helpers ------------------------------------------------------------------------------------------


def _topic(request: HttpRequest, topic_id: int) -> Topic:
    topic = selectors.topic_detail(request.user, topic_id)
    if topic is None:
        raise NotFoundError()
    return topic


def _participant(request: HttpRequest, topic_id: int) -> Participant:
    """Who is voting: the participant token, else the signed-in user, else this browser's participant."""
    participant = getattr(request, "participant", None)
    if participant is not None:
        if participant.topic_id != topic_id:
            raise PermissionDeniedError()
        return participant
    if request.user.is_authenticated:
        participant = selectors.participant_for(topic_id, user=request.user)
    else:
        session_token = request.session.get(SESSION_TOKENS, {}).get(str(topic_id), "")
        participant = selectors.participant_for(topic_id, token=session_token) if session_token else None
    if participant is None:
        raise PermissionDeniedError(_not_joined_message())
    return participant


def _not_joined_message() -> str:
    from django.utils.translation import gettext as _

    return _("Join the topic first.")


# Topics -------------------------------------------------------------------------------------------


@router.get("/topics", response=list[TopicOut], auth=PUBLIC)
def topics_list(request: HttpRequest) -> Any:
    return list(selectors.topics_visible_to(request.user)[:200])


@router.get("/topics/{topic_id}", response=TopicOut, auth=PUBLIC)
def topic_get(request: HttpRequest, topic_id: ObjectId) -> Any:
    return _topic(request, topic_id)


@router.post("/topics", response={201: TopicOut})
def topic_propose(request: HttpRequest, payload: TopicIn) -> Any:
    body = Body.objects.filter(pk=payload.body).select_related("jurisdiction").first()
    if body is None:
        raise ValidationFailedError(field="body")
    topic = services.topic_propose(
        actor=request.user,
        body=body,
        title=payload.title,
        question=payload.question,
        background=payload.background,
    )
    return Status(201, topic)


@router.post("/topics/{topic_id}/accept", response=TopicOut)
def topic_accept(request: HttpRequest, topic_id: ObjectId, payload: AcceptIn) -> Any:
    topic = _topic(request, topic_id)
    setup = services.TopicSetup(
        audience=payload.audience,
        sector=Sector.objects.filter(pk=payload.sector).first() if payload.sector else None,
        people=list(Person.objects.filter(pk__in=payload.people)),
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        moderation=payload.moderation,
        statement_max_length=payload.statement_max_length,
    )
    return services.topic_accept(actor=request.user, topic=topic, setup=setup, seeds=payload.seeds)


@router.post("/topics/{topic_id}/reject", response=TopicOut)
def topic_reject(request: HttpRequest, topic_id: ObjectId, payload: TopicReasonIn) -> Any:
    return services.topic_reject(actor=request.user, topic=_topic(request, topic_id), reason=payload.reason)


@router.post("/topics/{topic_id}/open", response=TopicOut)
def topic_open(request: HttpRequest, topic_id: ObjectId) -> Any:
    return services.topic_open(actor=request.user, topic=_topic(request, topic_id))


@router.post("/topics/{topic_id}/close", response=TopicOut)
def topic_close(request: HttpRequest, topic_id: ObjectId) -> Any:
    return services.topic_close(actor=request.user, topic=_topic(request, topic_id))


@router.post("/topics/{topic_id}/conclude", response=TopicOut)
def topic_conclude(request: HttpRequest, topic_id: ObjectId) -> Any:
    return services.topic_conclude(actor=request.user, topic=_topic(request, topic_id))


@router.post("/topics/{topic_id}/seeds", response={201: list[StatementOut]})
def seeds_add(request: HttpRequest, topic_id: ObjectId, payload: SeedsIn) -> Any:
    return Status(
        201, services.seeds_add(actor=request.user, topic=_topic(request, topic_id), texts=payload.texts)
    )


@router.post("/topics/{topic_id}/import", response={201: ImportOut})
def conversation_import(
    request: HttpRequest, topic_id: ObjectId, votes: File[UploadedFile], comments: File[UploadedFile]
) -> Any:
    """Load a pol.is openData conversation (votes.csv, comments.csv) into a topic being set up."""
    limit = 50 * 1024 * 1024
    if (votes.size or 0) > limit or (comments.size or 0) > limit:
        raise ValidationFailedError(field="votes")
    try:
        votes_text = votes.read().decode("utf-8-sig")
        comments_text = comments.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailedError(field="votes") from None
    counts = services.conversation_import(
        actor=request.user, topic=_topic(request, topic_id), votes_csv=votes_text, comments_csv=comments_text
    )
    return Status(201, counts)


# Participation ------------------------------------------------------------------------------------


@router.post("/topics/{topic_id}/join", response=JoinOut, auth=PUBLIC)
def participant_join(request: HttpRequest, topic_id: ObjectId) -> Any:
    """Join as the signed-in user, or with the mobile number verified in this browser session."""
    topic = _topic(request, topic_id)
    joined = services.participant_join(
        topic=topic,
        user=request.user,
        verified_phone=phone_session_verified(request.session),
        # A token handed to a script dies with the API token the script joined with.
        api_token=getattr(request, "api_token", None),
    )
    return {"participant": joined.participant.pk, "token": joined.token}


@router.post("/topics/{topic_id}/votes", response={200: VoteOut}, auth=PARTICIPANT)
def vote_cast(request: HttpRequest, topic_id: ObjectId, payload: VoteIn) -> Any:
    """Vote agree (1), disagree (-1) or pass (0) on one statement; voting again replaces the vote."""
    # No topic lookup: the participant belongs to one topic, and vote_cast checks its state.
    participant = _participant(request, topic_id)
    vote = services.vote_cast(participant=participant, statement_id=payload.statement, value=payload.vote)
    return {"statement": vote.statement_id, "vote": vote.value, "voted_at": vote.voted_at}


@router.post("/topics/{topic_id}/statements", response={201: StatementOut}, auth=PARTICIPANT)
def statement_submit(request: HttpRequest, topic_id: ObjectId, payload: StatementIn) -> Any:
    _topic(request, topic_id)
    participant = _participant(request, topic_id)
    return Status(201, services.statement_submit(participant=participant, text=payload.text))


@router.get("/topics/{topic_id}/statements", response=list[StatementOut], auth=PUBLIC)
def statements_list(request: HttpRequest, topic_id: ObjectId) -> Any:
    """Published statements; staff also see those awaiting moderation and those moderated out."""
    topic = _topic(request, topic_id)
    statements = Statement.objects.filter(topic=topic).order_by("id")
    if not request.user.has_perm("deliberation.moderate_statement", topic):
        statements = statements.filter(status="published")
    return list(statements)


@router.post("/statements/{statement_id}/moderate", response=StatementOut)
def statement_moderate(request: HttpRequest, statement_id: ObjectId, payload: ModerateIn) -> Any:
    statement = get_object_or_404(Statement.objects.select_related("topic__jurisdiction"), pk=statement_id)
    return services.statement_moderate(
        actor=request.user, statement=statement, action=payload.action, reason=payload.reason
    )


@router.get("/topics/{topic_id}/analysis", response=AnalysisOut, auth=PARTICIPANT)
def analysis_get(request: HttpRequest, topic_id: ObjectId) -> Any:
    """The latest opinion map as the consensus engine computed it, and the caller's group."""
    topic = _topic(request, topic_id)
    analysis = selectors.analysis_latest(topic)
    if analysis is None:
        raise NotFoundError()
    participant = getattr(request, "participant", None)
    if participant is not None and participant.topic_id != topic.pk:
        participant = None
    elif participant is None and request.user.is_authenticated:
        participant = selectors.participant_for(topic.pk, user=request.user)
    my_group = None
    if participant is not None:
        mine = next((p for p in analysis.result["participants"] if p["id"] == participant.pk), None)
        my_group = mine["group"] if mine else None
    return {
        "computed_at": analysis.computed_at,
        "vote_count": analysis.vote_count,
        "incremental": analysis.incremental,
        "result": analysis.result,
        "divisive": analysis.divisive,
        "my_group": my_group,
    }


# Meetings and outcomes ----------------------------------------------------------------------------


@router.post("/topics/{topic_id}/meetings", response={201: DeliberationMeetingOut})
def meeting_schedule(request: HttpRequest, topic_id: ObjectId, payload: TopicMeetingIn) -> Any:
    topic = _topic(request, topic_id)
    meeting = services.meeting_schedule(
        actor=request.user, topic=topic, starts_at=payload.starts_at, place=payload.place
    )
    return Status(201, meeting)


def _meeting(meeting_id: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("topic__jurisdiction"), pk=meeting_id)


@router.post("/meetings/{meeting_id}/hold", response=DeliberationMeetingOut)
def meeting_hold(request: HttpRequest, meeting_id: ObjectId, payload: HoldIn) -> Any:
    attendees = [services.AttendeeIn(**a.dict()) for a in payload.attendees]
    return services.meeting_hold(
        actor=request.user, meeting=_meeting(meeting_id), minutes=payload.minutes, attendees=attendees
    )


@router.post("/meetings/{meeting_id}/cancel", response=DeliberationMeetingOut)
def meeting_cancel(request: HttpRequest, meeting_id: ObjectId, payload: TopicReasonIn) -> Any:
    return services.meeting_cancel(actor=request.user, meeting=_meeting(meeting_id), reason=payload.reason)


@router.post("/meetings/{meeting_id}/outcomes", response={201: OutcomeOut})
def outcome_add(request: HttpRequest, meeting_id: ObjectId, payload: OutcomeIn) -> Any:
    unit = Unit.objects.filter(pk=payload.unit).first()
    if unit is None:
        raise ValidationFailedError(field="unit")
    outcome = services.outcome_add(
        actor=request.user, meeting=_meeting(meeting_id), text=payload.text, unit=unit, due=payload.due
    )
    return Status(201, outcome)


def _outcome(outcome_id: int) -> Outcome:
    return get_object_or_404(Outcome.objects.select_related("topic__jurisdiction", "unit"), pk=outcome_id)


@router.get("/topics/{topic_id}/outcomes", response=list[OutcomeOut], auth=PUBLIC)
def outcomes_list(request: HttpRequest, topic_id: ObjectId) -> Any:
    return selectors.outcomes_of(_topic(request, topic_id))


@router.post("/outcomes/{outcome_id}/progress", response=OutcomeOut)
def outcome_progress(request: HttpRequest, outcome_id: ObjectId, payload: ProgressIn) -> Any:
    outcome = _outcome(outcome_id)
    services.outcome_progress(actor=request.user, outcome=outcome, text=payload.text)
    return _outcome(outcome_id)


@router.post("/outcomes/{outcome_id}/complete", response=OutcomeOut)
def outcome_complete(request: HttpRequest, outcome_id: ObjectId, payload: ProgressIn) -> Any:
    return services.outcome_complete(actor=request.user, outcome=_outcome(outcome_id), text=payload.text)


@router.post("/outcomes/{outcome_id}/convert", response=OutcomeOut)
def outcome_convert(request: HttpRequest, outcome_id: ObjectId, payload: ConvertIn) -> Any:
    outcome = _outcome(outcome_id)
    lead = None
    if payload.lead_signer_id is not None:
        lead = selectors.proposal_leads_for(outcome.topic).filter(pk=payload.lead_signer_id).first()
        if lead is None:
            raise ValidationFailedError(
                _("Choose a CPPCC member in office as lead signer."), field="lead_signer_id"
            )
    return services.outcome_convert(
        actor=request.user,
        outcome=outcome,
        kind=payload.kind,
        text=payload.text,
        title=payload.title,
        lead_signer=lead,
    )
