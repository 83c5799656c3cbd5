"""The `minsheng` command: help, Django commands, and the event-chain check."""

from __future__ import annotations

import pytest
from django.db import connections

from minsheng import cli
from minsheng.core.events import event_record
from minsheng.core.models import Event
from minsheng.org.models import User


def test_help_lists_the_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "serve", "verify-events", "consensus analyze"):
        assert command in out


def test_serve_needs_an_address_after_bind(capsys):
    assert cli.serve(["--bind"]) == 2
    assert "--bind" in capsys.readouterr().err


@pytest.mark.django_db
def test_verify_events_reports_an_intact_chain_then_a_tampered_one(capsys, monkeypatch):
    # A command run from the command line closes its connections at the end; here that would end the
    # test's transaction on PostgreSQL.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    user = User.objects.get(username="admin")
    event_record(actor=user, verb="demo_checked", payload={"n": 1})
    event_record(actor=user, verb="demo_checked", payload={"n": 2})
    assert cli.main(["verify-events"]) == 0
    out = capsys.readouterr().out
    assert "事件链完整" in out or "Event chain intact" in out
    Event.objects.filter(verb="demo_checked").update(payload={"n": 99})
    with pytest.raises(SystemExit) as stopped:
        cli.main(["verify-events"])
    assert stopped.value.code == 1
