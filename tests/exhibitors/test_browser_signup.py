"""A buyer from Japan signs up, confirms the e-mail, creates the company and finds a supplier
with a search typed without Vietnamese diacritics — in a real headless Chromium."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from exhibitors.models import Company, Member
from fairsite.models import User
from tests.factories import CompanyFactory, FairFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_japanese_buyer_signs_up_and_finds_a_supplier_without_diacritics(
    live_server,
    browser_context,
    artifacts,  # noqa: F811
):
    fair = FairFactory()
    CompanyFactory(
        fair=fair,
        slug="co-khi-dong-a",
        name_vi="Công ty Cổ phần Cơ khí chính xác Đông Á",
        name_en="Dong A Precision Mechanical JSC",
    )
    CompanyFactory(fair=fair, slug="nhua-hn", name_vi="Công ty Nhựa Hà Nội", name_en="HN Plastics")
    from exhibitors.services import company_search_text_refresh

    for company in Company.objects.all():
        company_search_text_refresh(company=company)
    page = browser_context.new_page()
    base = live_server.url

    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_email", "kenji.sato@osaka-parts.example")
    page.fill("#id_password1", "Osaka-Parts-2026!")
    page.fill("#id_password2", "Osaka-Parts-2026!")
    page.fill("#id_full_name", "Sato Kenji")
    page.check("#id_kind_1")  # buyer
    page.select_option("#id_language", "en")
    page.select_option("#id_time_zone", "Asia/Tokyo")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link.replace("http://testserver", base))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/onboarding/company/new/")
    page.fill("#id_name_en", "Osaka Precision Parts Co., Ltd.")
    page.fill("#id_name_native", "大阪精密部品株式会社")
    page.select_option("#id_country", "JP")
    page.fill("#id_city", "Osaka")
    page.fill("#id_sourcing_needs", "Aluminium die-cast housings, CNC machined brackets")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()

    user = User.objects.get(email="kenji.sato@osaka-parts.example")
    assert (user.kind, user.time_zone) == ("buyer", "Asia/Tokyo")
    member = Member.objects.select_related("company").get(user=user)
    assert (member.company.role, member.company.country.code) == ("buyer", "JP")
    assert member.is_approved

    page.goto(f"{base}/suppliers/")
    page.fill("input[name=q]", "co khi chinh xac")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    body = page.inner_text("main")
    page.screenshot(path=str(artifacts / "buyer-signup-directory-search.png"), full_page=True)
    assert "Cơ khí chính xác Đông Á" in body
    assert "HN Plastics" not in body
