"""Public pages, sign-in and role homes, on the demo data."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from minsheng.core import messaging
from minsheng.org.demo import DEMO_PASSWORD
from minsheng.org.models import Jurisdiction, Membership, Person, Role, User

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def hutang() -> Jurisdiction:
    return Jurisdiction.objects.get(name="湖塘镇")


def test_home_is_simplified_chinese_by_default(client: Client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-CN"' in html
    assert "找我的代表" in html
    assert "湖塘镇" in html and "南夏墅街道" in html


def test_home_loads_nothing_from_the_internet(client: Client):
    html = client.get("/").content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_choosing_a_street_lists_its_deputies_and_stations(client: Client):
    place = hutang()
    response = client.get("/find/", {"place": place.pk}, **ZH)
    html = response.content.decode()
    deputies = Membership.objects.filter(role=Role.DEPUTY, constituency__places=place).select_related(
        "person"
    )
    assert deputies.count() > 10
    for seat in deputies:
        assert seat.person.name in html
    other_town_deputy = Membership.objects.filter(
        role=Role.DEPUTY, constituency__places__name="雪堰镇"
    ).first()
    assert other_town_deputy is not None and f"/people/{other_town_deputy.person_id}/" not in html
    assert "湖塘镇人大代表之家" in html and "每月第一个星期" in html
    assert "湖塘镇政协委员工作室" in html


def test_unknown_place_gets_a_clear_message(client: Client):
    response = client.get("/", {"place": "火星镇"}, **ZH)
    assert response.status_code == 404
    assert "找不到名为“火星镇”的乡镇或街道" in response.content.decode()


def test_hostile_place_text_is_escaped(client: Client):
    response = client.get("/", {"place": "<script>alert(1)</script>"}, **ZH)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_profile_shows_public_data_and_no_phone(client: Client):
    seat = Membership.objects.filter(role=Role.DEPUTY).select_related("person", "constituency").first()
    assert seat is not None
    html = client.get(f"/people/{seat.person_id}/", **ZH).content.decode()
    assert seat.person.name in html
    assert seat.constituency is not None and seat.constituency.name in html
    assert "第17届" in html or "第 17 届" in html
    assert seat.person.phone and seat.person.phone not in html


def test_profile_of_non_representative_is_not_found(client: Client):
    handler = Membership.objects.get(role=Role.HANDLER)
    assert client.get(f"/people/{handler.person_id}/").status_code == 404
    assert client.get("/people/999999999/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expect"),
    [("湖塘镇", "湖塘镇"), ("教育界", "教育界")],
)
def test_directory_search_by_constituency_and_sector(client: Client, query: str, expect: str):
    html = client.get("/directory/", {"q": query}, **ZH).content.decode()
    assert html.count(expect) >= 10


def test_directory_search_by_name_and_pinyin_initials(client: Client):
    person = Membership.objects.filter(role=Role.CPPCC_MEMBER).select_related("person").first().person
    by_name = client.get("/directory/", {"q": person.name}).content.decode()
    assert f"/people/{person.pk}/" in by_name
    by_initials = client.get("/directory/", {"q": person.pinyin_initials, "kind": "members"}).content.decode()
    assert person.name in by_initials or "下一页" in by_initials


def test_directory_query_count_does_not_grow_with_page_size(
    client: Client, settings, django_assert_max_num_queries
):
    counts = []
    for size in (5, 100):
        settings.MINSHENG = {**settings.MINSHENG, "DIRECTORY_PAGE_SIZE": size}
        with django_assert_max_num_queries(8) as captured:
            response = client.get("/directory/", {"kind": "deputies"})
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_home_query_count_does_not_grow_with_deputies(client: Client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/find/", {"place": hutang().pk})


def test_a_place_s_listing_is_kept_a_minute_per_language_and_search(
    client: Client, django_assert_num_queries, django_assert_max_num_queries
):
    place = hutang()
    first = client.get("/find/", {"place": place.pk}, **ZH).content.decode()
    with django_assert_num_queries(1):  # the place itself; the listing is the kept one
        assert client.get("/find/", {"place": place.pk}, **ZH).content.decode() == first
    seat = Membership.objects.filter(role=Role.DEPUTY, constituency__places=place).select_related("person")[0]
    searched = client.get("/find/", {"place": place.pk, "q": seat.person.name}, **ZH).content.decode()
    assert searched != first and seat.person.name in searched  # another search, its own listing
    english = client.get("/find/", {"place": place.pk}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english != first  # another language, its own listing
    home = client.get("/", {"place": place.pk}, **ZH).content.decode()
    assert first.strip() in home  # the home page shows the same listing


def test_directory_rejects_overlong_query_with_a_message(client: Client):
    response = client.get("/directory/", {"q": "长" * 51}, **ZH)
    assert response.status_code == 200
    assert "不超过 50 字符" in response.content.decode()


def test_sign_in_by_username_and_by_mobile_number(client: Client):
    response = client.post("/accounts/login/", {"login": "deputy", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"
    client.post("/accounts/logout/")
    phone = User.objects.get(username="member").phone
    assert phone
    response = client.post("/accounts/login/", {"login": phone, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_sign_in_redirect_cannot_leave_the_site(client: Client):
    response = client.post(
        "/accounts/login/", {"login": "deputy", "password": DEMO_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/me/"


def test_failed_sign_ins_are_throttled(client: Client):
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": "deputy", "password": "wrong-password"}, **ZH)
        assert response.status_code == 400
        assert "用户名/手机号或密码错误" in response.content.decode()
    response = client.post("/accounts/login/", {"login": "deputy", "password": DEMO_PASSWORD}, **ZH)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_sign_in_gets_field_errors(client: Client):
    response = client.post("/accounts/login/", {"login": "", "password": ""}, **ZH)
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_password_reset_by_code(client: Client):
    user = User.objects.get(username="station")
    response = client.post("/accounts/reset/", {"login": "station"}, **ZH)
    assert response.status_code == 302
    assert len(messaging.outbox) == 1 and messaging.outbox[0].to == user.phone
    code = re.search(r"\d{6}", messaging.outbox[0].body).group(0)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(
        "/accounts/reset/confirm/",
        {"login": "station", "code": wrong, "new_password": "new-password-2026"},
        **ZH,
    )
    assert response.status_code == 400 and "验证码错误或已过期" in response.content.decode()
    response = client.post(
        "/accounts/reset/confirm/",
        {"login": "station", "code": code, "new_password": "new-password-2026"},
        **ZH,
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("new-password-2026")
    # The code works once only.
    response = client.post(
        "/accounts/reset/confirm/",
        {"login": "station", "code": code, "new_password": "another-pass-2026"},
        **ZH,
    )
    assert response.status_code == 400


def test_password_reset_does_not_reveal_unknown_accounts(client: Client):
    response = client.post("/accounts/reset/", {"login": "nobody-here"})
    assert response.status_code == 302
    assert messaging.outbox == []


def test_password_reset_codes_are_limited_to_five_tries(client: Client):
    client.post("/accounts/reset/", {"login": "handler"})
    code = re.search(r"\d{6}", messaging.outbox[0].body).group(0)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        client.post(
            "/accounts/reset/confirm/",
            {"login": "handler", "code": wrong, "new_password": "new-password-2026"},
        )
    response = client.post(
        "/accounts/reset/confirm/",
        {"login": "handler", "code": code, "new_password": "new-password-2026"},
        **ZH,
    )
    assert response.status_code == 429 and "验证码错误次数过多" in response.content.decode()
    assert not User.objects.get(username="handler").check_password("new-password-2026")


@pytest.mark.parametrize(
    ("username", "card"),
    [
        ("deputy", "代表"),
        ("handler", "承办单位"),
        ("staff", "工作机构"),
        ("admin", "系统管理员"),
        ("leader", "领导"),
    ],
)
def test_each_role_sees_its_own_home(client: Client, username: str, card: str):
    client.force_login(User.objects.get(username=username))
    html = client.get("/me/", **ZH).content.decode()
    assert card in html


def test_my_desk_needs_sign_in(client: Client):
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_english_can_be_chosen(client: Client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Find my representatives" in html and 'lang="en"' in html


def test_admin_is_labelled_in_chinese(client: Client):
    client.force_login(User.objects.get(username="admin"))
    html = client.get("/admin/org/membership/", **ZH).content.decode()
    assert "任职" in html and "行政区划" in client.get("/admin/", **ZH).content.decode()


def test_admin_change_leaves_an_event(client: Client):
    from minsheng.core.models import Event

    client.force_login(User.objects.get(username="admin"))
    person = Person.objects.filter(memberships__role=Role.DEPUTY).first()
    before = Event.objects.count()
    response = client.post(
        f"/admin/org/person/{person.pk}/change/",
        {
            "name": person.name, "pinyin": person.pinyin, "pinyin_initials": person.pinyin_initials,
            "gender": person.gender, "birth_year": person.birth_year or "", "ethnicity": person.ethnicity,
            "party": person.party, "occupation": "新的工作单位", "bio": "", "phone": person.phone,
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == before + 1
    assert event.verb == "admin_changed"
    assert event.payload == {"fields": {"occupation": {"from": person.occupation, "to": "新的工作单位"}}}
