"""Typed access to the project's own settings (the MINSHENG dict in settings/base.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def setting(name: str, default: Any = None) -> Any:
    return settings.MINSHENG.get(name, default)


def setting_int(name: str) -> int:
    value: Any = settings.MINSHENG[name]
    return int(value)
