"""Slot proposals for a pair, for buyers in New York (both sides of daylight saving), Tokyo and
Seoul: correct local times, never outside anyone's availability or comfortable hours."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse

from matchmaking import selectors, services
from matchmaking import slots as grid
from matchmaking.models import FairBreak
from meetings.booking import meeting_book
from meetings.enums import MeetingMode
from tests import factories
from tests.matchmaking.helpers import future_fair, venue_time

pytestmark = pytest.mark.django_db


def fair_on(day: date):
    return future_fair(start_date=day, end_date=day + timedelta(days=1))


def evening_exhibitor(fair):
    """A Hà Nội exhibitor who also stays in the evening (16:00–22:00) for American buyers."""
    member = factories.MemberFactory(company__fair=fair)
    evening = [
        s.id
        for s in selectors.fair_grid(fair=fair)
        if time(16) <= s.start.astimezone(fair.tz).time() < time(22)
    ]
    services.availability_set(fair=fair, user=member.user, slot_ids=evening)
    return member


def assert_sane(proposals, fair, people):
    """Every proposal lies within 07:00–22:00 for each person and within their availability."""
    spec = selectors.grid_spec(fair=fair)
    avail = selectors.availability_map(
        fair=fair,
        people=[(m.user, m.company.attendance == "onsite") for m in people],
        spec=spec,
    )
    assert proposals
    for p in proposals:
        for member in people:
            zone = zoneinfo.ZoneInfo(member.user.time_zone)
            start, end = p.start.astimezone(zone), p.end.astimezone(zone)
            assert start.time() >= time(7), p.label
            assert end.date() == start.date() and end.time() <= time(22), p.label
            assert grid.covers(avail[member.user_id], p.start, p.end)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 3, 15), "19:00–19:30 Hà Nội · 08:00–08:30 New York"),  # EDT, UTC−4
        (date(2027, 11, 8), "20:00–20:30 Hà Nội · 08:00–08:30 New York"),  # EST, UTC−5
    ],
)
def test_new_york_buyer_sees_right_times_across_daylight_saving(day, expected):
    fair = fair_on(day)
    exhibitor = evening_exhibitor(fair)
    buyer = factories.BuyerMemberFactory(
        company__fair=fair, company__country="US", user__time_zone="America/New_York"
    )
    proposals = selectors.pair_slot_proposals(
        fair=fair,
        user=exhibitor.user,
        company=exhibitor.company,
        other=buyer.company,
        limit=None,
        now=datetime.combine(day - timedelta(days=10), time(0), tzinfo=fair.tz),
    )
    labels = [p.label for p in proposals]
    assert any(expected in label for label in labels), labels
    assert all(p.mode == "online" for p in proposals)
    assert_sane(proposals, fair, [exhibitor, buyer])
    # Evening in Hà Nội is the only overlap: 19:00–22:00 (summer) or 20:00–22:00 (winter).
    hours = sorted({p.start.astimezone(fair.tz).hour for p in proposals})
    assert hours == ([19, 20, 21] if "19:00" in expected else [20, 21])


@pytest.mark.parametrize(("zone", "city"), [("Asia/Tokyo", "Tokyo"), ("Asia/Seoul", "Seoul")])
def test_tokyo_and_seoul_buyers_get_the_most_comfortable_time_first(fair, zone, city):
    FairBreak.objects.create(fair=fair, start=time(12), end=time(13))
    exhibitor = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair, user__time_zone=zone)
    proposals = selectors.pair_slot_proposals(
        fair=fair, user=buyer.user, company=buyer.company, other=exhibitor.company, limit=None
    )
    assert proposals[0].label.endswith(f"12:00–12:30 {city} · 10:00–10:30 Hà Nội")
    assert proposals[0].penalty == 0
    assert_sane(proposals, fair, [exhibitor, buyer])
    # Defaults: on site 08:00–17:00 Hà Nội, remote 08:00–19:00 local → 08:00–17:00 Hà Nội.
    local_hours = {p.start.astimezone(fair.tz).hour for p in proposals}
    assert min(local_hours) == 8 and max(local_hours) == 16
    assert 12 not in local_hours  # the lunch break


def test_both_on_site_prefer_a_table_then_fall_back_online(fair):
    fair.tables = 1
    fair.save()
    exhibitor = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")
    ten = venue_time(fair, 0, 10)
    rival_ex = factories.MemberFactory(company__fair=fair)
    rival_buyer = factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")
    meeting_book(
        fair=fair,
        exhibitor=rival_ex.company,
        buyer=rival_buyer.company,
        attendees=[rival_ex, rival_buyer],
        start=ten,
        end=ten + timedelta(minutes=30),
        mode=MeetingMode.ONSITE,
        by=rival_ex.user,
    )
    proposals = {
        p.start: p.mode
        for p in selectors.pair_slot_proposals(
            fair=fair, user=buyer.user, company=buyer.company, other=exhibitor.company, limit=None
        )
    }
    assert proposals[ten] == "online"  # the only table is taken at 10:00
    assert proposals[ten + timedelta(minutes=30)] == "onsite"


def test_busy_people_get_no_proposal_at_that_time(fair):
    exhibitor = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    ten = venue_time(fair, 0, 10)
    meeting_book(
        fair=fair,
        exhibitor=exhibitor.company,
        buyer=other_buyer.company,
        attendees=[exhibitor, other_buyer],
        start=ten,
        end=ten + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        by=exhibitor.user,
    )
    starts = {
        p.start
        for p in selectors.pair_slot_proposals(
            fair=fair, user=buyer.user, company=buyer.company, other=exhibitor.company, limit=None
        )
    }
    assert ten not in starts
    assert ten + timedelta(minutes=30) in starts


def test_availability_page_shows_local_times_and_saves_utc(fair, buyer_member, login):
    client = login(buyer_member.user)
    url = reverse("matchmaking:availability")
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "08:00–08:30" in content  # Tokyo local, the default start of a remote day
    first_day = response.context["days"][0]
    chosen = [row["slot"].id for row in first_day["slots"] if row["local"] in ("09:00", "09:30")]
    assert client.post(url, {"slots": chosen}).status_code == 302
    rows = list(buyer_member.user.availabilities.values_list("start", "end"))
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert [(a.astimezone(tokyo).time(), b.astimezone(tokyo).time()) for a, b in rows] == [
        (time(9), time(10))
    ]
    assert client.post(url, {"reset": "1"}).status_code == 302
    assert not buyer_member.user.availabilities.exists()


def test_grid_settings_page_updates_the_grid(fair, organiser, login):
    client = login(organiser)
    url = reverse("matchmaking:grid_settings")
    assert client.get(url).status_code == 200
    data = {
        "day_start": "09:00",
        "day_end": "16:00",
        "slot_minutes": "45",
        "tables": "40",
        "online_capacity": "",
        "online_start": "07:00",
        "online_end": "21:00",
        "break_0_start": "12:00",
        "break_0_end": "13:30",
    }
    assert client.post(url, data).status_code == 302
    fair.refresh_from_db()
    assert (fair.day_start, fair.slot_minutes, fair.tables) == (time(9), 45, 40)
    slots = selectors.fair_grid(fair=fair)
    local = [
        s.start.astimezone(fair.tz).time() for s in slots if s.start.date() == slots[0].start.date()
    ]
    assert time(13, 30) in local and time(12, 0) not in local
    bad = dict(data, online_start="10:00")
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "must include the hall" in response.content.decode()


def test_grid_settings_refuse_a_capacity_beyond_the_column(fair, organiser, login):
    """2147483648 does not fit PostgreSQL's integer column: a form error, nothing stored (it was
    a 500 on PostgreSQL)."""
    client = login(organiser)
    data = {
        "day_start": "09:00",
        "day_end": "16:00",
        "slot_minutes": "30",
        "tables": "40",
        "online_capacity": "2147483648",
        "online_start": "07:00",
        "online_end": "21:00",
    }
    before = fair.online_capacity

    response = client.post(reverse("matchmaking:grid_settings"), data)

    assert response.status_code == 400
    assert "online_capacity" in response.context["form"].errors
    fair.refresh_from_db()
    assert fair.online_capacity == before
