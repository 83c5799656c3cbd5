"""The site-wide menu: each app contributes entries, and every entry a user sees opens for that user."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from minsheng.cli import demo_accounts
from minsheng.org.models import User
from minsheng.web.nav import NavItem, _current_url, nav_items, nav_modules
from tests.conftest import demo_seed_all, demo_seed_once

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<nav id="site-menu".*?</nav>', re.S)


def menu_links(html: str) -> list[str]:
    found = MENU.search(html)
    assert found, "every page shows the menu"
    return re.findall(r'href="([^"]+)"', found.group(0))


def test_every_app_with_entries_contributes_through_its_nav_module():
    names = {module.__name__ for module in nav_modules()}
    assert {
        "minsheng.web.nav",
        "minsheng.voices.nav",
        "minsheng.motions.nav",
        "minsheng.legislation.nav",
        "minsheng.deliberation.nav",
        "minsheng.org.nav",
    } <= names


def test_anonymous_visitors_see_only_the_public_entries(client: Client):
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    items = nav_items(request)
    assert items and all(isinstance(item, NavItem) and item.section == "public" for item in items)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "/motions/" not in [link for link in menu_links(html)]
    assert 'aria-current="page">找我的代表' in html


def test_a_visitor_s_menu_reads_nothing_and_is_kept_per_language(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    from minsheng.web import nav

    nav._visitor_menus.clear()
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            with django_assert_num_queries(0):  # what makes keeping it for the process's life right
                computed = nav._menu_from_apps(request)
            assert nav_items(request) == computed
            assert nav_items(request) is not nav._visitor_menus[language]  # a copy: callers may change it
    assert set(nav._visitor_menus) == {"zh-hans", "en"}


def test_the_current_entry_is_the_longest_matching_path():
    urls = ["/", "/voices/new/", "/voices/track/", "/voices/"]
    assert _current_url("/", urls) == "/"
    assert _current_url("/voices/track/12/", urls) == "/voices/track/"
    assert _current_url("/voices/5/", urls) == "/voices/"
    assert _current_url("/people/3/", urls) == ""


def test_every_menu_link_of_every_demo_account_answers_200():
    """建议、提案和议案 was in the menu of station, lawstaff and jumin and answered 404."""
    demo_seed_all()
    accounts = demo_accounts()
    assert {"lawstaff", "jumin", "station", "handler", "leader"} <= {a.username for a in accounts}
    seen: dict[str, list[str]] = {}
    for account in [None, *accounts]:
        client = Client()
        if account is not None:
            client.force_login(User.objects.get(username=account.username))
        links = menu_links(client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
        name = account.username if account else "anonymous"
        seen[name] = links
        for link in links:
            response = client.get(link, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code == 200, (name, link, response.status_code)
    for name in ("station", "lawstaff", "jumin", "anonymous"):
        assert "/motions/" not in seen[name], name
    assert "/motions/" in seen["staff"] and "/motions/dashboard/" in seen["leader"]
    assert "/voices/work-orders/" in seen["handler"]
    assert "/admin/" in seen["admin"] and "/admin/" not in seen["staff"]


def test_a_kept_menu_follows_memberships_language_and_the_event_log():
    """The menu is kept per process under what it is computed from: a membership added behind the
    services' back (no Event) still changes it at once, so does the language, and a kept menu is
    read with fewer queries than it took to compute."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from minsheng.org.models import Membership, Person, Role
    from minsheng.org.selectors import today

    demo_seed_once()
    person = Person.objects.create(name="菜单测试", pinyin="cai dan ce shi")
    user = User.objects.create_user(username="menutest", password="menu-test-1", person=person)
    factory = RequestFactory()

    def menu(language: str = "zh-hans") -> tuple[list[str], int]:
        request = factory.get("/")
        request.user = User.objects.get(pk=user.pk)  # a new request: nothing read yet
        with translation.override(language), CaptureQueriesContext(connection) as queries:
            labels = [str(item.label) for item in nav_items(request)]
        return labels, len(queries.captured_queries)

    first, _count = menu()
    assert "建议、提案和议案" not in first
    english, _count = menu("en")
    assert "Find my representatives" in english and english != first

    office = Membership.objects.get(person__user__username="staff", role=Role.STAFF).body
    Membership.objects.create(person=person, body=office, role=Role.STAFF, start=today())
    (changed, cold), (again, warm) = menu(), menu()
    assert "建议、提案和议案" in changed and again == changed
    assert warm < cold  # the office's rules read its body and places once


def test_menu_entries_are_escaped_and_the_current_one_marked():
    from minsheng.web.nav import MenuEntry
    from minsheng.web.templatetags.site_tags import menu_entries

    written = menu_entries(
        [MenuEntry("<b>代表</b>", '/find/?a=1&b="2"', True), MenuEntry("议案", "/motions/", False)]
    )
    assert written == (
        '<li><a href="/find/?a=1&amp;b=&quot;2&quot;" aria-current="page">&lt;b&gt;代表&lt;/b&gt;</a></li>'
        '<li><a href="/motions/">议案</a></li>'
    )


def test_the_footer_and_assets_follow_the_language(client: Client):
    """The footer is kept per language: the English page after a Chinese one reads English."""
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "隐私声明" in chinese and "Privacy notice" in english and "隐私声明" not in english
    assert "web/site.css" in chinese and "web/site.css" in english
