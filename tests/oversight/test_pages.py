"""The pages render for each role, actions post through the forms, and refusals are 404s."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minsheng.core.attachments import attachments_for as visit_attachments
from minsheng.org.selectors import today
from minsheng.oversight import services
from minsheng.oversight.models import Activity, ItemStatus, ProgressReport, RectificationItem
from tests.oversight.builders import TASK, World, activity, item, problem
from tests.oversight.files import docx_bytes, png_bytes

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_pages_render(world: World):
    target = item(world)
    act = target.problem.activity
    staff = client_for(world["staff"])
    for url in [
        "/oversight/",
        "/oversight/items/",
        "/oversight/items/?status=overdue",
        f"/oversight/items/?unit={target.unit_id}&status=open",
        f"/oversight/items/{target.pk}/",
        f"/oversight/activities/{act.pk}/",
        "/oversight/activities/new/",
        "/oversight/plans/new/",
        "/oversight/projects/",
        "/oversight/projects/new/",
        "/oversight/platforms/new/",
        "/oversight/dashboard/",
        "/oversight/budget/",
        "/oversight/enterprise/",
        "/oversight/public/",
        "/me/",
    ]:
        response = staff.get(url)
        assert response.status_code == 200, url


def test_handler_sees_own_unit_and_not_other_pages(world: World):
    target = item(world)
    handler = client_for(world["handler"])
    assert handler.get(f"/oversight/items/{target.pk}/").status_code == 200
    assert handler.get("/oversight/dashboard/").status_code == 404
    assert handler.get("/oversight/activities/new/").status_code == 404
    other = item(world, units=("区应急管理局",))
    assert handler.get(f"/oversight/items/{other.pk}/").status_code == 404
    assert 'data-testid="action-report"' in handler.get(f"/oversight/items/{target.pk}/").content.decode()


def test_anonymous_is_sent_to_sign_in_and_public_pages_are_open(world: World):
    target = item(world)
    anonymous = Client()
    assert anonymous.get("/oversight/items/").status_code == 302
    assert anonymous.get(f"/oversight/items/{target.pk}/").status_code == 302
    assert anonymous.get("/oversight/public/").status_code == 200
    act = target.problem.activity
    assert anonymous.get(f"/oversight/public/activities/{act.pk}/").status_code == 404
    services.activity_publish(actor=world["staff"], activity=act)
    page = anonymous.get(f"/oversight/public/activities/{act.pk}/")
    assert page.status_code == 200 and TASK[:20] in page.content.decode()


def test_report_with_evidence_then_review_through_the_pages(world: World):
    target = item(world)
    handler = client_for(world["handler"])
    response = handler.post(
        f"/oversight/items/{target.pk}/act/report/",
        {
            "report-state": "open",
            "report-text": "已完成专项排查并整改到位。",
            "report-is_final": "on",
            "report-evidence": [SimpleUploadedFile("整改后.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(item=target)
    assert report.is_final
    staff = client_for(world["staff"])
    refused = staff.post(
        f"/oversight/items/{target.pk}/act/review/", {"review-state": "under_review", "review-accept": "0"}
    )
    assert (
        refused.status_code == 400
        and RectificationItem.objects.get(pk=target.pk).status == ItemStatus.UNDER_REVIEW
    )
    staff.post(
        f"/oversight/items/{target.pk}/act/review/",
        {"review-state": "under_review", "review-accept": "0", "review-reason": "照片不清晰，请补充。"},
    )
    assert RectificationItem.objects.get(pk=target.pk).status == ItemStatus.OPEN
    page = handler.get(f"/oversight/items/{target.pk}/").content.decode()
    assert "照片不清晰，请补充。" in page


def test_visit_with_a_photo_through_the_activity_page(world: World):
    act = activity(world)
    member = world.for_person(act.team.first().person)
    client = client_for(member)
    response = client.post(
        f"/oversight/activities/{act.pk}/act/visit/",
        {
            "visit-date": today().isoformat(),
            "visit-place": "武进国家高新区某化工企业",
            "visit-notes": "现场查看储罐区",
            "visit-photos": [SimpleUploadedFile("现场.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    visit = Activity.objects.get(pk=act.pk).visits.get()
    page = client.get(f"/oversight/activities/{act.pk}/").content.decode()
    assert "武进国家高新区某化工企业" in page and f"/oversight/visits/{visit.pk}/photos/" in page
    photo = visit_attachments(visit)[0]
    shown = client.get(f"/oversight/visits/{visit.pk}/photos/{photo.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert Client().get(f"/oversight/visits/{visit.pk}/photos/{photo.pk}/").status_code == 404  # not public
    future = client.post(
        f"/oversight/activities/{act.pk}/act/visit/",
        {"visit-date": (today() + dt.timedelta(days=3)).isoformat(), "visit-place": "某地"},
    )
    assert future.status_code == 400


def test_activity_report_needs_a_word_document(world: World):
    act = activity(world)
    staff = client_for(world["staff"])
    wrong = staff.post(
        f"/oversight/activities/{act.pk}/act/report/",
        {
            "report-state": "under_way",
            "report-summary": "小结",
            "report-report": SimpleUploadedFile("报告.docx", png_bytes()),
        },
    )
    assert wrong.status_code == 400 and Activity.objects.get(pk=act.pk).status == "under_way"
    right = staff.post(
        f"/oversight/activities/{act.pk}/act/report/",
        {
            "report-state": "under_way",
            "report-summary": "小结",
            "report-report": SimpleUploadedFile("报告.docx", docx_bytes("报告")),
        },
    )
    assert right.status_code == 302 and Activity.objects.get(pk=act.pk).status == "reported"


def test_assign_through_the_page(world: World):
    act = activity(world)
    found = problem(world, act)
    staff = client_for(world["staff"])
    units = [world.unit("区应急管理局").pk, world.unit("区交通运输局").pk]
    response = staff.post(
        f"/oversight/activities/{act.pk}/act/assign/",
        {
            "assign-problem": found.pk,
            "assign-units": units,
            "assign-task": TASK,
            "assign-due_rule": "oversight_rectify",
        },
    )
    assert response.status_code == 302
    assert RectificationItem.objects.filter(problem=found).count() == 2


def test_items_export_is_a_workbook(world: World):
    item(world)
    response = client_for(world["staff"]).get("/oversight/items/export.xlsx?status=open")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 2).value == "区交通运输局"


def test_the_export_never_hands_a_formula_to_the_spreadsheet(world: World):
    import io

    from openpyxl import load_workbook

    typed = '=HYPERLINK("http://example.invalid/","点击查看整改要求")'
    found = problem(world, activity(world), text=typed)
    services.problem_assign(
        actor=world["staff"], problem=found, units=[world.unit("区交通运输局")], task=typed
    )
    response = client_for(world["staff"]).get("/oversight/items/export.xlsx?status=open")
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[2] == row[3] == "'" + typed  # shown as typed, never run
    assert all(
        not (isinstance(v, str) and v.startswith("=")) for r in sheet.iter_rows(values_only=True) for v in r
    )
