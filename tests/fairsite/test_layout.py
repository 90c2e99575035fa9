"""Every page fits a phone: no sideways scrolling at 390 × 844, in every language.

The pages are the URL permission table's (``tests/*/url_table.py``): every GET case that answers
200 to someone is opened, signed in as the first role of :data:`ROLE_ORDER` it answers 200 to,
plus the allauth pages a person reaches. One Chromium, one context per language, one seeded
database for the whole walk. A page overflows when the document is wider than the viewport or
when an element reaches past the right edge without an ancestor that scrolls or clips it (a
table scrolling inside its own container is fine). Screenshots of every page go to
``$FAIRSITE_ARTIFACTS/layout/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db.models import Count
from django.urls import reverse

from tests.browser import CHROMIUM_ARGS
from tests.meetings.sockets import session_key_for
from tests.test_url_permissions import CASES, Ctx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("vi", "en", "ja", "ko")
PHONE = {"width": 390, "height": 844}
#: Who opens a page: the first of these it answers 200 to.
ROLE_ORDER = ("owner", "buyer", "organiser", "visitor", "other", "anonymous")

#: allauth pages a person reaches (not in the permission table, which leaves ``accounts/`` out).
ACCOUNT_PAGES = (
    ("account_login", "anonymous"),
    ("account_signup", "anonymous"),
    ("account_reset_password", "anonymous"),
    ("account_email", "owner"),
    ("account_change_password", "owner"),
    ("mfa_index", "organiser"),
)

#: Elements reaching past the right edge, outermost only, skipping what an ancestor scrolls or
#: clips and what is hidden from view.
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1) continue;
    if (getComputedStyle(el).position === "fixed" && r.left >= width) continue;
    if (clipped(el)) continue;
    if (wide.some((outer) => outer.contains(el))) continue;
    wide.push(el);
  }
  const describe = (el) => {
    const names = typeof el.className === "string" ? el.className.trim() : "";
    const cls = names ? "." + names.split(/\\s+/).join(".") : "";
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    const px = Math.round(el.getBoundingClientRect().width);
    return `${el.tagName.toLowerCase()}${cls} ${px}px "${text}"`;
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    wide: wide.slice(0, 5).map(describe),
  };
}
"""


#: A small demo fair: real names in four scripts, recommendations, meetings and deals.
DEMO_SIZE = {"exhibitors": 24, "buyers": 12, "visitors": 6}


def demo_ctx() -> Ctx:
    """The permission table's people, taken from a seeded demo fair, so pages show real data."""
    from exhibitors.enums import CompanyRole, MembershipStatus
    from exhibitors.models import Badge, Member
    from fairsite.demo import DemoSize, demo_fair_create
    from fairsite.enums import ORGANISERS_GROUP
    from fairsite.models import User
    from meetings.models import Meeting

    fair = demo_fair_create(size=DemoSize(**DEMO_SIZE)).fair
    admins = Member.objects.filter(
        fair=fair, status=MembershipStatus.APPROVED, is_admin=True
    ).select_related("user", "company")
    # The exhibitor with the most meetings, and a buyer it meets (Japanese where there is one).
    exhibitors = list(
        admins.filter(company__role=CompanyRole.EXHIBITOR)
        .annotate(meetings=Count("company__meetings_as_exhibitor"))
        .order_by("-meetings", "company__slug")
    )
    met = Meeting.objects.filter(exhibitor=exhibitors[0].company).values("buyer")
    buyers = admins.filter(company__role=CompanyRole.BUYER).order_by("company__slug")
    buyer = (
        buyers.filter(company__in=met, company__country="JP").first()
        or buyers.filter(company__in=met).first()
        or buyers.first()
    )
    organiser = User.objects.filter(groups__name=ORGANISERS_GROUP, is_superuser=False).first()
    visitor = Badge.objects.filter(fair=fair).select_related("user").first().user
    owner, other = exhibitors[0], exhibitors[1]
    return Ctx(
        fair=fair,
        owner=owner.user,
        company=owner.company,
        owner_member=owner,
        other=other.user,
        other_company=other.company,
        buyer=buyer.user,
        buyer_company=buyer.company,
        visitor=visitor,
        organiser=organiser,
    )


#: Pages used one-handed on a phone: every control is a tap target of at least 44 px.
ONE_HANDED = {"matchmaking-agenda", "meetings-room", "exhibitors-directory", "meetings-list"}
SMALL_TARGETS_JS = """
() => {
  const controls = document.querySelectorAll(
    ".site-header .nav-toggle, main button, main .button, main select, main textarea, " +
    "main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), " +
    ".mm-subnav a, .pagination a"
  );
  const small = [];
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.height < 43.5) {
      const text = el.textContent.trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} ${Math.round(r.height)}px "${text}"`);
    }
  }
  return small.slice(0, 5);
}
"""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    role: str


def opener(case) -> str | None:
    for role in ROLE_ORDER:
        expected = case.expected(role)
        if expected == 200 or (isinstance(expected, tuple) and 200 in expected):
            return role
    return None


def layout_pages(ctx) -> list[Page]:
    pages: list[Page] = []
    seen: set[str] = set()
    for case in CASES:
        role = opener(case)
        if case.method != "get" or role is None or case.name in seen:
            continue
        seen.add(case.name)
        kwargs = case.kwargs(ctx) if case.kwargs else {}
        pages.append(Page(case.name.replace(":", "-"), reverse(case.name, kwargs=kwargs), role))
    for name, role in ACCOUNT_PAGES:
        pages.append(Page(name, reverse(name), role))
    # The request form with its slots (the table's own case already has an open request).
    form = reverse("matchmaking:request_create", kwargs={"pk": ctx.other_company.pk})
    pages.append(Page("matchmaking-request_create-slots", form, "buyer"))
    return pages


def header_checks(browser, base: str, session: str, folder, problems: list[str]) -> None:
    """The header folds behind the menu button with scripts, and is a wrapped list without."""
    cookies = [
        {"name": "django_language", "value": "vi", "url": base},
        {"name": "sessionid", "value": session, "url": base},
    ]
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(base + "/")
    toggle = page.locator(".nav-toggle")
    if page.locator(".main-nav").is_visible() or toggle.get_attribute("aria-expanded") != "false":
        problems.append("with scripts, the phone header does not start folded")
    toggle.click()
    if not page.locator(".main-nav a").first.is_visible():
        problems.append("the menu button does not open the menu")
    if toggle.get_attribute("aria-expanded") != "true":
        problems.append("the open menu button does not say aria-expanded=true")
    page.screenshot(path=str(folder / "vi-menu-open.png"))
    page.keyboard.press("Escape")
    if page.locator(".main-nav").is_visible():
        problems.append("Escape does not close the menu")
    context.close()

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(base + "/")
    hidden = [a.inner_text() for a in page.locator(".main-nav a").all() if not a.is_visible()]
    if page.locator(".nav-toggle").is_visible() or hidden:
        problems.append(f"without scripts the header links are not a plain list: {hidden}")
    found = page.evaluate(OVERFLOW_JS)
    if found["scrollWidth"] > found["innerWidth"] or found["wide"]:
        problems.append(f"without scripts the header overflows: {found}")
    page.screenshot(path=str(folder / "vi-menu-no-script.png"))
    context.close()


def test_every_page_fits_a_phone_in_every_language(live_server, chromium, artifacts):
    from playwright.sync_api import sync_playwright

    ctx = demo_ctx()
    pages = layout_pages(ctx)
    sessions = {
        role: session_key_for(ctx.user(role))
        for role in {page.role for page in pages}
        if role != "anonymous"
    }
    folder = artifacts / "layout"
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems: list[str] = []
    checked = 0

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for language in LANGUAGES:
                context = browser.new_context(locale=language, viewport=PHONE)
                page = context.new_page()
                for item in pages:
                    context.clear_cookies()
                    cookies = [{"name": "django_language", "value": language, "url": base}]
                    if item.role != "anonymous":
                        cookies.append(
                            {"name": "sessionid", "value": sessions[item.role], "url": base}
                        )
                    context.add_cookies(cookies)
                    # Files (calendars, QR codes, exports) are fetched, not opened.
                    head = context.request.get(base + item.path, max_redirects=0)
                    if not head.headers.get("content-type", "").startswith("text/html"):
                        continue
                    response = page.goto(base + item.path)
                    if response.status != 200:
                        problems.append(f"{language} {item.path} as {item.role}: {response.status}")
                        continue
                    checked += 1
                    found = page.evaluate(OVERFLOW_JS)
                    shot = folder / f"{language}-{item.label}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    if found["scrollWidth"] > found["innerWidth"] or found["wide"]:
                        problems.append(
                            f"{language} {item.path} as {item.role}: "
                            f"{found['scrollWidth']} px wide; {'; '.join(found['wide'])}"
                        )
                    if item.label in ONE_HANDED:
                        small = page.evaluate(SMALL_TARGETS_JS)
                        if small:
                            problems.append(
                                f"{language} {item.path}: tap targets under 44 px: {small}"
                            )
                context.close()
            header_checks(browser, base, sessions["owner"], folder, problems)
        finally:
            browser.close()

    assert checked >= len(LANGUAGES) * 20, checked
    assert not problems, "Pages wider than a 390 px phone:\n" + "\n".join(problems)
