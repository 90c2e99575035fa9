"""Demo data for rooms and the deal log: exchange rates, a few meetings with outcomes, and
walk-in contacts at booths. Called by ``seed_demo`` (see ``fairsite.demo``); deterministic."""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import Badge, Company, Member
from meetings import money
from meetings.enums import Currency, DealStage, JoinKind, MeetingMode, MeetingStatus
from meetings.links import new_video_url
from meetings.models import (
    Deal,
    DealRevision,
    ExchangeRate,
    Meeting,
    MeetingAttendee,
    MeetingJoin,
)

# Units per US dollar, as a bank would quote them in late 2026 (illustrative).
RATES = {
    Currency.VND: Decimal("25350"),
    Currency.JPY: Decimal("151.20"),
    Currency.KRW: Decimal("1385"),
    Currency.THB: Decimal("35.40"),
    Currency.EUR: Decimal("0.9230"),
}
# (currency, major-unit amounts a deal might be worth)
VALUES = [
    (Currency.USD, [1_500, 8_000, 12_500, 25_000, 60_000]),
    (Currency.JPY, [500_000, 2_000_000, 4_500_000]),
    (Currency.KRW, [10_000_000, 35_000_000]),
    (Currency.VND, [150_000_000, 480_000_000, 1_200_000_000]),
    (Currency.THB, [120_000, 450_000]),
]
STAGES = [DealStage.QUOTATION, DealStage.SAMPLES, DealStage.NEGOTIATING, DealStage.MOU]


def _fair_moment(fair: Any, day_index: int, minutes: int) -> datetime:
    tz = zoneinfo.ZoneInfo(fair.time_zone)
    day = fair.start_date + timedelta(days=day_index)
    start = datetime.combine(day, fair.day_start, tzinfo=tz) + timedelta(minutes=minutes)
    return start.astimezone(zoneinfo.ZoneInfo("UTC"))


def _value(rng: random.Random, at: datetime) -> dict[str, Any]:
    currency, amounts = rng.choice(VALUES)
    minor = money.parse_amount(str(rng.choice(amounts)), currency)
    units = Decimal(1) if currency == Currency.USD else RATES[currency]
    converted = money.convert(
        minor=minor, currency=currency, units_per_usd=units, vnd_per_usd=RATES[Currency.VND]
    )
    return {
        "currency": currency,
        "amount_minor": minor,
        "units_per_usd": units,
        "vnd_per_usd": RATES[Currency.VND],
        "rated_at": at,
        "value_usd_cents": converted.usd_cents,
        "value_vnd": converted.vnd,
    }


def _members(fair: Any) -> dict[int, list[Any]]:
    people: dict[int, list[Any]] = {}
    for member in Member.objects.filter(fair=fair, status=MembershipStatus.APPROVED).order_by(
        "company_id", "id"
    ):
        people.setdefault(member.company_id, []).append(member.user_id)
    return people


def _create_meetings(fair: Any, rng: random.Random, count: int, people: dict) -> list[Meeting]:
    exhibitors = list(
        Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR, pk__in=people).order_by("id")
    )
    buyers = list(
        Company.objects.filter(fair=fair, role=CompanyRole.BUYER, pk__in=people).order_by("id")
    )
    if not exhibitors or not buyers:
        return []
    slot = fair.slot_minutes
    day_minutes = (
        datetime.combine(fair.start_date, fair.day_end)
        - datetime.combine(fair.start_date, fair.day_start)
    ).total_seconds() // 60
    per_day = max(1, int(day_minutes // slot))
    meetings = []
    for index in range(count):
        # One meeting per slot: nobody is ever double-booked, whatever the pairs.
        day_index, slot_index = divmod(index, per_day)
        if day_index >= len(fair.days()):
            break
        start = _fair_moment(fair, day_index, slot_index * slot)
        mode = rng.choice([MeetingMode.ONSITE, MeetingMode.ONLINE, MeetingMode.MIXED])
        meetings.append(
            Meeting(
                fair=fair,
                exhibitor=rng.choice(exhibitors),
                buyer=rng.choice(buyers),
                start=start,
                end=start + timedelta(minutes=slot),
                mode=mode,
                table_number=None if mode == MeetingMode.ONLINE else 1 + index % fair.tables,
                video_url="" if mode == MeetingMode.ONSITE else new_video_url(),
            )
        )
    meetings = Meeting.objects.bulk_create(meetings)
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(
            fair=fair,
            meeting=m,
            user_id=people[company.pk][0],
            company=company,
            start=m.start,
            end=m.end,
        )
        for m in meetings
        for company in (m.exhibitor, m.buyer)
    )
    return meetings


def seed(*, fair: Any, rng: random.Random, scale: bool) -> dict[str, int]:
    """Rates valid from two months before the fair; outcomes for the first day's meetings
    (matchmaking's if it seeded some, else a few of our own); walk-in contacts at booths."""
    rate_from = _fair_moment(fair, 0, 0) - timedelta(days=60)
    ExchangeRate.objects.bulk_create(
        ExchangeRate(fair=fair, currency=code, units_per_usd=value, valid_from=rate_from)
        for code, value in RATES.items()
    )
    people = _members(fair)
    wanted = 120 if scale else 24
    meetings = list(
        Meeting.objects.filter(fair=fair, status=MeetingStatus.SCHEDULED)
        .select_related("exhibitor", "buyer")
        .order_by("start", "id")[:wanted]
    )
    if not meetings:
        meetings = _create_meetings(fair, rng, wanted, people)

    deals: list[Deal] = []
    joins: list[MeetingJoin] = []
    held, no_show = [], []
    for meeting in meetings:
        roll = rng.random()
        if roll < 0.1:
            no_show.append(meeting.pk)
            continue
        if roll > 0.8:
            continue  # still to happen
        held.append(meeting.pk)
        for company in (meeting.exhibitor, meeting.buyer):
            user_id = (people.get(company.pk) or [None])[0]
            if user_id is None:
                continue
            kind = JoinKind.TABLE if meeting.mode == MeetingMode.ONSITE else JoinKind.ONLINE
            joins.append(
                MeetingJoin(
                    meeting=meeting, user_id=user_id, company=company, kind=kind, at=meeting.start
                )
            )
        exhibitor_user = (people.get(meeting.exhibitor_id) or [None])[0]
        at = meeting.end + timedelta(minutes=rng.randrange(5, 240))
        values = _value(rng, at) if rng.random() < 0.6 else {}
        deals.append(
            Deal(
                fair=fair,
                company=meeting.exhibitor,
                meeting=meeting,
                counterpart=meeting.buyer,
                contacts="Business cards exchanged; follow up by e-mail.",
                stage=rng.choice(STAGES),
                created_by_id=exhibitor_user,
                **values,
            )
        )
    Meeting.objects.filter(pk__in=held).update(status=MeetingStatus.HELD)
    Meeting.objects.filter(pk__in=no_show).update(status=MeetingStatus.NO_SHOW)
    MeetingJoin.objects.bulk_create(joins)

    exhibitors = list(
        Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR, pk__in=people).order_by("id")
    )
    badges = list(Badge.objects.filter(fair=fair).select_related("user").order_by("id")[:200])
    walk_ins = min(len(badges), 60 if scale else 15)
    for index in range(walk_ins if exhibitors else 0):
        badge = badges[index]
        company = rng.choice(exhibitors)
        at = _fair_moment(fair, rng.randrange(len(fair.days())), rng.randrange(0, 480))
        values = _value(rng, at) if rng.random() < 0.4 else {}
        deals.append(
            Deal(
                fair=fair,
                company=company,
                counterpart_name=(badge.organisation or str(badge.user))[:200],
                visitor_badge=badge,
                stage=rng.choice([DealStage.NO_FOLLOW_UP, DealStage.QUOTATION]),
                created_by_id=people[company.pk][0],
                **values,
            )
        )
    deals = Deal.objects.bulk_create(deals)
    DealRevision.objects.bulk_create(
        DealRevision(
            deal=deal,
            user_id=deal.created_by_id,
            at=deal.rated_at or _fair_moment(fair, 0, 0),
            version=1,
            changes={
                "stage": [None, deal.stage],
                **(
                    {"amount_minor": [None, deal.amount_minor], "currency": [None, deal.currency]}
                    if deal.amount_minor is not None
                    else {}
                ),
            },
        )
        for deal in deals
    )
    return {
        "exchange rates": len(RATES),
        "meetings held": len(held),
        "deals logged": len(deals),
    }
