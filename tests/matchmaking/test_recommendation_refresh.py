"""Recommendations for a new or edited company, computed after commit without an organiser."""

from __future__ import annotations

import pytest

from exhibitors import services as company_services
from exhibitors.enums import CompanyRole
from fairsite.enums import AccountKind
from matchmaking.models import Recommendation
from matchmaking.tasks import recommendations_refresh
from tests import factories

pytestmark = pytest.mark.django_db


def _buyer_profile() -> dict:
    return {
        "name_en": "Osaka Precision Parts Co., Ltd.",
        "name_native": "大阪精密部品株式会社",
        "country": "JP",
        "city": "Osaka",
        "sourcing_needs": "Aluminium die-cast housings and CNC machined brackets",
        "languages": ["ja", "en"],
        "attendance": "remote",
    }


def test_new_buyer_company_gets_recommendations_with_no_organiser_action(
    fair, exhibitor_member, django_capture_on_commit_callbacks
):
    factories.MemberFactory(company__fair=fair)  # a second supplier
    buyer = factories.UserFactory(kind=AccountKind.BUYER, time_zone="Asia/Tokyo")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        company = company_services.company_create(
            fair=fair, creator=buyer, role=CompanyRole.BUYER, profile=_buyer_profile()
        )

    assert len(callbacks) >= 1
    mine = Recommendation.objects.filter(fair=fair, company=company)
    assert mine.count() == 2
    assert exhibitor_member.company.pk in set(mine.values_list("other_id", flat=True))
    # The suppliers see the new buyer too.
    assert Recommendation.objects.filter(company=exhibitor_member.company, other=company).exists()


def test_nothing_is_computed_before_commit_or_for_a_rolled_back_change(
    fair, exhibitor_member, django_capture_on_commit_callbacks
):
    buyer = factories.UserFactory(kind=AccountKind.BUYER)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        company_services.company_create(
            fair=fair, creator=buyer, role=CompanyRole.BUYER, profile=_buyer_profile()
        )

    assert len(callbacks) >= 1
    assert Recommendation.objects.count() == 0


def test_edited_profile_recomputes(
    fair, exhibitor_member, buyer_member, django_capture_on_commit_callbacks
):
    assert Recommendation.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        company_services.company_update(
            company=buyer_member.company,
            actor=buyer_member.user,
            profile={"sourcing_needs": "CNC machined brackets, die casting"},
        )

    assert Recommendation.objects.filter(
        company=buyer_member.company, other=exhibitor_member.company
    ).exists()


def test_refresh_of_a_deleted_company_does_nothing(fair):
    assert recommendations_refresh(company_id=987654) == 0
