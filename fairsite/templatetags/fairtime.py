"""``{% load fairtime %}`` then ``{{ meeting.start|both_zones:zones }}`` or
``{{ meeting.start|in_zone:"Asia/Tokyo" }}``."""

from __future__ import annotations

from datetime import datetime

from django import template

from fairsite import timefmt

register = template.Library()


@register.filter
def in_zone(value: datetime | None, zone: str) -> str:
    if not value:
        return ""
    return timefmt.in_zone(value, zone)


@register.filter
def both_zones(value: datetime | None, zones: list[str] | str) -> str:
    if not value:
        return ""
    if isinstance(zones, str):
        zones = [z.strip() for z in zones.split(",")]
    return timefmt.both_zones(value, list(zones), with_date=True)
