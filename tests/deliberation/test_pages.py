"""The pages: a resident verifies a phone, joins, votes card by card, writes; staff run the topic."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.core.messaging import outbox
from minsheng.deliberation import services
from minsheng.deliberation.models import Meeting, Outcome, Participant, Statement, Topic, TopicStatus, Vote
from tests.deliberation.conftest import open_topic

pytestmark = pytest.mark.django_db


def _digits(text: str) -> str:
    import re

    return re.search(r"\d{6}", text).group(0)


def test_a_resident_joins_votes_card_by_card_and_writes(world, topic, django_capture_on_commit_callbacks):
    client = Client()
    page = client.get(f"/deliberation/{topic.pk}/")
    assert page.status_code == 200 and 'id="join"' in page.content.decode()
    assert 'name="phone"' in page.content.decode()  # the number is asked right in the join form
    refused = client.post(f"/deliberation/{topic.pk}/join/", {"action": "submit", "phone": "13912340000"})
    assert refused.status_code == 400 and not Participant.objects.filter(topic=topic).exists()
    sent = client.post(f"/deliberation/{topic.pk}/join/", {"action": "send_code", "phone": "13912340000"})
    assert sent.status_code == 200 and 'value="13912340000"' in sent.content.decode()
    code = _digits(outbox[-1].body)
    joined = client.post(
        f"/deliberation/{topic.pk}/join/", {"action": "submit", "phone": "13912340000", "code": code}
    )
    assert joined.status_code == 302 and joined["Location"].endswith("#vote")
    participant = Participant.objects.get(topic=topic)
    assert (
        participant.user is None
        and participant.phone_masked
        and "13912340000" not in participant.phone_masked
    )
    first = Statement.objects.filter(topic=topic).order_by("pk").first()
    card = client.post(
        f"/deliberation/{topic.pk}/vote/", {"statement": first.pk, "vote": "1"}, HTTP_HX_REQUEST="true"
    )
    assert card.status_code == 200
    assert f'id="statement-{first.pk}"' not in card.content.decode()
    assert Vote.objects.get(participant=participant, statement=first).value == 1
    written = client.post(f"/deliberation/{topic.pk}/write/", {"text": "电梯应优先照顾老人"})
    assert written["Location"] == "/deliberation/receipt/"
    statement = Statement.objects.get(topic=topic, author=participant, status="published")
    receipt = client.get("/deliberation/receipt/").content.decode()
    assert statement.receipt_code and statement.receipt_code in receipt and "电梯应优先照顾老人" in receipt
    page = client.get(f"/deliberation/{topic.pk}/").content.decode()
    assert "电梯应优先照顾老人" in page and "13912340000" not in page


def test_a_stranger_cannot_vote_and_closed_topics_show_no_card(world, topic):
    client = Client()
    statement = Statement.objects.filter(topic=topic).first()
    response = client.post(f"/deliberation/{topic.pk}/vote/", {"statement": statement.pk, "vote": "1"})
    assert response.status_code == 302 and not Vote.objects.exists()
    services.topic_close(actor=world.staff, topic=topic)
    page = client.get(f"/deliberation/{topic.pk}/").content.decode()
    assert 'class="vote-buttons"' not in page


def test_proposed_topics_are_hidden_from_the_public(world):
    topic = services.topic_propose(actor=world.member, body=world.committee, title="隐藏议题", question="?")
    assert Client().get(f"/deliberation/{topic.pk}/").status_code == 404
    assert "隐藏议题" not in Client().get("/deliberation/").content.decode()
    staff = Client()
    staff.force_login(world.staff)
    assert "隐藏议题" in staff.get("/deliberation/").content.decode()
    assert staff.get(f"/deliberation/{topic.pk}/manage/").status_code == 200
    member = Client()
    member.force_login(world.member)
    assert member.get(f"/deliberation/{topic.pk}/manage/").status_code == 403


def test_staff_run_a_topic_from_the_manage_page(world):
    topic = services.topic_propose(
        actor=world.member, body=world.committee, title="社区停车", question="如何停车？"
    )
    staff = Client()
    staff.force_login(world.staff)
    base = f"/deliberation/{topic.pk}/manage"
    staff.post(
        f"{base}/accept/",
        {"audience": "public", "moderation": "pre", "seeds": "观点一\n观点二\n", "state": "proposed"},
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ACCEPTED and topic.moderation == "pre"
    assert Statement.objects.filter(topic=topic, is_seed=True).count() == 2
    staff.post(f"{base}/open/", {"state": "accepted"})
    starts = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    staff.post(f"{base}/meeting/", {"starts_at": starts, "place": "社区议事厅"})
    meeting = Meeting.objects.get(topic=topic)
    staff.post(
        f"{base}/hold/", {"meeting": meeting.pk, "minutes": "纪要", "attendees": "张三,居民\n李四,委员,政协"}
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.attendances.count() == 2
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    staff.post(
        f"{base}/outcome/",
        {"meeting": meeting.pk, "text": "划定临时停车位", "unit": world.unit.pk, "due": due},
    )
    outcome = Outcome.objects.get(topic=topic)
    handler = Client()
    handler.force_login(world.handler)
    handler.post(f"/deliberation/outcomes/{outcome.pk}/progress/", {"text": "已施划200个车位", "done": "on"})
    outcome.refresh_from_db()
    assert outcome.status == "in_progress"  # a unit reports; only staff complete
    staff.post(f"/deliberation/outcomes/{outcome.pk}/progress/", {"text": "完成验收", "done": "on"})
    outcome.refresh_from_db()
    assert outcome.status == "done"
    staff.post(f"{base}/close/", {"state": "open"})
    staff.post(f"{base}/conclude/", {"state": "closed"})
    report = Client().get(f"/deliberation/{topic.pk}/report/").content.decode()
    assert "划定临时停车位" in report and "完成验收" in report


def test_a_stale_form_changes_nothing(world, topic):
    staff = Client()
    staff.force_login(world.staff)
    staff.post(f"/deliberation/{topic.pk}/manage/close/", {"state": "accepted"})
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.OPEN


@pytest.mark.parametrize("statements", [3, 30])
def test_page_queries_do_not_grow_with_rows(
    world, statements, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    topic = open_topic(world, seeds=statements)
    joined = [services.participant_join(topic=topic, verified_phone=f"1390000{n:04d}") for n in range(8)]
    with django_capture_on_commit_callbacks(execute=True):
        for n, j in enumerate(joined):
            for s in Statement.objects.filter(topic=topic):
                services.vote_cast(
                    participant=j.participant, statement_id=s.pk, value=1 if (n + s.pk) % 2 else -1
                )
    meeting = services.meeting_schedule(
        actor=world.staff, topic=topic, starts_at=timezone.now(), place="议事厅"
    )
    meeting = services.meeting_hold(
        actor=world.staff,
        meeting=meeting,
        minutes="纪要",
        attendees=[services.AttendeeIn(name="甲", kind="resident")],
    )
    for n in range(statements // 3):
        services.outcome_add(actor=world.staff, meeting=meeting, text=f"成果{n}", unit=world.unit,
                             due=timezone.localdate() + dt.timedelta(days=5))  # fmt: skip
    client = Client()
    with django_assert_max_num_queries(25):
        assert client.get(f"/deliberation/{topic.pk}/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(f"/deliberation/{topic.pk}/report/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/deliberation/").status_code == 200
    staff = Client()
    staff.force_login(world.staff)
    with django_assert_max_num_queries(30):
        assert staff.get(f"/deliberation/{topic.pk}/manage/").status_code == 200


def test_the_desk_lists_the_topics_staff_run_with_statements_to_moderate(world):
    topic = open_topic(world, moderation="pre")
    joined = services.participant_join(topic=topic, verified_phone="13900002222")
    services.statement_submit(participant=joined.participant, text="需要审核的观点")
    staff = Client()
    staff.force_login(world.staff)
    page = staff.get("/me/").content.decode()
    assert f"/deliberation/{topic.pk}/manage/" in page
    resident = Client()
    resident.force_login(world.resident)
    assert f"/deliberation/{topic.pk}/manage/" not in resident.get("/me/").content.decode()


def test_public_comments_csv_writes_formula_statements_as_text(world, topic):
    """/deliberation/<id>/comments.csv wrote cells beginning with =, +, @ or - as they were (issue 12.6)."""
    import csv
    import io

    hostile = [
        '=HYPERLINK("http://example.invalid/","详情")',
        "+1+1 的提法不妥",
        "@所有人 请投票",
        "-1 表示反对",
    ]
    for n, text in enumerate(hostile):
        joined = services.participant_join(topic=topic, verified_phone=f"1390000{3000 + n:04d}")
        services.statement_submit(participant=joined.participant, text=text)
    response = Client().get(reverse("deliberation:comments_csv", args=[topic.pk]))
    assert response.status_code == 200
    bodies = [
        row["comment-body"] for row in csv.DictReader(io.StringIO(response.content.decode(), newline=""))
    ]
    for text in hostile:
        assert "'" + text in bodies and text not in bodies


def test_a_statement_s_receipt_opens_it_again_and_guessing_is_stopped(world, topic):
    joined = services.participant_join(topic=topic, verified_phone="13912340000")
    statement = services.statement_submit(participant=joined.participant, text="楼层越高分摊越多")
    assert statement.receipt_code
    client = Client()
    url = "/deliberation/receipt/lookup/"
    found = client.post(url, {"code": statement.receipt_code.lower(), "phone": "139 1234 0000"})
    assert found.status_code == 200 and "楼层越高分摊越多" in found.content.decode()
    assert "13912340000" not in found.content.decode()
    for _ in range(10):
        miss = client.post(url, {"code": statement.receipt_code, "phone": "13900000000"})
        assert miss.status_code == 404 and "楼层越高分摊越多" not in miss.content.decode()
    stopped = client.post(url, {"code": statement.receipt_code, "phone": "13912340000"})
    assert stopped.status_code == 429 and "楼层越高分摊越多" not in stopped.content.decode()
