"""Read replicas: selectors read the replica; writes, Events and reads inside a write stay on the primary."""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

import pytest
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse

from minsheng.core.events import event_record
from minsheng.core.models import Event
from minsheng.core.routers import PIN_COOKIE, ReplicaPinMiddleware
from minsheng.org.models import Jurisdiction, JurisdictionLevel
from minsheng.org.selectors import jurisdictions_all

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings: Any) -> None:
    settings.MINSHENG = {**settings.MINSHENG, "READ_REPLICA": True}


def fresh(read: Callable[[], Any]) -> Any:
    """Run ``read`` as a new request or thread would: nothing written yet in its context."""
    return contextvars.Context().run(read)


def names() -> set[str]:
    return set(jurisdictions_all().values_list("name", flat=True))


def _two_databases() -> None:
    """One row only the primary has (not yet replicated) and one only the replica has."""
    fresh(lambda: Jurisdiction.objects.create(name="主库新写入", level=JurisdictionLevel.DISTRICT, code="1"))
    Jurisdiction.objects.using("replica").create(
        name="副本中的行", level=JurisdictionLevel.DISTRICT, code="2"
    )


def test_a_selector_outside_a_write_reads_the_replica(replica_on):
    _two_databases()
    assert fresh(names) == {"副本中的行"}


def test_without_a_replica_configured_everything_reads_the_primary():
    _two_databases()
    assert fresh(names) == {"主库新写入"}


def test_reads_inside_a_write_see_the_primary(replica_on):
    _two_databases()

    def inside_a_write() -> set[str]:
        with transaction.atomic():
            return names()

    assert fresh(inside_a_write) == {"主库新写入"}


def test_after_writing_the_same_request_reads_its_own_writes(replica_on):
    _two_databases()

    def write_then_read() -> set[str]:
        Jurisdiction.objects.create(name="刚写入", level=JurisdictionLevel.TOWNSHIP, code="3")
        return names()

    assert fresh(write_then_read) == {"主库新写入", "刚写入"}


def test_writes_and_events_always_use_the_primary(replica_on):
    assert fresh(lambda: router.db_for_write(Jurisdiction)) == "default"
    assert fresh(lambda: router.db_for_read(Event)) == "default"

    def record() -> None:
        with transaction.atomic():
            event_record(actor=None, verb="checked", payload={"n": 1})

    fresh(record)
    assert fresh(lambda: Event.objects.filter(verb="checked").count()) == 1
    assert Event.objects.using("replica").filter(verb="checked").count() == 0


def _view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        Jurisdiction.objects.create(name="表单保存", level=JurisdictionLevel.TOWNSHIP, code="4")
    return HttpResponse(",".join(sorted(names())))


def _request(method: str, cookies: dict[str, str] | None = None) -> HttpRequest:
    request = HttpRequest()
    request.method = method
    request.COOKIES = cookies or {}
    return request


def test_a_client_that_just_wrote_reads_the_primary_for_a_few_seconds(replica_on):
    _two_databases()
    middleware = ReplicaPinMiddleware(_view)
    posted = fresh(lambda: middleware(_request("POST")))
    assert posted.cookies[PIN_COOKIE]["max-age"] == 10
    after_redirect = fresh(lambda: middleware(_request("GET", {PIN_COOKIE: "1"})))
    assert after_redirect.content.decode() == "主库新写入,表单保存"
    assert PIN_COOKIE not in after_redirect.cookies, "a read does not extend the pin"
    someone_else = fresh(lambda: middleware(_request("GET")))
    assert someone_else.content.decode() == "副本中的行"
