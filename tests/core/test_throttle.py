"""The shared attempt counter behind every public rate limit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from minsheng.core.errors import RateLimitedError
from minsheng.core.throttle import client_ip, throttle_count, throttle_exceeded


def test_the_limit_is_reached_after_limit_attempts():
    for _attempt in range(3):
        throttle_count("t:one", limit=3, seconds=60)
    assert throttle_exceeded("t:one", limit=3)
    with pytest.raises(RateLimitedError) as refused:
        throttle_count("t:one", limit=3, seconds=60, message="慢一点")
    assert refused.value.message == "慢一点"
    assert not throttle_exceeded("t:other", limit=3)


def test_client_ip_ignores_forwarded_headers():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "127.0.0.9"
