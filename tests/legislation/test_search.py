"""Issue 16: opinions and drafts are searchable with the one- and two-character guarantee of
core.search (the same items as a substring scan), through the services that create them."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.core.search import search_text
from minsheng.legislation import selectors, services
from minsheng.legislation.models import ConsultationTask, Opinion, TaskStatus
from minsheng.org.services import api_token_create

ALPHABET = "电动车充停放小区物业楼道的5Gg，。 ＡＢ１"


def _meeting(staff: Any, task: ConsultationTask, texts: list[str]) -> list[Opinion]:
    services.meeting_record(
        actor=staff,
        task=task,
        kind="meeting",
        held_on=timezone.localdate(),
        place="湖塘镇",
        participants="居民代表",
        attendance=12,
        opinions=[services.MeetingOpinion(text=text) for text in texts],
    )
    return list(Opinion.objects.filter(task=task).order_by("id"))


def _found(task: ConsultationTask, query: str) -> set[int]:
    return {opinion.pk for opinion in selectors.opinions_for_task(task, query)}


def test_online_and_meeting_opinions_are_found_by_short_words(
    make_task: Any, staff: Any, resident: Any
) -> None:
    task = make_task(TaskStatus.CONSULTING)
    online = services.opinion_submit(actor=resident, task=task, text="建议楼道里禁止停放电动车。")
    heard = _meeting(staff, task, ["充电桩应当由物业统一安装。", "小区应设集中充电点"])
    by_text = {o.text: o.pk for o in heard}
    assert _found(task, "楼道") == {online.pk}
    assert _found(task, "充电") == {by_text["充电桩应当由物业统一安装。"], by_text["小区应设集中充电点"]}
    assert _found(task, "桩") == {by_text["充电桩应当由物业统一安装。"]}
    assert _found(task, "小区 充电") == {by_text["小区应设集中充电点"]}
    assert _found(task, "火星") == set()
    assert _found(task, "") == {online.pk, *by_text.values()}
    assert _found(task, "，。") == set()  # only punctuation: no terms, nothing matches


def test_the_author_name_and_phone_are_not_searchable(make_task: Any, staff: Any, resident: Any) -> None:
    task = make_task(TaskStatus.CONSULTING)
    services.opinion_submit(actor=resident, task=task, text="同意第三条。", author_name="张三丰")
    assert _found(task, "张三丰") == set()
    assert len(_found(task, "第三条")) == 1


def test_drafts_are_found_by_title_and_text_and_a_new_version_reindexes(make_task: Any, staff: Any) -> None:
    task = make_task(TaskStatus.CONSULTING)
    open_tasks = selectors.tasks_open()
    assert task in selectors.tasks_matching(open_tasks, "电动自行车")  # the title
    assert task in selectors.tasks_matching(open_tasks, "法制工作")  # the issuing body
    assert task in selectors.tasks_matching(open_tasks, "充电")  # the draft's text
    assert task not in selectors.tasks_matching(open_tasks, "核电站")
    services.version_add(
        actor=staff, task=task, draft=services.draft_read(text="第一条 核电站周边的安全管理。")
    )
    assert task in selectors.tasks_matching(open_tasks, "核电站")


def test_pages_and_api_search(make_task: Any, staff: Any, resident: Any) -> None:
    task = make_task(TaskStatus.CONSULTING)
    services.opinion_submit(actor=resident, task=task, text="建议楼道里禁止停放电动车。")
    _meeting(staff, task, ["充电桩应当由物业统一安装。"])
    ConsultationTask.objects.filter(pk=task.pk).update(status=TaskStatus.SORTING)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("legislation:manage", args=[task.pk]), {"q": "物业"}).content.decode()
    assert "充电桩应当由物业统一安装。" in page and "禁止停放电动车" not in page
    page = client.get(reverse("legislation:manage", args=[task.pk]), {"q": "火星"}).content.decode()
    assert "充电桩应当由物业统一安装。" not in page
    assert (
        client.get(reverse("legislation:index"), {"q": "电动自行车"}).content.decode().count(task.title) >= 1
    )
    assert task.title not in client.get(reverse("legislation:index"), {"q": "核电站"}).content.decode()
    _token, key = api_token_create(actor=staff, user=staff, name="脚本")
    response = Client().get(
        f"/api/legislation/tasks/{task.pk}/opinions", {"q": "楼道"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 200, response.content
    assert [o["text"] for o in response.json()] == ["建议楼道里禁止停放电动车。"]


@pytest.fixture
def random_opinions(make_task: Any, staff: Any) -> tuple[ConsultationTask, list[Opinion]]:
    rng = random.Random(16)
    texts = []
    for _ in range(50):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))).strip()
        texts.append(text or "车")
    task = make_task(TaskStatus.CONSULTING)
    return task, _meeting(staff, task, texts)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_opinion_search_returns_what_a_substring_scan_returns(random_opinions: Any, query: str) -> None:
    task, opinions = random_opinions
    terms = search_text(query).split()
    if not terms:
        return  # blank or punctuation only: covered above
    expected = {o.pk for o in opinions if all(term in search_text(o.text) for term in terms)}
    assert _found(task, query) == expected


@pytest.mark.django_db(transaction=True)
def test_migration_0004_indexes_the_opinions_and_drafts_that_existed(make_task: Any, resident: Any) -> None:
    from django.core.management import call_command

    from minsheng.core.models import SearchEntry

    task = make_task(TaskStatus.CONSULTING)
    opinion = services.opinion_submit(actor=resident, task=task, text="楼道禁止停放电动车。")
    SearchEntry.objects.all().delete()  # as before the migration: nothing of the legislation indexed
    assert _found(task, "楼道") == set()
    call_command("migrate", "legislation", "0003", verbosity=0)
    call_command("migrate", "legislation", verbosity=0)
    assert _found(task, "楼道") == {opinion.pk}
    assert task in selectors.tasks_matching(selectors.tasks_open(), "充电")
