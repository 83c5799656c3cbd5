"""Every admin list as the administrator works it: a search, and each filter and sort link the list
offers (one per set of query keys), answer 200 in Chinese. ``test_admin_walk.py`` opens every admin
URL for every demo account; the crawl (``tests/e2e/test_crawl.py``) leaves /admin/ to these two."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from minsheng.org.models import User
from tests.conftest import demo_seed_all

pytestmark = pytest.mark.django_db

LIST_LINK = re.compile(r'href="(\?[^"]+)"')


def query_keys(url: str) -> str:
    path, _, query = url.partition("?")
    return path + "?" + ",".join(sorted({pair.split("=")[0] for pair in query.split("&") if pair}))


def test_every_admin_list_filter_sort_and_search_opens_for_the_administrator():
    demo_seed_all()
    superuser = User.objects.get(username="admin")
    assert superuser.is_superuser
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(superuser)
    problems: list[str] = []
    seen: set[str] = set()

    def check(url: str) -> str:
        response = client.get(url)
        page = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{url}: HTTP {response.status_code}")
        elif 'lang="zh-hans"' not in page[:300]:
            problems.append(f"{url}: not in Chinese")
        return page

    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        links = [changelist + html.unescape(href) for href in LIST_LINK.findall(check(changelist))]
        if model_admin.search_fields:
            links.append(changelist + "?q=%E6%B9%96")  # 湖
        for url in links:
            if query_keys(url) not in seen:
                seen.add(query_keys(url))
                check(url)
    assert len(seen) > 50, "the lists offer filters and sorting"
    assert problems == []
