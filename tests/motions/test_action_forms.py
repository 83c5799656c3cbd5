"""An item's page lists the actions the reader may take and builds none of their forms; an action's
fields load when it is opened (GET on the action's URL, its target in the query string), or on a page
of their own without JavaScript. A form sent back with errors comes open with them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.core.models import Event
from minsheng.motions.models import Assignment, AssignmentStatus, Motion, MotionStatus
from minsheng.org.models import Membership, Person, Role
from tests.motions.builders import Accounts, assigned, lead_assignment, submitted

pytestmark = pytest.mark.django_db


def actions_of(page: str) -> dict[str, str]:
    """Each action box of the page by its name and target (``return:12``): its opening tag and body."""
    boxes = {}
    for match in re.finditer(
        r'<details class="card action" data-testid="action-(\w+)" data-target="(\d*)"', page
    ):
        end = page.index("</details>", match.start())
        name = match.group(1) + (f":{match.group(2)}" if match.group(2) else "")
        boxes[name] = page[match.start() : end]
    return boxes


def fields_of(client: Client, url: str) -> str:
    """An action's fields as the page loads them when the reader opens the action (htmx)."""
    answer = client.get(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode()


def handler_of_both(accounts: Accounts, motion: Motion) -> Client:
    """A liaison of both the lead and the co-unit: two parts of one item to act on."""
    person = Person.objects.create(name="双单位联络员", pinyin="shuang dan wei")
    for assignment in motion.assignments.all():
        Membership.objects.create(person=person, unit=assignment.unit, role=Role.HANDLER, start="2021-12-28")
    client = Client()
    client.force_login(accounts.for_person(person))
    return client


def test_the_page_builds_no_action_form(client, accounts):
    motion = submitted(accounts)
    client.force_login(accounts["staff"])
    boxes = actions_of(client.get(reverse("motions:detail", args=[motion.pk])).content.decode())
    names = list(boxes)
    assert names[:2] == ["file", "decline"] and "merge" in names
    for name in names:
        box = boxes[name]
        assert " open" not in box.split(">", 1)[0]
        assert f'hx-get="/motions/{motion.pk}/act/{name}/"' in box and 'hx-trigger="toggle once"' in box
        assert f'name="{name}-' not in box  # no field of its form: it is not built
    assert 'name="decline-reason"' not in "".join(boxes.values())


def test_an_opened_action_shows_its_own_targets_fields(accounts):
    motion = assigned(accounts)
    lead = lead_assignment(motion)
    co = motion.assignments.exclude(pk=lead.pk).get()
    client = handler_of_both(accounts, motion)
    boxes = actions_of(client.get(reverse("motions:detail", args=[motion.pk])).content.decode())
    url = reverse("motions:act", args=[motion.pk, "return"])
    for part in (lead, co):
        assert (
            f'hx-get="{url}?target={part.pk}"' in boxes[f"return:{part.pk}"]
            or " open" in boxes[f"return:{part.pk}"].split(">", 1)[0]
        )
        fields = fields_of(client, f"{url}?target={part.pk}")
        assert f'name="return{part.pk}-assignment" value="{part.pk}"' in fields
        assert "<html" not in fields and "csrfmiddlewaretoken" not in fields
    # The POST is as before: the target names the part, and only that part is returned.
    response = client.post(
        url,
        {
            "_target": str(co.pk),
            f"return{co.pk}-assignment": str(co.pk),
            f"return{co.pk}-state": AssignmentStatus.PENDING,
            f"return{co.pk}-reason": "该事项不属于我局职责范围。",
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.get(pk=co.pk).status == AssignmentStatus.RETURNED
    assert Assignment.objects.get(pk=lead.pk).status == AssignmentStatus.PENDING
    # Returned, the co part's action is gone: its fields answer 404; the lead part's still load.
    assert client.get(f"{url}?target={co.pk}", headers={"HX-Request": "true"}).status_code == 404
    assert f'name="return{lead.pk}-assignment"' in fields_of(client, f"{url}?target={lead.pk}")


def test_without_javascript_an_action_opens_on_a_page_of_its_own(client, accounts):
    motion = submitted(accounts)
    client.force_login(accounts["staff"])
    page = client.get(reverse("motions:detail", args=[motion.pk])).content.decode()
    url = reverse("motions:act", args=[motion.pk, "decline"])
    assert f'<noscript><p><a href="{url}">' in actions_of(page)["decline"]
    events = Event.objects.count()
    answer = client.get(url)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<html" in html and 'data-testid="action-form"' in html and 'name="decline-reason"' in html
    assert f'action="{url}"' in html and 'name="_target" value=""' in html
    assert f'href="{reverse("motions:detail", args=[motion.pk])}"' in html
    assert Event.objects.count() == events  # opening a form changes nothing


def test_an_action_the_reader_may_not_take_opens_for_nobody(client, accounts):
    motion = submitted(accounts)
    url = reverse("motions:act", args=[motion.pk, "file"])
    client.force_login(accounts["staff"])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    for name in ("assign", "rate", "nothing"):  # not in this state, not this role's, no such action
        assert client.get(reverse("motions:act", args=[motion.pk, name])).status_code == 404
    assert client.get(f"{url}?target=1").status_code == 404  # filing is not for a part
    for outsider in ("handler", "cppcc_staff"):  # cannot see the item at all
        client.force_login(accounts[outsider])
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
        assert client.get(url).status_code == 404
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED


def test_a_form_sent_back_with_errors_comes_open_with_them(client, accounts):
    motion = submitted(accounts)
    client.force_login(accounts["staff"])
    url = reverse("motions:act", args=[motion.pk, "decline"])
    response = client.post(url, {"_target": "", "decline-state": "submitted", "decline-reason": ""})
    assert response.status_code == 400
    boxes = actions_of(response.content.decode())
    assert " open" in boxes["decline"].split(">", 1)[0] and 'class="error"' in boxes["decline"]
    assert 'name="decline-reason"' in boxes["decline"]
    # The failed form is the one open; the others wait to be opened.
    assert " open" not in boxes["file"].split(">", 1)[0] and 'name="file-state"' not in boxes["file"]
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED
