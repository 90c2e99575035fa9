"""A notification arrives on an open page without a reload: toast, unread count, and the request
list updated in place (real daphne, PostgreSQL, Redis, Debian's Chromium)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import override_settings

from fairsite.models import Notification
from matchmaking import selectors, services
from tests import factories
from tests.browser import CHROMIUM_ARGS as ARGS
from tests.matchmaking.helpers import future_fair
from tests.meetings.sockets import session_key_for
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_arrives_live_on_the_open_request_list(
    chromium, artifacts, postgres_required, redis_url, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread; our ORM calls are plain blocking.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    fair = future_fair(is_current=True)
    exhibitor = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = daphne_env(redis_url)
    # The same channel-layer key space as this test process, which makes the request.
    env["FAIRSITE_REDIS_PREFIX"] = django_settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    env["FAIRSITE_SITE_URL"] = base
    process = None
    try:
        process = start_daphne(port, env)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            shots = {}
            for label, viewport in (("desktop", (1280, 900)), ("phone", (390, 844))):
                context = browser.new_context(
                    locale="en-US", viewport={"width": viewport[0], "height": viewport[1]}
                )
                context.add_cookies(
                    [
                        {
                            "name": "sessionid",
                            "value": session_key_for(exhibitor.user),
                            "url": base,
                            "httpOnly": True,
                        }
                    ]
                )
                page = context.new_page()
                errors: list[str] = []
                page.on(
                    "console",
                    lambda m, log=errors: log.append(m.text) if m.type == "error" else None,
                )
                page.goto(f"{base}/requests/")
                expect(page.locator("#notifications-unread")).to_be_hidden()
                page.wait_for_function("document.readyState === 'complete'")
                page.wait_for_timeout(500)  # the socket's hello
                shots[label] = (page, errors)
            page, errors = shots["desktop"]
            offered = selectors.pair_slot_proposals(
                fair=fair, user=buyer.user, company=buyer.company, other=exhibitor.company
            )

            def request_meeting() -> None:  # as a web request would: its own thread
                with override_settings(SITE_URL=base):
                    services.meeting_request_create(
                        fair=fair,
                        user=buyer.user,
                        target=exhibitor.company,
                        slot_ids=[offered[0].slot_id],
                        message="Hello from Osaka",
                    )
                connection.close()

            sender = threading.Thread(target=request_meeting)
            sender.start()
            sender.join(30)
            name = buyer.company.display_name
            for label, (tab, _errors) in shots.items():
                toast = tab.locator("#toasts .toast")
                expect(toast).to_contain_text(f"{name} asks to meet you.", timeout=5000)
                expect(tab.locator("#notifications-unread")).to_have_text("1")
                expect(tab.locator("#live-requests")).to_contain_text(name, timeout=5000)
                tab.screenshot(path=str(artifacts / f"notification-toast-{label}.png"))
            # The toast links to the request.
            stored = Notification.objects.get()
            href = page.locator("#toasts .toast a").first.get_attribute("href")
            assert href == f"{base}/requests/{stored.payload['request_id']}/"

            # Offline: the server goes away, the request is withdrawn meanwhile; after the
            # reconnect the page fetches what it missed.
            stop(process)
            process = None

            def withdraw() -> None:
                from matchmaking.models import MeetingRequest

                services.meeting_request_cancel(
                    request=MeetingRequest.objects.get(pk=stored.payload["request_id"]),
                    user=buyer.user,
                )
                connection.close()

            sender = threading.Thread(target=withdraw)
            sender.start()
            sender.join(30)
            process = start_daphne(port, env)
            expect(page.locator("#toasts .toast").last).to_contain_text(
                f"{name} cancelled the meeting request.", timeout=30_000
            )
            expect(page.locator("#notifications-unread")).to_have_text("2")

            # The notifications page lists both, unread.
            page.goto(f"{base}/notifications/")
            expect(page.locator(".notification.unread")).to_have_count(2)
            page.screenshot(path=str(artifacts / "notifications-page.png"), full_page=True)
            for _tab, logged in shots.values():
                assert not [e for e in logged if "Content Security Policy" in e], logged
            browser.close()
    finally:
        stop(process)
