"""A Japanese buyer takes a freed time from a full exhibitor's waiting list, in a real Chromium
against a real daphne, on a 390 px phone and on a desktop.

The supplier's only time is booked. The buyer (ja, Tokyo) finds no time on the supplier's
profile, joins its waiting list and sees their position; with the waiting lists open, the
Vietnamese exhibitor cancels the booked meeting in its room; the offer arrives live on the
buyer's open page (a toast, no reload) and by e-mail in Japanese with both zones; the buyer
accepts and lands in the new meeting's room.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from matchmaking import services
from matchmaking.enums import OfferStatus
from matchmaking.models import WaitlistOffer
from meetings import booking
from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting
from tests import factories
from tests.journeys import test_live_journeys as live
from tests.journeys.helpers import no_sideways_scroll, supplier_at, t
from tests.journeys.test_live_journeys import (
    LIVE,
    name_in,
    open_as,
    stay,
    stayed,
    text_of,
    wait_socket,
)
from tests.matchmaking.helpers import future_fair, slot_at, venue_time

# The live journeys' fixtures: a real daphne (tasks inline, e-mails to files) and Chromium.
server = live.server
browser = live.browser

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def full_supplier(fair):
    """The journeys' supplier, free only at 10:00 Hà Nội on the first day and booked then."""
    supplier = supplier_at(fair)
    start = venue_time(fair, 0, 10)
    services.availability_set(fair=fair, user=supplier.user, slot_ids=[slot_at(fair, start).id])
    rival = factories.BuyerMemberFactory(company__fair=fair)
    meeting = booking.meeting_book(
        fair=fair,
        exhibitor=supplier.company,
        buyer=rival.company,
        attendees=[supplier, rival],
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        by=rival.user,
    )
    return supplier, meeting


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_japanese_buyer_joins_the_waiting_list_and_accepts_the_freed_time(
    server, browser, artifacts: Path, phone: bool
):
    from playwright.sync_api import expect

    fair = future_fair()
    supplier, booked = full_supplier(fair)
    buyer = factories.BuyerMemberFactory(
        company__fair=fair,
        user__email="kenji.sato@osaka-parts.example",
        user__full_name="佐藤 健二",
        user__language="ja",
        user__time_zone="Asia/Tokyo",
    )
    base = server.base
    size = "phone" if phone else "desktop"

    def shot(page, name: str) -> None:
        page.screenshot(path=str(artifacts / f"waitlist-{size}-{name}.png"), full_page=True)

    # --- The buyer finds no time on the supplier's profile and joins its list ---------------
    buyer_ctx = open_as(browser, server, buyer.user, "ja", phone=phone)
    page = buyer_ctx.new_page()
    page.goto(base + reverse("exhibitors:company_detail", args=[supplier.company.slug]))
    assert page.get_attribute("html", "lang") == "ja"
    join = page.get_by_role("button", name=t("ja", "Join the waiting list"))
    expect(join).to_be_visible()
    assert no_sideways_scroll(page)
    shot(page, "1-profile-full")
    join.click()
    page.wait_for_load_state()
    position = t("ja", "You are number %(position)s on this exhibitor's waiting list.", position=1)
    expect(page.locator(".mm-wait")).to_contain_text(position)
    assert no_sideways_scroll(page)
    shot(page, "2-on-the-list")

    # --- With the waiting lists open, the exhibitor cancels the booked meeting ---------------
    page.goto(f"{base}{reverse('matchmaking:waitlist')}")
    expect(page.locator(".mm-waitlist")).to_contain_text(name_in("ja", supplier.company))
    wait_socket(page)
    stay(page)
    seller_ctx = open_as(browser, server, supplier.user, "vi")
    seller = seller_ctx.new_page()
    seller.on("dialog", lambda dialog: dialog.accept())
    seller.goto(f"{base}{reverse('meetings:room', args=[booked.pk])}")
    seller.click(".cancel-form button")
    seller.wait_for_load_state()

    # --- The offer arrives live, in Japanese, with both zones -------------------------------
    toast = page.locator("#toasts .toast").last
    expect(toast).to_contain_text(name_in("ja", supplier.company), timeout=LIVE)
    expect(toast).to_contain_text("12:00–12:30")  # Tokyo
    expect(toast).to_contain_text("10:00–10:30")  # Hà Nội
    assert stayed(page)
    shot(page, "3-offer-live")
    mail = server.mail_to(buyer.user.email, "/waitlist/?offer=")
    assert t("ja", "Answer the offer:") in text_of(mail)
    assert "12:00–12:30" in text_of(mail) and "10:00–10:30" in text_of(mail)

    # --- The offer's card appears on the open page; the buyer accepts and lands in the room --
    offer = WaitlistOffer.objects.get(entry__user=buyer.user)
    card = page.locator(f"#offer-{offer.pk}")
    expect(card).to_contain_text("12:00–12:30", timeout=LIVE)
    assert stayed(page)
    assert no_sideways_scroll(page)
    shot(page, "4-offer")
    card.get_by_role("button", name=t("ja", "Accept this time")).click()
    page.wait_for_load_state()
    meeting = Meeting.objects.get(buyer=buyer.company, status=MeetingStatus.SCHEDULED)
    assert page.url.endswith(reverse("meetings:room", args=[meeting.pk]))
    assert (meeting.start, meeting.exhibitor_id) == (booked.start, supplier.company.pk)
    assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED
    expect(page.locator(".messages")).to_contain_text(t("ja", "Your meeting is booked."))
    assert no_sideways_scroll(page)
    shot(page, "5-booked")
    buyer_ctx.close()
    seller_ctx.close()
