"""The site-wide menu: each app lists the entries it offers, and the menu shows only what the user can open.

The contract: an app that wants menu entries has ``minsheng/<app>/nav.py`` with
``def items(request) -> list[NavItem]``, returning only the entries this user may open (ask the same
``rules`` permission the view asks). ``NavItem.section`` is ``"public"`` (for everyone: residents,
enterprises) or ``"work"`` (a role's office work); ``order`` sorts within a section (lower first; the
public entries use 10–90, work entries 100+). The base template reads ``nav.public`` and ``nav.work``
through the ``nav`` context processor, which asks the apps only when a page actually shows the menu
(htmx fragments never do).
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import ModuleType
from typing import Any, Literal

from django.apps import apps
from django.core.cache import caches
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from minsheng.core.events import event_chain_version
from minsheng.org.selectors import memberships_of, today

Section = Literal["public", "work"]


@dataclass(frozen=True)
class NavItem:
    """One menu entry."""

    label: StrOrPromise
    url: str
    section: Section = "public"
    order: int = 50


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry as shown: ``current`` marks the page the user is on (``aria-current``)."""

    label: StrOrPromise
    url: str
    current: bool


@lru_cache(maxsize=1)
def nav_modules() -> tuple[ModuleType, ...]:
    """Every installed Minsheng app's ``nav`` module, in INSTALLED_APPS order."""
    found: list[ModuleType] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("minsheng."):
            continue
        module_name = f"{config.name}.nav"
        try:
            found.append(importlib.import_module(module_name))
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
    return tuple(found)


def nav_items(request: HttpRequest) -> list[NavItem]:
    """The entries this request's user can open, public first, each section by order. A signed-in
    user's entries are kept per process under everything they are computed from (``menu_key``), as
    plain tuples in the page's language (lazy labels would cost more to unpickle than to compute)."""
    if not getattr(request.user, "is_authenticated", False):
        # A visitor's menu is the same for every visitor in a language: the rules answer it without
        # reading the database (checked by the tests), so it is kept for the process's life.
        language = get_language()
        if language not in _visitor_menus:
            _visitor_menus[language] = _menu_from_apps(request)
        return list(_visitor_menus[language])
    key = menu_key(request.user)
    if key is not None:
        kept = caches["fragments"].get(key)
        if kept is not None:
            return [NavItem(label, url, section, order) for label, url, section, order in kept]
    entries = _menu_from_apps(request)
    if key is not None:
        plain = tuple((str(item.label), item.url, item.section, item.order) for item in entries)
        caches["fragments"].set(key, plain, MENU_SECONDS)
    return entries


_visitor_menus: dict[str, list[NavItem]] = {}


def _menu_from_apps(request: HttpRequest) -> list[NavItem]:
    entries: list[NavItem] = []
    for module in nav_modules():
        entries.extend(module.items(request))
    entries.sort(key=lambda item: (item.section != "public", item.order))
    return entries


MENU_SECONDS = 600


def menu_key(user: Any) -> str | None:
    """What a signed-in user's menu is computed from, as a cache key: the account's flags, its
    memberships in force today (read once per request anyway: the page's own rules need them), its
    model permissions if it has any (staff accounts of the admin), and the Event log's version (the
    bodies and places the rules walk change only with an Event). The apps ask about a dozen rules for
    the menu, more than a detail page's own work on a simple page; this asks one primary-key read."""
    if not getattr(user, "is_authenticated", False):
        return None  # a visitor's menu costs next to nothing: every rule answers at its first test
    parts: list[object] = [
        user.pk,
        user.is_active,
        user.is_superuser,
        user.is_staff,
        today().isoformat(),
        get_language(),
        event_chain_version(),
        [(m.pk, m.role, m.body_id, m.unit_id, m.start, m.end) for m in memberships_of(user)],
    ]
    if user.is_staff or user.is_superuser:
        parts.append(sorted(user.get_all_permissions()))
    return "menu:" + hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _current_url(path: str, urls: list[str]) -> str:
    """The entry whose path is the longest prefix of ``path`` ("/" only for the home page itself)."""
    best, best_length = "", -1
    for url in urls:
        url_path = url.split("?", 1)[0]
        matches = path == url_path if url_path == "/" else path.startswith(url_path)
        if matches and len(url_path) > best_length:
            best, best_length = url, len(url_path)
    return best


class Menu:
    """What the base template reads; the apps are asked once, on first use."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def _entries(self) -> list[tuple[Section, MenuEntry]]:
        items = nav_items(self._request)
        current = _current_url(self._request.path, [item.url for item in items])
        return [(item.section, MenuEntry(item.label, item.url, item.url == current)) for item in items]

    @cached_property
    def public(self) -> list[MenuEntry]:
        return [entry for section, entry in self._entries if section == "public"]

    @cached_property
    def work(self) -> list[MenuEntry]:
        return [entry for section, entry in self._entries if section == "work"]


def items(request: HttpRequest) -> list[NavItem]:
    """The web app's own entries: the public home and, when signed in, the role home."""
    entries = [NavItem(_("Find my representatives"), reverse("web:home"), "public", 10)]
    if request.user.is_authenticated:
        entries.append(NavItem(_("My desk"), reverse("web:me"), "work", 100))
    return entries
