"""Holding a reception day (接待日): the transition table, who may record it (role matrix; a refusal
changes nothing), the duty record (only held days count, with the visits recorded), the page, the
API and the my-duties item for a past day not yet recorded as held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.core.errors import (
    DomainError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationFailedError,
)
from minsheng.core.events import events_for
from minsheng.records.engine import record_rebuild, record_update
from minsheng.records.models import RecordEntry
from minsheng.records.selectors import inbox_for
from minsheng.voices.models import ReceptionDay, ReceptionDayStatus, VoiceChannel
from minsheng.voices.services import (
    RECEPTION_DAY_TRANSITIONS,
    reception_day_cancel,
    reception_day_hold,
    reception_day_publish,
    voice_create,
)
from tests.voices.conftest import RESIDENT_PHONE, account
from tests.voices.test_api import bearer, post

pytestmark = pytest.mark.django_db

DAY_TYPE = "voices.receptionday"
# Who may record the demo station's day as held: its receiving deputy, its staff, the congress's
# office over it and administrators; nobody else.
MAY_HOLD = {"deputy": True, "station": True, "staff": True, "admin": True, "leader": False,
            "cppcc_staff": False, "member": False, "handler": False, "lawstaff": False,
            "jumin": False}  # fmt: skip


def _day(home_station, deputy_seat, *, days_ago: int = 1) -> ReceptionDay:
    """A day announced with notice, then (time passing) moved to ``days_ago`` days back."""
    day = reception_day_publish(
        actor=account("station"),
        station=home_station,
        date=timezone.localdate() + dt.timedelta(days=10 + days_ago),  # a free slot per test day
        start_time=dt.time(9),
        end_time=dt.time(11),
        place="代表之家接待室",
        deputies=[deputy_seat],
    )
    ReceptionDay.objects.filter(pk=day.pk).update(date=timezone.localdate() - dt.timedelta(days=days_ago))
    return ReceptionDay.objects.get(pk=day.pk)


def _visit(day: ReceptionDay) -> None:
    voice_create(actor=account("station"), channel=VoiceChannel.RECEPTION, text="小区停车难，请代表反映。",
                 phone=RESIDENT_PHONE, station=day.station, reception_day=day)  # fmt: skip


def _state(day: ReceptionDay) -> tuple[str, int]:
    return ReceptionDay.objects.get(pk=day.pk).status, len(list(events_for(day)))


def _lines(day: ReceptionDay) -> list[tuple[int, float | None, bool]]:
    rows = RecordEntry.objects.filter(target_type=DAY_TYPE, target_id=str(day.pk))
    return sorted(rows.values_list("person_id", "value", "public"))


def test_the_table_holds_only_a_published_day():
    hold = RECEPTION_DAY_TRANSITIONS.lookup("hold")
    assert hold is not None and hold.sources == {"published"} and hold.target == "held"
    cancel = RECEPTION_DAY_TRANSITIONS.lookup("cancel")
    assert cancel is not None and cancel.sources == {"published"} and cancel.target == "cancelled"


def test_a_held_day_records_its_deputies_and_visits(home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    _visit(day)
    held = reception_day_hold(actor=account("deputy"), day=day, expected_state="published")
    assert held.status == ReceptionDayStatus.HELD
    event = list(events_for(held))[-1]
    assert (event.verb, event.from_state, event.to_state) == ("hold", "published", "held")
    assert event.payload == {"deputies": [deputy_seat.pk], "visits": 1}
    # Visits entered late still go to a held day; a held day is neither held again nor cancelled.
    _visit(held)
    for refused in (
        lambda: reception_day_hold(actor=account("station"), day=held),
        lambda: reception_day_cancel(actor=account("station"), day=held, reason="改期"),
    ):
        before = _state(held)
        with pytest.raises(InvalidTransitionError):
            refused()
        assert _state(held) == before


@pytest.mark.parametrize("days_ago", [-1, -5])
def test_a_day_to_come_cannot_be_held(home_station, deputy_seat, days_ago):
    day = _day(home_station, deputy_seat, days_ago=days_ago)
    before = _state(day)
    with pytest.raises(ValidationFailedError):
        reception_day_hold(actor=account("station"), day=day)
    assert _state(day) == before


def test_a_stale_state_is_a_conflict(home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    reception_day_cancel(actor=account("station"), day=day, reason="台风预警")
    before = _state(day)
    with pytest.raises(DomainError):
        reception_day_hold(actor=account("deputy"), day=day, expected_state="published")
    assert _state(day) == before


@pytest.mark.parametrize(("username", "allowed"), sorted(MAY_HOLD.items()))
def test_who_may_hold_a_day(home_station, deputy_seat, username, allowed):
    day = _day(home_station, deputy_seat)
    before = _state(day)
    if allowed:
        assert reception_day_hold(actor=account(username), day=day).status == ReceptionDayStatus.HELD
        return
    with pytest.raises(PermissionDeniedError):
        reception_day_hold(actor=account(username), day=day)
    assert _state(day) == before


def test_anonymous_may_not_hold(home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    before = _state(day)
    with pytest.raises(PermissionDeniedError):
        reception_day_hold(actor=AnonymousUser(), day=day)
    assert _state(day) == before


def test_the_record_counts_held_days_only(home_station, deputy_seat):
    announced = _day(home_station, deputy_seat, days_ago=-5)
    never_held = _day(home_station, deputy_seat, days_ago=3)
    cancelled = _day(home_station, deputy_seat, days_ago=2)
    reception_day_cancel(actor=account("station"), day=cancelled, reason="停电")
    held = _day(home_station, deputy_seat, days_ago=1)
    _visit(held)
    _visit(held)
    record_update()
    for day in (announced, never_held, cancelled, held):
        assert _lines(day) == []
    reception_day_hold(actor=account("station"), day=held)
    record_update()
    assert _lines(held) == [(deputy_seat.person_id, 2.0, True)]
    for day in (announced, never_held, cancelled):
        assert _lines(day) == []
    incremental = sorted(
        RecordEntry.objects.values_list("person_id", "kind", "target_type", "target_id", "value")
    )
    record_rebuild()
    assert (
        sorted(RecordEntry.objects.values_list("person_id", "kind", "target_type", "target_id", "value"))
        == incremental
    )


def test_my_duties_offers_to_record_a_past_day_then_forgets_it(home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    url = reverse("voices:reception_day", args=[day.pk])
    deputy = account("deputy")
    items = [i for i in inbox_for(deputy) if i.url == url]
    assert len(items) == 1 and items[0].due == day.date and str(items[0].action) == "记录接待日已举行"
    reception_day_hold(actor=deputy, day=day)
    assert [i for i in inbox_for(account("deputy")) if i.url == url] == []


def test_the_page_is_public_and_offers_the_button_to_who_may_hold(client: Client, home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    url = reverse("voices:reception_day", args=[day.pk])
    hold = reverse("voices:reception_hold", args=[day.pk])
    page = client.get(url)
    assert (
        page.status_code == 200
        and home_station.name in page.content.decode()
        and hold not in page.content.decode()
    )
    assert client.post(hold).status_code == 302 and _state(day)[0] == "published"  # to the sign-in page
    client.force_login(account("handler"))
    assert hold not in client.get(url).content.decode()
    client.post(hold, {"state": "published"})
    assert _state(day)[0] == "published"
    client.force_login(account("deputy"))
    assert hold in client.get(url).content.decode()
    response = client.post(hold, {"state": "published"}, follow=True)
    assert _state(day)[0] == "held" and "已举行" in response.content.decode()
    assert client.get(reverse("voices:reception_day", args=[999_999])).status_code == 404


def test_the_api_holds_a_day(client: Client, home_station, deputy_seat):
    day = _day(home_station, deputy_seat)
    url = f"/api/voices/reception-days/{day.pk}/hold"
    assert post(client, url, {}).status_code in (401, 403)
    assert post(client, url, {}, **bearer("handler")).status_code == 403
    assert post(client, url, {"expected_state": "x" * 40}, **bearer("deputy")).status_code in (400, 422)
    assert post(client, "/api/voices/reception-days/999999/hold", {}, **bearer("deputy")).status_code == 404
    assert _state(day)[0] == "published"
    response = post(client, url, {"expected_state": "published"}, **bearer("deputy"))
    assert response.status_code == 200 and response.json()["status"] == "held"
    assert post(client, url, {}, **bearer("deputy")).status_code == 409
