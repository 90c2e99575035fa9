"""The dashboard's figures equal the same figures computed with plain queries, after a sequence
of events; the number of queries does not grow with the fair."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.grow import grow
from exhibitors.enums import VisitKind
from exhibitors.models import Visit
from exhibitors.visits import online_visit_record, visit_checkin
from meetings.enums import DealStage, MeetingMode, MeetingStatus
from meetings.models import Deal, Meeting
from organisers.selectors import dashboard_data
from tests import factories
from tests.meetings.factories import DealFactory
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

DAY1 = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội
NOW = datetime(2021, 10, 21, 9, 0, tzinfo=UTC)  # 16:00 on the second day


@pytest.fixture(autouse=True)
def _cache():
    clear_cache()
    yield
    clear_cache()


def _deal(fair, company, meeting=None, *, usd=None, stage=DealStage.QUOTATION, **extra):
    values = {}
    if usd is not None:
        values = {
            "currency": "USD",
            "amount_minor": usd,
            "value_usd_cents": usd,
            "value_vnd": usd * 254,
            "units_per_usd": 1,
            "vnd_per_usd": 25400,
        }
    return DealFactory(fair=fair, company=company, meeting=meeting, stage=stage, **values, **extra)


def events(fair, exhibitor_member, buyer_member, organiser, rng):
    """A generated sequence: check-ins (some repeated), online visits, meetings in every status,
    a cancellation, deals logged by one or both sides, edited and deleted, walk-ins."""
    badges = [factories.BadgeFactory(fair=fair) for _ in range(12)]
    for _ in range(40):
        badge = rng.choice(badges)
        at = DAY1 + timedelta(days=rng.randrange(3), hours=rng.randrange(8))
        visit_checkin(fair=fair, staff=organiser, scanned=badge.code, now=at)
    for member in (exhibitor_member, buyer_member):
        online_visit_record(fair=fair, user=member.user, now=DAY1)
    exhibitors = [exhibitor_member.company] + [
        factories.CompanyFactory(fair=fair) for _ in range(3)
    ]
    buyers = [buyer_member.company, factories.BuyerCompanyFactory(fair=fair, country="KR")]
    factories.BuyerCompanyFactory(fair=fair, country="US")  # never meets anybody
    meetings = []
    for i in range(30):
        status = rng.choice(list(MeetingStatus))
        online = rng.random() < 0.5
        meetings.append(
            factories.MeetingFactory(
                fair=fair,
                exhibitor=rng.choice(exhibitors),
                buyer=rng.choice(buyers),
                start=DAY1 + timedelta(days=i % 3, minutes=30 * (i // 3)),
                status=status,
                mode=MeetingMode.ONLINE if online else MeetingMode.ONSITE,
                table_number=None if online else i + 1,
            )
        )
    for meeting in meetings:
        if meeting.status == MeetingStatus.CANCELLED or rng.random() < 0.3:
            continue
        usd = rng.choice([None, rng.randrange(100, 10**7)])
        stage = rng.choice(DealStage.values)
        _deal(fair, meeting.exhibitor, meeting, usd=usd, stage=stage)
        if rng.random() < 0.4:  # the buyer logs it too, maybe with another value
            _deal(fair, meeting.buyer, meeting, usd=rng.choice([usd, rng.randrange(10**6)]))
    for _ in range(5):
        _deal(fair, rng.choice(exhibitors), usd=rng.choice([None, rng.randrange(10**5)]))
    # Edits and deletions after the fact.
    deals = list(Deal.objects.filter(fair=fair))
    for deal in rng.sample(deals, k=min(4, len(deals))):
        Deal.objects.filter(pk=deal.pk).update(stage=DealStage.CONTRACT)
    rng.choice(deals).delete()
    Meeting.objects.filter(pk=meetings[0].pk).update(status=MeetingStatus.CANCELLED)


def plain_deal_totals(fair):
    """Each meeting once (the larger value, ties the first logged), every walk-in."""
    counted = []
    by_meeting = {}
    for deal in Deal.objects.filter(fair=fair).order_by("id"):
        if deal.meeting_id is None:
            counted.append(deal)
            continue
        best = by_meeting.get(deal.meeting_id)
        if best is None or (deal.value_usd_cents or 0) > (best.value_usd_cents or 0):
            by_meeting[deal.meeting_id] = deal
    counted += list(by_meeting.values())
    return counted


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_equals_a_plain_query(fair, exhibitor_member, buyer_member, organiser, seed):
    events(fair, exhibitor_member, buyer_member, organiser, random.Random(seed))

    data = dashboard_data(fair=fair, now=NOW)

    visits = Visit.objects.filter(fair=fair)
    assert data["visits"]["people"] == {
        "all": visits.values("user").distinct().count(),
        "onsite": visits.filter(kind=VisitKind.ONSITE).values("user").distinct().count(),
        "online": visits.filter(kind=VisitKind.ONLINE).values("user").distinct().count(),
    }
    for row in data["visits"]["per_day"]:
        for kind in VisitKind.values:
            assert row[kind] == visits.filter(day=row["day"], kind=kind).count()
    assert sum(r["onsite"] + r["online"] for r in data["visits"]["per_hour"]) == visits.count()
    for row in data["visits"]["per_hour"]:
        expected = sum(
            1
            for v in visits.filter(day=row["day"], kind=VisitKind.ONSITE)
            if v.at.astimezone(fair.tz).hour == row["hour"]
        )
        assert row["onsite"] == expected
    meetings = Meeting.objects.filter(fair=fair)
    held = [
        m
        for m in meetings
        if m.status == MeetingStatus.HELD
        or (m.status == MeetingStatus.IN_PROGRESS and m.end <= NOW)
    ]
    assert data["meetings"]["held"] == len(held)
    assert data["meetings"]["cancelled"] == meetings.filter(status="cancelled").count()
    assert data["meetings"]["no_show"] == meetings.filter(status="no_show").count()
    assert data["meetings"]["total"] == meetings.count()
    assert (
        data["meetings"]["online"]
        == meetings.exclude(status="cancelled").exclude(mode="onsite").count()
    )
    walk_ins = Deal.objects.filter(fair=fair, meeting__isnull=True).count()
    assert data["contacts"]["booth"] == walk_ins
    logged = set(Deal.objects.filter(fair=fair, meeting__isnull=False).values_list("meeting_id"))
    exchanged = [
        m
        for m in meetings
        if m in held
        or ((m.pk,) in logged and m.status not in (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW))
    ]
    assert data["trade_exchanges"] == len(exchanged) + walk_ins
    counted = plain_deal_totals(fair)
    assert data["deals"]["usd_cents"] == sum(d.value_usd_cents or 0 for d in counted)
    assert data["deals"]["vnd"] == sum(d.value_vnd or 0 for d in counted)
    signed = [d for d in counted if d.stage in ("mou", "contract") and d.amount_minor is not None]
    assert data["deals"]["signed"]["usd_cents"] == sum(d.value_usd_cents for d in signed)
    assert (
        data["deals"]["signed"]["usd_cents"] + data["deals"]["expected"]["usd_cents"]
        == data["deals"]["usd_cents"]
    )
    for row in data["deals"]["by_stage"]:
        assert row["count"] == sum(1 for d in counted if d.stage == row["stage"])
    by_country = {r["country"]: r["usd_cents"] for r in data["deals"]["by_country"]}
    for code, usd in by_country.items():
        assert usd == sum(
            d.value_usd_cents
            for d in counted
            if d.amount_minor is not None
            and ((d.meeting.buyer.country.code if d.meeting else "") or "") == (code or "")
        )
    lonely = {r["id"] for r in data["buyers_without_meeting"]["items"]}
    expected_lonely = {
        c.pk
        for c in factories.BuyerCompanyFactory._meta.model.objects.filter(fair=fair, role="buyer")
        if not meetings.filter(buyer=c).exclude(status="cancelled").exists()
    }
    assert lonely == expected_lonely
    held_by = {}
    for m in held:
        held_by[m.exhibitor_id] = held_by.get(m.exhibitor_id, 0) + 1
    assert {r["id"]: r["held"] for r in data["top_exhibitors"]["by_meetings"]} == held_by


def test_other_fairs_do_not_count(fair, exhibitor_member):
    other = factories.FairFactory(is_current=False)
    factories.MeetingFactory(fair=other, status=MeetingStatus.HELD)
    DealFactory(fair=other)

    data = dashboard_data(fair=fair, now=NOW)

    assert (data["meetings"]["total"], data["trade_exchanges"]) == (0, 0)


def test_meetings_about_to_start_with_nobody_in(fair, exhibitor_member, buyer_member):
    from meetings.enums import JoinKind
    from meetings.models import MeetingJoin

    soon = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=NOW + timedelta(minutes=10),
    )
    attended = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=NOW + timedelta(minutes=20),
        mode=MeetingMode.ONLINE,
        table_number=None,
    )
    MeetingJoin.objects.create(
        meeting=attended,
        user=buyer_member.user,
        company=buyer_member.company,
        kind=JoinKind.ONLINE,
        at=NOW,
    )
    factories.MeetingFactory(fair=fair, start=NOW + timedelta(hours=2))

    data = dashboard_data(fair=fair, now=NOW)

    assert [m["id"] for m in data["starting_soon_unattended"]] == [soon.pk]
    assert data["starting_soon_unattended"][0]["local"] == "16:10"


def test_query_count_is_the_same_at_two_and_thousands_of_rows(fair, exhibitor_member, buyer_member):
    factories.CompanyFactory.create_batch(3, fair=fair)
    factories.BuyerCompanyFactory.create_batch(2, fair=fair)
    grow(fair=fair, visitors=2, visits=2, meetings=2, deals=2, seed=1)
    with CaptureQueriesContext(connection) as small:
        dashboard_data(fair=fair, now=NOW)

    grown = grow(fair=fair, visitors=2000, visits=5000, meetings=5000, deals=3000, seed=2)
    with CaptureQueriesContext(connection) as large:
        data = dashboard_data(fair=fair, now=NOW)

    assert grown["visits"] == 5000 and grown["meetings"] == 5000
    assert len(large.captured_queries) == len(small.captured_queries) <= 20
    assert data["visits"]["people"]["all"] > 1000


def test_an_it_did_not_happen_answer_is_a_no_show_everywhere(
    fair, exhibitor_member, buyer_member, login, organiser
):
    """One side's "it didn't happen" makes the meeting a no-show and marks the other side
    absent (``matchmaking.feedback.no_show_counts``): in the dashboard, the report, the
    meetings export and the company's own figures alike."""
    from django.urls import reverse
    from django.utils import timezone

    from matchmaking.feedback import meeting_feedback_give, no_show_counts
    from organisers.company import company_figures
    from organisers.report import report_context
    from tests.organisers.test_exports import read_csv

    ended = timezone.now() - timedelta(hours=2)
    _kept, missed = (
        factories.MeetingFactory(
            fair=fair,
            exhibitor=exhibitor_member.company,
            buyer=buyer_member.company,
            start=ended + timedelta(minutes=minutes),
            status=MeetingStatus.HELD,
            table_number=minutes + 1,
        )
        for minutes in (0, 40)
    )
    meeting_feedback_give(fair=fair, user=buyer_member.user, meeting=missed, took_place=False)

    data = dashboard_data(fair=fair, now=timezone.now())
    report = report_context(fair=fair, now=timezone.now())["data"]
    rows = read_csv(login(organiser).get(reverse("organisers:export", args=["meetings", "csv"])))
    own = company_figures(company=exhibitor_member.company)["meetings"]

    assert no_show_counts(fair=fair) == {exhibitor_member.company.pk: 1}
    assert (data["meetings"]["no_show"], data["meetings"]["held"]) == (1, 1)
    assert data["meetings"]["absent"] == {"exhibitor": 1, "buyer": 0}
    assert report["meetings"]["no_show"] == 1
    assert [row[-1] for row in rows[1:]] == [MeetingStatus.HELD, MeetingStatus.NO_SHOW]
    assert (own["held"], own["no_show"], own["absent"]) == (1, 1, 1)
    assert [r["held"] for r in data["top_exhibitors"]["by_meetings"]] == [1]
