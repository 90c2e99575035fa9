from datetime import UTC, datetime

from fairsite.timefmt import both_zones, in_zone


def test_both_zones_hanoi_and_tokyo_two_hours_apart():
    moment = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
    assert both_zones(moment, ["Asia/Ho_Chi_Minh", "Asia/Tokyo"]) == "10:00 Hà Nội · 12:00 Tokyo"


def test_new_york_follows_daylight_saving():
    march_before = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)  # EST, UTC-5
    march_after = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT, UTC-4 (DST began 8 March)
    november_after = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # EST again (ended 1 November)
    assert in_zone(march_before, "America/New_York") == "08:00 New York"
    assert in_zone(march_after, "America/New_York") == "09:00 New York"
    assert in_zone(november_after, "America/New_York") == "08:00 New York"


def test_both_zones_adds_date_when_local_day_differs():
    moment = datetime(2021, 10, 20, 13, 0, tzinfo=UTC)  # 20:00 Hà Nội, 09:00 New York same day
    late = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # 09:00 Hà Nội, 22:00 previous day NY
    assert both_zones(moment, ["Asia/Ho_Chi_Minh", "America/New_York"]) == (
        "20:00 Hà Nội · 09:00 New York"
    )
    text = both_zones(late, ["Asia/Ho_Chi_Minh", "America/New_York"])
    assert text.startswith("09:00 Hà Nội · ")
    assert text.endswith("22:00 New York")
    assert "10/19/2021" in text or "19" in text.split("·")[1]
