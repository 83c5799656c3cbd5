"""Authentication is decided in one place (minsheng.apiauth): every operation names its list."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_every_operation_states_who_may_call_it() -> None:
    document = Client().get("/api/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    ]
    assert missing == [], "operations with auth=None (use minsheng.apiauth.PUBLIC): " + ", ".join(missing)


def test_no_app_reads_credentials_itself() -> None:
    from pathlib import Path

    import minsheng

    root = Path(minsheng.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "apiauth.py"
        and any(
            marker in path.read_text() for marker in ("HTTP_AUTHORIZATION", "check_csrf(", "X_PARTICIPANT")
        )
    ]
    assert offenders == []
