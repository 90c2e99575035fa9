"""Each person's whole journey in a real Chromium, asserting what they see at every step.

- A Japanese buyer (Japanese interface, Tokyo time) signs up, finds a supplier with a search
  typed without diacritics, requests a meeting from its profile; a Vietnamese exhibitor
  (Vietnamese interface) sees the request on their overview, counter-proposes a time beyond the
  first twelve; the buyer accepts it and joins the call; the exhibitor logs a deal of
  1.500.000.000 ₫.
- A Korean buyer (Korean interface) on a 390 × 844 phone finds the meeting on the agenda, joins
  it and opens the room, with no page wider than the screen.

The meeting is booked at a time of the fair a month away; to join, the test then moves it to
start in five minutes ("the day comes"). Live notifications and e-mail links are not walked
here: they belong to the notifications work and get their own tests.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation

from fairsite import timefmt
from fairsite.models import User
from matchmaking import selectors, services
from matchmaking.models import MeetingRequest
from meetings.models import Deal, Meeting, MeetingJoin
from tests import factories
from tests.journeys.helpers import (
    CspWatch,
    bring_forward,
    city,
    fake_video_service,
    language_cookie,
    no_sideways_scroll,
    session_cookie,
    supplier_at,
    t,
)
from tests.matchmaking.helpers import future_fair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO_SERVICE = "https://meet.jit.si/"
PHONE = {"width": 390, "height": 844}


def shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"journey-{name}.png"), full_page=True)


def test_japanese_buyer_and_vietnamese_exhibitor_meet_and_log_a_deal(
    live_server, chromium, artifacts, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from tests.browser import CHROMIUM_ARGS

    fair = future_fair()
    supplier = supplier_at(fair)
    base = live_server.url

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        buyer_ctx = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        buyer_ctx.add_cookies([language_cookie("ja", base)])
        watch = CspWatch(buyer_ctx)
        reached = fake_video_service(buyer_ctx, VIDEO_SERVICE)
        page = buyer_ctx.new_page()

        # --- The Japanese buyer signs up (Japanese interface) -----------------------------
        page.goto(f"{base}/accounts/signup/")
        assert page.get_attribute("html", "lang") == "ja"
        page.fill("#id_email", "kenji.sato@osaka-parts.example")
        page.fill("#id_password1", "Osaka-Parts-2026!")
        page.fill("#id_password2", "Osaka-Parts-2026!")
        page.fill("#id_full_name", "佐藤 健二")
        page.check("#id_kind_1")  # buyer
        page.select_option("#id_language", "ja")
        page.select_option("#id_time_zone", "Asia/Tokyo")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        path = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
        page.goto(base + path)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()

        page.goto(f"{base}/onboarding/company/new/")
        page.fill("#id_name_en", "Osaka Precision Parts Co., Ltd.")
        page.fill("#id_name_native", "大阪精密部品株式会社")
        page.select_option("#id_country", "JP")
        page.fill("#id_city", "Osaka")
        page.fill("#id_sourcing_needs", "Aluminium die-cast housings, CNC machined brackets")
        page.check("#id_attendance input[value=remote]")  # meets online, from Osaka
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        buyer = User.objects.get(email="kenji.sato@osaka-parts.example")
        assert (buyer.language, buyer.time_zone) == ("ja", "Asia/Tokyo")

        # Recommendations were computed for the new company without an organiser.
        page.goto(f"{base}/recommendations/")
        expect(page.locator("main")).to_contain_text("Dong A Precision Mechanical JSC")

        # --- Finds the supplier with a search typed without diacritics ------------------------
        page.goto(f"{base}/suppliers/")
        page.fill("input[name=q]", "co khi chinh xac")
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state()
        main = page.locator("main")
        expect(main).to_contain_text("Cơ khí chính xác Đông Á")
        expect(main).not_to_contain_text("HN Plastics")
        card = page.locator("article.company-card", has_text="Dong A")
        expect(card.get_by_role("link", name=t("ja", "Request a meeting"))).to_be_visible()
        shot(page, artifacts, "ja-directory")

        # --- Requests a meeting from the profile ------------------------------------------
        card.get_by_role("link", name="Dong A Precision Mechanical JSC").click()
        page.wait_for_load_state()
        expect(page.locator("h1")).to_have_text("Dong A Precision Mechanical JSC")
        page.get_by_role("button", name=t("ja", "Must meet")).click()
        page.wait_for_load_state()
        expect(page.get_by_role("button", name=t("ja", "Must meet"))).to_have_attribute(
            "aria-pressed", "true"
        )
        page.get_by_role("link", name=t("ja", "Request a meeting")).first.click()
        page.wait_for_load_state()
        form = page.locator("#slot-form")
        expect(form).to_contain_text(city("ja", "Asia/Tokyo"))
        expect(form).to_contain_text(city("ja", "Asia/Ho_Chi_Minh"))
        shot(page, artifacts, "ja-request-form")
        form.locator("input[name=slots]").first.check()
        page.fill("#id_message", "ダイカスト部品についてご相談したいです。")
        page.get_by_role("button", name=t("ja", "Send request")).click()
        page.wait_for_load_state()
        req = MeetingRequest.objects.get()
        assert page.url.endswith(f"/requests/{req.pk}/")
        expect(page.locator("main")).to_contain_text(t("ja", "Waiting for an answer"))

        # --- The Vietnamese exhibitor sees it and proposes a time beyond the first twelve ---
        seller_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        seller_ctx.add_cookies([session_cookie(supplier.user, base), language_cookie("vi", base)])
        seller = seller_ctx.new_page()
        seller.goto(f"{base}/")
        waiting = seller.locator(".overview-requests")
        expect(waiting).to_contain_text("Osaka Precision Parts Co., Ltd.")
        shot(seller, artifacts, "vi-home")
        waiting.locator(f'a[href="/requests/{req.pk}/"]').click()
        seller.wait_for_load_state()
        expect(seller.locator("main")).to_contain_text("ダイカスト部品")
        seller.get_by_role("link", name=t("vi", "Propose other times")).click()
        seller.wait_for_load_state()
        everything = selectors.pair_slot_proposals(
            fair=fair,
            user=supplier.user,
            company=supplier.company,
            other=req.requester,
            prefer_user_ids=[buyer.pk],
            limit=None,
        )
        assert len(everything) > 12
        late = everything[12]  # the thirteenth most comfortable: never offered before
        box = seller.locator(f'input[name=slots][value="{late.slot_id}"]')
        expect(box).to_have_count(1)
        label = seller.locator(f'label[for="{box.get_attribute("id")}"]')
        with translation.override("vi"):
            expect(label).to_contain_text(timefmt.both_zones(late.start, list(late.zones)))
        shot(seller, artifacts, "vi-counter")
        box.check()
        seller.get_by_role("button", name=t("vi", "Send these times")).click()
        seller.wait_for_load_state()
        expect(seller.locator("main")).to_contain_text(t("vi", "Waiting for an answer"))

        # --- The buyer accepts the new time --------------------------------------------------
        page.goto(f"{base}/requests/{req.pk}/")
        slots = page.locator(".mm-slots li")
        expect(slots).to_have_count(1)
        with translation.override("ja"):
            expect(slots).to_contain_text(
                timefmt.meeting_when(late.start, late.end, ["Asia/Tokyo", "Asia/Ho_Chi_Minh"])
            )
        page.get_by_role("button", name=t("ja", "Accept this time")).click()
        page.wait_for_load_state()
        meeting = Meeting.objects.get()
        assert meeting.start == late.start
        assert f"/agenda/#meeting-{meeting.pk}" in page.url
        expect(page.locator(f"#meeting-{meeting.pk}")).to_contain_text(
            "Dong A Precision Mechanical JSC"
        )
        shot(page, artifacts, "ja-agenda")

        # --- The day comes: the buyer joins the call ----------------------------------------
        bring_forward(meeting)
        page.goto(f"{base}/meetings/{meeting.pk}/")
        join = page.get_by_role("link", name=t("ja", "Join the meeting"))
        expect(join).to_have_attribute("aria-disabled", "false")
        with buyer_ctx.expect_page() as opened:
            join.click()
        opened.value.wait_for_load_state()
        meeting.refresh_from_db()
        assert reached == [meeting.video_url]
        assert list(MeetingJoin.objects.values_list("user_id", flat=True)) == [buyer.pk]
        assert watch.violations() == []
        shot(page, artifacts, "ja-room")

        # --- The exhibitor logs a deal of 1.500.000.000 ₫ ------------------------------------
        seller.goto(f"{base}/meetings/{meeting.pk}/")
        seller.get_by_role("link", name=t("vi", "Log contacts and deal")).click()
        seller.wait_for_load_state()
        seller.select_option("#id_stage", "quotation")
        seller.fill("#id_amount", "1.500.000.000")
        seller.select_option("#id_currency", "VND")
        seller.click("main form button[type=submit]")
        seller.wait_for_load_state()
        deal = Deal.objects.get()
        assert (deal.currency, deal.amount_minor) == ("VND", 1_500_000_000)
        expect(seller.locator("main")).to_contain_text("1.500.000.000\u00a0₫")
        shot(seller, artifacts, "vi-deal")
        browser.close()


def test_korean_buyer_on_a_phone_joins_from_the_agenda_and_opens_the_room(
    live_server, chromium, artifacts, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from tests.browser import CHROMIUM_ARGS

    fair = future_fair()
    supplier = supplier_at(fair)
    korean = factories.BuyerMemberFactory(
        company__fair=fair,
        company__name_en="Seoul Motor Parts Co.",
        company__name_native="서울자동차부품",
        company__country="KR",
        user__language="ko",
        user__time_zone="Asia/Seoul",
        user__full_name="김민준",
    )
    offered = selectors.pair_slot_proposals(
        fair=fair, user=korean.user, company=korean.company, other=supplier.company
    )
    req = services.meeting_request_create(
        fair=fair,
        user=korean.user,
        target=supplier.company,
        slot_ids=[offered[0].slot_id],
        message="",
    )
    slot = req.slots.get()
    meeting = services.meeting_request_accept(request=req, user=supplier.user, slot_id=slot.pk)
    bring_forward(meeting)
    meeting.refresh_from_db()
    base = live_server.url

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        ctx = browser.new_context(
            locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
        )
        ctx.add_cookies([session_cookie(korean.user, base), language_cookie("ko", base)])
        watch = CspWatch(ctx)
        reached = fake_video_service(ctx, VIDEO_SERVICE)
        page = ctx.new_page()

        page.goto(f"{base}/")
        assert page.get_attribute("html", "lang") == "ko"
        expect(page.locator(".overview-meetings")).to_contain_text(
            "Dong A Precision Mechanical JSC"
        )
        assert no_sideways_scroll(page)
        shot(page, artifacts, "ko-phone-home")

        page.goto(f"{base}/suppliers/")
        card = page.locator("article.company-card", has_text="Dong A")
        expect(card.get_by_role("link", name=t("ko", "Request a meeting"))).to_be_visible()
        assert no_sideways_scroll(page)
        shot(page, artifacts, "ko-phone-directory")
        card.get_by_role("link", name="Dong A Precision Mechanical JSC").click()
        page.wait_for_load_state()
        expect(page.get_by_role("button", name=t("ko", "Maybe"))).to_be_visible()
        assert no_sideways_scroll(page)
        shot(page, artifacts, "ko-phone-profile")
        page.goto(f"{base}/requests/{req.pk}/")
        expect(page.locator("main")).to_contain_text(t("ko", "Accepted"))
        assert no_sideways_scroll(page)

        page.goto(f"{base}/agenda/")
        row = page.locator(f"#meeting-{meeting.pk}")
        expect(row).to_contain_text(city("ko", "Asia/Seoul"))
        expect(row).to_contain_text(city("ko", "Asia/Ho_Chi_Minh"))
        assert no_sideways_scroll(page)
        shot(page, artifacts, "ko-phone-agenda")
        with ctx.expect_page() as opened:
            row.get_by_role("link", name=t("ko", "Join the meeting")).click()
        opened.value.wait_for_load_state()
        assert reached == [meeting.video_url]
        assert list(MeetingJoin.objects.values_list("user_id", flat=True)) == [korean.user_id]

        row.get_by_role("link", name=t("ko", "Open the meeting room")).click()
        page.wait_for_load_state()
        expect(page.locator("#meeting-heading")).to_contain_text("Dong A Precision Mechanical JSC")
        expect(page.locator(".meeting-time")).to_contain_text(city("ko", "Asia/Seoul"))
        assert no_sideways_scroll(page)
        shot(page, artifacts, "ko-phone-room")
        assert watch.violations() == []
        browser.close()
