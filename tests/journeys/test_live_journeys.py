"""Each person's journey in a real Chromium against a real daphne, so the live parts are walked
too: notifications over ``/ws/notifications/``, e-mails (written to files by the server), the
chat, agendas and request lists that change in place. Every step asserts what the person sees,
in their own language.

- A Japanese buyer (ja) signs up, confirms the e-mail, finds a supplier by a search typed
  without diacritics, requests a meeting from its profile; the Vietnamese exhibitor (vi) sees
  it arrive on an open page and accepts; the buyer sees the acceptance arrive on an open page
  (toast and unread count, no reload) and by e-mail, follows the e-mail's link to the room,
  joins the call (video service intercepted) and chats with the exhibitor, who logs a deal of
  1.500.000.000 ₫.
- A Korean buyer (ko) on a 390 × 844 phone has the agenda open when the exhibitor
  counter-proposes a time beyond the first twelve; the proposal arrives live, the buyer accepts
  it, the exhibitor's open agenda gains the meeting, the buyer joins from the agenda and chats
  in the room.
- An organiser publishes a schedule and the participants' open agendas gain the meetings
  without reload.

The server runs tasks in-process after commit (``FAIRSITE_TASKS=inline``) and writes e-mails
as files (``FAIRSITE_EMAIL_FILE_PATH``); it needs PostgreSQL and Redis shared with the test.
"""

from __future__ import annotations

import email
import email.policy
import re
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.utils import translation

from exhibitors.models import Company
from fairsite import timefmt
from fairsite.models import User
from matchmaking import selectors, services
from matchmaking.models import MeetingRequest, SchedulerRun
from meetings.models import ChatMessage, Deal, Meeting, MeetingJoin
from tests import factories
from tests.browser import CHROMIUM_ARGS
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
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIDEO_SERVICE = "https://meet.jit.si/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LIVE = 10_000  # ms: a live change shows within this (the product aims at a second or two)


# --- The server -------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    mail_dir: Path

    def mails(self) -> list[email.message.EmailMessage]:
        """Every e-mail the server wrote so far (Django's file backend: one file per
        connection, messages separated by a line of 79 dashes)."""
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return found

    def mail_to(self, address: str, contains: str, timeout: float = 10) -> Any:
        """The newest e-mail to ``address`` whose text contains ``contains``, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.mails()):
                if address in str(message["To"]) and contains in text_of(message):
                    return message
            if time.monotonic() > deadline:
                sent = [(str(m["To"]), str(m["Subject"])) for m in self.mails()]
                raise AssertionError(f"no e-mail to {address} with {contains!r}; sent: {sent}")
            time.sleep(0.2)


def text_of(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def links_of(message: Any) -> list[str]:
    """Every link of both parts: the plain text's addresses and the HTML part's hrefs."""
    found = re.findall(r"https?://[^\s\"<>]+", text_of(message))
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        found += re.findall(r'href="([^"]+)"', html.get_content())
    return found


@pytest.fixture
def server(postgres_required, redis_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = daphne_env(redis_url)
    env.update(
        FAIRSITE_SITE_URL=base,
        FAIRSITE_EMAIL_FILE_PATH=str(mail_dir),
        FAIRSITE_TASKS="inline",
    )
    process = start_daphne(port, env, log=tmp_path / "daphne.log")
    try:
        yield Server(base=base, mail_dir=mail_dir)
    finally:
        stop(process)


@pytest.fixture
def browser(chromium, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # The test's ORM calls ran while Playwright's loop was running, so they had their
            # own connection (and pool); close them here, in that context, or the test
            # database cannot be dropped at the end of the run.
            for connection in connections.all(initialized_only=True):
                connection.close()
                if hasattr(connection, "close_pool"):
                    connection.close_pool()


# --- What people see --------------------------------------------------------------------------


def name_in(language: str, company: Company) -> str:
    with translation.override(language):
        return company.display_name


def shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"live-journey-{name}.png"), full_page=True)


def stay(page) -> None:
    """Mark the open page: the mark survives only as long as the page is not reloaded."""
    page.evaluate("window.__stayed = 'yes'")


def stayed(page) -> bool:
    return page.evaluate("window.__stayed || 'reloaded'") == "yes"


def open_as(browser, server: Server, user, language: str, *, phone: bool = False):
    options: dict[str, Any] = {"locale": language, "viewport": PHONE if phone else DESKTOP}
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    context = browser.new_context(**options)
    cookies = [language_cookie(language, server.base)]
    if user is not None:
        cookies.append(session_cookie(user, server.base))
    context.add_cookies(cookies)
    return context


def wait_socket(page) -> None:
    """The page's notifications socket is open (the first catch-up has answered)."""
    page.wait_for_function("window.FairSocket !== undefined")
    page.wait_for_load_state("networkidle")


# --- The people -------------------------------------------------------------------------------


def chat(sender, receiver, text: str) -> None:
    from playwright.sync_api import expect

    sender.fill(".chat-form textarea", text)
    sender.press(".chat-form textarea", "Enter")
    expect(receiver.locator(".chat-log .chat-text").last).to_have_text(text, timeout=LIVE)
    # The sender was typing; their message has arrived, so they are no longer "typing".
    # (Within a second: the indicator's own timeout is four.)
    expect(receiver.locator(".chat-typing")).to_have_text("", timeout=1000)


def chat_times_in(page, zone: str, meeting: Meeting) -> None:
    """Each message shows its time in the reader's zone (24-hour, as everywhere on the site)."""
    from playwright.sync_api import expect

    messages = ChatMessage.objects.filter(meeting=meeting).order_by("pk")
    metas = page.locator(".chat-log .chat-meta")
    expect(metas).to_have_count(messages.count())
    for index, message in enumerate(messages):
        local = message.created_at.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%H:%M")
        expect(metas.nth(index)).to_contain_text(local)


# --- The journeys -----------------------------------------------------------------------------


def test_japanese_buyer_hears_the_acceptance_live_and_by_email_and_joins(
    server, browser, artifacts
):
    from playwright.sync_api import expect

    fair = future_fair()
    supplier = supplier_at(fair)
    base = server.base

    # --- The Vietnamese exhibitor has the request list open --------------------------------
    seller_ctx = open_as(browser, server, supplier.user, "vi")
    seller = seller_ctx.new_page()
    seller.goto(f"{base}/requests/")
    assert seller.get_attribute("html", "lang") == "vi"
    expect(seller.locator("#notifications-unread")).to_be_hidden()
    wait_socket(seller)
    stay(seller)

    # --- The Japanese buyer signs up and confirms the e-mail -------------------------------
    buyer_ctx = open_as(browser, server, None, "ja")
    watch = CspWatch(buyer_ctx)
    reached = fake_video_service(buyer_ctx, VIDEO_SERVICE)
    page = buyer_ctx.new_page()
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
    confirm = server.mail_to("kenji.sato@osaka-parts.example", "/accounts/confirm-email/")
    link = next(u for u in links_of(confirm) if "/accounts/confirm-email/" in u)
    assert link.startswith(f"{base}/accounts/confirm-email/")
    page.goto(link)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    buyer = User.objects.get(email="kenji.sato@osaka-parts.example")
    assert buyer.emailaddress_set.get().verified
    assert (buyer.language, buyer.time_zone) == ("ja", "Asia/Tokyo")

    page.goto(f"{base}/onboarding/company/new/")
    page.fill("#id_name_en", "Osaka Precision Parts Co., Ltd.")
    page.fill("#id_name_native", "大阪精密部品株式会社")
    page.select_option("#id_country", "JP")
    page.fill("#id_city", "Osaka")
    page.fill("#id_sourcing_needs", "Aluminium die-cast housings, CNC machined brackets")
    page.check("#id_attendance input[value=remote]")  # meets online, from Osaka
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    osaka = Company.objects.get(name_en="Osaka Precision Parts Co., Ltd.")

    # --- Finds the supplier by a search typed without diacritics ---------------------------
    page.goto(f"{base}/suppliers/")
    page.fill("input[name=q]", "co khi chinh xac")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Cơ khí chính xác Đông Á")
    expect(page.locator("main")).not_to_contain_text("HN Plastics")
    card = page.locator("article.company-card", has_text="Dong A")
    expect(card.get_by_role("link", name=t("ja", "Request a meeting"))).to_be_visible()
    shot(page, artifacts, "ja-directory")

    # --- Requests a meeting from the profile ------------------------------------------------
    card.get_by_role("link", name="Dong A Precision Mechanical JSC").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Dong A Precision Mechanical JSC")
    page.get_by_role("link", name=t("ja", "Request a meeting")).first.click()
    page.wait_for_load_state()
    form = page.locator("#slot-form")
    expect(form).to_contain_text(city("ja", "Asia/Tokyo"))
    expect(form).to_contain_text(city("ja", "Asia/Ho_Chi_Minh"))
    form.locator("input[name=slots]").first.check()
    page.fill("#id_message", "ダイカスト部品についてご相談したいです。")
    page.get_by_role("button", name=t("ja", "Send request")).click()
    page.wait_for_load_state()
    req = MeetingRequest.objects.get()
    assert page.url.endswith(f"/requests/{req.pk}/")
    expect(page.locator("main")).to_contain_text(t("ja", "Waiting for an answer"))

    # --- The exhibitor sees it arrive on the open page: toast, count, list ----------------
    arrived = t("vi", "%(company)s asks to meet you.", company=name_in("vi", osaka))
    toast = seller.locator("#toasts .toast", has_text=arrived)
    expect(toast).to_be_visible(timeout=LIVE)
    expect(seller.locator("#notifications-unread")).to_have_text("1")
    expect(seller.locator("#live-requests")).to_contain_text(name_in("vi", osaka))
    assert stayed(seller)
    shot(seller, artifacts, "vi-request-arrives")

    # --- The buyer waits on the agenda; the exhibitor accepts from the toast's link -------
    page.goto(f"{base}/agenda/")
    expect(page.locator("#live-agenda")).not_to_contain_text("Dong A Precision Mechanical JSC")
    wait_socket(page)
    stay(page)
    assert toast.locator("a").get_attribute("href") == f"{base}/requests/{req.pk}/"
    toast.locator("a").click()
    seller.wait_for_load_state()
    expect(seller.locator("main")).to_contain_text("ダイカスト部品")
    seller.get_by_role("button", name=t("vi", "Accept this time")).first.click()
    seller.wait_for_load_state()
    meeting = Meeting.objects.get()

    # --- The buyer sees the acceptance live: toast, unread count, agenda ------------------
    accepted = t(
        "ja",
        "%(company)s accepted your meeting request.",
        company=name_in("ja", supplier.company),
    )
    expect(page.locator("#toasts .toast", has_text=accepted)).to_be_visible(timeout=LIVE)
    expect(page.locator("#notifications-unread")).to_have_text("1")
    expect(page.locator("#live-agenda")).to_contain_text(
        "Dong A Precision Mechanical JSC", timeout=LIVE
    )
    assert stayed(page)
    shot(page, artifacts, "ja-acceptance-live")

    # --- ... and by e-mail, in Japanese, every link absolute; the room link opens ---------
    room = f"{base}/meetings/{meeting.pk}/"
    message = server.mail_to(buyer.email, room)
    assert t("ja", "Meeting room: %(url)s", url=room) in text_of(message)
    links = links_of(message)
    assert room in links
    assert all(u.startswith((base, VIDEO_SERVICE)) for u in links), links
    assert not re.search(r"(?<![\w:/.])/(requests|meetings|agenda)/", text_of(message))
    html = message.get_body(preferencelist=("html",)).get_content()
    label = re.escape(t("ja", "Open the meeting room"))
    button = re.search(rf'href="([^"]+)"[^>]*>{label}</a>', html)  # the e-mail's action button
    assert button is not None and button.group(1) == room, html
    bring_forward(meeting)  # the day comes
    page.goto(button.group(1))  # the buyer follows the e-mail's link
    expect(page.locator("#meeting-heading")).to_contain_text("Dong A Precision Mechanical JSC")
    expect(page.locator(".meeting-time")).to_contain_text(city("ja", "Asia/Tokyo"))

    # --- Joins the call ---------------------------------------------------------------------
    join = page.get_by_role("link", name=t("ja", "Join the meeting"))
    expect(join).to_have_attribute("aria-disabled", "false")
    with buyer_ctx.expect_page() as opened:
        join.click()
    opened.value.wait_for_url(VIDEO_SERVICE + "**")
    assert reached == [meeting.video_url]
    assert list(MeetingJoin.objects.values_list("user_id", flat=True)) == [buyer.pk]
    opened.value.close()

    # --- Both chat in the room ---------------------------------------------------------------
    seller.goto(room)
    for person in (page, seller):
        expect(person.locator("section.chat.online")).to_be_visible(timeout=LIVE)
    chat(seller, page, "Xin chào! Chúng tôi làm vỏ nhôm đúc.")
    chat(page, seller, "ありがとうございます。見積もりをお願いします。")
    chat_times_in(page, "Asia/Tokyo", meeting)
    shot(page, artifacts, "ja-room-chat")
    shot(seller, artifacts, "vi-room-chat")
    assert watch.violations() == []

    # --- The exhibitor logs a deal of 1.500.000.000 ₫ ---------------------------------------
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
    assert ChatMessage.objects.filter(meeting=meeting).count() == 2


@pytest.fixture
def korean_request(server):
    """A Korean buyer's pending request to the Vietnamese supplier, made before the browser
    starts (services announce after commit from this thread, which then has no event loop)."""
    fair = future_fair()
    supplier = supplier_at(fair)
    korean = factories.BuyerMemberFactory(
        company__fair=fair,
        company__name_en="Seoul Motor Parts Co.",
        company__name_native="서울자동차부품",
        company__country="KR",
        company__attendance="remote",
        user__language="ko",
        user__time_zone="Asia/Seoul",
        user__full_name="김민준",
    )
    offered = selectors.pair_slot_proposals(
        fair=fair, user=korean.user, company=korean.company, other=supplier.company
    )
    req = services.meeting_request_create(
        fair=fair, user=korean.user, target=supplier.company, slot_ids=[offered[0].slot_id]
    )
    return fair, supplier, korean, req


def test_korean_buyer_on_a_phone_hears_a_late_proposal_live_joins_and_chats(
    server, korean_request, browser, artifacts
):
    from playwright.sync_api import expect

    fair, supplier, korean, req = korean_request
    base = server.base

    # --- The Korean buyer has the agenda open on the phone -----------------------------------
    phone_ctx = open_as(browser, server, korean.user, "ko", phone=True)
    watch = CspWatch(phone_ctx)
    reached = fake_video_service(phone_ctx, VIDEO_SERVICE)
    phone = phone_ctx.new_page()
    phone.goto(f"{base}/agenda/")
    assert phone.get_attribute("html", "lang") == "ko"
    assert no_sideways_scroll(phone)
    wait_socket(phone)
    stay(phone)

    # --- The exhibitor counter-proposes the thirteenth most comfortable time ---------------
    seller_ctx = open_as(browser, server, supplier.user, "vi")
    seller = seller_ctx.new_page()
    seller.goto(f"{base}/requests/{req.pk}/")
    seller.get_by_role("link", name=t("vi", "Propose other times")).click()
    seller.wait_for_load_state()
    everything = selectors.pair_slot_proposals(
        fair=fair,
        user=supplier.user,
        company=supplier.company,
        other=korean.company,
        prefer_user_ids=[korean.user_id],
        limit=None,
    )
    assert len(everything) > 12
    late = everything[12]
    box = seller.locator(f'input[name=slots][value="{late.slot_id}"]')
    expect(box).to_have_count(1)
    label = seller.locator(f'label[for="{box.get_attribute("id")}"]')
    with translation.override("vi"):
        expect(label).to_contain_text(timefmt.both_zones(late.start, list(late.zones)))
    box.check()
    seller.get_by_role("button", name=t("vi", "Send these times")).click()
    seller.wait_for_load_state()
    expect(seller.locator("main")).to_contain_text(t("vi", "Waiting for an answer"))
    seller.goto(f"{base}/agenda/")
    wait_socket(seller)
    stay(seller)

    # --- It arrives live on the phone; the buyer taps it and accepts ----------------------
    proposes = t("ko", "%(company)s proposes other times.", company=name_in("ko", supplier.company))
    toast = phone.locator("#toasts .toast", has_text=proposes)
    expect(toast).to_be_visible(timeout=LIVE)
    expect(phone.locator("#notifications-unread")).to_have_text("1")
    # The menu is folded on a phone: its button shows the count too.
    expect(phone.locator(".nav-toggle .badge")).to_be_visible()
    expect(phone.locator(".nav-toggle .badge")).to_have_text("1")
    assert stayed(phone)
    assert no_sideways_scroll(phone)
    shot(phone, artifacts, "ko-phone-proposal-live")
    toast.locator("a").click()
    phone.wait_for_load_state()
    slots = phone.locator(".mm-slots li")
    expect(slots).to_have_count(1)
    with translation.override("ko"):
        expect(slots).to_contain_text(city("ko", "Asia/Seoul"))
    assert no_sideways_scroll(phone)
    shot(phone, artifacts, "ko-phone-request")
    phone.get_by_role("button", name=t("ko", "Accept this time")).click()
    phone.wait_for_load_state()
    meeting = Meeting.objects.get()
    assert meeting.start == late.start
    row = phone.locator(f"#meeting-{meeting.pk}")
    expect(row).to_contain_text(city("ko", "Asia/Seoul"))
    expect(row).to_contain_text(city("ko", "Asia/Ho_Chi_Minh"))

    # --- The exhibitor's open agenda gains the meeting without reload ---------------------
    expect(seller.locator(f"#meeting-{meeting.pk}")).to_contain_text(
        name_in("vi", korean.company), timeout=LIVE
    )
    assert stayed(seller)
    shot(seller, artifacts, "vi-agenda-live")

    # --- The day comes: the buyer joins from the agenda and opens the room --------------------
    bring_forward(meeting)
    phone.reload()
    row = phone.locator(f"#meeting-{meeting.pk}")
    assert no_sideways_scroll(phone)
    shot(phone, artifacts, "ko-phone-agenda")
    with phone_ctx.expect_page() as opened:
        row.get_by_role("link", name=t("ko", "Join the meeting")).click()
    opened.value.wait_for_url(VIDEO_SERVICE + "**")
    assert reached == [meeting.video_url]
    assert list(MeetingJoin.objects.values_list("user_id", flat=True)) == [korean.user_id]
    opened.value.close()
    row.get_by_role("link", name=t("ko", "Open the meeting room")).click()
    phone.wait_for_load_state()
    expect(phone.locator("#meeting-heading")).to_contain_text("Dong A Precision Mechanical JSC")
    expect(phone.locator(".meeting-time")).to_contain_text(city("ko", "Asia/Seoul"))

    # --- Chat between the phone and the exhibitor's desktop -------------------------------
    seller.goto(f"{base}/meetings/{meeting.pk}/")
    for person in (phone, seller):
        expect(person.locator("section.chat.online")).to_be_visible(timeout=LIVE)
    chat(seller, phone, "Chào anh Kim, cảm ơn đã đồng ý!")
    chat(phone, seller, "감사합니다. 샘플을 보내 주실 수 있나요?")
    chat_times_in(phone, "Asia/Seoul", meeting)
    chat_times_in(seller, "Asia/Ho_Chi_Minh", meeting)
    assert no_sideways_scroll(phone)
    shot(phone, artifacts, "ko-phone-room-chat")
    assert watch.violations() == []


def test_published_schedule_changes_the_open_agendas_without_reload(server, browser, artifacts):
    from playwright.sync_api import expect

    fair = future_fair()
    organiser = factories.OrganiserFactory(full_name="Trần Thị Bình")
    supplier = supplier_at(fair)
    korean = factories.BuyerMemberFactory(
        company__fair=fair,
        company__name_en="Seoul Motor Parts Co.",
        company__country="KR",
        company__attendance="remote",
        user__language="ko",
        user__time_zone="Asia/Seoul",
    )
    services.interest_set(fair=fair, user=korean.user, target=supplier.company, level="must")
    base = server.base

    agendas = {}
    for who, user, language, phone in (
        ("vi", supplier.user, "vi", False),
        ("ko", korean.user, "ko", True),
    ):
        context = open_as(browser, server, user, language, phone=phone)
        agenda = context.new_page()
        agenda.goto(f"{base}/agenda/")
        expect(agenda.locator("#live-agenda")).not_to_contain_text(
            "Dong A Precision Mechanical JSC" if who == "ko" else "Seoul Motor Parts"
        )
        wait_socket(agenda)
        stay(agenda)
        agendas[who] = agenda

    # --- The organiser previews and publishes ----------------------------------------------
    organiser_ctx = open_as(browser, server, organiser, "vi")
    desk = organiser_ctx.new_page()
    desk.goto(f"{base}/")  # an organiser lands on the dashboard
    assert desk.url == f"{base}/organiser/"
    desk.get_by_role("link", name=t("vi", "Scheduler")).first.click()
    desk.wait_for_load_state()
    expect(desk.locator("h1")).to_have_text(t("vi", "Hosted-buyer scheduler"))
    desk.fill("#id_time_limit", "2")
    desk.get_by_role("button", name=t("vi", "Run a preview")).click()
    desk.wait_for_load_state()
    run = SchedulerRun.objects.get()
    expect(desk.locator("h1")).to_contain_text(t("vi", "Schedule run %(n)s", n=run.pk))
    desk.get_by_role("button", name=t("vi", "Publish this schedule")).click()
    desk.wait_for_load_state()
    expect(desk.locator(".messages")).to_contain_text(
        t("vi", "Published: %(count)d meetings were created.", count=1)
    )
    meeting = Meeting.objects.get()
    with translation.override("vi"):  # the day in the reader's order, with the venue's time
        when = timefmt.both_zones(meeting.start, ["Asia/Ho_Chi_Minh"], with_date=True)
    expect(desk.locator("table.mm-table").last).to_contain_text(when)
    shot(desk, artifacts, "vi-organiser-published")

    # --- Both open agendas gain the meeting, with a toast, without reload -----------------
    for who, other in (("vi", "Seoul Motor Parts Co."), ("ko", "Dong A Precision Mechanical JSC")):
        agenda = agendas[who]
        expect(agenda.locator(f"#meeting-{meeting.pk}")).to_contain_text(other, timeout=LIVE)
        scheduled = t(who, "The organisers scheduled %(count)s meetings for you.", count=1)
        expect(agenda.locator("#toasts .toast", has_text=scheduled)).to_be_visible()
        expect(agenda.locator("#notifications-unread")).to_have_text("1")
        assert stayed(agenda)
        shot(agenda, artifacts, f"{who}-agenda-published")
    assert no_sideways_scroll(agendas["ko"])
