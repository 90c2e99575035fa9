"""Times for people in different zones: "10:00 Hà Nội · 12:00 Tokyo".

Everything is stored in UTC; these helpers only format. Zone names come from the IANA database,
so daylight saving (New York in March and November) is always right.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django.utils import formats
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


def in_zone(moment: datetime, zone: str, *, with_date: bool = False) -> str:
    """``"09:00 Tokyo"`` or, with the date, ``"20 Oct 09:00 Tokyo"`` (date in that zone)."""
    value = local(moment, zone)
    text = f"{value:%H:%M} {city_name(zone)}"
    if with_date:
        text = f"{formats.date_format(value, 'SHORT_DATE_FORMAT')} {text}"
    return text


def both_zones(moment: datetime, zones: list[str], *, with_date: bool = False) -> str:
    """The same instant in each distinct zone, first zone first: "10:00 Hà Nội · 12:00 Tokyo".
    A date is added to a zone whose local date differs from the first one's."""
    seen: list[str] = []
    for zone in zones:
        if zone and zone not in seen:
            seen.append(zone)
    if not seen:
        seen = ["UTC"]
    first_date = local(moment, seen[0]).date()
    parts = []
    for index, zone in enumerate(seen):
        differs = local(moment, zone).date() != first_date
        parts.append(in_zone(moment, zone, with_date=(with_date and index == 0) or differs))
    return " · ".join(parts)
