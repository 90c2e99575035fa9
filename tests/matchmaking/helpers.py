"""Helpers shared by the matchmaking and booking tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from fairsite.models import Fair
from matchmaking import selectors
from matchmaking.slots import GridSlot
from tests import factories


def future_start(days: int = 30) -> date:
    return timezone.now().date() + timedelta(days=days)


def future_fair(days: int = 30, **overrides) -> Fair:
    """A three-day fair a month from now (so no slot has started yet)."""
    start = future_start(days)
    values = {"start_date": start, "end_date": start + timedelta(days=2), "tables": 2}
    values.update(overrides)
    return factories.FairFactory(**values)


def slot_at(fair: Fair, moment: datetime) -> GridSlot:
    """The grid slot starting at ``moment``."""
    for slot in selectors.fair_grid(fair=fair):
        if slot.start == moment:
            return slot
    raise AssertionError(f"no slot starts at {moment}")


def venue_time(fair: Fair, day_index: int, hour: int, minute: int = 0) -> datetime:
    day = fair.start_date + timedelta(days=day_index)
    naive = datetime(day.year, day.month, day.day, hour, minute)
    return naive.replace(tzinfo=fair.tz)
