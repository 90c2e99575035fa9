"""Join reaches the video link in Chromium under the site's Content-Security-Policy, with no
violation, and the join is recorded only when the person is sent there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fairsite.middleware import CSP_DIRECTIVES
from meetings.enums import MeetingMode
from meetings.models import MeetingJoin
from tests import factories
from tests.journeys.helpers import CspWatch, fake_video_service, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "https://meet.jit.si/HanoiSIF-join-test"


def _meeting(minutes_from_now: int):
    fair = factories.FairFactory()
    supplier = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=supplier.company,
        buyer=buyer.company,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url=VIDEO,
    )
    for member in (supplier, buyer):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting, buyer


def test_join_opens_the_video_link_without_csp_violation(live_server, browser_context, artifacts):
    meeting, buyer = _meeting(minutes_from_now=5)
    base = live_server.url
    browser_context.add_cookies([session_cookie(buyer.user, base)])
    watch = CspWatch(browser_context)
    reached = fake_video_service(browser_context, "https://meet.jit.si/")
    page = browser_context.new_page()

    response = page.goto(f"{base}/meetings/{meeting.pk}/")
    host = base.split("://", 1)[1]
    expected = "; ".join(CSP_DIRECTIVES).format(connect=f"'self' ws://{host}")
    assert response.headers["content-security-policy"] == expected
    assert MeetingJoin.objects.count() == 0
    page.screenshot(path=str(artifacts / "join-room.png"), full_page=True)
    page.click(".join-button")
    page.wait_for_timeout(2000)

    assert reached == [VIDEO]
    assert watch.violations() == []
    joins = list(MeetingJoin.objects.values_list("meeting_id", "user_id"))
    assert joins == [(meeting.pk, buyer.user_id)]


def test_join_before_the_window_records_nothing_and_stays_on_the_site(live_server, browser_context):
    meeting, buyer = _meeting(minutes_from_now=120)
    base = live_server.url
    browser_context.add_cookies([session_cookie(buyer.user, base)])
    reached = fake_video_service(browser_context, "https://meet.jit.si/")
    page = browser_context.new_page()

    page.goto(f"{base}/meetings/{meeting.pk}/join/")

    assert reached == []
    assert MeetingJoin.objects.count() == 0
    assert page.url.startswith(base)
    assert "The meeting opens at" in page.inner_text("body")
