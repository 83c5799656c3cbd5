"""Journeys of suggestions and proposals in Chromium, on a phone and a desktop, with screenshots.

(1) a resident's voice (sent through a deputy's QR link) becomes a suggestion co-signed by two deputies,
    filed, assigned to a lead and a co-unit, answered B, rated 不满意, re-handled, answered A, rated 满意,
    published, and the public page shows the reply with the phone masked;
(2) a CPPCC proposal is declined with a reason, and the member sees the reason;
(3) two similar proposals are merged and both proposers get the answer and rate it.
"""

from __future__ import annotations

import pytest

from minsheng.motions.models import Assignment, Motion, MotionStatus
from minsheng.org.demo import DEMO_PASSWORD
from minsheng.org.models import Membership, Role, User
from tests.conftest import demo_seed_once
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "建议在湖塘镇延政中路学校路口增设信号灯和人行横道，高峰时段安排交通协管员，保障学生上下学安全。"


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")


def open_action(box) -> None:
    """Open an action's box (the first comes open) and wait for its fields: they load when opened."""
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator(".action-fields [name]").first.wait_for(state="attached")


def act(
    page,
    testid: str,
    fields: dict[str, str] | None = None,
    *,
    checks: tuple[str, ...] = (),
    selects: dict[str, object] | None = None,
) -> None:
    box = page.get_by_test_id(testid).first
    open_action(box)
    for selector, value in (fields or {}).items():
        box.locator(selector).fill(value)
    for selector, value in (selects or {}).items():
        if isinstance(value, dict):
            box.locator(selector).select_option(**value)
        else:
            box.locator(selector).select_option(value)
    for selector in checks:
        box.locator(selector).check()
    with page.expect_navigation():
        box.locator("button[type=submit]").click()


def user_with_password(person, username: str) -> User:
    user = User.objects.filter(person=person).first() or User(
        username=username, person=person, first_name=person.name
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def draft_and_submit(page, base: str, kind: str, title: str, text: str = TEXT) -> Motion:
    page.goto(base + "/motions/new/")
    page.select_option("#id_kind", kind)
    page.fill("#id_title", title)
    page.fill("#id_text", text)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    motion = Motion.objects.filter(title=title).latest("id")
    act(page, "action-submit")
    return motion


def test_proposal_declined_with_a_reason(live_server, page):
    demo_seed_once()
    base = live_server.url
    sign_in(page, base, "member")
    motion = draft_and_submit(
        page,
        base,
        "proposal",
        "关于为本人子女解决入学问题的提案",
        "本人子女入学遇到困难，请求有关部门予以解决。",
    )
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.SUBMITTED
    screenshot(page, "motions-2-01-submitted")

    sign_in(page, base, "cppcc_staff")
    assert page.get_by_test_id("motions-desk-office").get_by_text(motion.title).is_visible()
    page.goto(f"{base}/motions/{motion.pk}/")
    reason = "属于个人事务，不符合提案立案条件，建议向区教育局咨询。"
    act(page, "action-decline", {"textarea": reason})
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.DECLINED
    screenshot(page, "motions-2-02-declined")

    sign_in(page, base, "member")
    page.goto(f"{base}/motions/{motion.pk}/")
    assert page.get_by_test_id("decline-reason").inner_text() == reason
    screenshot(page, "motions-2-03-member-sees-reason")


def test_two_similar_proposals_merged_and_both_proposers_answered(live_server, page):
    demo_seed_once()
    base = live_server.url
    other_seat = Membership.objects.filter(role=Role.CPPCC_MEMBER, body__kind="cppcc_committee").order_by(
        "id"
    )[30]
    other = user_with_password(other_seat.person, "member2")

    sign_in(page, base, "member")
    first = draft_and_submit(
        page,
        base,
        "proposal",
        "关于推进中小学课后服务提质增效的提案",
        "课后服务内容单一，建议引入科普、体育、艺术等社会资源，建立课后服务质量评价机制。",
    )
    sign_in(page, base, "member2")
    second = draft_and_submit(
        page,
        base,
        "proposal",
        "关于提升中小学课后服务质量的提案",
        "建议丰富课后服务内容，引入社会专业力量参与课后服务，建立质量评价机制。",
    )

    sign_in(page, base, "cppcc_staff")
    page.goto(f"{base}/motions/{second.pk}/")
    similar = page.get_by_test_id("similar")
    assert similar.get_by_text(first.title).is_visible(), "the reviewer sees the similar earlier proposal"
    screenshot(page, "motions-3-01-similar")
    act(page, "action-merge", {"input[name='merge-into']": str(first.pk)})
    assert Motion.objects.get(pk=second.pk).status == MotionStatus.MERGED
    page.goto(f"{base}/motions/{first.pk}/")
    act(page, "action-file")
    act(
        page,
        "action-assign",
        selects={
            "select[name='assign-mode']": "separate",
            "select[name='assign-units']": {"label": "区交通运输局"},
        },
    )
    assert Motion.objects.get(pk=first.pk).status == MotionStatus.ASSIGNED
    screenshot(page, "motions-3-02-assigned")

    sign_in(page, base, "handler")
    assignment = Assignment.objects.get(motion=first)
    page.goto(f"{base}/motions/{first.pk}/")
    act(
        page,
        "action-reply",
        {"textarea": "我局将会同教育部门统筹引入社会资源，丰富课后服务内容。"},
        selects={"select": "A"},
    )
    assert Motion.objects.get(pk=first.pk).status == MotionStatus.REPLIED
    assert assignment.pk

    for username in ("member", "member2"):
        sign_in(page, base, username)
        assert page.get_by_test_id("motions-desk-representative").get_by_text(first.title).first.is_visible()
        page.goto(f"{base}/motions/{first.pk}/")
        assert page.get_by_test_id("reply").first.is_visible()
        act(page, "action-rate", checks=("input[name='rate-overall'][value='satisfied']",))
        screenshot(page, f"motions-3-03-rated-by-{username}")
    assert Motion.objects.get(pk=first.pk).status == MotionStatus.CLOSED
    assert other.person_id in set(
        Motion.objects.get(pk=first.pk).evaluations.values_list("proposer_id", flat=True)
    )


def test_voice_to_suggestion_to_satisfied_public_answer(live_server, page):
    import re

    from minsheng.core.messaging import outbox
    from minsheng.motions import services
    from minsheng.org.models import Unit
    from minsheng.voices.models import Voice

    demo_seed_once()
    base = live_server.url
    deputy = User.objects.select_related("person").get(username="deputy")
    seat = Membership.objects.get(person=deputy.person, role=Role.DEPUTY)
    cosigner_seats = (
        Membership.objects.filter(role=Role.DEPUTY, body__kind="congress")
        .exclude(person=deputy.person)
        .order_by("id")[50:52]
    )
    cosigners = [user_with_password(s.person, f"cosigner{i}") for i, s in enumerate(cosigner_seats)]
    housing = Unit.objects.get(name="区住房和城乡建设局")
    co_person = Membership.objects.filter(unit=housing, role=Role.HANDLER).select_related("person").first()
    if co_person is None:
        from minsheng.org.models import Person

        person = Person.objects.create(name="周协办", pinyin="zhou xie ban")
        Membership.objects.create(person=person, unit=housing, role=Role.HANDLER, start="2021-12-28")
    else:
        person = co_person.person
    user_with_password(person, "co_handler")

    # 1. A resident scans the deputy's QR code and sends a voice, proving the phone with a code.
    page.context.clear_cookies()
    page.goto(f"{base}/voices/new/?to=deputy:{seat.person_id}&via=qr")
    page.fill(
        "#id_text", "湖塘镇延政中路学校门口的路口没有红绿灯，孩子上学过马路很危险。我的电话13912345678。"
    )
    page.fill("#id_phone", "13912345678")
    page.locator("button[name=action][value=send_code]").click()
    page.wait_for_load_state()
    page.fill("#id_code", re.search(r"\d{6}", outbox[-1].body).group(0))
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url("**/voices/sent/")
    voice = Voice.objects.get(tracking_code=page.get_by_test_id("tracking-code").inner_text().strip())
    screenshot(page, "motions-1-01-voice-sent")

    # 2. The deputy adopts it into a suggestion (text prefilled, phone masked) and invites two co-signers.
    sign_in(page, base, "deputy")
    page.goto(f"{base}/voices/{voice.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("voice-action-adopt").locator("summary").click()  # one action at a time
        page.locator("a[href*='/motions/new/?voice=']").click()
    assert "139****5678" in page.locator("#id_text").input_value()
    page.fill("#id_title", "关于在延政中路学校路口增设信号灯的建议")
    page.fill("#id_text", TEXT)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    motion = Motion.objects.get(source_voice=voice)
    act(page, "action-invite", {"input[name='invite-names']": "、".join(u.person.name for u in cosigners)})
    screenshot(page, "motions-1-02-draft-invited")
    for user in cosigners:
        sign_in(page, base, user.username)
        page.goto(f"{base}/motions/{motion.pk}/")
        with page.expect_navigation():
            page.get_by_test_id("invitation").locator("button[value='1']").click()
    assert motion.signatures.filter(status="accepted").count() == 3
    sign_in(page, base, "deputy")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(page, "action-submit")

    # 3. Staff file it and assign it to a lead unit and a co-unit.
    sign_in(page, base, "staff")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(page, "action-file")
    act(
        page,
        "action-assign",
        selects={
            "select[name='assign-mode']": "lead_co",
            "select[name='assign-lead_unit']": {"label": "区交通运输局"},
            "select[name='assign-co_units']": {"label": "区住房和城乡建设局"},
        },
    )
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.ASSIGNED
    screenshot(page, "motions-1-03-assigned")

    # 4. The co-unit sends its views; the lead unit replies B.
    sign_in(page, base, "co_handler")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(page, "action-send_views", {"textarea": "我局同意同步实施路口人行道改造。"})
    sign_in(page, base, "handler")
    assert page.get_by_test_id("motions-desk-unit").get_by_text(motion.title).is_visible()
    page.goto(f"{base}/motions/{motion.pk}/")
    act(page, "action-reply", {"textarea": "该路口信号灯已列入明年建设计划。"}, selects={"select": "B"})

    # 5. The deputy is not satisfied; the unit handles it again and replies A; the deputy is satisfied.
    sign_in(page, base, "deputy")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(
        page,
        "action-rate",
        {"textarea": "学生安全问题紧迫，希望尽快实施。"},
        checks=("input[name='rate-overall'][value='dissatisfied']",),
    )
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.REHANDLING
    sign_in(page, base, "handler")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(
        page,
        "action-reply",
        {"textarea": "经重新研究，信号灯已于本月建成投用。联系人：王科长，电话13812345678。"},
        selects={"select": "A"},
    )
    sign_in(page, base, "deputy")
    page.goto(f"{base}/motions/{motion.pk}/")
    act(page, "action-rate", checks=("input[name='rate-overall'][value='satisfied']",))
    for user in cosigners:  # the co-signers' rating is the same form (journey 3 drives it in the browser)
        services.motion_rate(
            actor=User.objects.get(pk=user.pk), motion=Motion.objects.get(pk=motion.pk), overall="satisfied"
        )
    assert Motion.objects.get(pk=motion.pk).status == MotionStatus.CLOSED
    screenshot(page, "motions-1-04-rated")

    # 6. Staff publish the final reply; the public page shows it with the phone masked.
    sign_in(page, base, "staff")
    page.goto(f"{base}/motions/{motion.pk}/")
    final = motion.replies.get(round=2)
    box = page.locator(f"[data-testid=action-disclose][data-target='{final.pk}']")
    open_action(box)
    box.locator("select").select_option("full")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    page.context.clear_cookies()
    page.goto(f"{base}/motions/public/{motion.pk}/")
    text = page.locator("main").inner_text()
    assert "138****5678" in text and "13812345678" not in text
    screenshot(page, "motions-1-05-public")


def test_role_desks_and_leader_dashboard(live_server, page):
    from minsheng.motions import demo

    demo_seed_once()
    demo.seed()
    base = live_server.url
    for username, testid in (
        ("deputy", "motions-desk-representative"),
        ("handler", "motions-desk-unit"),
        ("staff", "motions-desk-office"),
        ("leader", "motions-desk-leader"),
    ):
        sign_in(page, base, username)
        assert page.get_by_test_id(testid).is_visible()
        screenshot(page, f"motions-desk-{username}")
    page.goto(base + "/motions/dashboard/")
    page.locator("#chart-months canvas").wait_for()
    assert page.locator("#chart-unit-categories canvas").count() == 1
    screenshot(page, "motions-dashboard")
    page.goto(base + "/motions/")
    assert page.get_by_test_id("motion-list").locator("tbody tr").count() >= 5
    screenshot(page, "motions-list")
