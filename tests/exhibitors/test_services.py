from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from exhibitors import services
from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.images import logo_to_png
from exhibitors.models import Badge, Company, Member
from tests.exhibitors.factories import certification, image_upload, sector
from tests.factories import CompanyFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "name_en": "Thang Long Plastics",
    "name_vi": "Công ty TNHH Nhựa Thăng Long",
    "country": "VN",
    "city": "Hà Nội",
    "capabilities": "Injection moulding of ABS housings",
    "languages": ["vi"],
}


def test_company_create_makes_creator_approved_admin(fair):
    user = UserFactory(kind="exhibitor")

    company = services.company_create(
        fair=fair,
        creator=user,
        role=CompanyRole.EXHIBITOR,
        profile={**PROFILE, "sectors": [sector("plastics")]},
    )

    member = Member.objects.get(user=user)
    assert (member.company, member.status, member.is_admin) == (
        company,
        MembershipStatus.APPROVED,
        True,
    )
    assert company.slug == "thang-long-plastics"
    assert list(company.sectors.values_list("code", flat=True)) == ["plastics"]


def test_company_create_slug_unique_per_fair(fair):
    first = services.company_create(
        fair=fair, creator=UserFactory(kind="exhibitor"), role="exhibitor", profile=PROFILE
    )
    second = services.company_create(
        fair=fair, creator=UserFactory(kind="exhibitor"), role="exhibitor", profile=PROFILE
    )
    assert (first.slug, second.slug) == ("thang-long-plastics", "thang-long-plastics-2")


def test_company_create_refuses_second_company_for_same_person(fair):
    user = UserFactory(kind="exhibitor")
    services.company_create(fair=fair, creator=user, role="exhibitor", profile=PROFILE)

    with pytest.raises(ValidationError):
        services.company_create(fair=fair, creator=user, role="exhibitor", profile=PROFILE)
    assert Company.objects.filter(fair=fair).count() == 1


def test_company_create_refuses_role_other_than_account_kind(fair):
    with pytest.raises(ValidationError):
        services.company_create(
            fair=fair, creator=UserFactory(kind="visitor"), role="exhibitor", profile=PROFILE
        )
    assert not Company.objects.exists()


def test_company_create_invalid_profile_rolls_back(fair):
    user = UserFactory(kind="exhibitor")
    with pytest.raises(ValidationError):
        services.company_create(
            fair=fair, creator=user, role="exhibitor", profile={**PROFILE, "name_en": "x" * 300}
        )
    assert not Company.objects.exists()
    assert not Member.objects.exists()


def test_company_update_maintains_search_text_with_sector_labels(fair):
    member = MemberFactory(company__fair=fair)

    company = services.company_update(
        company=member.company,
        actor=member.user,
        profile={
            "name_vi": "Cơ khí Đông Anh",
            "city": "Đông Anh",
            "sectors": ["plastics"],
            "certifications": [certification("iso9001")],
        },
    )

    assert "co khi dong anh" in company.search_text
    assert "nhua va cao su" in company.search_text  # the sector's Vietnamese label
    assert "plastics and rubber" in company.search_text  # and its English label
    assert company.search_text == company.search_text.lower()


def test_company_update_by_outsider_is_denied(fair):
    member = MemberFactory(company__fair=fair)
    outsider = MemberFactory(company__fair=fair)

    with pytest.raises(PermissionDenied):
        services.company_update(
            company=member.company, actor=outsider.user, profile={"name_en": "Hijacked"}
        )
    member.company.refresh_from_db()
    assert member.company.name_en != "Hijacked"


def test_company_update_by_pending_member_is_denied(fair):
    company = CompanyFactory(fair=fair)
    pending = MemberFactory(company=company, status=MembershipStatus.PENDING, is_admin=False)
    with pytest.raises(PermissionDenied):
        services.company_update(company=company, actor=pending.user, profile={"city": "X"})


def test_company_update_stores_logo_as_png(fair):
    member = MemberFactory(company__fair=fair)

    company = services.company_update(
        company=member.company,
        actor=member.user,
        profile={},
        logo=logo_to_png(image_upload(name="evil.php.jpg")),
    )

    assert company.logo.name.endswith(".png")
    assert "evil" not in company.logo.name
    with Image.open(company.logo.path) as stored:
        assert stored.format == "PNG"


def test_logo_is_scaled_down(fair):
    png = logo_to_png(image_upload(size=(2000, 1000)))
    with Image.open(png) as image:
        assert image.size == (512, 256)


def test_member_join_request_is_pending(fair):
    company = CompanyFactory(fair=fair)
    user = UserFactory(kind="exhibitor")

    member = services.member_join_request(fair=fair, user=user, company=company, job_title="QA")

    assert (member.status, member.is_admin) == (MembershipStatus.PENDING, False)


def test_member_join_request_wrong_kind_refused(fair):
    company = CompanyFactory(fair=fair)
    with pytest.raises(ValidationError):
        services.member_join_request(fair=fair, user=UserFactory(kind="buyer"), company=company)


def test_member_approve_by_admin(fair):
    admin = MemberFactory(company__fair=fair)
    pending = MemberFactory(company=admin.company, status=MembershipStatus.PENDING, is_admin=False)

    services.member_approve(member=pending, actor=admin.user)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.APPROVED


@pytest.mark.parametrize("actor_kind", ["plain_member", "other_admin", "pending_admin"])
def test_member_approve_by_non_admin_denied(fair, actor_kind):
    admin = MemberFactory(company__fair=fair)
    pending = MemberFactory(company=admin.company, status=MembershipStatus.PENDING, is_admin=False)
    actor = {
        "plain_member": lambda: MemberFactory(company=admin.company, is_admin=False).user,
        "other_admin": lambda: MemberFactory(company__fair=fair).user,
        "pending_admin": lambda: (
            MemberFactory(
                company=admin.company, is_admin=True, status=MembershipStatus.PENDING
            ).user
        ),
    }[actor_kind]()

    with pytest.raises(PermissionDenied):
        services.member_approve(member=pending, actor=actor)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


def test_member_approve_twice_is_refused(fair):
    admin = MemberFactory(company__fair=fair)
    pending = MemberFactory(company=admin.company, status=MembershipStatus.PENDING, is_admin=False)
    services.member_approve(member=pending, actor=admin.user)
    with pytest.raises(ValidationError):
        services.member_reject(member=pending, actor=admin.user)


def test_badge_issue_is_idempotent(fair):
    user = UserFactory()
    first = services.badge_issue(fair=fair, user=user, organisation="HUST")
    second = services.badge_issue(fair=fair, user=user)
    assert first.pk == second.pk
    assert Badge.objects.filter(user=user).count() == 1
    assert second.organisation == "HUST"


def test_user_profile_update_validates_zone_and_language(fair):
    user = UserFactory()
    services.user_profile_update(
        user=user, full_name=" Kim Min-jun ", time_zone="Asia/Seoul", language="ko"
    )
    user.refresh_from_db()
    assert (user.full_name, user.time_zone, user.language) == ("Kim Min-jun", "Asia/Seoul", "ko")
    with pytest.raises(ValidationError):
        services.user_profile_update(user=user, full_name="K", time_zone="Mars/Base", language="ko")
    with pytest.raises(ValidationError):
        services.user_profile_update(user=user, full_name="K", time_zone="UTC", language="xx")
