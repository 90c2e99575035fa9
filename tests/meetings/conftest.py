"""Fixtures for meeting rooms and the deal log."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from meetings import ratelimit
from meetings.enums import Currency, MeetingMode
from tests import factories
from tests.meetings.factories import ExchangeRateFactory

# The factories' meeting: 20 Oct 2021, 09:00–09:30 Hà Nội (02:00–02:30 UTC).
START = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
def meeting(fair, exhibitor_member, buyer_member):
    """An online meeting between the exhibitor and the buyer fixtures, both booked in."""
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url="https://meet.jit.si/HanoiSIF-test-room",
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


@pytest.fixture
def table_meeting(fair, exhibitor_member, buyer_member):
    """An on-site meeting at table 7, both booked in."""
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        mode=MeetingMode.ONSITE,
        table_number=7,
        start=START + timedelta(hours=2),
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


@pytest.fixture
def rates(fair):
    """1 USD = 25,000 VND = 150 JPY = 1,300 KRW = 35 THB = 0.9 EUR, from 1 Oct 2021."""
    values = {
        Currency.VND: "25000",
        Currency.JPY: "150",
        Currency.KRW: "1300",
        Currency.THB: "35",
        Currency.EUR: "0.9",
    }
    return {
        code: ExchangeRateFactory(fair=fair, currency=code, units_per_usd=Decimal(value))
        for code, value in values.items()
    }


class FrozenClock:
    """``meetings.ratelimit``'s wall clock, stopped at the start of an hour, so every fixed
    rate-limit window a test uses (seconds, minutes, an hour) is one and the same window
    wherever the real clock is; ``advance`` moves it on."""

    def __init__(self) -> None:
        self.now = float(1_800_000_000 - 1_800_000_000 % 3600)

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __getattr__(self, name: str):
        return getattr(time, name)


@pytest.fixture
def rate_clock(monkeypatch):
    clock = FrozenClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock
