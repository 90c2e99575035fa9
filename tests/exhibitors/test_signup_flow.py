"""The whole way in: sign-up → e-mail → confirmation → onboarding → company or badge, in English
and Vietnamese."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import Badge, Company, Member, Sector
from fairsite.models import User
from tests.factories import CompanyFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = {
    "en": {
        "subject": "Please confirm your e-mail address",
        "confirm": "Confirm your e-mail address",
        "onboarding": "Register a new company",
        "badge": "Get your badge",
    },
    "vi": {
        "subject": "Vui lòng xác nhận địa chỉ e-mail",
        "confirm": "Xác nhận địa chỉ e-mail",
        "onboarding": "Đăng ký công ty mới",
        "badge": "Nhận thẻ tham dự",
    },
}


def company_post(**overrides):
    data = {
        "name_en": "Hanoi Precision Mechanics JSC",
        "name_vi": "Công ty Cổ phần Cơ khí chính xác Hà Nội",
        "country": "VN",
        "city": "Hà Nội",
        "capabilities": "CNC machining, stamping",
        "sourcing_needs": "Die-cast housings",
        "sectors": [Sector.objects.get(code="mechanical").pk],
        "attendance": "onsite",
        "languages": ["vi", "en"],
        "job_title": "Director",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("kind", [CompanyRole.EXHIBITOR, CompanyRole.BUYER])
def test_signup_confirm_and_create_company(client, fair, signup, language, kind):
    message, confirm_page, confirmed = signup(
        email=f"{kind}-{language}@example.com", kind=kind, language=language
    )

    assert TEXT[language]["subject"] in message.subject
    assert TEXT[language]["confirm"] in confirm_page.content.decode()
    assert confirmed.redirect_chain[-1][0] == reverse("exhibitors:onboarding")
    assert TEXT[language]["onboarding"] in confirmed.content.decode()
    user = User.objects.get(email=f"{kind}-{language}@example.com")
    assert (user.kind, user.language, user.full_name) == (kind, language, "Nguyễn Văn An")

    response = client.post(reverse("exhibitors:company_create"), company_post())

    company = Company.objects.get(fair=fair, name_en="Hanoi Precision Mechanics JSC")
    assert response.status_code == 302
    assert company.role == kind
    member = Member.objects.get(user=user)
    assert (member.company, member.status, member.is_admin, member.job_title) == (
        company,
        MembershipStatus.APPROVED,
        True,
        "Director",
    )
    assert "co khi chinh xac ha noi" in company.search_text
    follow = client.get(response["Location"])
    assert follow.status_code == 200
    assert "Hanoi Precision Mechanics JSC" in follow.content.decode()


@pytest.mark.parametrize("language", ["en", "vi"])
def test_signup_visitor_gets_a_badge_with_qr(client, fair, signup, language):
    _message, _page, confirmed = signup(
        email=f"visitor-{language}@example.com", kind="visitor", language=language
    )
    assert confirmed.redirect_chain[-1][0] == reverse("exhibitors:badge")
    assert TEXT[language]["badge"] in confirmed.content.decode()

    response = client.post(reverse("exhibitors:badge"), {"organisation": "Đại học Bách khoa"})
    qr = client.get(reverse("exhibitors:badge_qr"))

    badge = Badge.objects.get(user__email=f"visitor-{language}@example.com", fair=fair)
    assert response.status_code == 302
    assert badge.organisation == "Đại học Bách khoa"
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<?xml") and b"<svg" in qr.content
    assert badge.code in client.get(reverse("exhibitors:badge")).content.decode()


def test_signup_with_accept_language_header_is_vietnamese(client, fair):
    response = client.get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Đăng ký" in response.content.decode()
    assert response["Content-Language"] == "vi"


@pytest.mark.parametrize(
    ("kind", "language", "chosen", "other", "expected"),
    [
        ("exhibitor", "en", "", "", "Asia/Ho_Chi_Minh"),
        ("buyer", "ja", "", "", "Asia/Tokyo"),
        ("buyer", "en", "America/Chicago", "", "America/Chicago"),
        ("buyer", "en", "", "America/Phoenix", "America/Phoenix"),
    ],
)
def test_signup_time_zone_default_by_kind_or_chosen(
    client, fair, signup, kind, language, chosen, other, expected
):
    signup(
        email=f"tz-{kind}-{language}-{chosen or other}@example.com".lower(),
        kind=kind,
        language=language,
        time_zone=chosen,
        other=other,
    )
    assert User.objects.get(kind=kind).time_zone == expected


def test_signup_unknown_time_zone_is_a_form_error(client, fair):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "tz@example.com",
            "password1": "correct horse battery staple",
            "password2": "correct horse battery staple",
            "full_name": "A",
            "kind": "buyer",
            "language": "en",
            "time_zone_other": "Mars/Olympus_Mons",
        },
    )
    assert response.status_code == 200
    assert "is not a known time zone" in response.content.decode()
    assert not User.objects.filter(email="tz@example.com").exists()


def test_unverified_account_may_browse_but_not_act(client, fair):
    user = UserFactory(kind="exhibitor", verified=False)
    client.force_login(user)

    assert client.get(reverse("exhibitors:directory")).status_code == 200
    response = client.post(reverse("exhibitors:company_create"), company_post())

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email")
    assert not Company.objects.filter(name_en="Hanoi Precision Mechanics JSC").exists()


def test_join_existing_company_pending_then_approved_by_admin(client, fair):
    admin_member = MemberFactory(company__fair=fair)
    company = admin_member.company
    joiner = UserFactory(kind="exhibitor")
    client.force_login(joiner)

    response = client.post(
        reverse("exhibitors:company_join"), {"company": company.pk, "job_title": "Sales"}
    )
    pending = Member.objects.get(user=joiner)
    assert response.status_code == 302
    assert (pending.status, pending.is_admin) == (MembershipStatus.PENDING, False)
    assert client.get(reverse("exhibitors:company_edit", args=[company.slug])).status_code == 404
    assert "Waiting for approval" in client.get(reverse("exhibitors:onboarding")).content.decode()

    client.force_login(admin_member.user)
    page = client.get(reverse("exhibitors:company_members", args=[company.slug]))
    assert joiner.email in page.content.decode()
    approve = client.post(reverse("exhibitors:member_approve", args=[company.slug, pending.pk]))

    pending.refresh_from_db()
    assert approve.status_code == 302
    assert pending.status == MembershipStatus.APPROVED
    client.force_login(joiner)
    assert client.get(reverse("exhibitors:company_edit", args=[company.slug])).status_code == 200


def test_non_admin_member_cannot_approve(client, fair):
    admin_member = MemberFactory(company__fair=fair)
    company = admin_member.company
    plain = MemberFactory(company=company, is_admin=False)
    pending = MemberFactory(company=company, is_admin=False, status=MembershipStatus.PENDING)
    client.force_login(plain.user)

    response = client.post(reverse("exhibitors:member_approve", args=[company.slug, pending.pk]))

    pending.refresh_from_db()
    assert response.status_code == 404
    assert pending.status == MembershipStatus.PENDING


def test_admin_of_another_company_cannot_approve(client, fair):
    company = CompanyFactory(fair=fair)
    pending = MemberFactory(company=company, is_admin=False, status=MembershipStatus.PENDING)
    stranger = MemberFactory(company__fair=fair)
    client.force_login(stranger.user)

    own_slug = client.post(
        reverse("exhibitors:member_approve", args=[stranger.company.slug, pending.pk])
    )
    their_slug = client.post(reverse("exhibitors:member_approve", args=[company.slug, pending.pk]))

    pending.refresh_from_db()
    assert (own_slug.status_code, their_slug.status_code) == (404, 404)
    assert pending.status == MembershipStatus.PENDING


def test_admin_declines_request_and_person_may_ask_elsewhere(client, fair):
    admin_member = MemberFactory(company__fair=fair)
    joiner = UserFactory(kind="exhibitor")
    pending = MemberFactory(
        company=admin_member.company, user=joiner, is_admin=False, status=MembershipStatus.PENDING
    )
    client.force_login(admin_member.user)
    client.post(reverse("exhibitors:member_reject", args=[admin_member.company.slug, pending.pk]))
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.REJECTED

    other = CompanyFactory(fair=fair)
    client.force_login(joiner)
    client.post(reverse("exhibitors:company_join"), {"company": other.pk})
    assert Member.objects.get(user=joiner).company == other
