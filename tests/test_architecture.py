"""Architecture rules the import contracts (pyproject.toml, run by `make test`) cannot state.

An app uses another app's public names only: ``from minsheng.voices.views import _target_from`` or
``services._office_staff`` from another app is a private helper that should have been made public in
its own app (issue 12, "one place per rule").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def private_uses_across_apps(module: str, source: str) -> list[str]:
    """``module:line name`` for each private name the module's source takes from another app."""
    app = _app_of(module)
    tree = ast.parse(source)
    found: list[str] = []
    other_app_modules: dict[str, str] = {}  # local name → module of another app
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("minsheng."):
            if _app_of(node.module) == app:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{module}:{node.lineno} {node.module}.{alias.name}")
                other_app_modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("minsheng.") and _app_of(alias.name) != app and alias.asname:
                    other_app_modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in other_app_modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{module}:{node.lineno} {other_app_modules[node.value.id]}.{node.attr}")
    return found


def test_no_app_uses_another_app_s_private_names():
    files = [p for p in SRC.joinpath("minsheng").rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 100
    found = [
        use
        for path in files
        for use in private_uses_across_apps(_module_name(path), path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from minsheng.voices.views import _target_from\n", True),
        ("from minsheng.motions import services\nservices._office_staff(m)\n", True),
        ("import minsheng.voices.selectors as vs\nvs._private()\n", True),
        ("from minsheng.motions.services import office_staff\n", False),
        ("from minsheng.deliberation.services.common import _helper\n", False),  # its own app
    ],
)
def test_the_check_finds_private_names(source, expected):
    assert bool(private_uses_across_apps("minsheng.deliberation.probe", source)) is expected


ROW_LOCK_MODULES = {"minsheng.core.locking", "minsheng.core.events"}


def row_locks_outside_the_helper(module: str, source: str) -> list[str]:
    """``module:line`` for each ``select_for_update`` call outside ``core.locking`` (and the chain head)."""
    if module in ROW_LOCK_MODULES:
        return []
    return [
        f"{module}:{node.lineno}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "select_for_update"
    ]


def test_every_row_lock_goes_through_core_locking():
    # A plain FOR UPDATE (and the rows its joins drag in) makes PostgreSQL's foreign-key checks wait:
    # the deadlock tests/motions/test_lock_order.py reproduces.
    found = [
        hit
        for path in sorted((SRC / "minsheng").rglob("*.py"))
        if "migrations" not in path.parts
        for hit in row_locks_outside_the_helper(_module_name(path), path.read_text(encoding="utf-8"))
    ]
    assert found == [], "lock rows with minsheng.core.locking.rows_locked"


def test_the_row_lock_check_finds_a_plain_lock():
    source = "def f():\n    return Motion.objects.select_for_update().get(pk=1)\n"
    assert row_locks_outside_the_helper("minsheng.motions.services", source) == [
        "minsheng.motions.services:2"
    ]
