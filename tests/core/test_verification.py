"""One-time codes for people without an account."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.cache import SessionStore
from django.core.cache import cache
from django.utils import translation

from minsheng.core import messaging
from minsheng.core.errors import RateLimitedError, ValidationFailedError
from minsheng.core.verification import (
    MAX_WRONG_CODES,
    SENDS_PER_PHONE_PER_HOUR,
    mobile_normalise,
    phone_code_check,
    phone_code_send,
    phone_session_remember,
    phone_session_verified,
)
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    messaging.outbox_clear()
    yield
    cache.clear()


def sent_code() -> str:
    return re.search(r"\d{6}", messaging.outbox[-1].body).group(0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("008613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
    ],
)
def test_mobile_numbers_are_normalised(raw: str, expected: str):
    assert mobile_normalise(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345678901", "1381234567", "138123456789", "0519-83111234", "abc"])
def test_invalid_mobile_numbers_are_refused(raw: str):
    with pytest.raises(ValidationFailedError) as error:
        mobile_normalise(raw)
    assert error.value.field == "phone"


def test_a_code_works_once():
    phone_code_send(phone="13812345678", purpose="voice")
    assert messaging.outbox[-1].to == "13812345678"
    code = sent_code()
    assert phone_code_check(phone="138 1234 5678", purpose="voice", code=code) == "13812345678"
    with pytest.raises(ValidationFailedError):
        phone_code_check(phone="13812345678", purpose="voice", code=code)


def test_a_code_is_bound_to_its_purpose():
    phone_code_send(phone="13812345678", purpose="voice")
    with pytest.raises(ValidationFailedError):
        phone_code_check(phone="13812345678", purpose="opinion", code=sent_code())


def test_wrong_codes_void_the_code():
    phone_code_send(phone="13812345678", purpose="voice")
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(MAX_WRONG_CODES):
        with pytest.raises(ValidationFailedError):
            phone_code_check(phone="13812345678", purpose="voice", code=wrong)
    with pytest.raises(RateLimitedError):
        phone_code_check(phone="13812345678", purpose="voice", code=code)


def test_sending_is_limited_per_number():
    for _attempt in range(SENDS_PER_PHONE_PER_HOUR):
        phone_code_send(phone="13812345678", purpose="voice")
    with pytest.raises(RateLimitedError):
        phone_code_send(phone="13812345678", purpose="voice")
    assert len(messaging.outbox) == SENDS_PER_PHONE_PER_HOUR


def test_session_remembers_a_verified_number():
    session = SessionStore()
    assert phone_session_verified(session) is None
    phone_session_remember(session, "13812345678")
    assert phone_session_verified(session) == "13812345678"


def _refusal_past_the_hourly_limit() -> str:
    """The Chinese message of the send that comes after the hour's allowance for one number."""
    for _attempt in range(SENDS_PER_PHONE_PER_HOUR):
        phone_code_send(phone="13812345678", purpose="voice")
    with translation.override("zh-hans"), pytest.raises(RateLimitedError) as refused:
        phone_code_send(phone="13812345678", purpose="voice")
    return refused.value.message


# A fixed afternoon: near midnight the time to try again falls on the next day and names it.
@time_machine.travel(dt.datetime(2026, 3, 2, 14, 30, tzinfo=SHANGHAI), tick=False)
def test_the_send_limit_is_per_purpose_and_says_when_to_try_again():
    refusal = _refusal_past_the_hourly_limit()
    assert re.fullmatch(r"获取验证码次数过多。请于 15:3\d 后再试（约 60 分钟后）。", refusal), refusal
    # Another purpose has its own limit.
    phone_code_send(phone="13812345678", purpose="opinion")
    assert messaging.outbox[-1].to == "13812345678"


@time_machine.travel(dt.datetime(2026, 3, 2, 23, 30, tzinfo=SHANGHAI), tick=False)
def test_a_limit_that_ends_tomorrow_names_the_day():
    refusal = _refusal_past_the_hourly_limit()
    assert re.fullmatch(r"获取验证码次数过多。请于 03-03 00:3\d 后再试（约 60 分钟后）。", refusal), refusal


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_wrong_codes_then_the_right_one_fail(thread_database: ThreadDatabase):
    # The attack won 2 times in 6 when the count was read and written without a lock.
    for trial in range(6):
        _race_eight_wrong_codes_then_the_right_one(thread_database, f"1390000{trial:04d}")


def _race_eight_wrong_codes_then_the_right_one(thread_database: ThreadDatabase, phone: str) -> None:
    thread_database.run(lambda: phone_code_send(phone=phone, purpose="voice"))
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    barrier = threading.Barrier(8, timeout=20)

    def guess() -> None:
        barrier.wait()
        phone_code_check(phone=phone, purpose="voice", code=wrong)

    started = [thread_database.start(guess) for _ in range(8)]
    for thread, _outcome in started:
        thread.join(timeout=60)
    assert all("error" in outcome for _thread, outcome in started)
    with pytest.raises(RateLimitedError):
        thread_database.run(lambda: phone_code_check(phone=phone, purpose="voice", code=code))
