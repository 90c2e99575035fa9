"""Recommendations for a new or edited company, computed after commit without an organiser."""

from __future__ import annotations

import pytest
from django.db import connection

from exhibitors import services as company_services
from exhibitors.enums import CompanyRole
from fairsite import tasks
from fairsite.enums import AccountKind
from matchmaking import services
from matchmaking.models import Recommendation
from matchmaking.tasks import recommendations_refresh
from tests import factories
from tests.matchmaking.helpers import future_fair

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
    assert recommendations_refresh(fair_id=fair.pk, company_id=987654) == 0


def _edit(member, n: int) -> None:
    company_services.company_update(
        company=member.company,
        actor=member.user,
        profile={"sourcing_needs": f"CNC machined brackets, die casting, batch {n}"},
    )


def test_a_burst_of_edits_costs_one_recompute(
    fair, exhibitor_member, buyer_member, monkeypatch, django_capture_on_commit_callbacks
):
    runs = []
    real = services.recommendations_compute

    def counted(**kwargs):
        runs.append(kwargs["fair"].pk)
        return real(**kwargs)

    monkeypatch.setattr(services, "recommendations_compute", counted)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n in range(5):
            _edit(buyer_member, n)

    results = [recommendations_refresh(fair_id=fair.pk, company_id=buyer_member.company.pk)]
    results += [
        recommendations_refresh(fair_id=fair.pk, company_id=buyer_member.company.pk)
        for _ in range(len(callbacks) - 1)
    ]

    assert runs == [fair.pk]
    assert results[0] > 0 and results[1:] == [0] * (len(callbacks) - 1)


def test_an_edit_after_a_run_began_is_recomputed_again(fair, buyer_member):
    services.recommendations_refresh_request(fair=fair, company=buyer_member.company)
    assert services.recommendations_refresh_claim(fair_id=fair.pk) is True
    assert services.recommendations_refresh_claim(fair_id=fair.pk) is False
    services.recommendations_refresh_request(fair=fair, company=buyer_member.company)
    assert services.recommendations_refresh_claim(fair_id=fair.pk) is True


def _waiting_jobs(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo'",
            [name],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_on_the_queue_a_burst_of_edits_leaves_one_job_waiting(postgres_required, settings):
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    fair = future_fair()
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    other_fair = future_fair(days=60, is_current=False)
    elsewhere = factories.BuyerMemberFactory(company__fair=other_fair)

    for n in range(5):
        _edit(buyer, n)
    _edit(elsewhere, 0)

    # One waiting run for each fair, however many edits.
    assert _waiting_jobs(recommendations_refresh.name) == 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT queueing_lock FROM procrastinate_jobs WHERE task_name = %s ORDER BY id",
            [recommendations_refresh.name],
        )
        assert [row[0] for row in cursor.fetchall()] == [
            f"recommendations:{fair.pk}",
            f"recommendations:{other_fair.pk}",
        ]
