"""The grid and people's hours as pure functions: UTC from venue time, breaks, defaults in each
person's own zone (daylight saving included), and the comfort rule."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from matchmaking import slots as grid

HANOI = "Asia/Ho_Chi_Minh"
NEW_YORK = "America/New_York"


def spec(days: tuple[date, ...], **overrides) -> grid.GridSpec:
    values = {
        "zone": HANOI,
        "days": days,
        "day_start": time(8, 0),
        "day_end": time(17, 0),
        "slot_minutes": 30,
        "online_start": time(6, 0),
        "online_end": time(22, 0),
        "breaks": ((time(12, 0), time(13, 0)),),
    }
    values.update(overrides)
    return grid.GridSpec(**values)


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def test_grid_slots_are_utc_from_venue_time_and_skip_the_break():
    slots = grid.build_grid(spec((date(2027, 10, 20),)))
    starts = [local(s.start, HANOI).strftime("%H:%M") for s in slots]
    assert starts[0] == "06:00"
    assert starts[-1] == "21:30"
    assert "12:00" not in starts and "12:30" not in starts
    assert "13:00" in starts
    first_hall = next(s for s in slots if s.onsite)
    assert first_hall.start == datetime(2027, 10, 20, 1, 0, tzinfo=UTC)  # 08:00 Hà Nội
    assert first_hall.id == "2027-10-20T01:00Z"
    assert all(s.online for s in slots)
    assert [local(s.start, HANOI).hour for s in slots if s.onsite][-1] == 16


def test_grid_re_anchors_after_a_break_with_45_minute_slots():
    slots = grid.build_grid(spec((date(2027, 10, 20),), slot_minutes=45, online_start=time(8, 0)))
    starts = [local(s.start, HANOI).strftime("%H:%M") for s in slots]
    assert starts[:4] == ["08:00", "08:45", "09:30", "10:15"]
    assert "11:00" in starts and "13:00" in starts  # 11:00–11:45, then straight after the break
    assert all(not (time(12) <= local(s.start, HANOI).time() < time(13)) for s in slots)


def test_onsite_default_is_hall_hours():
    s = spec((date(2027, 10, 20), date(2027, 10, 21)))
    windows = grid.default_availability(s, zone=HANOI, onsite=True)
    assert windows == [
        (datetime(2027, 10, 20, 1, 0, tzinfo=UTC), datetime(2027, 10, 20, 10, 0, tzinfo=UTC)),
        (datetime(2027, 10, 21, 1, 0, tzinfo=UTC), datetime(2027, 10, 21, 10, 0, tzinfo=UTC)),
    ]


def test_remote_tokyo_default_is_local_8_to_19_within_the_online_window():
    s = spec((date(2027, 10, 20),))
    windows = grid.default_availability(s, zone="Asia/Tokyo", onsite=False)
    # Tokyo 08:00–19:00 = Hà Nội 06:00–17:00; the online window starts at 06:00 Hà Nội.
    assert [(local(a, "Asia/Tokyo").time(), local(b, "Asia/Tokyo").time()) for a, b in windows] == [
        (time(8, 0), time(19, 0))
    ]


@pytest.mark.parametrize(
    ("day", "offset"),
    [
        (date(2027, 3, 12), -5),
        (date(2027, 3, 15), -4),
        (date(2027, 11, 5), -4),
        (date(2027, 11, 8), -5),
    ],
)
def test_new_york_default_follows_daylight_saving(day, offset):
    """US DST starts on 14 March and ends on 7 November 2027: the same local 08:00 is a
    different UTC hour before and after; Hà Nội never changes."""
    s = spec((day,))
    windows = grid.default_availability(s, zone=NEW_YORK, onsite=False)
    assert windows, "a New York buyer overlaps the online window in the evening (Hà Nội)"
    for start, end in windows:
        assert local(start, NEW_YORK).utcoffset() == timedelta(hours=offset)
        assert time(8, 0) <= local(start, NEW_YORK).time()
        assert local(end, NEW_YORK).time() <= time(19, 0)
        assert local(end, HANOI).time() <= time(22, 0)
    # New York's morning of the fair day starts at 08:00 local: 19:00 Hà Nội in summer time,
    # 20:00 in winter time (the evening before, 06:00–07:00 Hà Nội, is the other window).
    morning = [a for a, _b in windows if local(a, NEW_YORK).date() == day]
    assert [local(a, NEW_YORK).time() for a in morning] == [time(8, 0)]
    assert local(morning[0], HANOI).hour == (19 if offset == -4 else 20)


def test_comfort_penalty_ranks_and_forbids_unsocial_hours():
    start = datetime(2027, 10, 20, 3, 0, tzinfo=UTC)  # 10:00 Hà Nội, 12:00 Tokyo
    assert grid.comfort_penalty(start, start + timedelta(minutes=30), [HANOI, "Asia/Tokyo"]) == 0
    early = datetime(2027, 10, 19, 23, 30, tzinfo=UTC)  # 06:30 Hà Nội
    assert grid.comfort_penalty(early, early + timedelta(minutes=30), [HANOI]) is None
    late = datetime(2027, 10, 20, 13, 0, tzinfo=UTC)  # 20:00 Hà Nội, 22:00 Tokyo
    assert grid.comfort_penalty(late, late + timedelta(minutes=30), [HANOI, "Asia/Tokyo"]) is None
    evening = datetime(2027, 10, 20, 12, 0, tzinfo=UTC)  # 19:00 Hà Nội, 21:00 Tokyo
    penalty = grid.comfort_penalty(evening, evening + timedelta(minutes=30), [HANOI, "Asia/Tokyo"])
    assert penalty == pytest.approx(3.5 + 5.5)


def test_merge_joins_touching_intervals():
    a = datetime(2027, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert grid.merge([(a + h, a + 2 * h), (a, a + h), (a + 3 * h, a + 4 * h)]) == [
        (a, a + 2 * h),
        (a + 3 * h, a + 4 * h),
    ]
