from __future__ import annotations

import pytest
from django.urls import reverse

from exhibitors.enums import MembershipStatus
from tests.exhibitors.factories import image_upload
from tests.factories import BuyerCompanyFactory, CompanyFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_member_edits_own_company_profile(client, fair):
    member = MemberFactory(company__fair=fair)
    client.force_login(member.user)
    response = client.post(
        reverse("exhibitors:company_edit", args=[member.company.slug]),
        {
            "name_en": "Renamed Precision",
            "name_vi": "Cơ khí Hoà Lạc",
            "country": "VN",
            "attendance": "remote",
            "languages": ["vi", "ja"],
            "logo": image_upload(),
        },
    )
    member.company.refresh_from_db()
    assert response.status_code == 302
    assert member.company.name_en == "Renamed Precision"
    assert member.company.languages == ["vi", "ja"]
    assert member.company.logo.name.endswith(".png")
    assert "co khi hoa lac" in member.company.search_text


def test_other_company_edit_page_is_404(client, fair):
    member = MemberFactory(company__fair=fair)
    other = CompanyFactory(fair=fair, name_en="Untouched")
    client.force_login(member.user)
    url = reverse("exhibitors:company_edit", args=[other.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name_en": "Hijack", "country": "VN"}).status_code == 404
    other.refresh_from_db()
    assert other.name_en == "Untouched"


def test_same_slug_at_another_fair_is_404(client, fair):
    member = MemberFactory(company__fair=fair)
    CompanyFactory(fair__slug="sif-old", fair__is_current=False, slug="twin")
    client.force_login(member.user)
    assert client.get(reverse("exhibitors:company_edit", args=["twin"])).status_code == 404


def test_pending_member_cannot_edit(client, fair):
    company = CompanyFactory(fair=fair)
    pending = MemberFactory(company=company, status=MembershipStatus.PENDING, is_admin=False)
    client.force_login(pending.user)
    assert client.get(reverse("exhibitors:company_edit", args=[company.slug])).status_code == 404


def test_buyers_visible_to_exhibitors_and_organisers_only(client, fair, organiser):
    buyer = BuyerCompanyFactory(fair=fair, name_en="Osaka Sourcing")
    exhibitor = MemberFactory(company__fair=fair)
    other_buyer = MemberFactory(company=BuyerCompanyFactory(fair=fair), user__kind="buyer")
    visitor = UserFactory()
    listing = reverse("exhibitors:buyer_directory")
    detail = reverse("exhibitors:buyer_detail", args=[buyer.slug])

    assert client.get(listing).status_code == 302
    assert client.get(detail).status_code == 404
    for user, expected in [
        (visitor, 404),
        (other_buyer.user, 404),
        (exhibitor.user, 200),
        (organiser, 200),
    ]:
        client.force_login(user)
        assert (client.get(listing).status_code, client.get(detail).status_code) == (
            expected,
            expected,
        ), user
    client.force_login(exhibitor.user)
    assert "Osaka Sourcing" in client.get(listing).content.decode()


def test_buyer_sees_own_company_page(client, fair):
    member = MemberFactory(company=BuyerCompanyFactory(fair=fair), user__kind="buyer")
    client.force_login(member.user)
    url = reverse("exhibitors:buyer_detail", args=[member.company.slug])
    assert client.get(url).status_code == 200


def test_supplier_profile_public_and_buyer_slug_not_under_suppliers(client, fair):
    exhibitor = CompanyFactory(fair=fair, name_en="Public Supplier")
    buyer = BuyerCompanyFactory(fair=fair)
    assert (
        client.get(reverse("exhibitors:company_detail", args=[exhibitor.slug])).status_code == 200
    )
    assert client.get(reverse("exhibitors:company_detail", args=[buyer.slug])).status_code == 404


def test_account_page_updates_zone_and_language(client, fair):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(
        reverse("exhibitors:account"),
        {
            "full_name": "Tanaka Hiro",
            "time_zone": "",
            "time_zone_other": "Asia/Tokyo",
            "language": "vi",
        },
    )
    user.refresh_from_db()
    assert response.status_code == 302
    assert (user.full_name, user.time_zone, user.language) == ("Tanaka Hiro", "Asia/Tokyo", "vi")
    assert "Tài khoản của tôi" in client.get(reverse("exhibitors:account")).content.decode()


def test_visitor_cannot_create_company(client, fair):
    client.force_login(UserFactory(kind="visitor"))
    assert client.get(reverse("exhibitors:company_create")).status_code == 404
    assert client.get(reverse("exhibitors:onboarding"))["Location"] == reverse("exhibitors:badge")


def test_badge_qr_needs_a_badge(client, fair):
    client.force_login(UserFactory())
    assert client.get(reverse("exhibitors:badge_qr")).status_code == 404


def test_pages_send_strict_csp_and_no_inline_script(client, fair):
    response = client.get(reverse("exhibitors:directory"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "vi", "ja", "ko"])
def test_company_page_names_every_spoken_language(client, fair, language):
    """Every offered spoken language is named on the page, also those that are not site
    languages (Chinese, Thai): the page once answered 500 for them."""
    from django.utils import translation

    from exhibitors.enums import LANGUAGES_SPOKEN

    company = CompanyFactory(fair=fair, languages=[code for code, _name in LANGUAGES_SPOKEN])
    client.cookies["django_language"] = language

    response = client.get(reverse("exhibitors:company_detail", args=[company.slug]))

    assert response.status_code == 200
    with translation.override(language):
        for _code, name in LANGUAGES_SPOKEN:
            assert str(name) in response.content.decode()
