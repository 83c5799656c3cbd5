"""The oversight API: the same services and permissions as the pages, errors in the API's format."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minsheng.org.selectors import today
from minsheng.oversight.models import ItemStatus, RectificationItem
from tests.oversight.builders import TASK, World, activity, item
from tests.oversight.files import png_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_activity_findings_items_reports_review_over_the_api(client, world: World):
    as_user(client, world["staff"])
    body = world.standing_committee()
    units = [world.unit("区交通运输局").pk]
    created = post(
        client,
        "/api/oversight/activities",
        {
            "body_id": body.pk,
            "kind": "inspection_visit",
            "title": "农村公路建设视察",
            "unit_ids": units,
            "start_date": today().isoformat(),
            "end_date": today().isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    started = post(client, f"/api/oversight/activities/{pk}/transitions/start", {"expected_state": "planned"})
    assert started.json()["status"] == "under_way"
    problem = post(client, f"/api/oversight/activities/{pk}/problems", {"text": "部分农村公路养护不到位。"})
    assigned = post(
        client, f"/api/oversight/problems/{problem.json()['id']}/assign", {"unit_ids": units, "task": TASK}
    )
    assert assigned.status_code == 201, assigned.content
    item_id = assigned.json()[0]["id"]
    as_user(client, world["handler"])
    reported = client.post(
        f"/api/oversight/items/{item_id}/reports",
        {"text": "已完成整改。", "is_final": "true", "files": [SimpleUploadedFile("整改.png", png_bytes())]},
    )
    assert reported.status_code == 201, reported.content
    assert reported.json()["reports"][0]["files"] == ["整改.png"]
    as_user(client, world["staff"])
    reviewed = post(client, f"/api/oversight/items/{item_id}/review", {"accept": True})
    assert reviewed.json()["status"] == "closed"
    timeline = client.get(f"/api/oversight/items/{item_id}/timeline").json()
    assert [e["verb"] for e in timeline] == ["assigned", "report", "close"]
    listed = client.get(f"/api/oversight/items?unit={units[0]}&status=closed").json()
    assert [i["id"] for i in listed["items"]] == [item_id]


def test_refusals_are_403_or_404_and_change_nothing(client, world: World):
    target = item(world)
    as_user(client, world.handler_of(world.unit("区应急管理局")))
    assert client.get(f"/api/oversight/items/{target.pk}").status_code == 404
    as_user(client, world["handler"])
    response = post(client, f"/api/oversight/items/{target.pk}/review", {"accept": True})
    assert response.status_code in (403, 409)
    assert response.json()["code"] in ("permission_denied", "invalid_transition")
    assert RectificationItem.objects.get(pk=target.pk).status == ItemStatus.OPEN


def test_stale_state_is_409(client, world: World):
    target = item(world)
    as_user(client, world["handler"])
    response = client.post(
        f"/api/oversight/items/{target.pk}/reports", {"text": "进展", "expected_state": "closed"}
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_bad_input_is_400_in_the_users_language(client, world: World):
    act = activity(world)
    as_user(client, world["staff"])
    empty = post(client, f"/api/oversight/activities/{act.pk}/problems", {"text": "   "})
    assert empty.status_code == 400 and empty.json()["field"] == "text"
    hostile = post(
        client, f"/api/oversight/activities/{act.pk}/problems", {"text": "<script>alert(1)</script>"}
    )
    assert hostile.status_code == 400
    huge = post(client, f"/api/oversight/activities/{act.pk}/problems", {"text": "问" * 6000})
    assert huge.status_code == 400
    assert act.problems.count() == 0


def test_budget_import_over_the_api_reports_the_cell(client, world: World):
    as_user(client, world["staff"])
    data = xlsx_bytes([["部门", "项目", "预算数", "执行数"], ["区交通运输局", "农村公路养护", 1000, "很多"]])
    response = client.post(
        "/api/oversight/budget",
        {"year": today().year, "month": today().month, "file": SimpleUploadedFile("预算.xlsx", data)},
    )
    assert response.status_code == 400 and response.json()["code"] == "workbook_invalid"
    assert "D" in response.json()["detail"] and "2" in response.json()["detail"]


def test_public_reads_need_no_sign_in_and_show_only_published(client, world: World):
    target = item(world)
    act = target.problem.activity
    assert client.get(f"/api/oversight/public/activities/{act.pk}").status_code == 404
    as_user(client, world["staff"])
    post(client, f"/api/oversight/activities/{act.pk}/publish", {"publish": True})
    client.logout()
    shown = client.get(f"/api/oversight/public/activities/{act.pk}")
    assert shown.status_code == 200
    assert shown.json()["problems"][0]["items"][0]["state"] == "open"
