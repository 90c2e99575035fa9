from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST


def home(request: HttpRequest) -> HttpResponse:
    """Where everyone lands after signing in: organisers on the dashboard, a company's member
    on their overview (next meetings, requests to answer, recommendations, profile), anyone
    else on the fair's front page (with what to do next)."""
    user = request.user
    fair = getattr(request, "fair", None)
    if fair is None or not user.is_authenticated:
        return render(request, "fairsite/home.html")
    if user.is_organiser:
        return redirect("organisers:dashboard")
    from exhibitors.selectors import approved_member_for
    from matchmaking.selectors import home_overview

    member = approved_member_for(user=user, fair=fair)
    if member is None:
        return render(request, "fairsite/home.html")
    overview = home_overview(fair=fair, user=user, company=member.company)
    return render(request, "fairsite/home.html", {"company": member.company, "overview": overview})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: remembers the choice in a cookie and, for a signed-in person, on
    their account (so e-mails follow it too)."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@cache
def _favicon_bytes() -> bytes:
    found = finders.find("fairsite/favicon.ico") or str(
        Path(settings.STATIC_ROOT) / "fairsite" / "favicon.ico"
    )
    return Path(found).read_bytes()


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` for browsers and tools that ask for it before reading the page's links
    (which point at ``static/fairsite/favicon.svg``)."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
