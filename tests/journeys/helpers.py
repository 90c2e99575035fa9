"""Shared pieces of the journey tests: what a person reads in their language, the demo's
supplier, a meeting brought forward to "today", sign a person in for the browser, collect CSP
violations, and stand in for the outside video service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from exhibitors.models import Company
from exhibitors.services import company_search_text_refresh
from fairsite import timefmt
from meetings.enums import Currency
from meetings.models import Meeting, MeetingAttendee
from tests import factories
from tests.meetings.factories import ExchangeRateFactory


def t(language: str, text: str, **values: Any) -> str:
    """What a person reading ``language`` sees for ``text``."""
    with translation.override(language):
        translated = gettext(text)
    return translated % values if values else translated


def city(language: str, zone: str) -> str:
    with translation.override(language):
        return timefmt.city_name(zone)


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def supplier_at(fair):
    """The Vietnamese supplier of the journeys, beside a second company a search must not find,
    and the rate for logging a deal in đồng."""
    member = factories.MemberFactory(
        company__fair=fair,
        company__slug="co-khi-dong-a",
        company__name_vi="Công ty Cổ phần Cơ khí chính xác Đông Á",
        company__name_en="Dong A Precision Mechanical JSC",
        user__full_name="Nguyễn Văn An",
        user__language="vi",
        user__time_zone="Asia/Ho_Chi_Minh",
    )
    factories.CompanyFactory(
        fair=fair, slug="nhua-hn", name_vi="Công ty Nhựa Hà Nội", name_en="HN Plastics"
    )
    for company in Company.objects.filter(fair=fair):
        company_search_text_refresh(company=company)
    ExchangeRateFactory(fair=fair, currency=Currency.VND, units_per_usd="25000")
    return member


def bring_forward(meeting: Meeting, minutes: int = 5) -> Meeting:
    """The day of the meeting comes: it now starts in ``minutes``."""
    start = timezone.now() + timedelta(minutes=minutes)
    end = start + (meeting.end - meeting.start)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=end)
    MeetingAttendee.objects.filter(meeting=meeting).update(start=start, end=end)
    meeting.refresh_from_db()
    return meeting


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
