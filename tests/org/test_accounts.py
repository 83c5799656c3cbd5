"""Attacks on sign-in and password reset (issue 12.1, 12.2, 12.3, 12.16): limits per account and per
address, tries that survive new codes, the same answers for every account, API tokens revoked."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from minsheng.core import messaging
from minsheng.core.errors import RateLimitedError, ValidationFailedError
from minsheng.org import accounts
from minsheng.org.models import ApiToken, User
from minsheng.org.services import api_token_create
from tests.core.thread_database import ThreadDatabase, threads_with_own_connections

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
DEMO_PASSWORD = "minsheng-demo"
RESET_URL = "/accounts/reset/"
CONFIRM_URL = "/accounts/reset/confirm/"


def last_code() -> str:
    return re.search(r"\d{6}", messaging.outbox[-1].body).group(0)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


NEW_PASSWORD = "new-password-2026"


def confirm(client: Client, login: str, code: str):
    return client.post(CONFIRM_URL, {"login": login, "code": code, "new_password": NEW_PASSWORD}, **ZH)


def answer_of(response) -> tuple[int, str]:
    """What a person sees: the status and the page's messages and errors, without the echoed login."""
    page = response.content.decode()
    errors = re.findall(r'class="[^"]*(?:error|errorlist|message)[^"]*"[^>]*>(.*?)</', page, re.S)
    return response.status_code, " ".join(e.strip() for e in errors)


# --- 12.2: the sign-in lock belongs to the account --------------------------------------------------


def test_failures_under_the_username_lock_the_phone_number_too(client: Client):
    user = User.objects.get(username="deputy")
    assert user.phone
    for _attempt in range(5):
        assert (
            client.post("/accounts/login/", {"login": "deputy", "password": "wrong-password"}).status_code
            == 400
        )
    response = client.post("/accounts/login/", {"login": user.phone, "password": DEMO_PASSWORD}, **ZH)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode() and "后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_under_the_phone_number_lock_the_username_too(client: Client):
    phone = User.objects.get(username="member").phone
    for _attempt in range(5):
        client.post(
            "/accounts/login/",
            {"login": phone, "password": "wrong-password"},
            REMOTE_ADDR=f"10.0.0.{_attempt}",
        )
    # Another address: only the account's own count refuses it.
    response = client.post(
        "/accounts/login/", {"login": "member", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429


# A fixed afternoon, so that the time to try again never falls on the next day (which names the date).
@time_machine.travel(dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_the_refusal_says_when_to_try_again():
    for _attempt in range(5):
        accounts.login_failure_note(login="deputy", client_ip="10.1.1.1")
    with translation.override("zh-hans"), pytest.raises(RateLimitedError) as refused:
        accounts.login_refuse_if_throttled(login="deputy", client_ip="10.2.2.2")
    assert re.search(r"请于 \d{2}:\d{2} 后再试（约 1[45] 分钟后）。", refused.value.message), (
        refused.value.message
    )


# --- 12.1: reset requests limited per account and per address ----------------------------------------


def test_twenty_reset_requests_send_only_three_codes(client: Client):
    statuses = [client.post(RESET_URL, {"login": "station"}, **ZH).status_code for _ in range(20)]
    assert len(messaging.outbox) == accounts.RESET_REQUESTS_PER_ACCOUNT
    assert statuses[: accounts.RESET_REQUESTS_PER_ACCOUNT] == [302] * accounts.RESET_REQUESTS_PER_ACCOUNT
    assert set(statuses[accounts.RESET_REQUESTS_PER_ACCOUNT :]) == {429}


def test_reset_requests_count_per_account_whatever_identifier_was_typed(client: Client):
    phone = User.objects.get(username="station").phone
    for login in ("station", phone, "station"):
        client.post(RESET_URL, {"login": login})
    assert client.post(RESET_URL, {"login": phone}).status_code == 429
    assert len(messaging.outbox) == accounts.RESET_REQUESTS_PER_ACCOUNT


def test_reset_requests_are_limited_per_address(client: Client):
    logins = [f"someone-{n}" for n in range(accounts.RESET_REQUESTS_PER_CLIENT)]
    for login in logins:
        assert client.post(RESET_URL, {"login": login}, REMOTE_ADDR="10.3.3.3").status_code == 302
    assert client.post(RESET_URL, {"login": "station"}, REMOTE_ADDR="10.3.3.3").status_code == 429
    assert messaging.outbox == []


def test_the_try_counter_survives_new_requests(client: Client):
    client.post(RESET_URL, {"login": "handler"})
    for _attempt in range(accounts.RESET_MAX_ATTEMPTS):
        confirm(client, "handler", other_than(last_code()))
    client.post(RESET_URL, {"login": "handler"})  # a fresh code does not bring fresh tries
    response = confirm(client, "handler", last_code())
    assert response.status_code == 429
    assert not User.objects.get(username="handler").check_password("new-password-2026")


# --- 12.1: the same answer for existing and non-existing accounts -------------------------------------


def _reset_journey(client: Client, login: str) -> list[tuple[int, str]]:
    seen = []
    for _attempt in range(accounts.RESET_REQUESTS_PER_ACCOUNT + 1):
        response = client.post(RESET_URL, {"login": login}, follow=True, **ZH)
        seen.append(answer_of(response))
    for _attempt in range(accounts.RESET_MAX_ATTEMPTS + 1):
        seen.append(answer_of(confirm(client, login, "123456")))
    return [(status, re.sub(r"\d{2}:\d{2}|约 \d+ 分钟", "T", text)) for status, text in seen]


def test_every_step_answers_alike_for_existing_and_unknown_accounts():
    existing = _reset_journey(Client(REMOTE_ADDR="10.4.4.4"), "station")
    unknown = _reset_journey(Client(REMOTE_ADDR="10.5.5.5"), "nobody-here")
    assert existing == unknown
    statuses = [status for status, _text in existing]
    assert 429 in statuses and 400 in statuses


def test_service_answers_alike_for_existing_and_unknown_accounts():
    def attempt(login: str) -> list[tuple[type, str]]:
        seen = []
        for _attempt in range(accounts.RESET_MAX_ATTEMPTS + 1):
            try:
                accounts.password_reset_confirm(login=login, code="123456", new_password="new-password-2026")
            except (RateLimitedError, ValidationFailedError) as error:
                seen.append((type(error), re.sub(r"\d{2}:\d{2}|\d+ minutes", "T", error.message)))
        return seen

    assert attempt("station") == attempt("nobody-at-all")


# --- 12.16: a password reset revokes the account's API tokens ----------------------------------------


def test_a_password_reset_revokes_api_tokens(client: Client):
    user = User.objects.get(username="deputy")
    _token, key = api_token_create(actor=user, user=user, name="脚本")
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    client.post(RESET_URL, {"login": "deputy"})
    assert confirm(client, "deputy", last_code()).status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


# --- 12.3: simultaneous guesses are all counted --------------------------------------------------------


@pytest.fixture
def thread_database(tmp_path: Path) -> Iterator[ThreadDatabase]:
    with threads_with_own_connections(tmp_path) as database:
        yield database


def _simultaneously(database: ThreadDatabase, attempts: list) -> list[dict]:
    barrier = threading.Barrier(len(attempts), timeout=20)

    def at_once(attempt):
        return lambda: (barrier.wait(), attempt())[1]

    started = [database.start(at_once(attempt)) for attempt in attempts]
    for thread, _outcome in started:
        thread.join(timeout=60)
    return [outcome for _thread, outcome in started]


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_wrong_reset_codes_then_the_right_one_fail(thread_database: ThreadDatabase):
    for trial in range(3):
        _race_eight_wrong_reset_codes_then_the_right_one(thread_database, trial)


def _race_eight_wrong_reset_codes_then_the_right_one(thread_database: ThreadDatabase, trial: int) -> None:
    def arrange() -> str:
        user = User.objects.create_user(
            username=f"racer{trial}", password="old-password-2026", phone=f"1390000111{trial}"
        )
        accounts.password_reset_request(login=user.username)
        return user.username

    login = thread_database.run(arrange)
    code = last_code()
    wrong = other_than(code)

    def guess():
        accounts.password_reset_confirm(login=login, code=wrong, new_password="new-password-2026")

    outcomes = _simultaneously(thread_database, [guess] * 8)
    assert all("error" in outcome for outcome in outcomes)
    with pytest.raises(RateLimitedError):
        thread_database.run(
            lambda: accounts.password_reset_confirm(login=login, code=code, new_password="new-password-2026")
        )
    assert not thread_database.run(
        lambda: User.objects.get(username=login).check_password("new-password-2026")
    )
