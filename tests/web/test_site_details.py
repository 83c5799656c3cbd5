"""What a clerk or a resident notices (issue 11, items 8 and 10), checked through the real pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from minsheng.motions.models import Assignment
from minsheng.org.models import Body, BodyKind, Jurisdiction, Membership, Role, User
from tests.motions.builders import Accounts, assigned, replied

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def page(path: str, username: str | None = None) -> str:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    response = client.get(path, **ZH)
    assert response.status_code == 200, (path, username, response.status_code)
    return response.content.decode()


def hutang() -> Jurisdiction:
    return Jurisdiction.objects.get(name="湖塘镇")


# Item 8: the 湖塘镇 deputies, grouped by constituency, with search; stations take messages -------------


def test_deputies_are_grouped_by_constituency():
    place = hutang()
    html = page(f"/?place={place.pk}")
    seats = Membership.objects.filter(role=Role.DEPUTY, constituency__places=place).select_related(
        "constituency", "person"
    )
    assert seats.count() > 40
    deputies = html.split('data-testid="deputy-list"', 1)[1].split("</section>\n  <section", 1)[0]
    headings = re.findall(r"<h4>(湖塘镇第\d+选区)", deputies)
    assert headings == sorted({s.constituency.name for s in seats}, key=lambda n: int(re.sub(r"\D", "", n)))
    for seat in seats:
        group = deputies.split(f"<h4>{seat.constituency.name} ", 1)[1].split("</section>", 1)[0]
        assert f"/people/{seat.person_id}/" in group, "each deputy under their constituency"


def test_the_deputies_of_a_place_can_be_searched_by_constituency_or_name():
    place = hutang()
    html = page(f"/find/?place={place.pk}&q=第3选区")
    third = Membership.objects.filter(role=Role.DEPUTY, constituency__name="湖塘镇第3选区")
    assert third.exists()
    assert set(re.findall(r"/people/(\d+)/", html)) == {str(s.person_id) for s in third}
    someone = third.select_related("person").first()
    html = page(f"/?place={place.pk}&q={someone.person.name}")
    assert f"/people/{someone.person_id}/" in html
    assert "这里没有与“不存在的人”相符的代表" in page(f"/find/?place={place.pk}&q=不存在的人")


def test_every_station_takes_a_message():
    place = hutang()
    html = page(f"/?place={place.pk}")
    kinds = [BodyKind.DEPUTIES_HOME, BodyKind.LIAISON_STATION]
    stations = Body.objects.filter(jurisdiction=place, kind__in=kinds)
    assert stations.count() >= 3
    for station in stations:
        link = f"/voices/new/?to=station:{station.pk}"
        assert link in html
        assert station.name in page(link), "the message form names the station"


# Item 8: tables keep their labels on a phone -------------------------------------------------------------


def cells_without_label(html: str) -> list[str]:
    """Body cells of tables with a header row that do not carry their column's name (data-label)."""
    missing = []
    for table in re.findall(r"<table.*?</table>", html, re.S):
        if "<thead>" not in table:
            missing.append("a table without a header row")
            continue
        body = table.split("</thead>", 1)[1]
        for cell in re.findall(r"<td(?:\s[^>]*)?>", body):
            if "colspan" not in cell and "data-label=" not in cell:
                missing.append(cell)
    return missing


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("staff", "/motions/"),
        ("staff", "/voices/"),
        ("staff", "/me/"),
        ("leader", "/motions/dashboard/"),
        ("handler", "/voices/work-orders/"),
        (None, "/directory/"),
        (None, "/legislation/"),
        ("member", "/voices/reports/"),
    ],
)
def test_every_table_cell_names_its_column(username: str | None, path: str):
    html = page(path, username)
    assert "<table" in html
    assert cells_without_label(html) == []


# Item 10: the small things a clerk notices ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "path", "prompt"),
    [
        ("staff", "/motions/", "全部"),
        ("staff", "/voices/", "全部"),
        ("station", "/voices/enter/", "请选择"),
        ("deputy", "/deliberation/propose/", "请选择"),
        ("station", "/voices/reception/new/", "请选择"),
    ],
)
def test_an_empty_choice_says_choose_or_all_never_dashes(username: str, path: str, prompt: str):
    html = page(path, username)
    assert "---------" not in html
    assert re.search(rf'<option value=""( selected)?>{prompt}</option>', html)


def test_form_labels_end_with_the_full_width_colon():
    html = page("/voices/new/")
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", html)
    suffixed = [label for label in labels if label.rstrip().endswith(("：", ":"))]
    assert suffixed, "Django's label suffix is there"
    assert all(label.rstrip().endswith("：") for label in suffixed), suffixed


def test_units_are_grouped_by_kind_in_forwarding_and_filters():
    html = page("/voices/", "staff")
    unit_select = html.split('name="unit"', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">', unit_select)
    assert "政府部门" in groups[0] and len(groups) >= 3
    assert "data-filter=" in html.split('name="unit"', 1)[0][-300:] + html.split('name="unit"', 1)[1][:300]


def test_on_time_rate_and_overdue_count_describe_the_same_parts():
    accounts = Accounts()
    replied(accounts)  # answered on time
    late = assigned(accounts, with_co=False, title="关于学校门口增设护学岗的建议")
    Assignment.objects.filter(motion=late).update(due=dt.date.today() - dt.timedelta(days=3))
    client = Client()
    client.force_login(accounts["leader"])
    response = client.get("/motions/dashboard/", **ZH)
    board = response.context["board"]
    assert board.overdue_count >= 1
    assert board.due_count == board.on_time_count + (board.due_count - board.on_time_count)
    assert board.on_time_rate < 100, "an overdue part counts against the on-time rate"
    html = response.content.decode()
    rate = re.search(r'data-testid="figure-on-time">([\d.]+)%', html)
    overdue = re.search(r'data-testid="figure-overdue">(\d+)<', html)
    assert rate and overdue and int(overdue.group(1)) == board.overdue_count
    assert f"应答复 {board.due_count} 件次" in html, "the page says what the rate counts"


def test_count_charts_have_whole_number_axes():
    html = page("/motions/dashboard/", "leader")
    axes = re.findall(r'(?:x|y)Axis: \{type: "value"[^}]*\}', html)
    assert len(axes) >= 4
    assert all("minInterval: 1" in axis for axis in axes)


def test_the_pass_button_is_not_the_disagree_red():
    from minsheng.deliberation import demo as deliberation_demo
    from minsheng.deliberation.models import Topic

    deliberation_demo.seed()
    topic = Topic.objects.get(title=deliberation_demo.OPEN_TITLE)
    html = page(f"/deliberation/{topic.pk}/")
    pass_rule = re.search(r"\.vote-buttons \.pass \{([^}]*)\}", html)
    disagree_rule = re.search(r"\.vote-buttons \.disagree \{([^}]*)\}", html)
    assert pass_rule and disagree_rule
    assert "#b71c1c" in disagree_rule.group(1) and "#b71c1c" not in pass_rule.group(1)
    assert "var(--red)" not in pass_rule.group(1)
    bridging = html.split('id="bridging"', 1)[1].split("</ol>", 1)[0]
    assert "<li>" in bridging
    assert not re.search(r">\s*-?\d\.\d\d\s*<", bridging), "no raw scores"
    assert re.search(r"跨群体认同|投票还不够多|尚未形成跨群体共识|普遍不认同", bridging)
    assert "社区笔记" in html, "the ranking is explained"


def test_a_voice_page_shows_one_action_at_a_time():
    from django.contrib.auth.models import AnonymousUser

    from minsheng.voices.models import VoiceChannel
    from minsheng.voices.services import voice_create

    seat = Membership.objects.get(person__user__username="deputy", role=Role.DEPUTY)
    voice = voice_create(
        actor=AnonymousUser(), channel=VoiceChannel.WEB, text="小区路灯坏了一个月。", phone="13912345678",
        addressed_to=seat,
    )  # fmt: skip
    html = page(f"/voices/{voice.pk}/", "deputy")
    actions = re.findall(r'<details class="card action"[^>]*>', html)
    assert len(actions) >= 4
    assert not any(" open" in tag for tag in actions)


def test_favicon_footer_contact_privacy_and_checkpoints():
    html = page("/")
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert Client().get("/favicon.ico").status_code == 301
    pages = {
        "/contact/": "武进区人大常委会",
        "/privacy/": "个人信息保护法",
        "/accessibility/": "GB/T 37668",
        "/checkpoints/": "审计日志检查点",  # published so that copies exist outside the database
    }
    for path, words in pages.items():
        assert f'href="{path}"' in html
        assert words in page(path)


def test_the_readme_screenshot_is_a_phone():
    """docs/screenshot-phone.png is the first screen of 湖塘镇 at 390 px, saved by the browser test
    tests/e2e/test_site.py (test-artifacts/e2e/readme-phone.png) and copied here."""
    import struct
    from pathlib import Path

    picture = Path(__file__).resolve().parents[2] / "docs" / "screenshot-phone.png"
    header = picture.read_bytes()[:24]
    width, height = struct.unpack(">II", header[16:24])
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert (width, height) == (390, 844)
    assert picture.stat().st_size < 300_000
    assert "docs/screenshot-phone.png" in (picture.parents[1] / "README.md").read_text(encoding="utf-8")
