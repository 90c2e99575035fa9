"""A company's own figures and leads: its numbers equal the database's; others see nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from meetings.enums import MeetingStatus
from organisers.company import company_figures, profile_view_record
from organisers.models import ProfileView
from tests import factories
from tests.meetings.factories import DealFactory
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 10, 20, 3, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _cache():
    clear_cache()
    yield
    clear_cache()


def test_profile_views_count_once_per_viewer_and_day_and_not_own_members(
    exhibitor_member, buyer_member, organiser
):
    company = exhibitor_member.company

    counted = [
        profile_view_record(company=company, viewer=buyer_member.user, now=NOW),
        profile_view_record(company=company, viewer=buyer_member.user, now=NOW),
        profile_view_record(company=company, viewer=exhibitor_member.user, now=NOW),
        profile_view_record(company=company, viewer=organiser, now=NOW),
    ]

    assert counted == [True, False, False, False]
    assert ProfileView.objects.filter(company=company).count() == 1


def test_visiting_a_profile_page_counts_a_view(login, buyer_member, exhibitor_member):
    login(buyer_member.user).get(
        reverse("exhibitors:company_detail", args=[exhibitor_member.company.slug])
    )

    assert ProfileView.objects.filter(company=exhibitor_member.company).count() == 1


def test_figures_equal_the_database(exhibitor_member, buyer_member, other_member):
    company = exhibitor_member.company
    for status in (MeetingStatus.HELD, MeetingStatus.HELD, MeetingStatus.NO_SHOW):
        factories.MeetingFactory(
            fair=company.fair, exhibitor=company, buyer=buyer_member.company, status=status
        )
    factories.MeetingFactory(fair=company.fair, exhibitor=other_member.company, status="held")
    DealFactory(
        fair=company.fair,
        company=company,
        currency="USD",
        amount_minor=500,
        value_usd_cents=500,
        value_vnd=127_000,
    )
    DealFactory(fair=company.fair, company=other_member.company)

    figures = company_figures(company=company)

    assert figures["meetings"]["held"] == 2
    assert figures["meetings"]["no_show"] == 1
    assert figures["contacts"]["booth"] == 1
    assert figures["deals"].usd_cents == 500


def test_leads_export_has_only_own_leads_and_keeps_formulas_as_text(
    login, exhibitor_member, other_member
):
    company = exhibitor_member.company
    DealFactory(fair=company.fair, company=company, counterpart_name="=cmd|' /C calc'!A0")
    DealFactory(fair=company.fair, company=other_member.company, counterpart_name="Not ours")

    response = login(exhibitor_member.user).get(
        reverse("organisers:company_leads", args=[company.slug, "csv"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert [row[1] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]


def test_another_companys_figures_are_404(login, exhibitor_member, other_member):
    client = login(exhibitor_member.user)

    codes = [
        client.get(reverse("organisers:company_figures", args=[other_member.company.slug])),
        client.get(reverse("organisers:company_leads", args=[other_member.company.slug, "xlsx"])),
        client.get(reverse("organisers:company_figures", args=[exhibitor_member.company.slug])),
    ]

    assert [r.status_code for r in codes] == [404, 404, 200]
