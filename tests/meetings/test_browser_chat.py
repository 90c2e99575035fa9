"""Two people chat in their meeting room in a real headless Chromium, over a real daphne."""

from __future__ import annotations

import pytest

from meetings.models import ChatMessage
from tests.browser import CHROMIUM_ARGS as ARGS
from tests.meetings.sockets import *  # noqa: F403 - people fixtures, fresh cache
from tests.meetings.sockets import session_key_for
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_people_chat_in_the_room_page(
    chromium, artifacts, postgres_required, redis_url, meeting, exhibitor, buyer
):
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    keys = {"seller": session_key_for(exhibitor), "guest": session_key_for(buyer)}
    html = "<b>not bold</b> & <script>alert(1)</script>"
    process = None
    try:
        process = start_daphne(port, daphne_env(redis_url))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            pages = {}
            for who, key in keys.items():
                context = browser.new_context(locale="en-US")
                context.add_cookies(
                    [{"name": "sessionid", "value": key, "url": base, "httpOnly": True}]
                )
                page = context.new_page()
                page.goto(f"{base}/meetings/{meeting.pk}/")
                expect(page.locator("section.chat.online")).to_be_visible(timeout=10_000)
                pages[who] = page

            seller, guest = pages["seller"], pages["guest"]
            expect(seller.locator(".chat-presence-list .person")).to_have_count(2, timeout=5000)
            seller.fill(".chat-form textarea", "Xin chào! Can you quote 10,000 housings?")
            seller.press(".chat-form textarea", "Enter")
            expect(guest.locator(".chat-log .chat-text").last).to_have_text(
                "Xin chào! Can you quote 10,000 housings?", timeout=5000
            )
            expect(seller.locator(".chat-log .chat-message.mine .chat-state").last).to_have_text(
                "sent", timeout=5000
            )

            guest.fill(".chat-form textarea", html)
            guest.click(".chat-form button[type=submit]")
            expect(seller.locator(".chat-log .chat-text").last).to_have_text(html, timeout=5000)
            assert seller.locator(".chat-log b, .chat-log script").count() == 0

            seller.screenshot(path=str(artifacts / "chat-exhibitor.png"), full_page=True)
            guest.screenshot(path=str(artifacts / "chat-buyer.png"), full_page=True)
            browser.close()
    finally:
        stop(process)

    texts = list(ChatMessage.objects.filter(meeting=meeting).values_list("text", flat=True))
    assert texts == ["Xin chào! Can you quote 10,000 housings?", html]


def test_typing_clears_when_the_message_arrives_times_in_each_accounts_zone_on_a_phone(
    chromium, artifacts, postgres_required, redis_url, meeting, exhibitor, buyer, monkeypatch
):
    """The buyer (Tokyo, on a 390 px phone) types and sends; the exhibitor (Hà Nội) sees the
    typing hint end the moment the message arrives, not seconds later; each sees the message's
    time in their own account's zone, whatever the browser's zone."""
    from datetime import UTC
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM reads beside Playwright's loop
    exhibitor.time_zone = "Asia/Ho_Chi_Minh"
    exhibitor.save(update_fields=["time_zone"])
    buyer.time_zone = "Asia/Tokyo"
    buyer.save(update_fields=["time_zone"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    keys = {"seller": session_key_for(exhibitor), "guest": session_key_for(buyer)}
    process = None
    try:
        process = start_daphne(port, daphne_env(redis_url))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            pages = {}
            for who, key in keys.items():
                phone = who == "guest"
                context = browser.new_context(
                    locale="en-GB",
                    timezone_id="America/New_York",  # the device's zone is not the account's
                    viewport={"width": 390, "height": 844} if phone else None,
                    is_mobile=phone,
                    has_touch=phone,
                )
                context.add_cookies(
                    [{"name": "sessionid", "value": key, "url": base, "httpOnly": True}]
                )
                page = context.new_page()
                page.goto(f"{base}/meetings/{meeting.pk}/")
                expect(page.locator("section.chat.online")).to_be_visible(timeout=10_000)
                pages[who] = page
            seller, guest = pages["seller"], pages["guest"]

            guest.locator(".chat-form textarea").press_sequentially("Konnichiwa", delay=20)
            expect(seller.locator(".chat-typing")).to_contain_text("typing", timeout=5000)
            guest.press(".chat-form textarea", "Enter")
            expect(seller.locator(".chat-log .chat-text").last).to_have_text("Konnichiwa")
            # Cleared by the message itself: well before the hint's own 4-second timeout.
            expect(seller.locator(".chat-typing")).to_have_text("", timeout=1000)

            message = ChatMessage.objects.get(meeting=meeting)
            created = message.created_at.astimezone(UTC)
            for page, zone in ((seller, "Asia/Ho_Chi_Minh"), (guest, "Asia/Tokyo")):
                expected = created.astimezone(ZoneInfo(zone)).strftime("%H:%M")  # 24-hour
                expect(page.locator(".chat-log .chat-message time").last).to_contain_text(expected)

            width = guest.evaluate("document.documentElement.scrollWidth")
            form_box = guest.locator(".chat-form button[type=submit]").bounding_box()
            guest.screenshot(path=str(artifacts / "chat-buyer-phone.png"), full_page=False)
            seller.screenshot(path=str(artifacts / "chat-exhibitor-desktop.png"), full_page=True)
            browser.close()
    finally:
        stop(process)

    assert width <= 390
    assert form_box is not None and form_box["height"] >= 44
