"""The motions pages through the test client: drafting, acting, desks, exports, public pages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from minsheng.motions import demo
from minsheng.motions.models import Motion, MotionStatus, Reply
from tests.motions.builders import TEXT, assigned, filed, replied, submitted

pytestmark = pytest.mark.django_db


def signed_in(client, accounts, username):
    client.force_login(accounts[username])
    return client


def test_deputy_drafts_on_the_web_and_sees_similar_items(client, accounts):
    earlier = submitted(accounts)  # an earlier, similar item
    signed_in(client, accounts, "deputy")
    response = client.post(
        reverse("motions:new"),
        {
            "kind": "suggestion",
            "title": "关于学校路口增设信号灯的建议",
            "text": TEXT,
            "proposer_kind": "individual",
        },
    )
    assert response.status_code == 302
    motion = Motion.objects.filter(status="draft").latest("id")
    assert response["Location"] == reverse("motions:detail", args=[motion.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["similar"], "the earlier item on the same matter is shown"
    html = page.content.decode()
    similar = html[html.index('data-testid="similar"') :].split("</ul>", 1)[0]
    assert earlier.title in similar and f"#{earlier.pk} · {earlier.lead_signer.name} · 待立案审查" in similar
    assert 'data-testid="action-submit"' in html


def test_html_in_a_draft_is_refused_and_nothing_saved(client, accounts):
    signed_in(client, accounts, "deputy")
    before = Motion.objects.count()
    response = client.post(
        reverse("motions:new"),
        {
            "kind": "suggestion",
            "title": "标题",
            "text": "<script>alert(1)</script>",
            "proposer_kind": "individual",
        },
    )
    assert response.status_code == 400
    assert Motion.objects.count() == before


def test_staff_files_through_the_act_view_and_a_stale_form_conflicts(client, accounts):
    motion = submitted(accounts)
    signed_in(client, accounts, "staff")
    url = reverse("motions:act", args=[motion.pk, "file"])
    assert client.post(url, {"file-state": "submitted"}).status_code == 302
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.FILED
    response = client.post(
        reverse("motions:act", args=[motion.pk, "decline"]),
        {"decline-state": "submitted", "decline-reason": "重复"},
    )
    assert response.status_code == 400
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.FILED


def test_handler_replies_through_the_web(client, accounts):
    motion = assigned(accounts, with_co=False)
    lead = motion.assignments.get()
    signed_in(client, accounts, "handler")
    response = client.post(
        reverse("motions:act", args=[motion.pk, "reply"]),
        {
            "_target": str(lead.pk),
            f"reply{lead.pk}-assignment": lead.pk,
            f"reply{lead.pk}-state": "pending",
            f"reply{lead.pk}-category": "A",
            f"reply{lead.pk}-text": "已办结。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.REPLIED
    page = client.get(reverse("motions:detail", args=[motion.pk])).content.decode()
    assert "已答复，待测评" in page and "交办" in page and "A：已经解决或基本解决" not in page


def test_outsider_cannot_see_an_item(client, accounts):
    motion = submitted(accounts)
    signed_in(client, accounts, "member")
    assert client.get(reverse("motions:detail", args=[motion.pk])).status_code == 404
    assert (
        client.post(reverse("motions:act", args=[motion.pk, "file"]), {"file-state": "submitted"}).status_code
        == 404
    )
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED


def test_exports(client, accounts):
    motion = replied(accounts)
    signed_in(client, accounts, "staff")
    response = client.get(reverse("motions:export") + "?kind=suggestion")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert any(row[2] == motion.title for row in sheet.iter_rows(values_only=True))
    reply = motion.replies.get()
    letter = client.get(reverse("motions:letter", args=[motion.pk, reply.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "区交通运输局" in text and motion.title in text
    report = client.get(reverse("motions:report", args=[motion.pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxml")


def test_public_pages_show_only_disclosed_replies_with_phones_masked(client, accounts):
    motion = replied(accounts)
    reply = motion.replies.get()
    assert client.get(reverse("motions:public_detail", args=[motion.pk])).status_code == 404
    Reply.objects.filter(pk=reply.pk).update(disclosure="full")
    page = client.get(reverse("motions:public_detail", args=[motion.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert motion.title in client.get(reverse("motions:public_list")).content.decode()


def test_role_desks_and_dashboard(client, accounts):
    demo.seed()
    for username, testid in (
        ("deputy", "motions-desk-representative"),
        ("handler", "motions-desk-unit"),
        ("staff", "motions-desk-office"),
        ("leader", "motions-desk-leader"),
    ):
        client.force_login(accounts[username])
        page = client.get("/me/").content.decode()
        assert testid in page, username
    client.force_login(accounts["handler"])
    assert 'class="error"' in client.get("/me/").content.decode(), "the overdue item is in red"
    client.force_login(accounts["leader"])
    board = client.get(reverse("motions:dashboard"))
    assert board.status_code == 200 and b"echarts.min.js" in board.content
    client.force_login(accounts["handler"])
    assert client.get(reverse("motions:dashboard")).status_code == 404


def test_full_text_search_in_chinese_with_filters(client, accounts):
    motion = replied(accounts)
    client.force_login(accounts["staff"])

    def found(query: str) -> list[int]:
        page = client.get(reverse("motions:list") + query)
        return [m.pk for m in page.context["page"].object_list]

    assert motion.pk in found("?q=信号灯")
    assert motion.pk in found("?q=路口&kind=suggestion&status=replied&category=A")
    assert motion.pk not in found("?q=污水治理")
    assert motion.pk not in found("?q=信号灯&category=B")
    unit = accounts.unit("区交通运输局").pk
    assert motion.pk in found(f"?unit={unit}")
    assert motion.pk not in found(f"?unit={accounts.unit('区教育局').pk}")


def test_leaders_see_their_body_s_items_but_no_drafts(client, accounts):
    from tests.motions.builders import draft

    suggestion = submitted(accounts)
    proposal = submitted(accounts, kind="proposal")
    own_draft = draft(accounts)
    leader = accounts["leader"]
    client.force_login(leader)
    assert client.get(reverse("motions:detail", args=[suggestion.pk])).status_code == 200
    assert client.get(reverse("motions:detail", args=[proposal.pk])).status_code == 404
    assert client.get(reverse("motions:detail", args=[own_draft.pk])).status_code == 404
    assert leader.has_perm("motions.view_motion", suggestion)
    assert not leader.has_perm("motions.view_motion", proposal)
    assert not leader.has_perm("motions.view_motion", own_draft)


def test_the_assign_by_date_shows_only_while_an_assignment_is_owed(client, accounts):
    """``assign_due and status == submitted or status == filed`` once showed an empty date (precedence)."""
    motion = filed(accounts)
    signed_in(client, accounts, "staff")
    url = reverse("motions:detail", args=[motion.pk])
    assert "交办期限" in client.get(url).content.decode()
    Motion.objects.filter(pk=motion.pk).update(assign_due=None)
    assert "交办期限" not in client.get(url).content.decode()
    motion = assigned(accounts)
    assert motion.assign_due is not None
    assert "交办期限" not in client.get(reverse("motions:detail", args=[motion.pk])).content.decode()


def test_a_formula_title_is_text_in_the_staff_export(client, accounts):
    """A motion titled =HYPERLINK(...) became a live formula in /motions/export.xlsx (issue 12.6)."""
    title = '=HYPERLINK("http://example.invalid/","点此查看附件")'
    motion = submitted(accounts, title=title)
    assert motion.title == title
    signed_in(client, accounts, "staff")
    book = load_workbook(io.BytesIO(client.get(reverse("motions:export")).content))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert "'" + title in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_the_list_rows_show_each_item_escaped_with_its_live_units_and_marks(client, accounts):
    from minsheng.motions import services
    from minsheng.motions.models import Assignment, AssignmentStatus
    from tests.motions.builders import lead_assignment, leader_person

    motion = assigned(accounts)  # a lead unit and a co-unit
    lead = lead_assignment(motion)
    co = Assignment.objects.filter(motion=motion).exclude(pk=lead.pk).get()
    services.assignment_return(actor=accounts.handler_of(co.unit), assignment=co, reason="不属于我局职责。")
    services.motion_supervise(actor=accounts["staff"], motion=motion, leader=leader_person())
    Motion.objects.filter(pk=motion.pk).update(title='关于<b>"学校"</b>路口的建议')  # as old data might hold
    client.force_login(accounts["staff"])
    for query in ("", "?q=路口"):
        page = client.get(reverse("motions:list") + query).content.decode()
        row = page[page.index(f'href="/motions/{motion.pk}/"') :].split("</tr>", 1)[0]
        assert "<b>" not in row and "&lt;b&gt;&quot;学校&quot;&lt;/b&gt;" in row.replace(
            "<mark>", ""
        ).replace("</mark>", "")
        assert ("<mark>路口</mark>" in row) == bool(query)
        assert '<span class="count">重点</span>' in row  # the key-item mark
        assert f">{motion.lead_signer.name}</td>" in row
        assert f"{lead.unit.name}（主办单位）" in row and co.unit.name not in row  # the returned part is gone
        assert Assignment.objects.get(pk=co.pk).status == AssignmentStatus.RETURNED
    empty = client.get(reverse("motions:list") + "?q=没有这样的词语").content.decode()
    assert '<td colspan="5" class="muted">' in empty


def test_similar_items_are_only_those_the_reader_may_open(client, accounts):
    """The demo walk found a member's draft listing, as similar, another member's submitted proposal
    the member could not open (its title, its proposer, a link to a 404). The list keeps only items
    the reader may open: a deputy sees their own earlier item, not another deputy's."""
    from tests.motions.builders import draft, submitted

    other = accounts.deputies(1)[0]
    theirs = submitted(accounts, author=other.username)
    own = submitted(accounts, title="关于学校路口增设信号灯的建议")
    mine = draft(accounts)
    signed_in(client, accounts, "deputy")
    page = client.get(reverse("motions:detail", args=[mine.pk]))
    shown = [m.pk for m, _score in page.context["similar"]]
    assert own.pk in shown and theirs.pk not in shown
    assert theirs.title not in page.content.decode().split('data-testid="similar"', 1)[1]
    through_the_api = client.get(f"/api/motions/{mine.pk}/similar").json()
    assert own.pk in [m["id"] for m in through_the_api] and theirs.pk not in [
        m["id"] for m in through_the_api
    ]
    signed_in(client, accounts, "staff")  # the office reviews both submitted items
    page = client.get(reverse("motions:detail", args=[own.pk]))
    assert theirs.pk in [m.pk for m, _score in page.context["similar"]]
