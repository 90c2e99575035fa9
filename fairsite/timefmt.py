"""Times for people in different zones: "10:00 Hà Nội · 12:00 Tokyo".

Everything is stored in UTC; these helpers only format. Zone names come from the IANA database,
so daylight saving (New York in March and November) is always right.

A meeting reads as a range in each zone, with the date and day name in the reader's language
order (:func:`meeting_when`)::

    en  Wed 2 Dec, 10:00–10:30 Hà Nội · 12:00–12:30 Tokyo
    vi  Thứ Tư, 2 tháng 12, 10:00–10:30 Hà Nội · 12:00–12:30 Tokyo
    ja  12月2日(水) 10:00–10:30 ハノイ · 12:00–12:30 東京
    ko  12월 2일 (수) 10:00–10:30 하노이 · 12:00–12:30 도쿄

The viewer's zone comes first, except for meetings at the venue (on site or mixed), where the
venue's time leads: that is the clock on the wall of the hall.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Short, human city names for the zones our users live in; others fall back to the IANA city.
CITY_NAMES = {
    "Asia/Ho_Chi_Minh": _("Hà Nội"),
    "Asia/Bangkok": _("Bangkok"),
    "Asia/Tokyo": _("Tokyo"),
    "Asia/Seoul": _("Seoul"),
    "America/New_York": _("New York"),
    "America/Chicago": _("Chicago"),
    "America/Los_Angeles": _("Los Angeles"),
    "Europe/Berlin": _("Berlin"),
    "Europe/London": _("London"),
    "UTC": _("UTC"),
}


def city_name(zone: str) -> str:
    if zone in CITY_NAMES:
        return str(CITY_NAMES[zone])
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def hm(moment: datetime, zone: str) -> str:
    return local(moment, zone).strftime("%H:%M")


#: Dates with day names in each language's own order (CLDR's medium forms). Weekday 0 is Monday.
WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Between the date and the time range.
DATE_TIME_SEPARATOR = {"en": ", ", "vi": ", ", "ja": " ", "ko": " "}
RANGE_DASH = "\u2013"  # en dash, no spaces: 10:00–10:30
VENUE_FIRST_MODES = {"onsite", "mixed"}


def _language(language: str | None) -> str:
    code = (language or get_language() or "en").split("-")[0].lower()
    return code if code in WEEKDAYS else "en"


def day_label(value: date, language: str | None = None) -> str:
    """``Wed 2 Dec`` · ``Thứ Tư, 2 tháng 12`` · ``12月2日(水)`` · ``12월 2일 (수)``."""
    code = _language(language)
    weekday = WEEKDAYS[code][value.weekday()]
    if code == "vi":
        return f"{weekday}, {value.day} tháng {value.month}"
    if code == "ja":
        return f"{value.month}月{value.day}日({weekday})"
    if code == "ko":
        return f"{value.month}월 {value.day}일 ({weekday})"
    return f"{weekday} {value.day} {MONTHS_EN[value.month - 1]}"


def _with_day(text: str, value: date, language: str | None) -> str:
    return f"{day_label(value, language)}{DATE_TIME_SEPARATOR[_language(language)]}{text}"


def in_zone(
    moment: datetime, zone: str, *, with_date: bool = False, language: str | None = None
) -> str:
    """``"09:00 Tokyo"`` or, with the date, ``"Wed 20 Oct, 09:00 Tokyo"`` (date in that zone)."""
    value = local(moment, zone)
    text = f"{value:%H:%M} {city_name(zone)}"
    if with_date:
        text = _with_day(text, value.date(), language)
    return text


def range_in_zone(
    start: datetime,
    end: datetime,
    zone: str,
    *,
    with_date: bool = False,
    language: str | None = None,
) -> str:
    """``"10:00–10:30 Hà Nội"``; with the date, the start's date in that zone leads."""
    first, last = local(start, zone), local(end, zone)
    text = f"{first:%H:%M}{RANGE_DASH}{last:%H:%M} {city_name(zone)}"
    if with_date:
        text = _with_day(text, first.date(), language)
    return text


def ordered_zones(zones: list[str] | tuple[str, ...] | str, *, venue: str = "") -> list[str]:
    """Distinct zones in order, the venue's first when given (for meetings at the venue).
    A comma-separated string is accepted too (templates pass those)."""
    if isinstance(zones, str):
        zones = [zone.strip() for zone in zones.split(",")]
    seen: list[str] = [venue] if venue else []
    for zone in zones:
        if zone and zone not in seen:
            seen.append(zone)
    return seen or ["UTC"]


def meeting_when(
    start: datetime,
    end: datetime | None,
    zones: list[str] | tuple[str, ...] | str,
    *,
    mode: str = "",
    venue: str = "",
    with_date: bool = True,
    language: str | None = None,
) -> str:
    """A meeting's time as ranges in each zone: ``"Wed 2 Dec, 10:00–10:30 Hà Nội · 12:00–12:30
    Tokyo"``. For a meeting at the venue (``mode`` on site or mixed) ``venue``'s zone leads.
    The date is shown for the first zone (``with_date``) and for any zone whose local date
    differs from it. Without ``end`` it reads as one moment per zone."""
    order = ordered_zones(zones, venue=venue if mode in VENUE_FIRST_MODES else "")
    first_date = local(start, order[0]).date()
    parts = []
    for index, zone in enumerate(order):
        dated = (with_date and index == 0) or local(start, zone).date() != first_date
        if end is None:
            parts.append(in_zone(start, zone, with_date=dated, language=language))
        else:
            parts.append(range_in_zone(start, end, zone, with_date=dated, language=language))
    return " · ".join(parts)


def both_zones(
    moment: datetime, zones: list[str], *, with_date: bool = False, language: str | None = None
) -> str:
    """The same instant in each distinct zone, first zone first: "10:00 Hà Nội · 12:00 Tokyo".
    A date is added to a zone whose local date differs from the first one's."""
    return meeting_when(moment, None, zones, with_date=with_date, language=language)
