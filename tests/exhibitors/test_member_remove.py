"""A company's approved members remove members: the service's rules and the page."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from exhibitors import services
from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
from tests.factories import CompanyFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_approved_member_removes_a_colleague(fair):
    actor = MemberFactory(company__fair=fair, is_admin=False)
    colleague = MemberFactory(company=actor.company)

    services.member_remove(member=colleague, actor=actor.user)

    assert not Member.objects.filter(pk=colleague.pk).exists()
    assert Member.objects.filter(pk=actor.pk).exists()


def test_pending_member_can_be_removed(fair):
    actor = MemberFactory(company__fair=fair)
    pending = MemberFactory(company=actor.company, status=MembershipStatus.PENDING)

    services.member_remove(member=pending, actor=actor.user)

    assert not Member.objects.filter(pk=pending.pk).exists()


def test_member_of_another_company_cannot_remove(fair):
    member = MemberFactory(company__fair=fair)
    colleague = MemberFactory(company=member.company)
    foreign = MemberFactory(company=CompanyFactory(fair=fair))

    with pytest.raises(PermissionDenied):
        services.member_remove(member=colleague, actor=foreign.user)
    assert Member.objects.filter(pk=colleague.pk).exists()


def test_pending_member_cannot_remove(fair):
    member = MemberFactory(company__fair=fair)
    pending = MemberFactory(company=member.company, status=MembershipStatus.PENDING)

    with pytest.raises(PermissionDenied):
        services.member_remove(member=member, actor=pending.user)
    assert Member.objects.filter(pk=member.pk).exists()


def test_last_approved_member_cannot_be_removed(fair):
    only = MemberFactory(company__fair=fair)
    MemberFactory(company=only.company, status=MembershipStatus.PENDING)

    with pytest.raises(ValidationError):
        services.member_remove(member=only, actor=only.user)
    assert Member.objects.filter(pk=only.pk).exists()


def test_a_member_may_leave_when_another_approved_member_stays(fair):
    """Negative control of the test above: with a second approved member, leaving works."""
    leaving = MemberFactory(company__fair=fair)
    MemberFactory(company=leaving.company)

    services.member_remove(member=leaving, actor=leaving.user)

    assert not Member.objects.filter(pk=leaving.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_members_removing_each_other_at_once_leave_one(postgres_required, fair):
    first = MemberFactory(company__fair=fair)
    second = MemberFactory(company=first.company)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(member, actor):
        barrier.wait()
        try:
            services.member_remove(member=member, actor=actor)
            outcomes.append("removed")
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(second, first.user)),
        threading.Thread(target=remove, args=(first, second.user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(outcomes) == 2 and outcomes.count("removed") == 1
    assert Member.objects.filter(company=first.company).count() == 1


def test_members_page_links_to_remove_and_the_page_removes(client, fair):
    actor = MemberFactory(company__fair=fair, is_admin=False)
    colleague = MemberFactory(company=actor.company)
    client.force_login(actor.user)
    url = reverse("exhibitors:member_remove", args=[actor.company.slug, colleague.pk])

    page = client.get(reverse("exhibitors:company_members", args=[actor.company.slug]))
    confirm = client.get(url)
    response = client.post(url)

    assert url in page.content.decode()
    assert confirm.status_code == 200
    assert response.status_code == 302
    assert not Member.objects.filter(pk=colleague.pk).exists()


def test_removing_the_last_approved_member_on_the_page_shows_why(client, fair):
    only = MemberFactory(company__fair=fair)
    client.force_login(only.user)
    url = reverse("exhibitors:member_remove", args=[only.company.slug, only.pk])

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "last approved member" in response.content.decode()
    assert Member.objects.filter(pk=only.pk).exists()


def test_foreign_member_id_answers_404(client, fair):
    actor = MemberFactory(company__fair=fair)
    MemberFactory(company=actor.company)
    foreign = MemberFactory(company=CompanyFactory(fair=fair))
    client.force_login(actor.user)

    own_slug = client.post(
        reverse("exhibitors:member_remove", args=[actor.company.slug, foreign.pk])
    )
    foreign_slug = client.post(
        reverse("exhibitors:member_remove", args=[foreign.company.slug, foreign.pk])
    )

    assert own_slug.status_code == 404
    assert foreign_slug.status_code == 404
    assert Member.objects.filter(pk=foreign.pk).exists()
