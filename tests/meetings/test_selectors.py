"""Reads: who sees which meetings and deals, totals, and the organisers' counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from meetings import selectors
from meetings.models import Deal
from tests import factories
from tests.meetings.factories import DealFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 10, 20, 12, 0, tzinfo=UTC)


def valued(fair, company, *, usd_cents, meeting=None, currency="USD", amount=None):
    return DealFactory(
        fair=fair,
        company=company,
        meeting=meeting,
        currency=currency,
        amount_minor=usd_cents if amount is None else amount,
        value_usd_cents=usd_cents,
        value_vnd=usd_cents * 250,
    )


def test_deals_visible_to_member_are_their_companys(fair, exhibitor_member, other_member):
    mine = DealFactory(fair=fair, company=exhibitor_member.company)
    DealFactory(fair=fair, company=other_member.company)

    visible = selectors.deals_visible_to(fair=fair, user=exhibitor_member.user)

    assert list(visible) == [mine]


def test_deals_visible_to_organiser_are_the_fairs(fair, exhibitor_member, organiser):
    other_fair = factories.FairFactory(is_current=False)
    mine = DealFactory(fair=fair, company=exhibitor_member.company)
    DealFactory(fair=other_fair)

    assert list(selectors.deals_visible_to(fair=fair, user=organiser)) == [mine]


def test_deals_visible_to_pending_member_are_none(fair, exhibitor_member):
    from exhibitors.enums import MembershipStatus

    pending = factories.MemberFactory(
        company=exhibitor_member.company, status=MembershipStatus.PENDING
    )
    DealFactory(fair=fair, company=exhibitor_member.company)

    assert list(selectors.deals_visible_to(fair=fair, user=pending.user)) == []


def test_totals_in_usd_vnd_and_per_currency(fair, exhibitor_member):
    company = exhibitor_member.company
    valued(fair, company, usd_cents=100_000, currency="JPY", amount=150_000)
    valued(fair, company, usd_cents=50_000, currency="JPY", amount=75_000)
    valued(fair, company, usd_cents=12_345)
    DealFactory(fair=fair, company=company)  # no value

    totals = selectors.deal_totals(deals=Deal.objects.filter(fair=fair))

    assert (totals.count, totals.with_value, totals.usd_cents, totals.vnd) == (
        4,
        3,
        162_345,
        162_345 * 250,
    )
    assert [(t.currency, t.count, t.amount_minor) for t in totals.per_currency] == [
        ("JPY", 2, 225_000),
        ("USD", 1, 12_345),
    ]
    assert totals.usd_display == "US$1,623.45"


def test_meeting_logged_by_both_sides_counts_once_with_larger_value(
    meeting, exhibitor_member, buyer_member
):
    fair = meeting.fair
    valued(fair, exhibitor_member.company, usd_cents=100_000, meeting=meeting)
    valued(fair, buyer_member.company, usd_cents=80_000, meeting=meeting)
    valued(fair, exhibitor_member.company, usd_cents=5_000)  # walk-in

    deals = Deal.objects.filter(fair=fair)
    plain = selectors.deal_totals(deals=deals)
    once = selectors.deal_totals(deals=deals, dedupe=True)

    assert plain.usd_cents == 185_000
    assert (once.count, once.usd_cents) == (2, 105_000)


def test_equal_values_from_both_sides_count_once(meeting, exhibitor_member, buyer_member):
    fair = meeting.fair
    valued(fair, exhibitor_member.company, usd_cents=70_000, meeting=meeting)
    valued(fair, buyer_member.company, usd_cents=70_000, meeting=meeting)

    once = selectors.deal_totals(deals=Deal.objects.filter(fair=fair), dedupe=True)

    assert (once.count, once.usd_cents) == (1, 70_000)


def test_meetings_for_list_scoped_to_my_company(meeting, exhibitor_member, other_member):
    factories.MeetingFactory(fair=meeting.fair, exhibitor=other_member.company)

    mine = selectors.meetings_for_list(fair=meeting.fair, user=exhibitor_member.user)

    assert list(mine) == [meeting]


def test_zones_from_attendees_put_viewer_first(meeting, exhibitor_member, buyer_member):
    fetched = selectors.meetings_for_list(fair=meeting.fair, user=buyer_member.user).get()

    zones = selectors.zones_from_attendees(
        meeting=fetched, viewer_zone="Asia/Tokyo", company_id=buyer_member.company_id
    )

    assert zones == ["Asia/Tokyo", "Asia/Ho_Chi_Minh"]


def test_deal_history_is_labelled_and_formatted(meeting, exhibitor_member, rates):
    from meetings import services
    from meetings.enums import Currency, DealStage

    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        currency=Currency.JPY,
        amount_minor=150_000,
        now=NOW,
    )
    services.deal_update(
        deal=deal,
        user=exhibitor_member.user,
        version=1,
        counterpart_name="",
        contacts="",
        stage=DealStage.MOU,
        currency=Currency.JPY,
        amount_minor=300_000,
        notes="",
        now=NOW,
    )

    latest = selectors.deal_history(deal=deal)[0]
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}

    assert changes["amount_minor"] == ("¥150,000", "¥300,000")
    assert changes["value_usd_cents"] == ("US$1,000.00", "US$2,000.00")
    assert changes["stage"] == ("No follow-up", "MoU signed")
