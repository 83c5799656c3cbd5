"""Issue 12.9: a browser's cookies never act without the CSRF token, even on public operations."""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.test import Client

from minsheng.org.models import Membership
from minsheng.voices.models import Voice
from tests.voices.conftest import account

FORGED_PHONE = "13800001234"


def _signed_in_browser(username: str) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(account(username))
    return browser


def test_a_deputys_cookie_without_the_token_files_no_voice(db, deputy_seat: Membership):
    browser = _signed_in_browser("deputy")
    before = Voice.objects.count()
    # The deputy's own number needs no code when signed in: exactly what a forged request relies on.
    phone = account("deputy").phone
    response = browser.post("/api/voices/", {"text": "跨站请求伪造的留言。", "phone": phone})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert Voice.objects.count() == before


def test_an_anonymous_browser_session_needs_the_token_too(db):
    browser = Client(enforce_csrf_checks=True)
    session = browser.session  # a session cookie, as any visitor of the site has
    session["visited"] = True
    session.save()
    response = browser.post("/api/voices/codes", {"phone": FORGED_PHONE}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


def test_with_the_token_the_browser_is_let_through(db, deputy_seat: Membership):
    browser = _signed_in_browser("deputy")
    page = browser.get("/voices/new/")  # any page: it sets the CSRF cookie
    token = get_token(page.wsgi_request)
    response = browser.post(
        "/api/voices/", {"text": "没有令牌。", "phone": FORGED_PHONE}, HTTP_X_CSRFTOKEN=token
    )
    # Past the CSRF check: now the phone must be verified (the deputy's own is not this one).
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_script_without_cookies_needs_no_csrf_token(db):
    script = Client(enforce_csrf_checks=True)
    response = script.post("/api/voices/codes", {"phone": FORGED_PHONE}, content_type="application/json")
    assert response.status_code == 200
