"""Pages that span apps: the public home (find my representatives) and each role's home."""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from minsheng.core.calendar import DEADLINE_HORIZON, calendar_years_missing
from minsheng.org.models import LEADER_ROLES, Jurisdiction, Membership, Role
from minsheng.org.selectors import (
    MAX_QUERY_LENGTH,
    contact_offices,
    cppcc_places_for,
    deputies_by_constituency,
    deputy_listing_for_place,
    place_find,
    roles_of,
    stations_for,
    today,
    townships_of,
)
from minsheng.voices.models import ReceptionDay
from minsheng.voices.selectors import reception_days_upcoming
from minsheng.web.display import display_remember


def _place_from(request: HttpRequest) -> tuple[Jurisdiction | None, str]:
    """The township chosen by id or by name; an error message when it is not found."""
    raw = request.GET.get("place", "").strip()[:50]
    if not raw:
        return None, ""
    place = Jurisdiction.objects.filter(pk=int(raw)).first() if raw.isdigit() else place_find(raw)
    if place is None:
        return None, _("No township or street is named “%(place)s”.") % {"place": raw}
    return place, ""


def _place_context(place: Jurisdiction | None, query: str = "") -> dict[str, object]:
    if place is None:
        return {"place": None}
    query = query.strip()[:MAX_QUERY_LENGTH]
    deputies = list(deputy_listing_for_place(place, query=query))
    stations = list(stations_for(place))
    next_days: dict[int, ReceptionDay] = {}
    for day in reception_days_upcoming().filter(station__in=[s.pk for s in stations]):
        next_days.setdefault(day.station_id, day)
    return {
        "place": place,
        "query": query,
        "deputy_count": len(deputies),
        "constituencies": deputies_by_constituency(deputies),
        "stations": [(station, next_days.get(station.pk)) for station in stations],
        "cppcc_places": list(cppcc_places_for(place)),
    }


PLACE_RESULTS_SECONDS = 60


def _place_results(request: HttpRequest, place: Jurisdiction | None, error: str) -> str:
    """A place's representatives, stations and rooms as HTML. Every visitor of the place sees the same
    public listing, so it is kept per process for a minute (a seat, station or reception day added shows
    within a minute): building it read five queries and rendered fifty links, the site's busiest page."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if place is None:
        return render_to_string("web/_place_results.html", {"error": error, "place": None}, request)
    digest = hashlib.sha256(query.encode("utf-8")).hexdigest()[:16]
    key = f"place-results:{get_language()}:{place.pk}:{today().isoformat()}:{digest}"
    html = caches["fragments"].get(key)
    if html is None:
        html = render_to_string("web/_place_results.html", _place_context(place, query), request)
        caches["fragments"].set(key, html, PLACE_RESULTS_SECONDS)
    return html


def home(request: HttpRequest) -> HttpResponse:
    place, error = _place_from(request)
    context = {
        "townships": list(townships_of()),
        "place": place,
        "place_results": mark_safe(_place_results(request, place, error)),  # noqa: S308 - rendered above
    }
    return render(request, "web/home.html", context, status=404 if error else 200)


def find_representatives(request: HttpRequest) -> HttpResponse:
    """The htmx fragment behind the township picker."""
    place, error = _place_from(request)
    return HttpResponse(_place_results(request, place, error))


@dataclass(frozen=True)
class RoleCard:
    """A role's way into its work: shown when the user holds the role and may open the link."""

    title: StrOrPromise
    text: StrOrPromise
    link: str
    permission: str


_LEADERSHIP = RoleCard(
    gettext_lazy("Leadership"),
    gettext_lazy("Volumes, on-time rates and satisfaction across units."),
    "/motions/dashboard/",
    "motions.view_dashboard",
)
# For each role, the cards in order of preference: the first whose page the user may open is shown
# (staff of a legislative contact point hold the staff role but have no suggestions to file).
ROLE_CARDS: dict[str, tuple[RoleCard, ...]] = {
    Role.DEPUTY: (
        RoleCard(
            gettext_lazy("Deputy"),
            gettext_lazy(
                "Voices addressed to you, your suggestions and bills, replies awaiting your rating."
            ),
            "/voices/",
            "voices.list_voice",
        ),
    ),
    Role.CPPCC_MEMBER: (
        RoleCard(
            gettext_lazy("CPPCC member"),
            gettext_lazy("Your proposals, social-conditions reports and consultations."),
            "/motions/",
            "motions.list_motion",
        ),
    ),
    Role.STAFF: (
        RoleCard(
            gettext_lazy("Working-body staff"),
            gettext_lazy("Filing review and assignment queues."),
            "/motions/",
            "motions.list_motion",
        ),
        RoleCard(
            gettext_lazy("Legislative contact point"),
            gettext_lazy("Consultation tasks on drafts: opinions, sorting, the report and feedback."),
            "/legislation/",
            "legislation.add_consultationtask",
        ),
    ),
    Role.HANDLER: (
        RoleCard(
            gettext_lazy("Handling unit"),
            gettext_lazy("Items assigned to your unit, by deadline."),
            "/motions/",
            "motions.list_motion",
        ),
    ),
    Role.STATION_STAFF: (
        RoleCard(
            gettext_lazy("Station staff"),
            gettext_lazy("Reception days and voices received at your station."),
            "/voices/reception/",
            "voices.add_receptionday",
        ),
    ),
    Role.ADMIN: (
        RoleCard(
            gettext_lazy("Administrator"),
            gettext_lazy("Jurisdictions, bodies, units, terms, people and memberships."),
            "/admin/",
            "org.change_jurisdiction",
        ),
    ),
    **dict.fromkeys(LEADER_ROLES, (_LEADERSHIP,)),
}


def role_cards(user: Any, roles: set[str]) -> list[RoleCard]:
    shown: dict[str, RoleCard] = {}
    for role, candidates in ROLE_CARDS.items():
        if role not in roles:
            continue
        card = next((c for c in candidates if user.has_perm(c.permission)), None)
        if card is not None:
            shown.setdefault(str(card.title), card)
    return list(shown.values())


@login_required
def me(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    memberships = (
        list(
            Membership.objects.active_on(today())
            .filter(person=person)
            .select_related("body", "unit", "term", "term__body", "sector", "constituency")
        )
        if person
        else []
    )
    roles = roles_of(person)
    cards = role_cards(request.user, roles)
    # Deadlines are counted Monday to Friday in a year with no holiday data: say so where work starts.
    day = today()
    calendar_gap = calendar_years_missing(day, day + DEADLINE_HORIZON) if memberships else []
    context = {
        "memberships": memberships,
        "cards": cards,
        "panels": desk_panels(request),
        "calendar_gap": calendar_gap,
        "can_load_calendar": request.user.has_perm("core.load_holidayschedule"),
    }
    return render(request, "web/me.html", context)


@dataclass(frozen=True)
class DeskPanel:
    """One block of a role's home, contributed by an app: a template and what it needs."""

    template: str
    context: dict[str, Any]


# Apps contribute to /me/ through a module with `panels(request) -> list[DeskPanel]`.
DESK_MODULES = (
    "minsheng.voices.desk",
    "minsheng.motions.desk",
    "minsheng.legislation.desk",
    "minsheng.deliberation.desk",
    "minsheng.oversight.desk",
    "minsheng.meetings.desk",
    "minsheng.insight.desk",
    "minsheng.records.desk",
)


def desk_panels(request: HttpRequest) -> list[DeskPanel]:
    panels: list[DeskPanel] = []
    for module_name in DESK_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        panels.extend(module.panels(request))
    return panels


@require_POST
def display(request: HttpRequest) -> HttpResponse:
    """Switch the large-text, high-contrast mode on or off, then go back to the page."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return display_remember(redirect(back), request.POST.get("mode", ""))


def contact(request: HttpRequest) -> HttpResponse:
    """Who runs the site and how to reach them: the congress and CPPCC offices on record."""
    return render(request, "web/contact.html", {"offices": list(contact_offices())})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def checkpoints(request: HttpRequest) -> HttpResponse:
    """The signed checkpoints of the Event log, public so that copies exist outside the database."""
    from minsheng.core.checkpoints import checkpoints_latest, key_fingerprint, trusted_public_keys

    rows = checkpoints_latest(100)
    if request.GET.get("format") == "txt":
        from minsheng.core.checkpoints import SignedHead

        lines = [SignedHead(c.seq, c.hash, c.at, c.public_key, c.signature).line() for c in rows]
        return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    keys = [(key, key_fingerprint(key)) for key in sorted(trusted_public_keys())]
    return render(request, "web/checkpoints.html", {"checkpoints": rows, "keys": keys})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools that ask /favicon.ico directly get the site's icon (pages link it themselves)."""
    return redirect(static("web/favicon.ico"), permanent=True)
