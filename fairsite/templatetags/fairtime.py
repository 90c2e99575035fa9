"""``{% load fairtime %}`` then, for a meeting or a slot (a range in each zone, the reader's date
order, the venue's time first for meetings at the venue)::

    {% meeting_when m.start m.end row.zones m.mode %}
    {% meeting_when slot.start slot.end zones slot.mode venue=meeting.fair.time_zone %}

``venue`` defaults to the current fair's zone (the ``fair`` context variable). For one moment:
``{{ meeting.start|both_zones:zones }}`` or ``{{ meeting.start|in_zone:"Asia/Tokyo" }}``; for a
date alone ``{{ day|day_label }}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from fairsite import timefmt

register = template.Library()


@register.filter
def zone_city(zone: str | None) -> str:
    """A time zone as people name it, in the reader's language: ``Asia/Ho_Chi_Minh`` → "Hà Nội"."""
    return timefmt.city_name(zone) if zone else ""


@register.filter
def in_zone(value: datetime | None, zone: str) -> str:
    if not value:
        return ""
    return timefmt.in_zone(value, zone)


@register.filter
def both_zones(value: datetime | None, zones: list[str] | str) -> str:
    if not value:
        return ""
    return timefmt.both_zones(value, timefmt.ordered_zones(zones), with_date=True)


@register.filter
def day_label(value: date | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return timefmt.day_label(value)


@register.simple_tag(takes_context=True)
def meeting_when(
    context: template.Context,
    start: datetime | None,
    end: datetime | None,
    zones: list[str] | str,
    mode: str = "",
    venue: str = "",
    with_date: bool = True,
) -> str:
    if not start:
        return ""
    if not venue:
        fair: Any = context.get("fair")
        venue = getattr(fair, "time_zone", "") or ""
    return timefmt.meeting_when(
        start, end, zones, mode=str(mode or ""), venue=venue, with_date=with_date
    )
