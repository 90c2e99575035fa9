"""The fair's meeting grid and people's hours, as pure functions over UTC instants.

- The grid: per fair day, slots of ``fair.slot_minutes`` anchored at the hall's opening time
  (``fair.day_start``, venue time), extended backwards and forwards over the online window and
  re-anchored after each break. A slot is *on-site* when it lies within hall hours and
  *online* when it lies within the online window; no slot overlaps a break.
- Default availability: on-site people → hall hours; remote people → their own local
  08:00–19:00, intersected with the online window.
- Comfort: a slot is never proposed before 07:00 or after 22:00 local time for anyone, and
  is ranked by how far it lies outside 10:00–16:00 in each person's zone.

Nothing here touches the database; :mod:`matchmaking.selectors` feeds it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

Interval = tuple[datetime, datetime]

DEFAULT_REMOTE_DAY = (time(8, 0), time(19, 0))
COMFORT_HOURS = (10.0, 16.0)
EARLIEST_LOCAL = time(7, 0)
LATEST_LOCAL = time(22, 0)


@dataclass(frozen=True)
class GridSlot:
    id: str
    start: datetime
    end: datetime
    onsite: bool
    online: bool


@dataclass(frozen=True)
class GridSpec:
    """What the grid is made of (from ``Fair``, ``GridSettings`` and ``FairBreak``)."""

    zone: str
    days: tuple[date, ...]
    day_start: time
    day_end: time
    slot_minutes: int
    online_start: time
    online_end: time
    breaks: tuple[tuple[time, time], ...] = ()


def slot_id(start: datetime) -> str:
    """A stable id for the slot starting at ``start``: ``"2021-10-20T02:00Z"``."""
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot_id(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _at(day: date, minutes: int, zone: zoneinfo.ZoneInfo) -> datetime:
    naive = datetime.combine(day, time(0, 0)) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def build_grid(spec: GridSpec) -> list[GridSlot]:
    """Every slot of the fair in time order, in UTC."""
    zone = zoneinfo.ZoneInfo(spec.zone)
    length = spec.slot_minutes
    hall = (_minutes(spec.day_start), _minutes(spec.day_end))
    online = (_minutes(spec.online_start), _minutes(spec.online_end))
    breaks = sorted((_minutes(a), _minutes(b)) for a, b in spec.breaks)
    lo, hi = min(hall[0], online[0]), max(hall[1], online[1])

    def clash(start: int) -> tuple[int, int] | None:
        for b in breaks:
            if start < b[1] and b[0] < start + length:
                return b
        return None

    starts: list[int] = []
    t = hall[0]
    while t + length <= hi:  # forwards from the opening
        b = clash(t)
        if b is not None:
            t = max(b[1], t + 1)
            continue
        starts.append(t)
        t += length
    t = hall[0] - length
    while t >= lo:  # backwards into the early online window
        b = clash(t)
        if b is not None:
            t = min(b[0] - length, t - 1)
            continue
        starts.append(t)
        t -= length
    starts.sort()

    slots: list[GridSlot] = []
    for day in spec.days:
        for m in starts:
            start, end = _at(day, m, zone), _at(day, m + length, zone)
            in_hall = hall[0] <= m and m + length <= hall[1]
            in_online = online[0] <= m and m + length <= online[1]
            if not (in_hall or in_online):
                continue
            slots.append(GridSlot(slot_id(start), start, end, in_hall, in_online))
    return slots


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of intervals (touching ones are joined)."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def covers(intervals: Sequence[Interval], start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` lies within one of the merged ``intervals``."""
    return any(a <= start and end <= b for a, b in intervals)


def overlaps(intervals: Sequence[Interval], start: datetime, end: datetime) -> bool:
    return any(a < end and start < b for a, b in intervals)


def hall_windows(spec: GridSpec) -> list[Interval]:
    zone = zoneinfo.ZoneInfo(spec.zone)
    return [
        (_at(d, _minutes(spec.day_start), zone), _at(d, _minutes(spec.day_end), zone))
        for d in spec.days
    ]


def online_windows(spec: GridSpec) -> list[Interval]:
    zone = zoneinfo.ZoneInfo(spec.zone)
    return [
        (_at(d, _minutes(spec.online_start), zone), _at(d, _minutes(spec.online_end), zone))
        for d in spec.days
    ]


def default_availability(spec: GridSpec, *, zone: str, onsite: bool) -> list[Interval]:
    """What a person is assumed to be free for when they have entered nothing."""
    if onsite:
        return merge(hall_windows(spec))
    own = zoneinfo.ZoneInfo(zone)
    out: list[Interval] = []
    for w_start, w_end in online_windows(spec):
        first = w_start.astimezone(own).date() - timedelta(days=1)
        for offset in range(3):
            day = first + timedelta(days=offset)
            a = _at(day, _minutes(DEFAULT_REMOTE_DAY[0]), own)
            b = _at(day, _minutes(DEFAULT_REMOTE_DAY[1]), own)
            start, end = max(a, w_start), min(b, w_end)
            if start < end:
                out.append((start, end))
    return merge(out)


def _local_hours(moment: datetime, zone: zoneinfo.ZoneInfo) -> tuple[date, float]:
    value = moment.astimezone(zone)
    return value.date(), value.hour + value.minute / 60


def comfort_penalty(start: datetime, end: datetime, zones: Iterable[str]) -> float | None:
    """Hours outside 10:00–16:00 summed over the zones, or ``None`` when the slot starts
    before 07:00 or ends after 22:00 for anyone (never proposed)."""
    total = 0.0
    earliest = EARLIEST_LOCAL.hour + EARLIEST_LOCAL.minute / 60
    latest = LATEST_LOCAL.hour + LATEST_LOCAL.minute / 60
    for name in dict.fromkeys(zones):
        zone = zoneinfo.ZoneInfo(name)
        day_a, a = _local_hours(start, zone)
        day_b, b = _local_hours(end, zone)
        if day_b != day_a:  # ends after midnight (or exactly at it)
            b += 24 * (day_b - day_a).days
        if a < earliest or b > latest:
            return None
        total += max(0.0, COMFORT_HOURS[0] - a) + max(0.0, b - COMFORT_HOURS[1])
    return total


def local_day_slots(slots: Sequence[GridSlot], zone: str) -> list[tuple[date, list[GridSlot]]]:
    """Slots grouped by the local date in ``zone`` (for availability forms)."""
    own = zoneinfo.ZoneInfo(zone)
    groups: dict[date, list[GridSlot]] = {}
    for slot in slots:
        groups.setdefault(slot.start.astimezone(own).date(), []).append(slot)
    return sorted(groups.items())
