"""An organiser's open dashboard in Chromium moves by itself when a badge is checked in from
another browser (a phone-sized one), over a real daphne, PostgreSQL and Redis; it recovers
after the server restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from exhibitors.models import Visit
from fairsite.enums import HALL_STAFF_GROUP
from tests import factories
from tests.browser import CHROMIUM_ARGS as ARGS
from tests.meetings.sockets import session_key_for
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    today = timezone.now().astimezone(timezone.get_fixed_timezone(7 * 60)).date()
    fair = factories.FairFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )
    organiser = factories.OrganiserFactory(full_name="Nguyễn Thị Thu Hà")
    door = factories.UserFactory(full_name="Door Keeper")
    door.groups.add(Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])
    badges = [
        factories.BadgeFactory(fair=fair, user__full_name=name, organisation=org)
        for name, org in [("Đặng Thanh Ngọc", "Đại học Bách khoa"), ("田中 亮", "Izumi Giken")]
    ]
    return fair, organiser, door, badges


def test_dashboard_moves_after_a_check_in_elsewhere_and_after_a_restart(
    chromium, artifacts, postgres_required, redis_url, scene
):
    from playwright.sync_api import expect, sync_playwright

    fair, organiser, door, badges = scene
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = daphne_env(redis_url)
    keys = {"organiser": session_key_for(organiser), "door": session_key_for(door)}
    process = start_daphne(port, env)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            desk = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            desk.add_cookies([{"name": "sessionid", "value": keys["organiser"], "url": base}])
            phone = browser.new_context(
                locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
            )
            phone.add_cookies([{"name": "sessionid", "value": keys["door"], "url": base}])

            dashboard = desk.new_page()
            dashboard.goto(f"{base}/organiser/")
            onsite = dashboard.locator('[data-v="visits.people.onsite"]')
            expect(dashboard.locator(".live-state.open")).to_be_visible(timeout=10_000)
            expect(onsite).to_have_text("0")

            hall = phone.new_page()
            hall.goto(f"{base}/hall/")
            hall.fill("#hall-code", f"SIF:{fair.slug}:{badges[0].code}")
            hall.press("#hall-code", "Enter")
            expect(hall.locator(".hall-answer.outcome-first")).to_be_visible(timeout=5000)
            expect(hall.locator("[data-answer-name]")).to_have_text("Đặng Thanh Ngọc")
            hall.screenshot(path=str(artifacts / "hall-checkin-phone.png"), full_page=True)

            expect(onsite).to_have_text("1", timeout=5000)
            assert dashboard.evaluate("performance.getEntriesByType('navigation').length") == 1
            dashboard.screenshot(path=str(artifacts / "dashboard-desktop.png"), full_page=True)

            # A double scan is a repeat and the figure stays.
            hall.fill("#hall-code", badges[0].code)
            hall.press("#hall-code", "Enter")
            expect(hall.locator(".hall-answer.outcome-repeat")).to_be_visible(timeout=5000)

            # The server restarts; the page reconnects by itself and keeps moving.
            stop(process)
            process = None
            expect(dashboard.locator(".live-state.offline")).to_be_visible(timeout=10_000)
            process = start_daphne(port, env)
            expect(dashboard.locator(".live-state.open")).to_be_visible(timeout=30_000)
            hall.fill("#hall-code", badges[1].code)
            hall.press("#hall-code", "Enter")
            expect(hall.locator(".hall-answer.outcome-first")).to_be_visible(timeout=5000)
            expect(onsite).to_have_text("2", timeout=5000)

            small = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
            small.add_cookies([{"name": "sessionid", "value": keys["organiser"], "url": base}])
            narrow = small.new_page()
            narrow.goto(f"{base}/organiser/")
            expect(narrow.locator('[data-v="visits.people.onsite"]')).to_have_text("2")
            narrow.screenshot(path=str(artifacts / "dashboard-phone.png"), full_page=True)
            browser.close()
    finally:
        stop(process)

    assert Visit.objects.filter(kind="onsite").count() == 2
