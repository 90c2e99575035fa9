"""``{% load money %}`` then ``{{ deal.amount_minor|money:deal.currency }}``: an amount in the
reader's conventions (``1.500.000.000 ₫`` in Vietnamese, ``US$69,500.00`` in English), from
:func:`meetings.money.format_amount`."""

from __future__ import annotations

from django import template

from meetings import money as money_

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    if minor in (None, "") or not currency:
        return ""
    return money_.format_amount(int(minor), currency)
