"""The org app's JSON API: the public directory (places, bodies, units, stations, representatives)
and the signed-in user's own account.

Schemas list their fields explicitly: private data (a person's or a user's phone) has no field here,
so it cannot leak whatever object a view returns. Reads go through ``selectors``, whose
select_related/prefetch keep the query count independent of the number of rows.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from minsheng.apiauth import PUBLIC
from minsheng.core.apitypes import ObjectId
from minsheng.core.errors import NotFoundError
from minsheng.org.models import Body, BodyKind, Jurisdiction, Membership, Person, Role, Unit, UnitKind
from minsheng.org.selectors import (
    MAX_QUERY_LENGTH,
    DirectoryKind,
    bodies_all,
    deputies_for_place,
    directory_search,
    jurisdictions_all,
    place_find,
    profile_public,
    public_places_for,
    roles_of,
    stations_all,
    units_all,
)

router = Router(tags=["org"])

# ---------------------------------------------------------------------------------------------------
# Input types. The custom error types ("blank", "control_characters") are turned into sentences by the
# validation handler in minsheng/api.py; the JSON-schema pattern tells clients and fuzzers the same rule.
# ---------------------------------------------------------------------------------------------------

PLACE_NAME_MAX_LENGTH = 50
MAX_PAGE = 100_000
_NO_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode category Cc
NOT_BLANK_NO_CONTROL_PATTERN = rf"^[^{_NO_CONTROL}]*[^\s{_NO_CONTROL}][^{_NO_CONTROL}]*$"
NO_CONTROL_PATTERN = rf"^[^{_NO_CONTROL}]*$"


def _without_control_characters(text: str) -> str:
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return text.strip()


def _not_blank(text: str) -> str:
    if not text:
        raise PydanticCustomError("blank", "must not be empty")
    return text


PlaceName = Annotated[
    str,
    Field(max_length=PLACE_NAME_MAX_LENGTH, json_schema_extra={"pattern": NOT_BLANK_NO_CONTROL_PATTERN}),
    AfterValidator(_without_control_characters),
    AfterValidator(_not_blank),
]
SearchText = Annotated[
    str,
    Field(max_length=MAX_QUERY_LENGTH, json_schema_extra={"pattern": NO_CONTROL_PATTERN}),
    AfterValidator(_without_control_characters),
]
PLACE_DESCRIPTION = "乡镇或街道名，如“湖塘镇”（唯一的前缀亦可，如“湖塘”）"


# ---------------------------------------------------------------------------------------------------
# Output schemas
# ---------------------------------------------------------------------------------------------------


class JurisdictionOut(Schema):
    id: int
    name: str
    code: str
    level: str
    level_label: str
    parent_id: int | None

    @staticmethod
    def resolve_level_label(obj: Jurisdiction) -> str:
        return str(obj.get_level_display())


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    jurisdiction_id: int
    jurisdiction_name: str
    parent_id: int | None
    address: str

    @staticmethod
    def resolve_kind_label(obj: Body) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_jurisdiction_name(obj: Body) -> str:
        return obj.jurisdiction.name


class StationOut(BodyOut):
    """A place where the public meets deputies or members. ``office_phone`` is a public office number."""

    office_phone: str
    reception_schedule: str
    description: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    jurisdiction_id: int
    jurisdiction_name: str

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_jurisdiction_name(obj: Unit) -> str:
        return obj.jurisdiction.name


class SeatOut(Schema):
    """A representative seat: a deputy in the congress or a member of the CPPCC committee."""

    person_id: int
    name: str
    gender: str
    party: str
    occupation: str
    role: str
    role_label: str
    body: str
    term: int | None
    constituency: str | None
    sector: str | None

    @staticmethod
    def resolve_name(obj: Membership) -> str:
        return obj.person.name

    @staticmethod
    def resolve_gender(obj: Membership) -> str:
        return obj.person.gender

    @staticmethod
    def resolve_party(obj: Membership) -> str:
        return obj.person.party

    @staticmethod
    def resolve_occupation(obj: Membership) -> str:
        return obj.person.occupation

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_body(obj: Membership) -> str:
        return obj.body.name if obj.body else ""

    @staticmethod
    def resolve_term(obj: Membership) -> int | None:
        return obj.term.number if obj.term else None

    @staticmethod
    def resolve_constituency(obj: Membership) -> str | None:
        return obj.constituency.name if obj.constituency else None

    @staticmethod
    def resolve_sector(obj: Membership) -> str | None:
        return obj.sector.name if obj.sector else None


class DutyOut(Schema):
    """Another public duty of a representative: a leadership post, a committee, a studio."""

    role: str
    role_label: str
    title: str
    organisation: str

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_organisation(obj: Membership) -> str:
        place = obj.body or obj.unit
        return place.name if place else ""


class ProfileOut(Schema):
    id: int
    name: str
    gender: str
    birth_year: int | None
    ethnicity: str
    party: str
    occupation: str
    bio: str
    seats: list[SeatOut]
    duties: list[DutyOut]


class DirectoryPageOut(Schema):
    total: int
    page: int
    page_size: int
    items: list[SeatOut]


class DeputiesForPlaceOut(Schema):
    place: JurisdictionOut
    count: int
    deputies: list[SeatOut]


class RoleOut(Schema):
    code: str
    label: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[RoleOut]


# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def _place_or_404(name: str) -> Jurisdiction:
    place = place_find(name)
    if place is None:
        raise NotFoundError(
            _("No township or street is named “%(place)s”."), field="place", params={"place": name}
        )
    return place


def _directory_page_size() -> int:
    size = settings.MINSHENG.get("DIRECTORY_PAGE_SIZE", 20)
    assert isinstance(size, int)
    return size


def _role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


# ---------------------------------------------------------------------------------------------------
# Public reads
# ---------------------------------------------------------------------------------------------------


@router.get("/jurisdictions", response=list[JurisdictionOut], auth=PUBLIC, summary="行政区划树")
def jurisdictions(request: HttpRequest) -> Any:
    return jurisdictions_all()


@router.get("/bodies", response=list[BodyOut], auth=PUBLIC, summary="人大、政协及其机构")
def bodies(request: HttpRequest, kind: BodyKind | None = None) -> Any:
    found = bodies_all()
    return found.filter(kind=kind) if kind else found


@router.get("/units", response=list[UnitOut], auth=PUBLIC, summary="承办单位")
def units(request: HttpRequest, kind: UnitKind | None = None) -> Any:
    found = units_all()
    return found.filter(kind=kind) if kind else found


@router.get(
    "/stations",
    response=list[StationOut],
    auth=PUBLIC,
    summary="代表之家、联络站、委员工作室、协商议事室、基层立法联系点",
)
def stations(
    request: HttpRequest, place: PlaceName | None = Query(None, description=PLACE_DESCRIPTION)
) -> Any:
    if place is None:
        return stations_all()
    return public_places_for(_place_or_404(place))


@router.get("/people/{id}", response=ProfileOut, auth=PUBLIC, summary="代表、委员的公开信息")
def person_profile(request: HttpRequest, id: ObjectId) -> Any:
    profile = profile_public(id)
    if profile is None:
        raise NotFoundError(_("No deputy or member has the id %(id)s."), field="id", params={"id": id})
    return _profile_out(profile.person, profile.seats, profile.duties)


def _profile_out(person: Person, seats: list[Membership], duties: list[Membership]) -> dict[str, Any]:
    public_fields = ("id", "name", "gender", "birth_year", "ethnicity", "party", "occupation", "bio")
    return {**{field: getattr(person, field) for field in public_fields}, "seats": seats, "duties": duties}


@router.get("/directory", response=DirectoryPageOut, auth=PUBLIC, summary="代表、委员名录")
def directory(
    request: HttpRequest,
    q: SearchText = Query("", description="姓名、拼音或首字母、选区、界别"),
    kind: Literal["deputies", "members"] | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Any:
    seats = directory_search(q, kind or DirectoryKind.ALL)
    size = _directory_page_size()
    start = (page - 1) * size
    return {
        "total": seats.count(),
        "page": page,
        "page_size": size,
        "items": list(seats[start : start + size]),
    }


@router.get("/deputies", response=DeputiesForPlaceOut, auth=PUBLIC, summary="按乡镇或街道查找人大代表")
def deputies(request: HttpRequest, place: PlaceName = Query(..., description=PLACE_DESCRIPTION)) -> Any:
    town = _place_or_404(place)
    seats = list(deputies_for_place(town))
    return {"place": town, "count": len(seats), "deputies": seats}


# ---------------------------------------------------------------------------------------------------
# Signed-in
# ---------------------------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="当前登录用户")
def me(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    person = user.person
    roles = sorted(roles_of(person))
    return {
        "username": user.username,
        "name": user.get_full_name() or (person.name if person else user.username),
        "roles": [{"code": code, "label": _role_label(code)} for code in roles],
    }
