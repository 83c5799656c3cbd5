"""Issue 12.12: one name per schema across apps, so each operation documents its own body."""

from __future__ import annotations

import collections

import pytest
from django.test import Client
from ninja import Schema


def _schemas_by_name() -> dict[str, list[str]]:
    from minsheng.api import api  # noqa: F401 - imports every router, hence every schema

    found: dict[str, list[str]] = collections.defaultdict(list)
    pending = list(Schema.__subclasses__())
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith("minsheng."):
            found[klass.__name__].append(klass.__module__)
    return found


def test_schema_names_are_unique_across_apps() -> None:
    clashes = {name: modules for name, modules in _schemas_by_name().items() if len(set(modules)) > 1}
    assert clashes == {}


@pytest.mark.django_db
def test_each_operation_documents_its_own_body() -> None:
    document = Client().get("/api/openapi.json").json()

    def body_of(path: str) -> str:
        content = document["paths"][path]["post"]["requestBody"]["content"]
        return next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1]

    assert body_of("/api/motions/") == "MotionDraftIn"
    assert "kind" in document["components"]["schemas"]["MotionDraftIn"]["properties"]
    assert body_of("/api/legislation/tasks/{task_id}/meetings") == "LawMeetingIn"
