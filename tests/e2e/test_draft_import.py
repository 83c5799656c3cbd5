"""Journey: staff upload a long draft; the page shows the reading's progress (htmx polls it) and moves
to the task by itself once the background task has stored it (phone and desktop)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minsheng.analysis.text.lawparse import int_to_chinese
from minsheng.legislation import services
from minsheng.legislation.models import DraftImport, ImportPurpose
from minsheng.org.models import BodyKind, JurisdictionLevel, Role
from tests.e2e.conftest import screenshot
from tests.factories import BodyFactory, JurisdictionFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


def test_the_progress_of_a_long_draft_is_polled_until_it_is_stored(live_server: Any, page: Any) -> None:
    district = JurisdictionFactory(level=JurisdictionLevel.DISTRICT, name="武进区")
    point = BodyFactory(
        jurisdiction=district, kind=BodyKind.LEGISLATIVE_CONTACT_POINT, name="武进区基层立法联系点"
    )
    person = PersonFactory(name="周立法")
    MembershipFactory(person=person, body=point, role=Role.STAFF, start=dt.date(2020, 1, 1))
    staff = UserFactory(username="lawstaff", person=person, first_name="周立法")
    text = "某条例（草案）\n" + "".join(
        f"第{int_to_chinese(n)}条　有关部门应当依法履行职责。\n" for n in range(1, 3_001)
    )
    fields = services.task_fields_checked(
        actor=staff, contact_point=point, title="某条例（草案）", issuing_body="省人大常委会法工委",
        received_on=timezone.localdate(),
    )  # fmt: skip
    # The upload waits in the queue (no worker runs in this test until we say so).
    job = DraftImport.objects.create(
        purpose=ImportPurpose.TASK,
        created_by=staff,
        source_name="长草案.txt",
        data=text.encode(),
        params=fields.as_json(),
    )
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "lawstaff")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")
    page.goto(live_server.url + f"/legislation/imports/{job.pk}/")
    status = page.get_by_test_id("import-status")
    assert "等待读取" in status.inner_text()
    assert status.locator("progress").count() == 1
    screenshot(page, "draft-import-01-waiting")
    services.draft_import_run(job_id=job.pk)  # what the worker does
    page.wait_for_url("**/legislation/*/manage/", timeout=15_000)
    assert "某条例（草案）" in page.content()
    screenshot(page, "draft-import-02-stored")
