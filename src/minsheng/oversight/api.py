"""The oversight endpoints of the JSON API: every action of the pages, with the same permissions.

Each write calls the same service as the page; refusals come back in the API's error format (400 bad
input, 403 not allowed, 404 not visible, 409 wrong state or someone else was first). Uploads (visit
photos, evidence, the report, the budget workbook) are multipart forms. The public reads need no
authentication and return only published records, with personal data masked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError, ValidationFailedError
from minsheng.core.privacy import mask_text
from minsheng.org.models import Body, Jurisdiction, Person, Unit
from minsheng.oversight import selectors as s
from minsheng.oversight import services
from minsheng.oversight.models import (
    Activity,
    BudgetLine,
    InquiryQuestion,
    Milestone,
    Problem,
    Project,
    RectificationItem,
    SatisfactionBallot,
    SupervisionPlan,
)
from minsheng.oversight.rules import scope_of

router = Router(tags=["oversight"])

PAGE_SIZE = 50
Text = Field(max_length=5000)
Title = Field(max_length=200)
ActivityKindValue = Literal[
    "report_review",
    "law_inspection",
    "special_inquiry",
    "inspection_visit",
    "research",
    "work_appraisal",
    "democratic_supervision",
]
DueRuleValue = Literal["oversight_rectify", "oversight_rectify_short", "oversight_rectify_long"]
ItemStateValue = Literal["", "open", "under_review", "closed", "overdue", "all"]
ProjectAction = Literal["start", "suspend", "resume", "produce", "complete"]
ActivityAction = Literal["start", "close"]
SatisfactionValue = Literal["satisfied", "basically", "dissatisfied"]
MilestoneKindValue = Literal["start", "structure", "equipment", "production", "other"]


def _get(queryset: Any, pk: int) -> Any:
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFoundError()
    return found


def _people(ids: list[int]) -> list[Person]:
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in people]
    if missing:
        raise ValidationFailedError(
            _("No person has the id %(ids)s.") % {"ids": "、".join(map(str, missing))}, field="person_ids"
        )
    return [people[pk] for pk in dict.fromkeys(ids)]


def _units(ids: list[int]) -> list[Unit]:
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    if len(units) != len(set(ids)):
        raise ValidationFailedError(NotFoundError.default_message, field="unit_ids")
    return [units[pk] for pk in dict.fromkeys(ids)]


# --- output --------------------------------------------------------------------------------------


class OversightPlanOut(Schema):
    id: int
    body_id: int
    body: str
    year: int
    title: str
    status: str


class OversightItemOut(Schema):
    id: int
    problem_id: int
    unit_id: int
    unit: str
    task: str
    status: str
    state: str
    assigned_on: dt.date
    due: dt.date
    due_rule: str
    round: int


class OversightReportOut(Schema):
    id: int
    round: int
    text: str
    is_final: bool
    status: str
    review_reason: str
    created_at: dt.datetime
    files: list[str]


class OversightItemDetailOut(OversightItemOut):
    problem: str
    source: str
    activity_id: int | None
    project_id: int | None
    reports: list[OversightReportOut]


class OversightItemPageOut(Schema):
    count: int
    more: bool
    items: list[OversightItemOut]


class OversightProblemOut(Schema):
    id: int
    source: str
    text: str
    items: list[OversightItemOut]


class OversightVisitOut(Schema):
    id: int
    date: dt.date
    place: str
    notes: str
    photos: int


class OversightTeamOut(Schema):
    person_id: int
    name: str
    role: str
    took_part: bool


class OversightQuestionOut(Schema):
    id: int
    asker_id: int
    unit_id: int
    official: str
    question: str
    answer: str
    commitment: str


class OversightActivityOut(Schema):
    id: int
    plan_id: int | None
    body_id: int
    kind: str
    title: str
    start_date: dt.date
    end_date: dt.date
    status: str
    published: bool


class OversightActivityDetailOut(OversightActivityOut):
    description: str
    report_summary: str
    unit_ids: list[int]
    team: list[OversightTeamOut]
    visits: list[OversightVisitOut]
    questions: list[OversightQuestionOut]
    problems: list[OversightProblemOut]


class OversightMilestoneOut(Schema):
    id: int
    kind: str
    name: str
    planned_date: dt.date
    actual_date: dt.date | None
    delayed: bool


class OversightProjectOut(Schema):
    id: int
    kind: str
    name: str
    owner: str
    park: str
    status: str
    investment_planned: Decimal
    investment_completed: Decimal
    delayed: bool
    published: bool


class OversightProjectDetailOut(OversightProjectOut):
    platform_id: int | None
    cooperation_kind: str
    partners: str
    floor_area: Decimal | None
    location: str
    description: str
    milestones: list[OversightMilestoneOut]
    problems: list[OversightProblemOut]


class OversightBudgetTableOut(Schema):
    id: int
    year: int
    month: int
    source_name: str
    lines: int


class OversightBudgetLineOut(Schema):
    id: int
    row: int
    unit_id: int
    unit: str
    item: str
    budget: Decimal
    executed: Decimal
    rate: Decimal | None
    behind: bool
    over: bool
    questions: int


class OversightBudgetDetailOut(OversightBudgetTableOut):
    expected_rate: Decimal
    lines_detail: list[OversightBudgetLineOut]


class OversightBallotOut(Schema):
    id: int
    activity_id: int
    unit_id: int
    unit: str
    status: str
    pass_percent: int
    satisfied: int
    basically: int
    dissatisfied: int
    passed: bool | None


class OversightVoteOut(Schema):
    counted: bool
    first: bool


class OversightDashboardOut(Schema):
    projects_total: int
    projects_delayed: int
    projects_by_status: dict[str, int]
    parks: list[dict[str, Any]]
    investment_planned: Decimal
    investment_completed: Decimal
    items_open: int
    items_overdue: int
    items_closed_this_year: int
    items_by_status: dict[str, int]
    units: list[dict[str, Any]]


class OversightEventOut(Schema):
    seq: int
    at: dt.datetime
    verb: str
    from_state: str
    to_state: str


def _item(item: RectificationItem, *, mask: bool = False) -> dict[str, Any]:
    return {
        "id": item.pk,
        "problem_id": item.problem_id,
        "unit_id": item.unit_id,
        "unit": item.unit.name,
        "task": mask_text(item.task) if mask else item.task,
        "status": item.status,
        "state": s.item_public_state(item),
        "assigned_on": item.assigned_on,
        "due": item.due,
        "due_rule": item.due_rule,
        "round": item.round,
    }


def _problems(problems: Any, *, mask: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "id": p.pk,
            "source": p.source,
            "text": mask_text(p.text) if mask else p.text,
            "items": [_item(i, mask=mask) for i in p.items.all()],
        }
        for p in problems
    ]


def _activity(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "plan_id": a.plan_id,
        "body_id": a.body_id,
        "kind": a.kind,
        "title": a.title,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "status": a.status,
        "published": a.published_at is not None,
    }


def _activity_detail(a: Activity) -> dict[str, Any]:
    from minsheng.core.attachments import attachments_for

    return {
        **_activity(a),
        "description": a.description,
        "report_summary": a.report_summary,
        "unit_ids": [u.pk for u in a.units.all()],
        "team": [
            {"person_id": t.person_id, "name": t.person.name, "role": t.role, "took_part": t.took_part}
            for t in a.team.all()
        ],
        "visits": [
            {
                "id": v.pk,
                "date": v.date,
                "place": v.place,
                "notes": v.notes,
                "photos": attachments_for(v).count(),
            }
            for v in a.visits.all()
        ],
        "questions": [_question(q) for q in a.questions.all()],
        "problems": _problems(s.problems_shown(a.problems.all())),
    }


def _question(q: InquiryQuestion) -> dict[str, Any]:
    return {
        "id": q.pk,
        "asker_id": q.asker_id,
        "unit_id": q.unit_id,
        "official": q.official,
        "question": q.question,
        "answer": q.answer,
        "commitment": q.commitment,
    }


def _project(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": p.name,
        "owner": p.owner,
        "park": p.park,
        "status": p.status,
        "investment_planned": p.investment_planned,
        "investment_completed": p.investment_completed,
        "delayed": bool(getattr(p, "delayed", False)),
        "published": p.published_at is not None,
    }


def _project_detail(p: Project, *, mask: bool = False) -> dict[str, Any]:
    timeline = {m["id"]: m for m in s.milestone_timeline(p)}
    return {
        **_project(p),
        "platform_id": p.platform_id,
        "cooperation_kind": p.cooperation_kind,
        "partners": p.partners,
        "floor_area": p.floor_area,
        "location": p.location,
        "description": mask_text(p.description) if mask else p.description,
        "milestones": [
            {
                "id": m.pk,
                "kind": m.kind,
                "name": m.name,
                "planned_date": m.planned_date,
                "actual_date": m.actual_date,
                "delayed": timeline[m.pk]["delayed"],
            }
            for m in p.milestones.all()
        ],
        "problems": _problems(p.problems.all(), mask=mask),
    }


def _ballot(b: SatisfactionBallot) -> dict[str, Any]:
    return {
        "id": b.pk,
        "activity_id": b.activity_id,
        "unit_id": b.unit_id,
        "unit": b.unit.name,
        "status": b.status,
        "pass_percent": b.pass_percent,
        "satisfied": b.satisfied,
        "basically": b.basically,
        "dissatisfied": b.dissatisfied,
        "passed": b.passed,
    }


# --- input ---------------------------------------------------------------------------------------


class OversightPlanIn(Schema):
    body_id: ObjectId
    year: int = Field(ge=2000, le=2100)
    title: str = Title


class OversightActivityIn(Schema):
    plan_id: ObjectId | None = None
    body_id: ObjectId | None = None
    kind: ActivityKindValue
    title: str = Title
    description: str = Field("", max_length=5000)
    unit_ids: list[ObjectId] = Field(default_factory=list, max_length=100)
    start_date: dt.date
    end_date: dt.date


class OversightStateIn(Schema):
    expected_state: str | None = Field(None, max_length=32)


class OversightReasonIn(OversightStateIn):
    reason: str = Field(max_length=2000)


class OversightTeamIn(Schema):
    person_ids: list[ObjectId] = Field(max_length=60)
    leader_id: ObjectId | None = None


class OversightAttendanceIn(Schema):
    person_ids: list[ObjectId] = Field(max_length=60)


class OversightPublishIn(Schema):
    publish: bool = True


class OversightVisitIn(Schema):
    date: dt.date
    place: str = Title
    notes: str = Field("", max_length=5000)


class OversightReportFileIn(OversightStateIn):
    summary: str = Text


class OversightProblemIn(Schema):
    text: str = Text


class OversightAssignIn(Schema):
    unit_ids: list[ObjectId] = Field(min_length=1, max_length=20)
    task: str = Text
    due_rule: DueRuleValue = "oversight_rectify"


class OversightQuestionIn(Schema):
    asker_id: ObjectId
    unit_id: ObjectId
    official: str = Field(max_length=100)
    question: str = Text


class OversightAnswerIn(Schema):
    answer: str = Text
    commitment: str = Field("", max_length=5000)
    due_rule: DueRuleValue = "oversight_rectify"


class OversightItemReportIn(OversightStateIn):
    text: str = Text
    is_final: bool = False


class OversightReviewIn(OversightStateIn):
    accept: bool
    reason: str = Field("", max_length=2000)


class OversightExtendIn(OversightReasonIn):
    until: dt.date


class OversightItemFilters(Schema):
    unit: ObjectId | None = None
    status: ItemStateValue = ""
    activity: ObjectId | None = None
    source: str = Field("", max_length=32)
    page: int = Field(1, ge=1, le=10_000)


class OversightMilestoneIn(Schema):
    kind: MilestoneKindValue
    name: str = Field("", max_length=100)
    planned_date: dt.date


class OversightProjectIn(Schema):
    kind: Literal["key_project", "cooperation"] = "key_project"
    name: str = Title
    owner: str = Field("", max_length=200)
    partners: str = Field("", max_length=500)
    investment_planned: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    floor_area: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    park: str = Field("", max_length=100)
    location: str = Field("", max_length=200)
    place_id: ObjectId | None = None
    description: str = Field("", max_length=5000)
    platform_id: ObjectId | None = None
    cooperation_kind: str = Field("", max_length=24)
    milestones: list[OversightMilestoneIn] = Field(default_factory=list, max_length=20)
    supervisor_ids: list[ObjectId] = Field(default_factory=list, max_length=30)
    owner_contact_ids: list[ObjectId] = Field(default_factory=list, max_length=30)


class OversightPlatformIn(Schema):
    name: str = Title
    partners: str = Field("", max_length=500)
    description: str = Field("", max_length=5000)


class OversightProgressIn(Schema):
    text: str = Text
    investment_completed: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)


class OversightReachIn(Schema):
    actual_date: dt.date


class OversightReplanIn(Schema):
    planned_date: dt.date
    reason: str = Field(max_length=2000)


class OversightOutcomeIn(Schema):
    kind: Literal["patent", "product", "standard", "other"]
    title: str = Title
    reference: str = Field("", max_length=100)
    date: dt.date


class OversightBudgetIn(Schema):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class OversightBudgetQuestionIn(Schema):
    text: str = Text


class OversightBallotIn(Schema):
    unit_id: ObjectId


class OversightVoteIn(Schema):
    choice: SatisfactionValue
    client_key: str = Field("", max_length=64)


class OversightFollowOutcomeIn(Schema):
    body_id: ObjectId | None = None


# --- plans and activities ------------------------------------------------------------------------


@router.get("/plans", response=list[OversightPlanOut], summary="年度监督工作计划")
def plans(request: HttpRequest) -> list[dict[str, Any]]:
    return [_plan(p) for p in s.plans_visible_to(request.user)[:100]]


def _plan(p: SupervisionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "body_id": p.body_id,
        "body": p.body.name,
        "year": p.year,
        "title": p.title,
        "status": p.status,
    }


@router.post("/plans", response={201: OversightPlanOut}, summary="新建年度监督工作计划")
def plan_create(request: HttpRequest, data: OversightPlanIn) -> Status[dict[str, Any]]:
    body = _get(Body.objects.all(), data.body_id)
    plan = services.plan_create(actor=request.user, body=body, year=data.year, title=data.title)
    return Status(201, _plan(plan))


@router.post("/plans/{plan_id}/publish", response=OversightPlanOut, summary="公布年度监督工作计划")
def plan_publish(request: HttpRequest, plan_id: ObjectId, data: OversightStateIn) -> dict[str, Any]:
    plan: SupervisionPlan = _get(s.plans_visible_to(request.user), plan_id)
    plan = services.plan_publish(actor=request.user, plan=plan, expected_state=data.expected_state)
    return _plan(plan)


@router.get("/activities", response=list[OversightActivityOut], summary="监督活动")
def activities(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)) -> list[dict[str, Any]]:
    rows = s.activities_visible_to(request.user).order_by("-start_date", "-id")
    return [_activity(a) for a in rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]


@router.post("/activities", response={201: OversightActivityDetailOut}, summary="新建监督活动")
def activity_create(request: HttpRequest, data: OversightActivityIn) -> Status[dict[str, Any]]:
    plan = _get(s.plans_visible_to(request.user), data.plan_id) if data.plan_id else None
    body = _get(Body.objects.all(), data.body_id) if data.body_id else None
    activity = services.activity_create(
        actor=request.user,
        plan=plan,
        body=body,
        kind=data.kind,
        title=data.title,
        description=data.description,
        units=_units(data.unit_ids),
        start_date=data.start_date,
        end_date=data.end_date,
    )
    return Status(201, _activity_detail(_visible_activity(request, activity.pk)))


def _visible_activity(request: HttpRequest, pk: int) -> Activity:
    activity = s.activity_detail(request.user, pk)
    if activity is None:
        raise NotFoundError()
    return activity


@router.get("/activities/{activity_id}", response=OversightActivityDetailOut, summary="监督活动详情")
def activity_get(request: HttpRequest, activity_id: ObjectId) -> dict[str, Any]:
    return _activity_detail(_visible_activity(request, activity_id))


@router.get("/activities/{activity_id}/timeline", response=list[OversightEventOut], summary="监督活动时间线")
def activity_timeline(request: HttpRequest, activity_id: ObjectId) -> list[Any]:
    return s.timeline_for(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/transitions/{action}",
    response=OversightActivityDetailOut,
    summary="开始或结束监督活动",
)
def activity_transition(
    request: HttpRequest, activity_id: ObjectId, action: ActivityAction, data: OversightStateIn
) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    if action == "start":
        services.activity_start(actor=request.user, activity=activity, expected_state=data.expected_state)
    else:
        services.activity_close(actor=request.user, activity=activity, expected_state=data.expected_state)
    return _activity_detail(_visible_activity(request, activity_id))


@router.post("/activities/{activity_id}/cancel", response=OversightActivityDetailOut, summary="取消监督活动")
def activity_cancel(request: HttpRequest, activity_id: ObjectId, data: OversightReasonIn) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    services.activity_cancel(
        actor=request.user, activity=activity, reason=data.reason, expected_state=data.expected_state
    )
    return _activity_detail(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/report",
    response=OversightActivityDetailOut,
    summary="提交监督活动报告（docx）",
)
def activity_report(
    request: HttpRequest, activity_id: ObjectId, data: Form[OversightReportFileIn], report: File[UploadedFile]
) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    services.activity_report(
        actor=request.user,
        activity=activity,
        report=report,
        summary=data.summary,
        expected_state=data.expected_state,
    )
    return _activity_detail(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/documents", response=OversightActivityDetailOut, summary="上传活动材料"
)
def activity_documents(
    request: HttpRequest, activity_id: ObjectId, files: File[list[UploadedFile]]
) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    services.activity_documents_add(actor=request.user, activity=activity, files=files)
    return _activity_detail(_visible_activity(request, activity_id))


@router.post("/activities/{activity_id}/team", response=OversightActivityDetailOut, summary="确定监督组成员")
def activity_team(request: HttpRequest, activity_id: ObjectId, data: OversightTeamIn) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    leader = _people([data.leader_id])[0] if data.leader_id else None
    services.activity_team_add(
        actor=request.user, activity=activity, people=_people(data.person_ids), leader=leader
    )
    return _activity_detail(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/attendance", response=OversightActivityDetailOut, summary="记录参加人员"
)
def activity_attendance(
    request: HttpRequest, activity_id: ObjectId, data: OversightAttendanceIn
) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    services.activity_attendance_record(actor=request.user, activity=activity, present=data.person_ids)
    return _activity_detail(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/publish", response=OversightActivityDetailOut, summary="公开或撤回监督活动"
)
def activity_publish(request: HttpRequest, activity_id: ObjectId, data: OversightPublishIn) -> dict[str, Any]:
    activity = _visible_activity(request, activity_id)
    services.activity_publish(actor=request.user, activity=activity, publish=data.publish)
    return _activity_detail(_visible_activity(request, activity_id))


@router.post(
    "/activities/{activity_id}/visits", response={201: OversightVisitOut}, summary="记录视察（可附照片）"
)
def activity_visit(
    request: HttpRequest,
    activity_id: ObjectId,
    data: Form[OversightVisitIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    activity = _visible_activity(request, activity_id)
    visit = services.visit_record(
        actor=request.user,
        activity=activity,
        date=data.date,
        place=data.place,
        notes=data.notes,
        photos=photos or [],
    )
    return Status(
        201,
        {
            "id": visit.pk,
            "date": visit.date,
            "place": visit.place,
            "notes": visit.notes,
            "photos": len(photos or []),
        },
    )


@router.post(
    "/activities/{activity_id}/problems", response={201: OversightProblemOut}, summary="列入问题清单"
)
def activity_problem(
    request: HttpRequest, activity_id: ObjectId, data: OversightProblemIn
) -> Status[dict[str, Any]]:
    activity = _visible_activity(request, activity_id)
    problem = services.problem_add(actor=request.user, activity=activity, text=data.text)
    return Status(201, {"id": problem.pk, "source": problem.source, "text": problem.text, "items": []})


@router.post(
    "/activities/{activity_id}/questions", response={201: OversightQuestionOut}, summary="专题询问：记录提问"
)
def activity_question(
    request: HttpRequest, activity_id: ObjectId, data: OversightQuestionIn
) -> Status[dict[str, Any]]:
    activity = _visible_activity(request, activity_id)
    question = services.inquiry_question_add(
        actor=request.user,
        activity=activity,
        asker=_people([data.asker_id])[0],
        unit=_units([data.unit_id])[0],
        official=data.official,
        question=data.question,
    )
    return Status(201, _question(question))


@router.post(
    "/questions/{question_id}/answer", response=OversightQuestionOut, summary="专题询问：记录答复与承诺"
)
def question_answer(request: HttpRequest, question_id: ObjectId, data: OversightAnswerIn) -> dict[str, Any]:
    visible = s.activities_visible_to(request.user).values("pk")
    question: InquiryQuestion = _get(InquiryQuestion.objects.filter(activity__in=visible), question_id)
    question = services.inquiry_answer_record(
        actor=request.user,
        question=question,
        answer=data.answer,
        commitment=data.commitment,
        due_rule=data.due_rule,
    )
    return _question(question)


# --- problems and items --------------------------------------------------------------------------


def _visible_problem(request: HttpRequest, problem_id: int) -> Problem:
    scope = scope_of(request.user)
    return _get(Problem.objects.filter(body_id__in=scope.staff_bodies).select_related("activity"), problem_id)


@router.post(
    "/problems/{problem_id}/assign",
    response={201: list[OversightItemOut]},
    summary="交办整改（一个或多个单位）",
)
def problem_assign(
    request: HttpRequest, problem_id: ObjectId, data: OversightAssignIn
) -> Status[list[dict[str, Any]]]:
    problem = _visible_problem(request, problem_id)
    made = services.problem_assign(
        actor=request.user,
        problem=problem,
        units=_units(data.unit_ids),
        task=data.task,
        due_rule=data.due_rule,
    )
    return Status(201, [_item(i) for i in made])


@router.post(
    "/deliberation-outcomes/{outcome_id}/follow",
    response={201: OversightItemOut},
    summary="协商成果转为整改事项",
)
def outcome_follow(
    request: HttpRequest, outcome_id: ObjectId, data: OversightFollowOutcomeIn
) -> Status[dict[str, Any]]:
    from minsheng.deliberation.models import Outcome

    outcome = _get(Outcome.objects.all(), outcome_id)
    body = _get(Body.objects.all(), data.body_id) if data.body_id else None
    return Status(201, _item(services.problem_from_outcome(actor=request.user, outcome=outcome, body=body)))


@router.get("/items", response=OversightItemPageOut, summary="整改事项（按单位、状态筛选）")
def items(request: HttpRequest, filters: Query[OversightItemFilters]) -> dict[str, Any]:
    rows = s.items_search(
        request.user,
        s.ItemFilters(
            unit=filters.unit, status=filters.status, activity=filters.activity, source=filters.source
        ),
    )
    start = (filters.page - 1) * PAGE_SIZE
    window = list(rows[start : start + PAGE_SIZE + 1])
    return {
        "count": start + len(window[:PAGE_SIZE]),
        "more": len(window) > PAGE_SIZE,
        "items": [_item(i) for i in window[:PAGE_SIZE]],
    }


def _visible_item(request: HttpRequest, pk: int) -> RectificationItem:
    item = s.item_detail(request.user, pk)
    if item is None:
        raise NotFoundError()
    return item


def _item_detail(item: RectificationItem) -> dict[str, Any]:
    from minsheng.core.attachments import attachments_for

    return {
        **_item(item),
        "problem": item.problem.text,
        "source": item.problem.source,
        "activity_id": item.problem.activity_id,
        "project_id": item.problem.project_id,
        "reports": [
            {
                "id": r.pk,
                "round": r.round,
                "text": r.text,
                "is_final": r.is_final,
                "status": r.status,
                "review_reason": r.review_reason,
                "created_at": r.created_at,
                "files": [a.original_name for a in attachments_for(r)],
            }
            for r in item.reports.all()
        ],
    }


@router.get("/items/{item_id}", response=OversightItemDetailOut, summary="整改事项详情")
def item_get(request: HttpRequest, item_id: ObjectId) -> dict[str, Any]:
    return _item_detail(_visible_item(request, item_id))


@router.get("/items/{item_id}/timeline", response=list[OversightEventOut], summary="整改事项时间线")
def item_timeline(request: HttpRequest, item_id: ObjectId) -> list[Any]:
    return s.timeline_for(_visible_item(request, item_id))


@router.post(
    "/items/{item_id}/reports", response={201: OversightItemDetailOut}, summary="报告整改进展（可附佐证）"
)
def item_report(
    request: HttpRequest,
    item_id: ObjectId,
    data: Form[OversightItemReportIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    item = _visible_item(request, item_id)
    services.item_report(
        actor=request.user,
        item=item,
        text=data.text,
        is_final=data.is_final,
        files=files or [],
        expected_state=data.expected_state,
    )
    return Status(201, _item_detail(_visible_item(request, item_id)))


@router.post("/items/{item_id}/review", response=OversightItemDetailOut, summary="审核整改报告（通过或退回）")
def item_review(request: HttpRequest, item_id: ObjectId, data: OversightReviewIn) -> dict[str, Any]:
    item = _visible_item(request, item_id)
    services.item_review(
        actor=request.user,
        item=item,
        accept=data.accept,
        reason=data.reason,
        expected_state=data.expected_state,
    )
    return _item_detail(_visible_item(request, item_id))


@router.post("/items/{item_id}/extend", response=OversightItemDetailOut, summary="延长整改期限")
def item_extend(request: HttpRequest, item_id: ObjectId, data: OversightExtendIn) -> dict[str, Any]:
    item = _visible_item(request, item_id)
    services.item_extend(
        actor=request.user,
        item=item,
        until=data.until,
        reason=data.reason,
        expected_state=data.expected_state,
    )
    return _item_detail(_visible_item(request, item_id))


@router.post("/items/{item_id}/reopen", response=OversightItemDetailOut, summary="重新整改")
def item_reopen(request: HttpRequest, item_id: ObjectId, data: OversightReasonIn) -> dict[str, Any]:
    item = _visible_item(request, item_id)
    services.item_reopen(
        actor=request.user, item=item, reason=data.reason, expected_state=data.expected_state
    )
    return _item_detail(_visible_item(request, item_id))


# --- projects ------------------------------------------------------------------------------------


@router.get("/projects", response=list[OversightProjectOut], summary="重点项目与合作事项")
def projects(
    request: HttpRequest, delayed: bool = False, page: int = Query(1, ge=1, le=10_000)
) -> list[dict[str, Any]]:
    rows = s.projects_search(request.user, s.ProjectFilters(delayed=delayed))
    return [_project(p) for p in rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]


def _visible_project(request: HttpRequest, pk: int) -> Project:
    project = s.project_detail(request.user, pk)
    if project is None:
        raise NotFoundError()
    return project


@router.post("/projects", response={201: OversightProjectDetailOut}, summary="登记重点项目或合作事项")
def project_create(request: HttpRequest, data: OversightProjectIn) -> Status[dict[str, Any]]:
    place = _get(Jurisdiction.objects.all(), data.place_id) if data.place_id else None
    platform = _get(s.platforms_visible_to(request.user), data.platform_id) if data.platform_id else None
    project = services.project_create(
        actor=request.user,
        kind=data.kind,
        name=data.name,
        owner=data.owner,
        partners=data.partners,
        investment_planned=data.investment_planned,
        floor_area=data.floor_area,
        park=data.park,
        location=data.location,
        place=place,
        description=data.description,
        platform=platform,
        cooperation_kind=data.cooperation_kind,
        milestones=[services.MilestonePlan(m.kind, m.name, m.planned_date) for m in data.milestones],
        supervisors=_people(data.supervisor_ids),
        owner_contacts=_people(data.owner_contact_ids),
    )
    return Status(201, _project_detail(_visible_project(request, project.pk)))


@router.post("/platforms", response={201: dict[str, Any]}, summary="新建合作平台")
def platform_create(request: HttpRequest, data: OversightPlatformIn) -> Status[dict[str, Any]]:
    platform = services.platform_create(
        actor=request.user, name=data.name, partners=data.partners, description=data.description
    )
    return Status(201, {"id": platform.pk, "name": platform.name})


@router.get(
    "/projects/{project_id}", response=OversightProjectDetailOut, summary="项目详情（里程碑计划与实际）"
)
def project_get(request: HttpRequest, project_id: ObjectId) -> dict[str, Any]:
    return _project_detail(_visible_project(request, project_id))


@router.post(
    "/projects/{project_id}/transitions/{action}", response=OversightProjectDetailOut, summary="项目状态变更"
)
def project_transition(
    request: HttpRequest, project_id: ObjectId, action: ProjectAction, data: OversightStateIn
) -> dict[str, Any]:
    project = _visible_project(request, project_id)
    services.project_transition(
        actor=request.user, project=project, action=action, expected_state=data.expected_state
    )
    return _project_detail(_visible_project(request, project_id))


@router.post("/projects/{project_id}/publish", response=OversightProjectDetailOut, summary="公开或撤回项目")
def project_publish(request: HttpRequest, project_id: ObjectId, data: OversightPublishIn) -> dict[str, Any]:
    services.project_publish(
        actor=request.user, project=_visible_project(request, project_id), publish=data.publish
    )
    return _project_detail(_visible_project(request, project_id))


@router.post(
    "/projects/{project_id}/progress",
    response={201: OversightProjectDetailOut},
    summary="报送项目进展（可附照片）",
)
def project_progress(
    request: HttpRequest,
    project_id: ObjectId,
    data: Form[OversightProgressIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    services.project_progress_post(
        actor=request.user,
        project=_visible_project(request, project_id),
        text=data.text,
        investment_completed=data.investment_completed,
        photos=photos or [],
    )
    return Status(201, _project_detail(_visible_project(request, project_id)))


@router.post(
    "/projects/{project_id}/milestones", response={201: OversightProjectDetailOut}, summary="增加里程碑"
)
def project_milestone(
    request: HttpRequest, project_id: ObjectId, data: OversightMilestoneIn
) -> Status[dict[str, Any]]:
    services.milestone_add(
        actor=request.user,
        project=_visible_project(request, project_id),
        kind=data.kind,
        name=data.name,
        planned_date=data.planned_date,
    )
    return Status(201, _project_detail(_visible_project(request, project_id)))


def _visible_milestone(request: HttpRequest, pk: int) -> Milestone:
    return _get(Milestone.objects.filter(project__in=s.projects_visible_to(request.user).values("pk")), pk)


@router.post(
    "/milestones/{milestone_id}/reach", response=OversightProjectDetailOut, summary="记录里程碑实际完成日期"
)
def milestone_reach(request: HttpRequest, milestone_id: ObjectId, data: OversightReachIn) -> dict[str, Any]:
    milestone = services.milestone_reach(
        actor=request.user, milestone=_visible_milestone(request, milestone_id), actual_date=data.actual_date
    )
    return _project_detail(_visible_project(request, milestone.project_id))


@router.post(
    "/milestones/{milestone_id}/replan", response=OversightProjectDetailOut, summary="调整里程碑计划日期"
)
def milestone_replan(request: HttpRequest, milestone_id: ObjectId, data: OversightReplanIn) -> dict[str, Any]:
    milestone = services.milestone_replan(
        actor=request.user,
        milestone=_visible_milestone(request, milestone_id),
        planned_date=data.planned_date,
        reason=data.reason,
    )
    return _project_detail(_visible_project(request, milestone.project_id))


@router.post(
    "/projects/{project_id}/visits", response={201: OversightVisitOut}, summary="记录项目视察（可附照片）"
)
def project_visit(
    request: HttpRequest,
    project_id: ObjectId,
    data: Form[OversightVisitIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    visit = services.visit_record(
        actor=request.user,
        project=_visible_project(request, project_id),
        date=data.date,
        place=data.place,
        notes=data.notes,
        photos=photos or [],
    )
    return Status(
        201,
        {
            "id": visit.pk,
            "date": visit.date,
            "place": visit.place,
            "notes": visit.notes,
            "photos": len(photos or []),
        },
    )


@router.post(
    "/projects/{project_id}/problems", response={201: OversightProblemOut}, summary="项目问题列入问题清单"
)
def project_problem(
    request: HttpRequest, project_id: ObjectId, data: OversightProblemIn
) -> Status[dict[str, Any]]:
    problem = services.problem_add_for_project(
        actor=request.user, project=_visible_project(request, project_id), text=data.text
    )
    return Status(201, {"id": problem.pk, "source": problem.source, "text": problem.text, "items": []})


@router.post(
    "/projects/{project_id}/outcomes", response={201: OversightProjectDetailOut}, summary="记录合作成果"
)
def project_outcome(
    request: HttpRequest, project_id: ObjectId, data: OversightOutcomeIn
) -> Status[dict[str, Any]]:
    services.outcome_record(
        actor=request.user,
        project=_visible_project(request, project_id),
        kind=data.kind,
        title=data.title,
        reference=data.reference,
        date=data.date,
    )
    return Status(201, _project_detail(_visible_project(request, project_id)))


@router.get("/dashboard", response=OversightDashboardOut, summary="监督看板数据")
def dashboard(request: HttpRequest) -> dict[str, Any]:
    if not request.user.has_perm("oversight.view_dashboard"):
        raise NotFoundError()
    board = s.dashboard_for(request.user)
    return {
        "projects_total": board.projects_total,
        "projects_delayed": board.projects_delayed,
        "projects_by_status": board.projects_by_status,
        "parks": board.parks,
        "investment_planned": board.investment_planned,
        "investment_completed": board.investment_completed,
        "items_open": board.items_open,
        "items_overdue": board.items_overdue,
        "items_closed_this_year": board.items_closed_this_year,
        "items_by_status": board.items_by_status,
        "units": board.units,
    }


# --- budget --------------------------------------------------------------------------------------


@router.get("/budget", response=list[OversightBudgetTableOut], summary="预算执行表")
def budget_tables(request: HttpRequest) -> list[dict[str, Any]]:
    from django.db.models import Count

    rows = (
        s.budget_tables_visible_to(request.user).annotate(n=Count("lines")).order_by("-year", "-month")[:60]
    )
    return [
        {"id": t.pk, "year": t.year, "month": t.month, "source_name": t.source_name, "lines": t.n}
        for t in rows
    ]


@router.post("/budget", response={201: OversightBudgetTableOut}, summary="导入月度预算执行表（xlsx）")
def budget_import(
    request: HttpRequest, data: Form[OversightBudgetIn], file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    table = services.budget_import(actor=request.user, upload=file, year=data.year, month=data.month)
    return Status(
        201,
        {
            "id": table.pk,
            "year": table.year,
            "month": table.month,
            "source_name": table.source_name,
            "lines": table.lines.count(),
        },
    )


@router.get("/budget/{table_id}", response=OversightBudgetDetailOut, summary="预算执行表（执行率与预警）")
def budget_get(request: HttpRequest, table_id: ObjectId) -> dict[str, Any]:
    table = _get(s.budget_tables_visible_to(request.user), table_id)
    rows = s.budget_table_rows(table)
    return {
        "id": table.pk,
        "year": table.year,
        "month": table.month,
        "source_name": table.source_name,
        "lines": len(rows),
        "expected_rate": rows[0].flags.expected if rows else Decimal("0"),
        "lines_detail": [
            {
                "id": r.line.pk,
                "row": r.line.row,
                "unit_id": r.line.unit_id,
                "unit": r.line.unit.name,
                "item": r.line.item,
                "budget": r.line.budget,
                "executed": r.line.executed,
                "rate": r.flags.rate,
                "behind": r.flags.behind,
                "over": r.flags.over,
                "questions": r.questions,
            }
            for r in rows
        ],
    }


@router.post(
    "/budget/lines/{line_id}/questions", response={201: OversightItemOut}, summary="代表就预警项目向部门提问"
)
def budget_question(
    request: HttpRequest, line_id: ObjectId, data: OversightBudgetQuestionIn
) -> Status[dict[str, Any]]:
    tables = s.budget_tables_visible_to(request.user).values("pk")
    line: BudgetLine = _get(BudgetLine.objects.filter(table__in=tables).select_related("table"), line_id)
    return Status(201, _item(services.budget_question_raise(actor=request.user, line=line, text=data.text)))


# --- satisfaction ballots ------------------------------------------------------------------------


@router.post(
    "/activities/{activity_id}/ballots", response={201: OversightBallotOut}, summary="发起满意度测评"
)
def ballot_open(
    request: HttpRequest, activity_id: ObjectId, data: OversightBallotIn
) -> Status[dict[str, Any]]:
    ballot = services.ballot_open(
        actor=request.user, activity=_visible_activity(request, activity_id), unit=_units([data.unit_id])[0]
    )
    return Status(201, _ballot(ballot))


def _visible_ballot(request: HttpRequest, pk: int) -> SatisfactionBallot:
    return _get(s.ballots_visible_to(request.user), pk)


@router.get("/ballots/{ballot_id}", response=OversightBallotOut, summary="满意度测评")
def ballot_get(request: HttpRequest, ballot_id: ObjectId) -> dict[str, Any]:
    return _ballot(_visible_ballot(request, ballot_id))


@router.post("/ballots/{ballot_id}/vote", response=OversightVoteOut, summary="满意度测评投票（无记名）")
def ballot_vote(request: HttpRequest, ballot_id: ObjectId, data: OversightVoteIn) -> dict[str, Any]:
    first = services.ballot_vote(
        actor=request.user,
        ballot=_visible_ballot(request, ballot_id),
        choice=data.choice,
        client_key=data.client_key,
    )
    return {"counted": True, "first": first}


@router.post("/ballots/{ballot_id}/close", response=OversightBallotOut, summary="结束测评并计票")
def ballot_close(request: HttpRequest, ballot_id: ObjectId, data: OversightStateIn) -> dict[str, Any]:
    ballot = services.ballot_close(
        actor=request.user, ballot=_visible_ballot(request, ballot_id), expected_state=data.expected_state
    )
    return _ballot(ballot)


# --- public --------------------------------------------------------------------------------------


@router.get("/public/activities", response=list[OversightActivityOut], auth=PUBLIC, summary="公开的监督活动")
def public_activities(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)) -> list[dict[str, Any]]:
    return [_activity(a) for a in s.public_activities()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]


class OversightPublicActivityOut(OversightActivityOut):
    report_summary: str
    problems: list[OversightProblemOut]
    ballots: list[OversightBallotOut]


@router.get(
    "/public/activities/{activity_id}",
    response=OversightPublicActivityOut,
    auth=PUBLIC,
    summary="公开的监督活动详情",
)
def public_activity(request: HttpRequest, activity_id: ObjectId) -> dict[str, Any]:
    activity = s.public_activity(activity_id)
    if activity is None:
        raise NotFoundError()
    return {
        **_activity(activity),
        "report_summary": mask_text(activity.report_summary),
        "problems": _problems(s.problems_shown(activity.problems.all()), mask=True),
        "ballots": [_ballot(b) for b in s.public_ballots(activity)],
    }


@router.get("/public/projects", response=list[OversightProjectOut], auth=PUBLIC, summary="公开的重点项目")
def public_projects(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)) -> list[dict[str, Any]]:
    return [_project(p) for p in s.public_projects()[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]


@router.get(
    "/public/projects/{project_id}", response=OversightProjectDetailOut, auth=PUBLIC, summary="公开的项目详情"
)
def public_project(request: HttpRequest, project_id: ObjectId) -> dict[str, Any]:
    project = s.public_project(project_id)
    if project is None:
        raise NotFoundError()
    return _project_detail(project, mask=True)


# --- enterprise needs ----------------------------------------------------------------------------


class OversightEnterpriseNeedOut(Schema):
    id: int
    tracking_code: str
    enterprise_name: str
    credit_code: str
    status: str
    created_at: dt.datetime
    summary: str


@router.get("/enterprise-needs", response=list[OversightEnterpriseNeedOut], summary="企业诉求")
def enterprise_needs(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)) -> list[Any]:
    if not request.user.has_perm("oversight.list_enterprise"):
        raise NotFoundError()
    from minsheng.voices.selectors import enterprise_voices_visible_to

    return list(enterprise_voices_visible_to(request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
