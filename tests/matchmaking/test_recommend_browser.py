"""A Japanese buyer reads its recommendations in a real headless Chromium: what matched in
Japanese with the supplier's own Vietnamese words, the required certification said up front, no
supplier without it, and the prompt to say more (desktop and phone width)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exhibitors.models import Certification, Sector
from matchmaking import services
from tests import factories
from tests.browser import artifacts, browser_context, chromium  # noqa: F401
from tests.journeys.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def taxonomy() -> None:
    """The certifications and sectors the data migration loads; a transactional test that ran
    before this one may have flushed them."""
    for code in ("iso9001", "iatf16949"):
        Certification.objects.get_or_create(code=code)
    for code in ("chemicals", "automotive"):
        Sector.objects.get_or_create(code=code)


def supplier(fair, name, text, certs=("iso9001",)):
    member = factories.MemberFactory(
        company__fair=fair, company__name_en=name, company__capabilities=text
    )
    member.company.certifications.set(Certification.objects.filter(code__in=certs))
    member.company.sectors.set(Sector.objects.filter(code__in=["chemicals", "automotive"]))
    return member.company


def test_japanese_buyer_reads_why_each_supplier_fits(
    live_server,
    browser_context,  # noqa: F811
    artifacts,  # noqa: F811
    fair,
):
    taxonomy()
    buyer = factories.BuyerMemberFactory(
        company__fair=fair,
        company__sourcing_needs="自動車ボルト用の亜鉛ニッケルめっき",
        user__language="ja",
    )
    buyer.company.required_certifications.set(Certification.objects.filter(code="iatf16949"))
    supplier(fair, "Binh Minh Plating", "Mạ kẽm niken, mạ kẽm cho bu lông ô tô", ["iatf16949"])
    supplier(fair, "Quang Minh Plating", "Ma kem niken, ma kem nhung nong", ["iso9001"])
    supplier(fair, "Blue Spring Water", "Caps for spring water bottles", ["iatf16949"])
    services.recommendations_compute(fair=fair)

    browser_context.add_cookies([session_cookie(buyer.user, live_server.url)])
    page = browser_context.new_page()
    page.goto(f"{live_server.url}{reverse('matchmaking:recommendations')}")
    body = page.inner_text("main")
    page.screenshot(path=str(artifacts / "recommendations-ja-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "recommendations-ja-phone.png"), full_page=True)

    assert "Binh Minh Plating" in body
    assert "亜鉛ニッケルめっき に対応 — 「Mạ kẽm niken」" in body
    assert "IATF 16949" in body and "これを持たないサプライヤーは表示されません。" in body
    assert "Quang Minh Plating" not in body  # lacks the required certification
    assert "Blue Spring Water" not in body  # a look-alike, not plating
    assert "調達ニーズを編集" in body  # one match: asked to say more
