"""Per-request fair, language and time zone, and the Content-Security-Policy header."""

from __future__ import annotations

import ipaddress
import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from fairsite.current_fair import current_fair

Handler = Callable[[HttpRequest], HttpResponse]

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


# --- The client's address ------------------------------------------------------------------

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip().strip("[]")))
    except ValueError:
        return None


def _trusted(address: str | None, networks: tuple[IPNetwork, ...]) -> bool:
    if not address:
        return True  # no peer address: a Unix socket, reached only by the local reverse proxy
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in networks)


def client_address(*, peer: str | None, forwarded_for: str | None) -> str:
    """The address of the person behind a request.

    ``X-Forwarded-For`` counts only when the peer (the TCP address daphne saw) is one of the
    trusted proxies (``FAIRSITE_TRUSTED_PROXIES``, addresses or CIDR ranges), or a Unix socket.
    The header is then read from the right, skipping trusted proxies, and the first other
    address is the client's: what a client writes into the header itself stays to the left
    and is never taken. Without a trusted peer the header is ignored (it is forged)."""
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    address = _parse_ip(peer) if peer else None
    if peer and address is None:
        return peer
    if _trusted(address, networks) and forwarded_for:
        for hop in reversed(forwarded_for.split(",")):
            hop_address = _parse_ip(hop)
            if hop_address is None:
                break  # garbage: stop at the last address a trusted proxy vouched for
            address = hop_address
            if not _trusted(hop_address, networks):
                break
    return address or "127.0.0.1"


class ClientAddressMiddleware:
    """Sets the client's address once for everything else (``REMOTE_ADDR``, which Django's
    logs and allauth's rate limits read, and ``request.client_ip``); the peer's own address
    is kept in ``request.META["FAIRSITE_PEER_ADDR"]``. First in ``MIDDLEWARE``."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        peer = request.META.get("REMOTE_ADDR") or None
        address = client_address(peer=peer, forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"))
        request.META["FAIRSITE_PEER_ADDR"] = peer or ""
        request.META["REMOTE_ADDR"] = address
        request.client_ip = address
        return self.get_response(request)


class FairMiddleware:
    """Puts the current fair edition on ``request.fair`` (lazily, when used: one cache read,
    and a query only after the fair changed, :mod:`fairsite.current_fair`)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.fair = SimpleLazyObject(current_fair)
        return self.get_response(request)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` loaded together with what the permission checks and
    every page's header ask about the viewer (a verified address, the organisers and hall staff
    groups, the unread notifications) in one query compiled once per process
    (:func:`fairsite.session_auth.request_user`), instead of the user and then the flags."""

    def process_request(self, request: HttpRequest) -> None:
        from fairsite.session_auth import request_user

        super().process_request(request)
        request.user = SimpleLazyObject(lambda: request_user(request))


class ViewerMiddleware:
    """Makes sure the viewer's flags are known from the start of every signed-in request:
    they came with the user (:class:`AuthenticationMiddleware`), or, for a backend that loads
    users its own way, one query (``exhibitors.selectors.viewer_flags_load``). Placed right
    after ``AuthenticationMiddleware``; the health check and static files load no user."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(("/healthz", "/static/")):
            from exhibitors.selectors import viewer_flags_load

            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and getattr(user, "_unread_notifications", None) is None
            ):
                viewer_flags_load(user=user)
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


CSP_DIRECTIVES = [
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "connect-src {connect}",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
]

#: Browser features: the camera for the site itself (the hall check-in page scans badge QR
#: codes), everything else that reaches the person's device or location off.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "hid=()",
        "midi=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "display-capture=()",
        "screen-wake-lock=()",
        "browsing-topics=()",
    ]
)


def content_security_policy(request: HttpRequest) -> str:
    """The strict CSP; sockets may connect to this site's own origin only (``'self'`` plus
    the exact ``ws://`` or ``wss://`` origin, for browsers whose ``'self'`` does not cover
    WebSocket schemes), never to any host."""
    connect = "'self'"
    try:
        host = request.get_host()
    except DisallowedHost:  # no origin to name: 'self' only
        host = ""
    if host:
        connect += f" {'wss' if request.is_secure() else 'ws'}://{host}"
    return "; ".join(CSP_DIRECTIVES).format(connect=connect)


class ContentSecurityPolicyMiddleware:
    """A strict CSP: no inline script or style anywhere in our templates (the admin is exempt),
    and the Permissions-Policy on every response."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
