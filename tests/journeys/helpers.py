"""Shared pieces of the journey tests: sign a person in for the browser, collect CSP
violations, and stand in for the outside video service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

# Recorded in every page of the context before any of its scripts run.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def session_cookie(user: Any, base: str) -> dict[str, Any]:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
        "httpOnly": True,
    }


def language_cookie(language: str, base: str) -> dict[str, Any]:
    return {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}


class CspWatch:
    """Console messages and ``securitypolicyviolation`` events of every page in a context."""

    def __init__(self, context: Any) -> None:
        self.console: list[str] = []
        self.pages: list[Any] = []
        context.add_init_script(CSP_LISTENER)
        context.on("page", self._track)
        for page in context.pages:
            self._track(page)

    def _track(self, page: Any) -> None:
        self.pages.append(page)
        page.on("console", lambda message: self.console.append(message.text))

    def violations(self) -> list[str]:
        found = [text for text in self.console if "Content Security Policy" in text]
        for page in self.pages:
            if page.is_closed():
                continue
            try:
                found.extend(page.evaluate("window.__csp || []"))
            except Exception:  # noqa: BLE001 - a page on another origin or mid-navigation
                continue
        return found


def fake_video_service(context: Any, prefix: str) -> list[str]:
    """Stand in for the outside video service: requests under ``prefix`` are answered with a
    small page, and the list returned collects each such URL the browser asked for (once each).

    The list is filled from the context's request events, not from the route handler: Chromium
    may start a ``noopener`` pop-up's first navigation before Playwright's interception is
    attached to it, and then the request still shows (and fails offline) without the route.
    """
    reached: list[str] = []

    def seen(request: Any) -> None:
        # One navigation may show twice (the redirect's target, then the routed request).
        if request.url.startswith(prefix) and request.url not in reached:
            reached.append(request.url)

    def fulfil(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html", body="<h1>Video call</h1>")

    context.on("request", seen)
    context.route(prefix + "**", fulfil)
    return reached
