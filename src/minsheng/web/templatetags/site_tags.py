"""Filters and tags every app's templates share: who did something, shown the same way everywhere;
the options of a select (the form widgets' templates in ``web/templates/django/forms`` use them)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from django import template
from django.forms.utils import flatatt
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minsheng.core.calendar import calendar_years_missing
from minsheng.core.search import highlight_parts

register = template.Library()


@register.filter
def actor_name(actor: Any) -> str:
    """A person's name for a history entry; the system (a reminder, a sweep) when nobody acted.

    ``Event.actor`` is ``None`` for the system and for anonymous residents, so templates must never
    reach into ``actor.username`` directly (a filter argument that does not resolve is a 500)."""
    if actor is None:
        return _("system")
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full_name or getattr(actor, "username", "") or actor)


@register.filter
def deadline_warning(due: Any) -> str:
    """A warning beside a deadline whose count reached a year with no holiday data (staff pages).

    Such a deadline was counted Monday to Friday and may fall inside a public holiday; the years
    checked run from today (or the deadline, if earlier) to the deadline."""
    if not isinstance(due, dt.date):
        return ""
    day = due.date() if isinstance(due, dt.datetime) else due
    missing = calendar_years_missing(min(day, timezone.localdate()), day)
    if not missing:
        return ""
    years = "、".join(str(year) for year in missing)
    text = _("No holiday schedule for %(years)s: counted Monday to Friday, check the date") % {"years": years}
    return format_html('<span class="calendar-warning" role="note">（{}）</span>', text)


@register.simple_tag
def menu_entries(entries: list[Any]) -> SafeString:
    """The ``<li>`` of a menu's entries (``web.nav.MenuEntry``), the page the user is on marked: written
    in Python, as the list rows are, because every page shows the menu (through the engine, a dozen
    entries cost a tenth of a millisecond on each page)."""
    current = ' aria-current="page"'
    return SafeString(
        "".join(
            f'<li><a href="{html.escape(entry.url)}"{current if entry.current else ""}>'
            f"{html.escape(str(entry.label))}</a></li>"
            for entry in entries
        )
    )


_URL_PLACEHOLDER = 987654321


def item_url_maker(viewname: str) -> Callable[[int], str]:
    """``reverse(viewname, args=[pk])`` for many rows of one list, reversed once: a reverse costs
    ~0.04 ms in a request (more outside one), about 1 ms for a page of 25 rows. The URL comes back
    escaped for an attribute."""
    template_url = html.escape(reverse(viewname, args=[_URL_PLACEHOLDER]))
    before, after = template_url.split(str(_URL_PLACEHOLDER), 1)
    return lambda pk: f"{before}{int(pk)}{after}"


@register.filter
def highlight(text: Any, query: Any) -> SafeString:
    """``text`` escaped, with the search query's terms in ``<mark>`` (what a search list shows).

    Escaped with the standard library's ``html.escape``, which is what Django's ``escape`` calls, without
    its lazy-string checks: a list page highlights every row's title."""
    if not query:  # a list without a search: nothing to mark (safe text stays as it is)
        return conditional_escape(str(text or ""))
    parts = highlight_parts(str(text or ""), str(query))
    return SafeString(
        "".join(f"<mark>{html.escape(piece)}</mark>" if hit else html.escape(piece) for piece, hit in parts)
    )


BLANK_CHOICE_LABEL = "---------"  # Django's BLANK_CHOICE_DASH label; the site shows 请选择 instead
DEFAULT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _option_html(option: dict[str, Any]) -> SafeString:
    """One ``<option>`` as Django's option template writes it (value as text, attributes, label), with
    the blank choice's label read as "Please choose"."""
    label = _("Please choose") if option["label"] == BLANK_CHOICE_LABEL else option["label"]
    attributes = flatatt(option["attrs"])
    return format_html('<option value="{}"{}>{}</option>', str(option["value"]), attributes, label)


@register.simple_tag
def select_option(option: dict[str, Any]) -> SafeString:
    return _option_html(option)


@register.simple_tag
def select_options(optgroups: list[tuple[Any, list[dict[str, Any]], int]]) -> SafeString:
    """A select's options and groups in Python: through the template engine each option costs about
    0.15 ms, which a list of a hundred problems or units turns into the slowest part of a page."""
    parts: list[str] = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            if option.get("template_name", DEFAULT_OPTION_TEMPLATE) == DEFAULT_OPTION_TEMPLATE:
                parts.append("\n  " + _option_html(option))
            else:  # a widget with its own option template keeps it
                parts.append("\n  " + get_template(option["template_name"]).render({"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
