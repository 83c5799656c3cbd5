"""The voices endpoints of the JSON API: every action of the web pages, with the same permissions.

Public operations (``auth=PUBLIC``): request a one-time code, submit a voice, follow it by tracking code
and phone, rate the answer, list announced reception days. Everything else needs a signed-in user or a
bearer token, and answers only with what that user may see. The resident's phone appears only to
those allowed to contact them (``voices.view_contact_voice``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict, Field

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import LocalTime, ObjectId
from minsheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailedError
from minsheng.core.privacy import mask_phone
from minsheng.core.throttle import client_ip
from minsheng.core.verification import mobile_normalise, phone_code_check, phone_code_send
from minsheng.org.models import Body, Membership, Role
from minsheng.voices import selectors, services
from minsheng.voices.exports import voices_xlsx_response
from minsheng.voices.models import (
    ENTERPRISE_NAME_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Rating,
    ReceptionDay,
    ReferralReason,
    ReplyRule,
    SocialReport,
    Voice,
    VoiceChannel,
    VoiceKind,
    VoiceStatus,
    WorkOrder,
)
from minsheng.voices.presenters import timeline_rows
from minsheng.voices.rules import TrackingActor

router = Router(tags=["voices"])


def _actor(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return auth if auth is not None else request.user


# What the services accept, stated in the schema so that clients (and fuzzers) know it in advance.
PHONE_PATTERN = r"^(\+?86)?1[3-9][0-9]{9}$"
CODE_PATTERN = r"^[0-9A-Za-z\- ]{1,20}$"
# Some visible text, and no HTML tag, comment or script ("<" followed by a letter, "/", "!" or "?").
TEXT_PATTERN = r"^(?![\s\S]*<\s*[/!?A-Za-z])[\s\S]*[^\s\x00-\x1f\x7f-\x9f][\s\S]*$"
NO_MARKUP_PATTERN = r"^[^<>]*$"
TARGET_PATTERN = r"^((deputy|member|station):[1-9][0-9]{0,9})?$"


class VoiceErrorOut(Schema):
    """An error, as every operation answers (see minsheng/api.py)."""

    detail: str
    code: str
    field: str | None = None


# Public operations may also answer 403 (phone not verified) and 429 (too many attempts).
PUBLIC_ERRORS: dict[int, Any] = {403: VoiceErrorOut, 429: VoiceErrorOut}


# Schemas ------------------------------------------------------------------------------------


class VoiceCodeIn(Schema):
    phone: str = Field(max_length=20, pattern=PHONE_PATTERN, description="大陆手机号")


class VoiceCodeOut(Schema):
    sent: bool


class VoiceIn(Schema):
    # The text rule needs a look-ahead, which pydantic's default (Rust) regex engine does not have.
    model_config = ConfigDict(regex_engine="python-re")

    text: str = Field(max_length=TEXT_MAX_LENGTH, pattern=TEXT_PATTERN, description="诉求内容（纯文本）")
    phone: str = Field(max_length=20, pattern=PHONE_PATTERN)
    code: str = Field("", max_length=6, description="短信验证码（登录用户本人手机号可不填）")
    name: str = Field("", max_length=64, pattern=NO_MARKUP_PATTERN)
    kind: VoiceKind = VoiceKind.SUGGESTION
    to: str = Field(
        "",
        max_length=40,
        pattern=TARGET_PATTERN,
        description="deputy:<person_id>、member:<person_id> 或 station:<body_id>",
    )
    via_qr: bool = False
    enterprise_name: str = Field(
        "", max_length=ENTERPRISE_NAME_MAX_LENGTH, pattern=NO_MARKUP_PATTERN, description="企业诉求：企业名称"
    )
    credit_code: str = Field("", max_length=24, description="企业诉求：统一社会信用代码（含校验位）")


class VoiceStaffEntryIn(Schema):
    text: str = Field(max_length=TEXT_MAX_LENGTH)
    phone: str = Field(max_length=20)
    name: str = Field("", max_length=64)
    kind: VoiceKind = VoiceKind.SUGGESTION
    reception_day_id: ObjectId | None = None
    addressed_to_id: ObjectId | None = None
    station_id: ObjectId | None = None


class VoiceCreatedOut(Schema):
    id: int
    tracking_code: str
    status: str


class VoiceTimelineOut(Schema):
    at: dt.datetime
    label: str
    detail: str
    actor: str
    state: str


class VoiceReplyOut(Schema):
    source: str
    unit: str | None
    text: str
    created_at: dt.datetime
    rating: str
    rating_comment: str


class VoiceWorkOrderOut(Schema):
    id: int
    voice_id: int
    unit_id: int
    unit: str
    due: dt.date
    due_rule: str
    round: int
    status: str
    is_open: bool
    overdue: bool
    return_by: dt.date | None
    return_reason: str
    max_due: dt.date | None
    extension_requested_to: dt.date | None
    extension_request_reason: str


class VoiceOut(Schema):
    id: int
    tracking_code: str
    channel: str
    kind: str
    status: str
    status_label: str
    text: str
    created_at: dt.datetime
    triage_due: dt.date | None
    addressed_to: str | None
    station: str | None
    jurisdiction: str
    unit: str | None
    due: dt.date | None


class VoiceDetailOut(VoiceOut):
    name: str
    phone: str
    allowed_actions: list[str]
    timeline: list[VoiceTimelineOut]
    replies: list[VoiceReplyOut]
    work_orders: list[VoiceWorkOrderOut]
    merged_into_id: int | None
    referral_reason: str
    referral_note: str


class VoicePageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[VoiceOut]


class VoiceTrackIn(Schema):
    code: str = Field(max_length=20, pattern=CODE_PATTERN, description="查询码")
    phone: str = Field(max_length=20, pattern=PHONE_PATTERN)


class VoiceTrackOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    text: str
    phone: str
    can_rate: bool
    timeline: list[VoiceTimelineOut]
    replies: list[VoiceReplyOut]


class VoiceRateIn(VoiceTrackIn):
    rating: Rating
    comment: str = Field("", max_length=500, pattern=NO_MARKUP_PATTERN)


class VoiceActionIn(Schema):
    expected_state: VoiceStatus | None = None


class VoiceTextIn(VoiceActionIn):
    text: str = Field(max_length=TEXT_MAX_LENGTH)


class VoiceForwardIn(VoiceActionIn):
    unit_id: ObjectId
    reply_rule: ReplyRule = ReplyRule.COMPLAINT
    instructions: str = Field("", max_length=500)


class VoiceReferIn(VoiceActionIn):
    reason: ReferralReason
    note: str = Field("", max_length=500)


class VoiceMergeIn(VoiceActionIn):
    into_id: ObjectId


class ReceptionDayChangeIn(Schema):
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    place: str = Field(max_length=200)
    deputy_ids: list[ObjectId] = Field(default_factory=list, max_length=50)
    note: str = Field("", max_length=300)


class ReceptionDayIn(ReceptionDayChangeIn):
    station_id: ObjectId


class ReceptionDayOut(Schema):
    id: int
    station_id: int
    station: str
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    place: str
    deputies: list[str]
    status: str
    note: str


class ReceptionCancelIn(Schema):
    reason: str = Field(max_length=500)


class SocialReportIn(Schema):
    title: str = Field(max_length=100)
    text: str = Field(max_length=5000)
    source_label: str = Field("", max_length=200)


class SocialReportOut(Schema):
    id: int
    title: str
    text: str
    source_label: str
    status: str
    author: str
    created_at: dt.datetime


class VoiceFiltersIn(Schema):
    q: str = Field("", max_length=50)
    status: VoiceStatus | None = None
    kind: VoiceKind | None = None
    channel: VoiceChannel | None = None
    unit_id: ObjectId | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    page: int = Field(1, ge=1, le=100_000)


PAGE_SIZE = 25


def _filters_from(filters: VoiceFiltersIn) -> selectors.VoiceFilters:
    return selectors.VoiceFilters(
        query=filters.q,
        status=filters.status or "",
        kind=filters.kind or "",
        channel=filters.channel or "",
        unit=filters.unit_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        overdue=filters.overdue,
    )


# Converters ---------------------------------------------------------------------------------


def _latest_order(voice: Voice) -> WorkOrder | None:
    orders = getattr(voice, "work_orders_latest_first", None)
    if orders is None:
        orders = list(voice.work_orders.select_related("unit").order_by("-id"))
    return orders[0] if orders else None


def _voice_out(voice: Voice) -> dict[str, Any]:
    latest = _latest_order(voice)
    return {
        "id": voice.pk,
        "tracking_code": voice.tracking_code,
        "channel": voice.channel,
        "kind": voice.kind,
        "status": voice.status,
        "status_label": str(voice.get_status_display()),
        "text": voice.text,
        "created_at": voice.created_at,
        "triage_due": voice.triage_due,
        "addressed_to": voice.addressed_to.person.name if voice.addressed_to else None,
        "station": voice.station.name if voice.station else None,
        "jurisdiction": voice.jurisdiction.name,
        "unit": latest.unit.name if latest else None,
        "due": latest.due if latest and latest.is_open else None,
    }


def _replies_out(voice: Voice) -> list[dict[str, Any]]:
    return [
        {
            "source": reply.source,
            "unit": reply.work_order.unit.name if reply.work_order else None,
            "text": reply.text,
            "created_at": reply.created_at,
            "rating": reply.rating,
            "rating_comment": reply.rating_comment,
        }
        for reply in selectors.voice_replies(voice)
    ]


def _timeline_out(voice: Voice, *, public: bool) -> list[dict[str, Any]]:
    return [
        row.__dict__ for row in timeline_rows(selectors.voice_timeline(voice, public=public), public=public)
    ]


def _work_order_out(order: WorkOrder, today: dt.date) -> dict[str, Any]:
    return {
        "id": order.pk,
        "voice_id": order.voice_id,
        "unit_id": order.unit_id,
        "unit": order.unit.name,
        "due": order.due,
        "due_rule": order.due_rule,
        "round": order.round,
        "status": order.status,
        "is_open": order.is_open,
        "overdue": order.is_open and order.due < today,
        "return_by": order.return_by,
        "return_reason": order.return_reason,
        "max_due": order.max_due,
        "extension_requested_to": order.extension_requested_to,
        "extension_request_reason": order.extension_request_reason,
    }


def _detail_out(voice: Voice, user: Any) -> dict[str, Any]:
    contact = user.has_perm("voices.view_contact_voice", voice)
    today = selectors.today()
    return {
        **_voice_out(voice),
        "name": voice.name if contact else "",
        "phone": voice.phone if contact else mask_phone(voice.phone),
        "allowed_actions": selectors.voice_actions(voice, user),
        "timeline": _timeline_out(voice, public=False),
        "replies": _replies_out(voice),
        "work_orders": [_work_order_out(o, today) for o in selectors.voice_work_orders(voice)],
        "merged_into_id": voice.merged_into_id,
        "referral_reason": voice.referral_reason,
        "referral_note": voice.referral_note,
    }


def _visible_voice(request: HttpRequest, voice_id: int) -> Voice:
    voice = selectors.voice_detail(_actor(request), voice_id)
    if voice is None:
        raise NotFoundError()
    return voice


def _track_lookup(request: HttpRequest, data: VoiceTrackIn) -> Voice:
    return services.voice_track(client=client_ip(request), code=data.code, phone=data.phone)


def _day_out(day: ReceptionDay) -> dict[str, Any]:
    return {
        "id": day.pk,
        "station_id": day.station_id,
        "station": day.station.name,
        "date": day.date,
        "start_time": day.start_time,
        "end_time": day.end_time,
        "place": day.place,
        "deputies": [m.person.name for m in day.deputies.all()],
        "status": day.status,
        "note": day.note,
    }


def _report_out(report: SocialReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "title": report.title,
        "text": report.text,
        "source_label": report.source_label,
        "status": report.status,
        "author": str(report.author),
        "created_at": report.created_at,
    }


# Public: residents ----------------------------------------------------------------------------


@router.post(
    "/codes",
    response={200: VoiceCodeOut, **PUBLIC_ERRORS},
    auth=PUBLIC,
    summary="发送手机验证码（提交民声前）",
)
def code_send(request: HttpRequest, data: VoiceCodeIn) -> dict[str, bool]:
    phone_code_send(phone=data.phone, purpose="voice", client_ip=client_ip(request))
    return {"sent": True}


@router.post(
    "/",
    response={201: VoiceCreatedOut, **PUBLIC_ERRORS},
    auth=PUBLIC,
    summary="提交民声（手机号须经验证码验证）",
)
def voice_submit(
    request: HttpRequest,
    data: Form[VoiceIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Status[Voice]:
    services.voice_text_check(data.text, data.name)
    phone = mobile_normalise(data.phone)
    user = request.user
    if not (user.is_authenticated and getattr(user, "phone", None) == phone):
        # Without a valid code the caller has not shown that the phone is theirs: 403, not 400.
        if not data.code:
            raise PermissionDeniedError(_("Enter the verification code sent to your phone."), field="code")
        try:
            phone_code_check(phone=phone, purpose="voice", code=data.code)
        except ValidationFailedError as error:
            raise PermissionDeniedError(error.message, field="code") from error
    services.voice_submission_throttle(client=client_ip(request))
    addressed_to, station = selectors.voice_target_from(data.to)
    if data.to and addressed_to is None and station is None:
        raise NotFoundError(field="to")
    voice = services.voice_create(
        actor=user,
        channel=VoiceChannel.QR if data.via_qr else VoiceChannel.WEB,
        text=data.text,
        phone=phone,
        name=data.name,
        kind=data.kind,
        addressed_to=addressed_to,
        station=station,
        place=station.jurisdiction if station is not None else None,
        files=files or [],
        enterprise_name=data.enterprise_name,
        credit_code=data.credit_code,
    )
    return Status(201, voice)


@router.post(
    "/track",
    response={200: VoiceTrackOut, **PUBLIC_ERRORS},
    auth=PUBLIC,
    summary="凭查询码和手机号查看办理进度",
)
def voice_track(request: HttpRequest, data: VoiceTrackIn) -> dict[str, Any]:
    voice = _track_lookup(request, data)
    return {
        "tracking_code": voice.tracking_code,
        "status": voice.status,
        "status_label": str(voice.get_status_display()),
        "text": voice.text,
        "phone": mask_phone(voice.phone),
        "can_rate": voice.status == VoiceStatus.REPLIED,
        "timeline": _timeline_out(voice, public=True),
        "replies": _replies_out(voice),
    }


@router.post(
    "/track/rate",
    response={200: VoiceCreatedOut, **PUBLIC_ERRORS},
    auth=PUBLIC,
    summary="凭查询码和手机号评价答复",
)
def voice_track_rate(request: HttpRequest, data: VoiceRateIn) -> Voice:
    voice = _track_lookup(request, data)
    return services.voice_rate(
        actor=TrackingActor(voice.pk), voice=voice, rating=data.rating, comment=data.comment
    )


@router.get("/reception-days", response=list[ReceptionDayOut], auth=PUBLIC, summary="已公布的接待日")
def reception_days(request: HttpRequest, station_id: ObjectId | None = None) -> list[dict[str, Any]]:
    station = Body.objects.filter(pk=station_id).first() if station_id else None
    if station_id and station is None:
        raise NotFoundError()
    return [_day_out(day) for day in selectors.reception_days_upcoming(station=station)[:200]]


# Signed in: queues and actions --------------------------------------------------------------


@router.get("/", response=VoicePageOut, summary="民声列表（筛选、全文检索）")
def voice_list(request: HttpRequest, filters: Query[VoiceFiltersIn]) -> dict[str, Any]:
    user = _actor(request)
    if not user.has_perm("voices.list_voice"):
        raise PermissionDeniedError()
    voices = selectors.voices_search(user, _filters_from(filters))
    count = voices.count()
    start = (filters.page - 1) * PAGE_SIZE
    return {
        "count": count,
        "page": filters.page,
        "pages": max(1, -(-count // PAGE_SIZE)),
        "items": [_voice_out(v) for v in voices[start : start + PAGE_SIZE]],
    }


@router.get("/export.xlsx", summary="导出筛选后的民声列表（xlsx）", response={200: None})
def voice_export(request: HttpRequest, filters: Query[VoiceFiltersIn]) -> HttpResponse:
    user = _actor(request)
    if not user.has_perm("voices.export_voice"):
        raise PermissionDeniedError()
    voices = selectors.voices_search(user, _filters_from(filters))
    return voices_xlsx_response(voices[:10000], user=user)


@router.get("/work-orders", response=list[VoiceWorkOrderOut], summary="本单位的交办件（按期限）")
def work_order_list(request: HttpRequest, open_only: bool = True) -> list[dict[str, Any]]:
    user = _actor(request)
    if not user.has_perm("voices.list_workorder"):
        raise PermissionDeniedError()
    today = selectors.today()
    return [
        _work_order_out(o, today) for o in selectors.work_orders_for_handler(user, open_only=open_only)[:500]
    ]


@router.post("/staff-entry", response={201: VoiceCreatedOut}, summary="接待日代为录入民声")
def voice_staff_entry(request: HttpRequest, data: VoiceStaffEntryIn) -> Status[Voice]:
    user = _actor(request)
    day = None
    if data.reception_day_id is not None:
        day = selectors.reception_day_of(data.reception_day_id)
        if day is None:
            raise ValidationFailedError(field="reception_day_id")
    seat = None
    if data.addressed_to_id is not None:
        seat = Membership.objects.filter(
            pk=data.addressed_to_id, role__in=(Role.DEPUTY, Role.CPPCC_MEMBER)
        ).first()
    if data.addressed_to_id is not None and seat is None:
        raise ValidationFailedError(field="addressed_to_id")
    station = Body.objects.filter(pk=data.station_id).first() if data.station_id else None
    voice = services.voice_create(
        actor=user,
        channel=VoiceChannel.RECEPTION,
        text=data.text,
        phone=data.phone,
        name=data.name,
        kind=data.kind,
        addressed_to=seat,
        station=station,
        reception_day=day,
    )
    return Status(201, voice)


def _day_fields(data: ReceptionDayChangeIn, station: Body, keep: list[int] | None = None) -> dict[str, Any]:
    """The request's day as the services take it, with the receiving deputies looked up among those
    the web form offers (in office, elected for the station's place, or already receiving)."""
    ids = data.deputy_ids
    offered = selectors.receiving_deputies_for(Body.objects.filter(pk=station.pk), keep=keep)
    deputies = list(offered.filter(pk__in=ids))
    if len(deputies) != len(set(ids)):
        raise ValidationFailedError(field="deputy_ids")
    fields = data.dict(include={"date", "start_time", "end_time", "place", "note"})
    return {**fields, "deputies": deputies}


@router.post("/reception-days", response={201: ReceptionDayOut}, summary="公布接待日")
def reception_day_create(request: HttpRequest, data: ReceptionDayIn) -> Status[dict[str, Any]]:
    user = _actor(request)
    station = Body.objects.filter(pk=data.station_id).select_related("jurisdiction").first()
    if station is None:
        raise ValidationFailedError(field="station_id")
    day = services.reception_day_publish(actor=user, station=station, **_day_fields(data, station))
    return Status(201, _day_out(day))


@router.put("/reception-days/{day_id}", response=ReceptionDayOut, summary="变更接待日")
def reception_day_change(
    request: HttpRequest, day_id: ObjectId, data: ReceptionDayChangeIn
) -> dict[str, Any]:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise NotFoundError()
    fields = _day_fields(data, day.station, keep=list(day.deputies.values_list("pk", flat=True)))
    return _day_out(services.reception_day_update(actor=_actor(request), day=day, **fields))


@router.post("/reception-days/{day_id}/cancel", response=ReceptionDayOut, summary="取消接待日")
def reception_day_cancel(request: HttpRequest, day_id: ObjectId, data: ReceptionCancelIn) -> dict[str, Any]:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise NotFoundError()
    return _day_out(services.reception_day_cancel(actor=_actor(request), day=day, reason=data.reason))


class ReceptionHoldIn(Schema):
    expected_state: str | None = Field(None, max_length=32)


@router.post("/reception-days/{day_id}/hold", response=ReceptionDayOut, summary="记录接待日已举行")
def reception_day_hold(request: HttpRequest, day_id: ObjectId, data: ReceptionHoldIn) -> dict[str, Any]:
    day = selectors.reception_day_of(day_id)
    if day is None:
        raise NotFoundError()
    held = services.reception_day_hold(actor=_actor(request), day=day, expected_state=data.expected_state)
    return _day_out(held)


@router.get("/social-reports", response=list[SocialReportOut], summary="社情民意信息")
def social_report_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_report_out(r) for r in selectors.social_reports_visible_to(_actor(request))[:200]]


@router.post("/social-reports", response={201: SocialReportOut}, summary="报送社情民意信息")
def social_report_create(request: HttpRequest, data: SocialReportIn) -> Status[dict[str, Any]]:
    report = services.social_report_create(
        actor=_actor(request), title=data.title, text=data.text, source_label=data.source_label
    )
    return Status(201, _report_out(report))


def _visible_report(request: HttpRequest, report_id: ObjectId) -> SocialReport:
    report = selectors.social_reports_visible_to(_actor(request)).filter(pk=report_id).first()
    if report is None:
        raise NotFoundError()
    return report


@router.post("/social-reports/{report_id}/adopt", response=SocialReportOut, summary="采用社情民意信息")
def social_report_adopt(request: HttpRequest, report_id: ObjectId) -> dict[str, Any]:
    report = services.social_report_adopt(actor=_actor(request), report=_visible_report(request, report_id))
    return _report_out(report)


@router.post("/social-reports/{report_id}/archive", response=SocialReportOut, summary="存档社情民意信息")
def social_report_archive(request: HttpRequest, report_id: ObjectId) -> dict[str, Any]:
    report = services.social_report_archive(actor=_actor(request), report=_visible_report(request, report_id))
    return _report_out(report)


# Operations on one voice: declared last, so that the fixed paths above are matched first.


@router.get("/{voice_id}", response=VoiceDetailOut, summary="民声详情与时间线")
def voice_get(request: HttpRequest, voice_id: ObjectId) -> dict[str, Any]:
    voice = _visible_voice(request, voice_id)
    return _detail_out(voice, _actor(request))


@router.post("/{voice_id}/answer", response=VoiceDetailOut, summary="直接答复")
def voice_answer(request: HttpRequest, voice_id: ObjectId, data: VoiceTextIn) -> dict[str, Any]:
    user = _actor(request)
    voice = services.voice_answer(
        actor=user,
        voice=_visible_voice(request, voice_id),
        text=data.text,
        expected_state=data.expected_state,
    )
    return _detail_out(voice, user)


@router.post("/{voice_id}/forward", response=VoiceDetailOut, summary="交办承办单位")
def voice_forward(request: HttpRequest, voice_id: ObjectId, data: VoiceForwardIn) -> dict[str, Any]:
    user = _actor(request)
    voice = _visible_voice(request, voice_id)
    unit = selectors.units_for_forwarding(voice).filter(pk=data.unit_id).first()
    if unit is None:
        raise ValidationFailedError(field="unit_id")
    voice = services.voice_forward(
        actor=user,
        voice=voice,
        unit=unit,
        reply_rule=data.reply_rule,
        instructions=data.instructions,
        expected_state=data.expected_state,
    )
    return _detail_out(voice, user)


@router.post("/{voice_id}/refer", response=VoiceDetailOut, summary="引导至其他途径（不予受理）")
def voice_refer(request: HttpRequest, voice_id: ObjectId, data: VoiceReferIn) -> dict[str, Any]:
    user = _actor(request)
    voice = services.voice_refer(
        actor=user,
        voice=_visible_voice(request, voice_id),
        reason=data.reason,
        note=data.note,
        expected_state=data.expected_state,
    )
    return _detail_out(voice, user)


@router.post("/{voice_id}/merge", response=VoiceDetailOut, summary="合并重复民声")
def voice_merge(request: HttpRequest, voice_id: ObjectId, data: VoiceMergeIn) -> dict[str, Any]:
    user = _actor(request)
    into = selectors.voice_detail(user, data.into_id)
    if into is None:
        raise ValidationFailedError(field="into_id")
    voice = services.voice_merge(
        actor=user, voice=_visible_voice(request, voice_id), into=into, expected_state=data.expected_state
    )
    return _detail_out(voice, user)


@router.post("/{voice_id}/reply", response=VoiceDetailOut, summary="承办单位答复")
def voice_reply(request: HttpRequest, voice_id: ObjectId, data: VoiceTextIn) -> dict[str, Any]:
    user = _actor(request)
    voice = services.voice_reply(
        actor=user,
        voice=_visible_voice(request, voice_id),
        text=data.text,
        expected_state=data.expected_state,
    )
    return _detail_out(voice, user)


class VoiceRemindIn(Schema):
    note: str = Field("", max_length=500)


@router.post("/{voice_id}/remind", response=VoiceDetailOut, summary="催办承办单位")
def voice_remind(request: HttpRequest, voice_id: ObjectId, data: VoiceRemindIn) -> dict[str, Any]:
    user = _actor(request)
    voice = _visible_voice(request, voice_id)
    services.work_order_remind(actor=user, voice=voice, note=data.note)
    return _detail_out(voice, user)


class WorkOrderReasonIn(VoiceActionIn):
    reason: str = Field(min_length=1, max_length=500)


class WorkOrderUntilIn(WorkOrderReasonIn):
    until: dt.date


class WorkOrderGrantIn(WorkOrderReasonIn):
    until: dt.date | None = None


@router.post("/{voice_id}/return", response=VoiceDetailOut, summary="承办单位退回（非本单位职责）")
def work_order_return(request: HttpRequest, voice_id: ObjectId, data: WorkOrderReasonIn) -> dict[str, Any]:
    user = _actor(request)
    voice = services.work_order_return(
        actor=user,
        voice=_visible_voice(request, voice_id),
        reason=data.reason,
        expected_state=data.expected_state,
    )
    return _detail_out(voice, user)


@router.post("/{voice_id}/request-extension", response=VoiceDetailOut, summary="承办单位申请延期")
def work_order_extension_request(
    request: HttpRequest, voice_id: ObjectId, data: WorkOrderUntilIn
) -> dict[str, Any]:
    user = _actor(request)
    voice = _visible_voice(request, voice_id)
    services.work_order_extension_request(actor=user, voice=voice, until=data.until, reason=data.reason)
    return _detail_out(_visible_voice(request, voice_id), user)  # read again: its work order changed


@router.post("/{voice_id}/extend", response=VoiceDetailOut, summary="同意延期")
def work_order_extend(request: HttpRequest, voice_id: ObjectId, data: WorkOrderGrantIn) -> dict[str, Any]:
    user = _actor(request)
    voice = _visible_voice(request, voice_id)
    services.work_order_extend(actor=user, voice=voice, until=data.until, reason=data.reason)
    return _detail_out(_visible_voice(request, voice_id), user)  # read again: its work order changed


@router.post("/{voice_id}/refuse-extension", response=VoiceDetailOut, summary="不同意延期")
def work_order_extension_refuse(
    request: HttpRequest, voice_id: ObjectId, data: WorkOrderReasonIn
) -> dict[str, Any]:
    user = _actor(request)
    voice = _visible_voice(request, voice_id)
    services.work_order_extension_refuse(actor=user, voice=voice, reason=data.reason)
    return _detail_out(_visible_voice(request, voice_id), user)  # read again: its work order changed
