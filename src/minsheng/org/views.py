"""Pages of the org app: the directory, public profiles, sign-in and password reset."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minsheng.core.conf import setting_int
from minsheng.core.errors import RateLimitedError, ValidationFailedError
from minsheng.core.throttle import client_ip
from minsheng.org import accounts
from minsheng.org.auth import UsernameOrPhoneBackend
from minsheng.org.forms import DirectorySearchForm, LoginForm, ResetConfirmForm, ResetRequestForm
from minsheng.org.selectors import directory_search, profile_public


def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    paginator = Paginator(directory_search(query, kind), setting_int("DIRECTORY_PAGE_SIZE"))
    page = paginator.get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query, "kind": kind}
    template = "org/_directory_rows.html" if request.htmx else "org/directory.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def person_profile(request: HttpRequest, person_id: int) -> HttpResponse:
    profile = profile_public(person_id)
    if profile is None:
        raise Http404(_("No deputy or member has this profile."))
    return render(request, "org/profile.html", {"profile": profile})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/me/"


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        login_name, password = form.cleaned_data["login"], form.cleaned_data["password"]
        ip = client_ip(request)
        try:
            accounts.login_refuse_if_throttled(login=login_name, client_ip=ip)
        except RateLimitedError as refused:
            form.add_error(None, refused.message)
            status = 429
        else:
            user = UsernameOrPhoneBackend().authenticate(request, username=login_name, password=password)
            if user is None:
                accounts.login_failure_note(login=login_name, client_ip=ip)
                form.add_error(None, _("The username/mobile number or the password is wrong."))
                status = 400
            else:
                accounts.login_failures_clear(login=login_name, client_ip=ip)
                auth_login(request, user, backend="minsheng.org.auth.UsernameOrPhoneBackend")
                return redirect(_safe_next(request))
    elif request.method == "POST":
        status = 400
    return render(request, "org/login.html", {"form": form, "next": _safe_next(request)}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect("/")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            accounts.password_reset_request(login=form.cleaned_data["login"], client_ip=client_ip(request))
        except RateLimitedError as refused:
            form.add_error(None, refused.message)
            status = 429
        else:
            # The same answer whether or not the account exists: no account enumeration.
            messages.info(
                request,
                _("If the account exists, a verification code has been sent to its phone or e-mail."),
            )
            return redirect(f"/accounts/reset/confirm/?{urlencode({'login': form.cleaned_data['login']})}")
    elif form.errors:
        status = 400
    return render(request, "org/password_reset.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    form = ResetConfirmForm(request.POST or None, initial={"login": request.GET.get("login", "")[:150]})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            accounts.password_reset_confirm(
                login=form.cleaned_data["login"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
            )
        except RateLimitedError as error:
            form.add_error("code", error.message)
            status = 429
        except ValidationFailedError as error:
            form.add_error("code", str(error.message))
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            messages.success(request, _("Your password has been changed. Sign in with the new password."))
            return redirect("org:login")
    if form.errors and status == 200:
        status = 400
    return render(request, "org/password_reset_confirm.html", {"form": form}, status=status)
