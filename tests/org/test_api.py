"""The org JSON API over the 武进区 demo data (seeded once, see conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.middleware.csrf import get_token
from django.test import Client

from minsheng.core.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.models import Event
from minsheng.org.models import ApiToken, Membership, Person, Role, User
from minsheng.org.services import api_key_hash, api_token_create, api_token_mark_used, api_token_revoke

pytestmark = pytest.mark.django_db

PUBLIC_LIST_URLS = ["/api/jurisdictions", "/api/bodies", "/api/units", "/api/stations"]


def get(client: Client, url: str, *, language: str = "en", **headers: Any) -> Any:
    return client.get(url, headers={"Accept-Language": language, **headers})


def hutang_deputy_ids() -> set[int]:
    """The deputies whose constituency covers 湖塘镇, read straight from the memberships."""
    seats = Membership.objects.filter(role=Role.DEPUTY, constituency__places__name="湖塘镇")
    return set(seats.values_list("person_id", flat=True))


# --- documentation ----------------------------------------------------------------------------------


def test_openapi_document_is_served(client: Client) -> None:
    response = get(client, "/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "民声 Minsheng API"
    expected = {
        "/api/jurisdictions", "/api/bodies", "/api/units", "/api/stations", "/api/people/{id}",
        "/api/directory", "/api/deputies", "/api/me",
    }  # fmt: skip
    assert expected <= set(document["paths"])
    assert document["paths"]["/api/deputies"]["get"]["responses"]["404"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Error"}
    # Public: anonymous allowed (the empty requirement), and a token or session is still read.
    assert {} in document["paths"]["/api/deputies"]["get"]["security"]
    assert {} not in document["paths"]["/api/me"]["get"]["security"]
    assert "Anonymous" not in document["components"]["securitySchemes"]


def test_docs_page_loads_nothing_from_the_internet(client: Client) -> None:
    response = get(client, "/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), (
        "an asset comes from another host"
    )
    assert "validator.swagger.io" not in html
    assets = re.findall(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        # Served by the site itself: staticfiles can find each file (so collectstatic ships it).
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"


# --- find my deputy ---------------------------------------------------------------------------------


def test_deputies_for_a_place_are_the_constituency_members(client: Client) -> None:
    response = get(client, "/api/deputies?place=湖塘镇")
    assert response.status_code == 200
    body = response.json()
    assert body["place"]["name"] == "湖塘镇"
    returned = {deputy["person_id"] for deputy in body["deputies"]}
    assert returned == hutang_deputy_ids()
    assert body["count"] == len(returned) > 0
    assert {deputy["constituency"].split("第")[0] for deputy in body["deputies"]} == {"湖塘镇"}


def test_a_deputy_of_another_township_is_not_listed(client: Client) -> None:
    niutang = Membership.objects.filter(role=Role.DEPUTY, constituency__places__name="牛塘镇").first()
    assert niutang is not None
    returned = {d["person_id"] for d in get(client, "/api/deputies?place=湖塘镇").json()["deputies"]}
    assert niutang.person_id not in returned


def test_a_unique_prefix_finds_the_place(client: Client) -> None:
    body = get(client, "/api/deputies?place=湖塘").json()
    assert body["place"]["name"] == "湖塘镇"
    assert {d["person_id"] for d in body["deputies"]} == hutang_deputy_ids()


def test_stations_of_a_place_with_their_reception_days(client: Client) -> None:
    stations = get(client, "/api/stations?place=湖塘镇").json()
    assert {s["jurisdiction_name"] for s in stations} == {"湖塘镇"}
    home = next(s for s in stations if s["kind"] == "deputies_home")
    assert home["name"] == "湖塘镇人大代表之家"
    assert home["reception_schedule"] and home["address"]
    every_station = get(client, "/api/stations").json()
    assert "legislative_contact_point" in {s["kind"] for s in every_station}


def test_kind_filters_bodies_and_units(client: Client) -> None:
    homes = get(client, "/api/bodies?kind=deputies_home").json()
    assert len(homes) == 16 and {b["kind"] for b in homes} == {"deputies_home"}
    courts = get(client, "/api/units?kind=court").json()
    assert [u["name"] for u in courts] == ["区人民法院"]


def test_jurisdictions_form_a_tree(client: Client) -> None:
    places = {p["name"]: p for p in get(client, "/api/jurisdictions").json()}
    assert places["湖塘镇"]["parent_id"] == places["武进区"]["id"]
    assert places["武进区"]["parent_id"] == places["常州市"]["id"]
    assert places["江苏省"]["parent_id"] is None


def test_public_profile_of_a_deputy(client: Client) -> None:
    seat = Membership.objects.filter(role=Role.DEPUTY, constituency__places__name="湖塘镇").first()
    assert seat is not None and seat.constituency is not None
    profile = get(client, f"/api/people/{seat.person_id}").json()
    assert profile["name"] == seat.person.name
    assert [s["constituency"] for s in profile["seats"]] == [seat.constituency.name]


def test_people_without_a_representative_seat_have_no_profile(client: Client) -> None:
    staff = User.objects.get(username="handler").person
    assert staff is not None
    response = get(client, f"/api/people/{staff.pk}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No deputy or member has the id {staff.pk}.",
        "code": "not_found",
        "field": "id",
    }


def test_directory_pages_and_filters(client: Client) -> None:
    first = get(client, "/api/directory?kind=deputies").json()
    assert first["total"] == 415 and first["page_size"] == 20 and len(first["items"]) == 20
    last = get(client, "/api/directory?kind=deputies&page=21").json()
    assert len(last["items"]) == 415 - 20 * 20
    found = get(client, "/api/directory?q=湖塘镇").json()
    assert found["total"] == len(hutang_deputy_ids())


# --- errors -----------------------------------------------------------------------------------------

UNKNOWN_PLACE_EN = "No township or street is named “火星镇”."
UNKNOWN_PLACE_ZH = "找不到名为“火星镇”的乡镇或街道。"

BAD_PLACE_IDS = ["missing", "empty", "blank", "too-long", "nul", "newline"]
BAD_PLACES: list[tuple[str, str, str]] = [
    # query string, English message, Chinese message
    ("", "The field “place” is required.", "缺少必填参数“place”。"),
    ("?place=", "The field “place” must not be empty.", "参数“place”不能为空。"),
    ("?place=%20%20", "The field “place” must not be empty.", "参数“place”不能为空。"),
    (
        "?place=" + "镇" * 51,
        "The field “place” must be at most 50 characters long.",
        "参数“place”不能超过 50 个字符。",
    ),
    (
        "?place=%E6%B9%96%00",
        "The field “place” must not contain control characters.",
        "参数“place”不能包含控制字符。",
    ),
    (
        "?place=%0A%E6%B9%96",
        "The field “place” must not contain control characters.",
        "参数“place”不能包含控制字符。",
    ),
]


def test_unknown_place_is_404_with_a_clear_message(client: Client) -> None:
    response = get(client, "/api/deputies?place=火星镇")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": UNKNOWN_PLACE_EN, "code": "not_found", "field": "place"}


@pytest.mark.parametrize(("query", "english", "_chinese"), BAD_PLACES, ids=BAD_PLACE_IDS)
def test_malformed_place_is_400_with_a_clear_message(
    client: Client, query: str, english: str, _chinese: str
) -> None:
    response = get(client, f"/api/deputies{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": english, "code": "validation_failed", "field": "place"}


def test_unknown_place_message_in_chinese(client: Client) -> None:
    response = get(client, "/api/deputies?place=火星镇", language="zh-hans")
    assert response.json()["detail"] == UNKNOWN_PLACE_ZH


@pytest.mark.parametrize(("query", "_english", "chinese"), BAD_PLACES, ids=BAD_PLACE_IDS)
def test_malformed_place_message_in_chinese(client: Client, query: str, _english: str, chinese: str) -> None:
    response = get(client, f"/api/deputies{query}", language="zh-hans")
    assert response.status_code == 400
    assert response.json()["detail"] == chinese


def test_validation_errors_are_400_not_422(client: Client) -> None:
    response = get(client, "/api/directory?page=abc")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The field “page” must be a whole number.",
        "code": "validation_failed",
        "field": "page",
    }
    unknown_kind = get(client, "/api/bodies?kind=parliament")
    assert unknown_kind.status_code == 400
    assert unknown_kind.json()["field"] == "kind"


# --- privacy ----------------------------------------------------------------------------------------


def private_numbers() -> set[str]:
    phones = set(Person.objects.exclude(phone="").values_list("phone", flat=True))
    phones |= {phone for phone in User.objects.values_list("phone", flat=True) if phone}
    assert len(phones) > 700  # the seeded people do have phone numbers to leak
    return phones


def test_no_public_response_contains_a_private_phone_number(client: Client) -> None:
    phones = private_numbers()
    urls = [*PUBLIC_LIST_URLS, "/api/deputies?place=湖塘镇", "/api/stations?place=湖塘镇"]
    urls += [f"/api/directory?page={page}" for page in range(1, 40)]
    people = Membership.objects.filter(role__in=[Role.DEPUTY, Role.CPPCC_MEMBER]).values_list(
        "person_id", flat=True
    )
    urls += [f"/api/people/{person_id}" for person_id in sorted(set(people))[::7]]
    for url in urls:
        response = get(client, url)
        assert response.status_code == 200, url
        text = response.content.decode()
        leaked = {phone for phone in phones if phone in text}
        assert not leaked, f"{url} shows private numbers {sorted(leaked)[:3]}"
        assert '"phone"' not in text, url


# --- authentication ---------------------------------------------------------------------------------


@pytest.fixture
def deputy_user() -> User:
    return User.objects.get(username="deputy")


def test_a_bearer_token_authenticates(client: Client, deputy_user: User) -> None:
    _token, key = api_token_create(actor=deputy_user, user=deputy_user, name="laptop")
    response = get(client, "/api/me", Authorization=f"Bearer {key}")
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "deputy"
    assert me["name"] == deputy_user.person.name  # type: ignore[union-attr]
    assert {"code": "deputy", "label": "deputy"} in me["roles"]


def test_the_session_authenticates(client: Client, deputy_user: User) -> None:
    client.force_login(deputy_user)
    assert get(client, "/api/me").json()["username"] == "deputy"


def test_no_credentials_is_401_json(client: Client) -> None:
    response = get(client, "/api/me")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Sign in, or send a valid API token, to use this endpoint.",
        "code": "not_authenticated",
        "field": None,
    }


@pytest.mark.parametrize("header", ["Bearer not-a-key", "Bearer ", "bearer ms_0000"])
def test_a_bad_token_is_401_json(client: Client, header: str) -> None:
    response = get(client, "/api/me", Authorization=header)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_bad_token_does_not_fall_back_to_the_session(client: Client, deputy_user: User) -> None:
    client.force_login(deputy_user)
    assert get(client, "/api/me", Authorization="Bearer wrong").status_code == 401


def test_a_revoked_token_stops_working(client: Client, deputy_user: User) -> None:
    token, key = api_token_create(actor=deputy_user, user=deputy_user, name="old phone")
    token_id = token.pk
    api_token_revoke(actor=deputy_user, token=token)
    assert get(client, "/api/me", Authorization=f"Bearer {key}").status_code == 401
    assert not ApiToken.objects.filter(pk=token_id).exists()
    assert Event.objects.filter(verb="api_token_revoked", target_id=str(token_id)).exists()


def test_a_token_of_an_inactive_user_is_refused(client: Client, deputy_user: User) -> None:
    _token, key = api_token_create(actor=None, user=deputy_user, name="script")
    User.objects.filter(pk=deputy_user.pk).update(is_active=False)
    assert get(client, "/api/me", Authorization=f"Bearer {key}").status_code == 401


def test_only_the_hash_is_stored_and_an_event_is_recorded(deputy_user: User) -> None:
    token, key = api_token_create(actor=deputy_user, user=deputy_user, name="  laptop  ")
    token.refresh_from_db()
    assert token.key_hash == api_key_hash(key) and key not in token.key_hash
    assert token.name == "laptop"
    event = Event.objects.get(verb="api_token_created", target_id=str(token.pk))
    assert event.actor_id == deputy_user.pk
    assert event.payload == {"name": "laptop"}


def test_nobody_else_may_make_a_token_for_you(deputy_user: User) -> None:
    member = User.objects.get(username="member")
    with pytest.raises(PermissionDeniedError):
        api_token_create(actor=member, user=deputy_user, name="stolen")
    assert not ApiToken.objects.filter(user=deputy_user).exists()
    admin = User.objects.get(username="admin")
    api_token_create(actor=admin, user=deputy_user, name="issued by admin")


def test_last_used_is_stamped_at_most_once_a_minute(client: Client, deputy_user: User) -> None:
    token, key = api_token_create(actor=None, user=deputy_user, name="sync")
    assert token.last_used_at is None
    get(client, "/api/me", Authorization=f"Bearer {key}")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    get(client, "/api/me", Authorization=f"Bearer {key}")
    token.refresh_from_db()
    assert token.last_used_at == first_use
    assert not api_token_mark_used(token=token, now=first_use + dt.timedelta(seconds=59))
    assert api_token_mark_used(token=token, now=first_use + dt.timedelta(seconds=61))


def test_the_api_token_command_prints_the_key_once(client: Client) -> None:
    out, err = StringIO(), StringIO()
    call_command("api_token", "create", "station", "kiosk", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert key.startswith("ms_") and key not in err.getvalue()
    assert get(client, "/api/me", Authorization=f"Bearer {key}").json()["username"] == "station"
    token = ApiToken.objects.get(key_hash=api_key_hash(key))
    call_command("api_token", "revoke", str(token.pk), stdout=StringIO(), stderr=StringIO())
    assert get(client, "/api/me", Authorization=f"Bearer {key}").status_code == 401


# --- query counts -----------------------------------------------------------------------------------

QUERY_BUDGET = 3  # rows + total, or place lookup (exact, then prefix) + rows: never one per row


@pytest.mark.parametrize(
    "url",
    [
        "/api/directory?q=湖塘镇第1选区",  # a handful of rows
        "/api/directory",  # a full page
        "/api/directory?kind=members&page=18",  # the last, partial page
        "/api/directory?q=zh",  # a search over names and pinyin
    ],
)
def test_directory_query_count_does_not_grow_with_rows(
    client: Client, django_assert_max_num_queries: Any, url: str
) -> None:
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = get(client, url)
    assert response.status_code == 200 and response.json()["items"]


@pytest.mark.parametrize("place", ["戚墅堰街道", "湖塘镇"])  # the fewest and the most deputies
def test_deputies_query_count_does_not_grow_with_rows(
    client: Client, django_assert_max_num_queries: Any, place: str
) -> None:
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = get(client, f"/api/deputies?place={place}")
    assert response.json()["count"] > 0


def test_profile_and_lists_query_counts(client: Client, django_assert_max_num_queries: Any) -> None:
    person_id = Membership.objects.filter(role=Role.CPPCC_CHAIR).values_list("person_id", flat=True).get()
    for url in [*PUBLIC_LIST_URLS, f"/api/people/{person_id}"]:
        with django_assert_max_num_queries(QUERY_BUDGET):
            assert get(client, url).status_code == 200


def test_every_error_body_is_json(client: Client) -> None:
    for url, status in [("/api/deputies?place=火星镇", 404), ("/api/deputies", 400), ("/api/me", 401)]:
        response = get(client, url)
        assert response.status_code == status
        body = json.loads(response.content)
        assert set(body) == {"detail", "code", "field"} and body["detail"] and body["code"]


def test_errors_raised_by_services_keep_their_status_and_code(rf: Any) -> None:
    from minsheng.api import api

    request = rf.get("/api/anything")
    cases = [
        (ConflictError(), 409, "conflict"),
        (InvalidTransitionError(action="submit", state="archived"), 409, "invalid_transition"),
        (ValidationFailedError(field="title"), 400, "validation_failed"),
        (PermissionDeniedError(), 403, "permission_denied"),
        (NotFoundError(), 404, "not_found"),
        (RuntimeError("boom"), 500, "server_error"),
    ]
    for error, status, code in cases:
        response = api.on_exception(request, error)
        assert (response.status_code, json.loads(response.content)["code"]) == (status, code)
    assert (
        json.loads(api.on_exception(request, ValidationFailedError(field="title")).content)["field"]
        == "title"
    )


def test_a_signed_in_session_must_send_the_csrf_token_on_writes(rf: Any, deputy_user: User) -> None:
    from minsheng.apiauth import CsrfFailedError, SessionCsrfAuth

    auth = SessionCsrfAuth()
    request = rf.post("/api/anything")
    request.user = deputy_user
    with pytest.raises(CsrfFailedError):
        auth(request)
    safe = rf.get("/api/anything")
    safe.user = deputy_user
    assert auth(safe) == deputy_user
    token = get_token(safe)  # what the page gives the browser; the secret goes in the cookie
    with_token = rf.post("/api/anything", headers={"X-CSRFToken": token})
    with_token.COOKIES[settings.CSRF_COOKIE_NAME] = safe.META["CSRF_COOKIE"]
    with_token.user = deputy_user
    assert auth(with_token) == deputy_user
