"""Reception days (接待日): changing an announced day, overlaps, and visits recorded against held days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailedError
from minsheng.core.events import events_for
from minsheng.core.models import Notification
from minsheng.org.models import Body, Membership, Role
from minsheng.voices.models import ReceptionDay, Voice, VoiceChannel
from minsheng.voices.selectors import receiving_deputies_for
from minsheng.voices.services import (
    reception_day_cancel,
    reception_day_publish,
    reception_day_update,
    voice_create,
)
from tests.voices.conftest import RESIDENT_PHONE, account
from tests.voices.test_api import bearer


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def announced(db, home_station, deputy_seat) -> ReceptionDay:
    return reception_day_publish(
        actor=account("station"),
        station=home_station,
        date=_in_days(5),
        start_time=dt.time(9),
        end_time=dt.time(11),
        place="代表之家接待室",
        deputies=[deputy_seat],
    )


@pytest.fixture
def second_deputy(deputy_seat) -> Membership:
    return (
        Membership.objects.filter(role=Role.DEPUTY, person__user__isnull=False)
        .exclude(pk=deputy_seat.pk)
        .select_related("person")
        .first()
    )


def _change(day: ReceptionDay, actor_name: str = "station", **changes) -> ReceptionDay:
    arguments = {
        "date": day.date,
        "start_time": day.start_time,
        "end_time": day.end_time,
        "place": day.place,
        "deputies": list(day.deputies.all()),
        "note": day.note,
    }
    arguments.update(changes)
    return reception_day_update(actor=account(actor_name), day=day, **arguments)


def _state(day: ReceptionDay) -> tuple:
    fresh = ReceptionDay.objects.get(pk=day.pk)
    seats = sorted(fresh.deputies.values_list("pk", flat=True))
    return fresh.date, fresh.start_time, fresh.end_time, fresh.place, fresh.status, seats


def test_a_change_is_recorded_and_every_deputy_concerned_is_told(announced, deputy_seat, second_deputy):
    Notification.objects.all().delete()
    changed = _change(announced, place="社区服务中心二楼", deputies=[deputy_seat, second_deputy])
    assert changed.place == "社区服务中心二楼"
    event = list(events_for(changed))[-1]
    assert event.verb == "update"
    assert event.payload["changed"] == {"place": {"from": "代表之家接待室", "to": "社区服务中心二楼"}}
    assert event.payload["deputies_added"] == [second_deputy.pk]
    told = Notification.objects.values_list("user__person_id", "text")
    texts = dict(told)
    assert "不再" not in texts[second_deputy.person_id] and "接待" in texts[second_deputy.person_id]
    assert "变更" in texts[deputy_seat.person_id]

    Notification.objects.all().delete()
    _change(changed, deputies=[deputy_seat])
    removed = Notification.objects.get(user__person_id=second_deputy.person_id)
    assert "不再" in removed.text
    assert not Notification.objects.filter(user__person_id=deputy_seat.person_id).exists()


def test_an_unchanged_form_records_nothing(announced):
    before = len(list(events_for(announced)))
    _change(announced)
    assert len(list(events_for(announced))) == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": _in_days(1)}, "至少提前 3 天"),
        ({"end_time": dt.time(8)}, "结束时间"),
        ({"place": ""}, ""),
        ({"place": "<script>alert(1)</script>"}, ""),
        ({"note": "备注" * 200}, ""),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(announced, changes, message):
    before = _state(announced)
    with pytest.raises(ValidationFailedError) as error:
        _change(announced, **changes)
    assert message in error.value.message
    assert _state(announced) == before


def test_only_the_station_side_may_change_and_not_a_cancelled_or_past_day(announced):
    before = _state(announced)
    with pytest.raises(PermissionDeniedError):
        _change(announced, "handler", place="别处")
    assert _state(announced) == before

    for held in (_in_days(-1), _in_days(0)):  # on the day visits may already be recorded against it
        ReceptionDay.objects.filter(pk=announced.pk).update(date=held)
        with pytest.raises(ValidationFailedError):
            _change(announced, date=_in_days(7), place="别处")
        assert ReceptionDay.objects.get(pk=announced.pk).date == held
    ReceptionDay.objects.filter(pk=announced.pk).update(date=_in_days(5))

    reception_day_cancel(actor=account("station"), day=announced, reason="台风预警")
    with pytest.raises(ConflictError):
        _change(announced, place="别处")


def test_a_station_cannot_receive_twice_at_the_same_time(announced, home_station):
    overlapping = {
        "actor": account("station"),
        "station": home_station,
        "date": announced.date,
        "start_time": dt.time(10),
        "end_time": dt.time(12),
        "place": "另一间会议室",
    }
    with pytest.raises(ValidationFailedError) as error:
        reception_day_publish(**overlapping)
    assert "09:00" in error.value.message and "11:00" in error.value.message
    assert ReceptionDay.objects.count() == 1

    afternoon = reception_day_publish(**{**overlapping, "start_time": dt.time(14), "end_time": dt.time(16)})
    with pytest.raises(ValidationFailedError):
        _change(afternoon, start_time=dt.time(10, 30))
    assert _state(afternoon)[1] == dt.time(14)
    # Once the morning is cancelled its slot is free again.
    reception_day_cancel(actor=account("station"), day=announced, reason="改期")
    assert _change(afternoon, start_time=dt.time(10, 30)).start_time == dt.time(10, 30)


def _visit(day: ReceptionDay, **overrides) -> Voice:
    arguments = {
        "actor": account("station"),
        "channel": VoiceChannel.RECEPTION,
        "text": "来访群众反映：小区电梯加装进度缓慢。",
        "phone": RESIDENT_PHONE,
        "reception_day": day,
    }
    arguments.update(overrides)
    return voice_create(**arguments)


def test_visits_are_recorded_only_against_days_that_were_held(announced):
    with pytest.raises(ValidationFailedError) as error:
        _visit(announced)
    assert "当天或之后" in error.value.message
    ReceptionDay.objects.filter(pk=announced.pk).update(date=timezone.localdate())
    announced.refresh_from_db()
    voice = _visit(announced)
    assert voice.reception_day == announced and voice.station_id == announced.station_id

    from minsheng.org.models import STATION_KINDS, Body

    elsewhere = Body.objects.filter(kind__in=STATION_KINDS).exclude(pk=announced.station_id).first()
    with pytest.raises(ValidationFailedError):
        _visit(announced, actor=account("admin"), station=elsewhere)
    reception_day_cancel(actor=account("station"), day=announced, reason="停电")
    with pytest.raises(ValidationFailedError):
        _visit(announced)
    with pytest.raises(PermissionDeniedError):
        _visit(announced, actor=AnonymousUser())
    assert Voice.objects.count() == 1


def _client(username: str) -> Client:
    client = Client()
    client.force_login(account(username))
    return client


def test_the_station_changes_a_day_on_the_web(announced, deputy_seat):
    station = _client("station")
    url = reverse("voices:reception_edit", args=[announced.pk])
    page = station.get(url)
    assert page.status_code == 200 and "变更接待日" in page.content.decode()
    assert "代表之家接待室" in page.content.decode()
    # ISO values, whatever the language: the browser's date picker drops anything else.
    assert f'value="{announced.date.isoformat()}"' in page.content.decode()
    assert 'value="09:00"' in page.content.decode()
    # The receiving deputies offered are those elected for the station's place, not the whole district.
    offered = re.search(r'<select name="deputies".*?</select>', page.content.decode(), re.S).group(0)
    all_deputies = Membership.objects.filter(role=Role.DEPUTY).count()
    assert deputy_seat.person.name in offered and 0 < offered.count("<option") < all_deputies / 5
    assert url in station.get(reverse("voices:reception")).content.decode()

    data = {
        "station": announced.station_id,
        "date": announced.date.isoformat(),
        "start_time": "14:00",
        "end_time": "16:30",
        "place": "代表之家接待室",
        "deputies": [deputy_seat.pk],
    }
    bad = station.post(url, {**data, "date": _in_days(1).isoformat()})
    assert bad.status_code == 400 and "至少提前 3 天" in bad.content.decode()
    assert station.post(url, data).status_code == 302
    assert ReceptionDay.objects.get(pk=announced.pk).start_time == dt.time(14)

    assert _client("handler").get(url).status_code == 403
    assert _client("handler").post(url, {**data, "start_time": "08:00"}).status_code == 403
    assert ReceptionDay.objects.get(pk=announced.pk).start_time == dt.time(14)
    assert _client("station").get(reverse("voices:reception_edit", args=[999999])).status_code == 404


def test_the_api_changes_a_day_with_the_same_rules(announced, deputy_seat):
    client = Client()
    body = {
        "date": announced.date.isoformat(),
        "start_time": "09:30",
        "end_time": "11:30",
        "place": "代表之家接待室",
        "deputy_ids": [deputy_seat.pk],
    }
    url = f"/api/voices/reception-days/{announced.pk}"

    def put(data: dict, username: str):
        return client.put(url, data, content_type="application/json", **bearer(username))

    assert put(body, "handler").status_code == 403
    refused = put({**body, "end_time": "09:00"}, "station")
    assert refused.status_code == 400 and "结束" in refused.json()["detail"]
    assert put({**body, "deputy_ids": [999999]}, "station").status_code == 400
    elsewhere = (
        Membership.objects.filter(role=Role.DEPUTY)
        .exclude(pk__in=receiving_deputies_for(Body.objects.filter(pk=announced.station_id)))
        .first()
    )
    assert put({**body, "deputy_ids": [elsewhere.pk]}, "station").status_code == 400
    response = put(body, "station")
    assert response.status_code == 200, response.content
    assert response.json()["start_time"] == "09:30:00"
    assert client.put("/api/voices/reception-days/999999", body, content_type="application/json",
                      **bearer("station")).status_code == 404  # fmt: skip
