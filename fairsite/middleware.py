"""Per-request fair, language and time zone, and the Content-Security-Policy header."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from fairsite.models import Fair

Handler = Callable[[HttpRequest], HttpResponse]

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class FairMiddleware:
    """Puts the current fair edition on ``request.fair`` (lazily, one query when used)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.fair = SimpleLazyObject(lambda: Fair.objects.current())
        return self.get_response(request)


class LanguageMiddleware:
    """Chooses the language: the switcher's cookie, then the person's own setting, then the
    browser's Accept-Language, then the site default."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.pick(request)
        translation.activate(language)
        try:
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
            response.headers["Vary"] = ", ".join(
                filter(None, [response.headers.get("Vary"), "Accept-Language", "Cookie"])
            )
            return response
        finally:
            translation.deactivate()

    @staticmethod
    def pick(request: HttpRequest) -> str:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in SUPPORTED_LANGUAGES:
            return cookie
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED_LANGUAGES:
            return user.language
        return translation.get_language_from_request(request)


class TimezoneMiddleware:
    """Shows times in the viewer's zone: their own when signed in, else the fair's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name = settings.TIME_ZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            zone_name = user.time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline script or style anywhere in our templates (the admin is exempt)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response
