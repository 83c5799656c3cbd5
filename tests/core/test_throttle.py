"""The shared attempt counter behind every public rate limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from minsheng.core.errors import RateLimitedError
from minsheng.core.throttle import client_ip, throttle_count, throttle_exceeded

pytestmark = pytest.mark.django_db


def test_the_limit_is_reached_after_limit_attempts():
    for _attempt in range(3):
        throttle_count("t:one", limit=3, seconds=60)
    assert throttle_exceeded("t:one", limit=3)
    with pytest.raises(RateLimitedError) as refused:
        throttle_count("t:one", limit=3, seconds=60, message="慢一点")
    assert refused.value.message.startswith("慢一点") and refused.value.retry_at is not None
    assert not throttle_exceeded("t:other", limit=3)


def test_client_ip_ignores_forwarded_headers():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "127.0.0.9"


def test_a_window_ends_and_counting_starts_again():
    import datetime as dt

    from django.utils import timezone

    from minsheng.core.throttle import counter_add, counter_value

    start = timezone.now()
    assert counter_add("t:w", seconds=60, now=start).count == 1
    assert counter_add("t:w", seconds=60, now=start + dt.timedelta(seconds=30)).count == 2
    assert counter_value("t:w", now=start + dt.timedelta(seconds=61)) is None
    assert counter_add("t:w", seconds=60, now=start + dt.timedelta(seconds=61)).count == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_are_all_counted(tmp_path):
    import threading

    from minsheng.core.throttle import counter_add, counter_value
    from tests.core.thread_database import threads_with_own_connections

    with threads_with_own_connections(tmp_path) as database:
        barrier = threading.Barrier(10, timeout=20)

        def attempt() -> int:
            barrier.wait()
            return counter_add("t:race", seconds=60).count

        started = [database.start(attempt) for _ in range(10)]
        for thread, _outcome in started:
            thread.join(timeout=60)
        assert sorted(outcome["value"] for _thread, outcome in started) == list(range(1, 11))
        assert database.run(lambda: counter_value("t:race").count) == 10
