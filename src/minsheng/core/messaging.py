"""Outgoing messages (password-reset codes, one-time codes, notifications) behind one interface.

``message_send`` uses the backend named by ``settings.MINSHENG["MESSAGE_BACKEND"]``:

- ``LogBackend``: writes the message to the log; the demo's default, so that reset codes can be read
  from the console. It never sends anything and must not be used where logs are shared.
- ``MemoryBackend``: appends to the module-level ``outbox`` that tests read (``outbox_clear()``).
- ``EmailBackend``: Django's e-mail machinery (``EMAIL_*`` settings).
- ``SmsGatewayBackend``: POSTs JSON ``{"to", "subject", "text"}`` to the HTTP gateway at
  ``MINSHENG["SMS_GATEWAY_URL"]`` (optional bearer ``SMS_GATEWAY_TOKEN``, ``SMS_GATEWAY_TIMEOUT``
  seconds); any non-2xx answer raises ``MessageDeliveryError``.

Callers inside a transaction send with ``transaction.on_commit`` (DESIGN.md convention 1), so that a
rolled-back change sends nothing.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.core.mail import send_mail
from django.utils.module_loading import import_string

from minsheng.core.conf import setting
from minsheng.core.privacy import mask_text

logger = logging.getLogger(__name__)


class MessageDeliveryError(Exception):
    """The message could not be handed to the e-mail server or SMS gateway."""


class MessageBackend(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None: ...


@dataclass(frozen=True)
class OutgoingMessage:
    to: str
    subject: str
    body: str


outbox: list[OutgoingMessage] = []


def outbox_clear() -> None:
    outbox.clear()


class LogBackend:
    """For the demo: the recipient is masked in the log, the body (the code) is not."""

    def send(self, *, to: str, subject: str, body: str) -> None:
        # A text message's subject is the start of its body (an SMS has none): logged once.
        text = body if body.startswith(subject) else f"{subject}\n{body}"
        logger.info("Message to %s: %s", mask_text(to), text)


class MemoryBackend:
    def send(self, *, to: str, subject: str, body: str) -> None:
        outbox.append(OutgoingMessage(to=to, subject=subject, body=body))


class EmailBackend:
    def send(self, *, to: str, subject: str, body: str) -> None:
        try:
            send_mail(subject, body, None, [to], fail_silently=False)
        except OSError as exc:
            raise MessageDeliveryError(f"E-mail to {mask_text(to)} failed: {exc}") from exc


class SmsGatewayBackend:
    """Hands a text message to an HTTP(S) gateway; the gateway talks to the operator."""

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else setting("SMS_GATEWAY_URL", "")
        self.token = token if token is not None else setting("SMS_GATEWAY_TOKEN", "")
        self.timeout = timeout if timeout is not None else float(setting("SMS_GATEWAY_TIMEOUT", 10))
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise MessageDeliveryError("MINSHENG['SMS_GATEWAY_URL'] must be an http(s) URL.")

    def send(self, *, to: str, subject: str, body: str) -> None:
        data = json.dumps({"to": to, "subject": subject, "text": body}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            # The scheme was checked in __init__: only http(s) reaches urlopen.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise MessageDeliveryError(f"SMS gateway answered {exc.code} for {mask_text(to)}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise MessageDeliveryError(f"SMS gateway unreachable for {mask_text(to)}: {exc}") from exc
        if not 200 <= status < 300:
            raise MessageDeliveryError(f"SMS gateway answered {status} for {mask_text(to)}")


def message_backend() -> MessageBackend:
    """A fresh instance of the configured backend (reads settings each time: tests override them)."""
    backend_class = import_string(setting("MESSAGE_BACKEND", "minsheng.core.messaging.LogBackend"))
    backend: MessageBackend = backend_class()
    return backend


def message_send(*, to: str, subject: str, body: str) -> None:
    message_backend().send(to=to, subject=subject, body=body)
