"""The message interface and its backends (the SMS gateway against a local HTTP server)."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from minsheng.core import messaging
from minsheng.core.messaging import (
    EmailBackend,
    LogBackend,
    MessageDeliveryError,
    OutgoingMessage,
    SmsGatewayBackend,
    message_send,
    outbox_clear,
)


@pytest.fixture(autouse=True)
def empty_outbox():
    outbox_clear()
    yield
    outbox_clear()


def test_message_send_uses_the_configured_backend_memory_in_tests():
    message_send(to="13812345678", subject="验证码", body="您的验证码是 123456")

    assert messaging.outbox == [
        OutgoingMessage(to="13812345678", subject="验证码", body="您的验证码是 123456")
    ]


def test_the_backend_setting_is_read_at_each_send(settings, caplog):
    settings.MINSHENG = {**settings.MINSHENG, "MESSAGE_BACKEND": "minsheng.core.messaging.LogBackend"}
    with caplog.at_level(logging.INFO, logger="minsheng.core.messaging"):
        message_send(to="13812345678", subject="验证码", body="123456")

    assert messaging.outbox == []
    assert "138****5678" in caplog.text
    assert "13812345678" not in caplog.text
    assert "123456" in caplog.text  # the demo reads the code from the log


def test_log_backend_writes_a_text_message_whose_subject_starts_its_body_once(caplog):
    with caplog.at_level(logging.INFO, logger="minsheng.core.messaging"):
        LogBackend().send(
            to="13812345678", subject="您的留言已收到", body="您的留言已收到，查询码：6PWH3KPA82"
        )
        LogBackend().send(to="13812345678", subject="重置密码", body="验证码 654321")
    assert [record.getMessage() for record in caplog.records] == [
        "Message to 138****5678: 您的留言已收到，查询码：6PWH3KPA82",
        "Message to 138****5678: 重置密码\n验证码 654321",
    ]


def test_log_backend_masks_an_email_recipient(caplog):
    with caplog.at_level(logging.INFO, logger="minsheng.core.messaging"):
        LogBackend().send(to="zhangsan@example.com", subject="s", body="b")
    assert "z***@example.com" in caplog.text


def test_email_backend_uses_django_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EmailBackend().send(to="zhangsan@example.com", subject="重置密码", body="验证码 654321")

    (sent,) = mail.outbox
    assert sent.to == ["zhangsan@example.com"]
    assert (sent.subject, sent.body) == ("重置密码", "验证码 654321")


class GatewayHandler(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        GatewayHandler.received.append(
            {
                "body": json.loads(self.rfile.read(length).decode("utf-8")),
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
            }
        )
        self.send_response(GatewayHandler.status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        return


@pytest.fixture
def gateway():
    GatewayHandler.received = []
    GatewayHandler.status = 200
    server = HTTPServer(("127.0.0.1", 0), GatewayHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_sms_gateway_posts_json_with_the_token(gateway):
    SmsGatewayBackend(url=gateway, token="secret-token").send(
        to="13812345678", subject="验证码", body="123456"
    )

    (request,) = GatewayHandler.received
    assert request["body"] == {"to": "13812345678", "subject": "验证码", "text": "123456"}
    assert request["authorization"] == "Bearer secret-token"
    assert request["content_type"].startswith("application/json")


def test_sms_gateway_reads_its_settings(gateway, settings):
    settings.MINSHENG = {
        **settings.MINSHENG,
        "MESSAGE_BACKEND": "minsheng.core.messaging.SmsGatewayBackend",
        "SMS_GATEWAY_URL": gateway,
    }
    message_send(to="13812345678", subject="通知", body="您的建议已答复")

    (request,) = GatewayHandler.received
    assert request["authorization"] is None
    assert request["body"]["text"] == "您的建议已答复"


def test_sms_gateway_errors_raise_a_delivery_error_without_the_full_number(gateway):
    GatewayHandler.status = 503
    with pytest.raises(MessageDeliveryError, match="503") as raised:
        SmsGatewayBackend(url=gateway).send(to="13812345678", subject="s", body="b")
    assert "13812345678" not in str(raised.value)


def test_sms_gateway_unreachable_is_a_delivery_error():
    with pytest.raises(MessageDeliveryError, match="unreachable"):
        SmsGatewayBackend(url="http://127.0.0.1:9/send", timeout=2).send(
            to="13812345678", subject="s", body="b"
        )


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.com/"])
def test_sms_gateway_accepts_only_http_urls(url):
    with pytest.raises(MessageDeliveryError, match="http"):
        SmsGatewayBackend(url=url)
