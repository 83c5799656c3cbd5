"""Error pages (400, 403, CSRF failure, 404, 409, 429, 500) in Chinese, in the site's layout with the menu
and a way back, with DEBUG off; the API keeps its JSON errors."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from minsheng.org.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.error_urls")]

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def in_layout(html: str) -> None:
    assert 'lang="zh-CN"' in html
    assert 'id="site-menu"' in html, "the menu is there"
    assert "找我的代表" in html
    assert 'data-testid="error-page"' in html
    assert "返回" in html and 'href="/"' in html, "a way back"
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html


def test_debug_is_off_in_these_tests():
    assert settings.DEBUG is False


def test_404_is_chinese_in_the_layout():
    response = Client().get("/no-such-page/", **ZH)
    assert response.status_code == 404
    html = response.content.decode()
    in_layout(html)
    assert "页面不存在" in html


def test_404_goes_back_to_the_page_the_user_came_from_on_this_site():
    response = Client().get("/no-such-page/", HTTP_REFERER="http://testserver/people/", **ZH)
    assert 'href="http://testserver/people/"' in response.content.decode()
    response = Client().get("/no-such-page/", HTTP_REFERER="https://evil.example/", **ZH)
    assert "evil.example" not in response.content.decode()


def test_an_object_that_does_not_exist_is_the_same_404_page():
    response = Client().get("/motions/public/999999999/", **ZH)
    assert response.status_code == 404
    in_layout(response.content.decode())


def test_403_is_chinese_and_offers_sign_in_to_visitors():
    response = Client().get("/test-errors/forbidden/", **ZH)
    assert response.status_code == 403
    html = response.content.decode()
    in_layout(html)
    assert "您无权打开此页面" in html and "/accounts/login/?next=" in html


def test_a_handler_refused_a_voice_list_sees_the_403_page():
    client = Client()
    client.force_login(User.objects.get(username="handler"))
    response = client.get("/voices/", **ZH)
    assert response.status_code == 403
    in_layout(response.content.decode())


def test_500_is_chinese_with_an_error_number():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/boom/", **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    in_layout(html)
    assert "系统出现错误" in html
    assert response["X-Request-ID"] in html, "the user can quote the error number"


def test_500_still_answers_when_the_layout_itself_fails(monkeypatch):
    from minsheng.web import errors

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    response = Client(raise_request_exception=False).get("/test-errors/boom/", **ZH)
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出现错误" in html and 'href="/"' in html and "首页" in html


def test_400_for_a_suspicious_request_and_a_foreign_host():
    response = Client().get("/test-errors/suspicious/", **ZH)
    assert response.status_code == 400
    in_layout(response.content.decode())
    response = Client().get("/", HTTP_HOST="evil.example", **ZH)
    assert response.status_code == 400
    assert "请求无法识别" in response.content.decode()


def test_csrf_failure_says_the_form_expired():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/display/", {"mode": "large", "next": "/"}, **ZH)
    assert response.status_code == 403
    html = response.content.decode()
    in_layout(html)
    assert "表单已过期" in html
    assert "CSRF verification failed" not in html


def test_a_refusal_that_escapes_a_view_gets_its_status_and_message():
    response = Client().get("/test-errors/throttled/", **ZH)
    assert response.status_code == 429
    html = response.content.decode()
    in_layout(html)
    assert "尝试次数过多" in html and "请于 14:05 后再试。" in html
    response = Client().get("/test-errors/conflict/", **ZH)
    assert response.status_code == 409
    assert "他人已先行修改" in response.content.decode()


def test_english_is_translated_not_hard_coded():
    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Page not found" in response.content.decode()


def test_the_api_keeps_json_errors():
    response = Client().get("/api/no-such-endpoint", **ZH)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == "not_found" and body["detail"] == "页面不存在"
    response = Client(raise_request_exception=False).get("/api/test-errors/boom/", **ZH)
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
    response = Client().get("/api/motions/999999999", **ZH)
    assert response["Content-Type"].startswith("application/json")
