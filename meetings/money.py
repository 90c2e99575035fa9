"""Money, exactly: amounts are integers of the currency's minor unit, never floats.

Input rules (see ``docs/deals.md``):

- the decimal separator is a point: ``1234.56``;
- thousands may be grouped with commas or spaces, in groups of three: ``1,500,000`` or
  ``1 500 000``; a comma that does not group thousands is refused rather than guessed;
- ``1.500.000`` (dots as thousands separators) is refused with a message saying so, never read
  as 1.5 or 1500000;
- no more decimals than the currency has (VND, JPY and KRW have none, USD, EUR and THB two);
- no sign, exponent, NaN or infinity; at most :data:`MAX_MINOR` minor units.

Conversions use the rates as quoted (units of the currency per US dollar) and round half to
even, once, at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from meetings.enums import CURRENCY_EXPONENT

# 10^15 minor units: a quadrillion đồng (about USD 40 billion) or ten trillion dollars. Anything
# larger is a typing accident; the bound also keeps every conversion inside a 64-bit integer.
MAX_MINOR = 10**15
MAX_INPUT_CHARS = 40

# Spaces people paste as thousands separators: normal, no-break, narrow no-break, thin.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
# ASCII digits only: "١٢٣" (Arabic-Indic) or full-width digits are not amounts.
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)
_GROUPED = re.compile(r"^\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?$", re.ASCII)
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?$", re.ASCII)


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENT[currency]
    except KeyError:
        raise ValidationError(_("Unknown currency."), code="currency") from None


def parse_amount(text: str, currency: str) -> int:
    """``"1,234.56"`` in USD → ``123456``. Raises :class:`ValidationError` with a message that
    says what to type instead."""
    places = exponent(currency)
    raw = (text or "").translate(_SPACES).strip()
    if not raw:
        raise ValidationError(_("Enter an amount."), code="required")
    if len(raw) > MAX_INPUT_CHARS:
        raise ValidationError(_("This amount is too long."), code="too_long")
    if raw.startswith("-"):
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if _DOTTED_THOUSANDS.match(raw):
        raise ValidationError(
            _(
                "Use a point for decimals and commas or spaces for thousands, "
                "e.g. 1,500,000 or 1,500.50."
            ),
            code="separators",
        )
    if _GROUPED.match(raw):
        digits = raw.replace(",", "").replace(" ", "")
    elif _PLAIN.match(raw):
        digits = raw
    else:
        raise ValidationError(
            _(
                "Enter a number such as 1500000, 1,500,000 or 1,500.50 "
                "(a point for decimals, commas or spaces for thousands)."
            ),
            code="invalid",
        )
    whole, _point, fraction = digits.partition(".")
    if len(fraction) > places:
        if places == 0:
            message = _("%(currency)s has no decimal places: enter a whole number.")
        else:
            message = _("%(currency)s has at most %(places)s decimal places.")
        raise ValidationError(
            message, code="decimals", params={"currency": currency, "places": places}
        )
    minor = int(whole) * 10**places + int(fraction.ljust(places, "0") or "0")
    validate_minor(minor)
    return minor


def validate_minor(minor: int) -> None:
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise ValidationError(_("Enter a whole number of minor units."), code="invalid")
    if minor < 0:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if minor > MAX_MINOR:
        raise ValidationError(_("This amount is too large."), code="too_large")


def to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units → an exact :class:`Decimal` in major units (``123456`` USD → ``1234.56``)."""
    return Decimal(minor).scaleb(-exponent(currency))


def format_amount(minor: int | None, currency: str, *, with_code: bool = True) -> str:
    """``123456, "USD"`` → ``"1,234.56 USD"``; grouping with commas as the input accepts."""
    if minor is None or not currency:
        return ""
    places = exponent(currency)
    text = f"{to_decimal(minor, currency):,.{places}f}"
    return f"{text} {currency}" if with_code else text


def format_rate(value: Decimal | None) -> str:
    """``Decimal("24350.000000")`` → ``"24,350"``; ``149.520000`` → ``"149.52"``."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():,f}"
    return text


def parse_rate(text: str) -> Decimal:
    """A rate as banks quote it: units of the currency per US dollar, e.g. ``24,350`` or
    ``149.52``. Positive, at most six decimals, under a billion."""
    raw = (text or "").translate(_SPACES).strip()
    if _GROUPED.match(raw):
        raw = raw.replace(",", "").replace(" ", "")
    if not _PLAIN.match(raw) or len(raw) > MAX_INPUT_CHARS:
        raise ValidationError(
            _("Enter a rate such as 24,350 or 149.52 (a point for decimals)."), code="invalid"
        )
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise ValidationError(_("Enter a valid rate."), code="invalid") from None
    if value <= 0:
        raise ValidationError(_("The rate must be greater than zero."), code="not_positive")
    if -value.as_tuple().exponent > 6:
        raise ValidationError(_("A rate has at most six decimal places."), code="decimals")
    if value >= 10**9:
        raise ValidationError(_("This rate is too large."), code="too_large")
    return value


@dataclass(frozen=True)
class Converted:
    usd_cents: int
    vnd: int


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def convert(
    *, minor: int, currency: str, units_per_usd: Decimal, vnd_per_usd: Decimal
) -> Converted:
    """Convert an amount to US cents and to đồng with the given (frozen) rates.

    ``usd = amount / units_per_usd``; ``vnd = amount × vnd_per_usd / units_per_usd``; each is
    computed exactly and rounded half to even once, at the end. A USD amount ignores
    ``units_per_usd`` (always 1) and a VND amount keeps its value in đồng exactly.
    """
    validate_minor(minor)
    if units_per_usd <= 0 or vnd_per_usd <= 0:
        raise ValueError("rates must be positive")
    amount = to_decimal(minor, currency)
    with localcontext() as ctx:
        ctx.prec = 60
        if currency == "USD":
            usd = amount
            vnd = amount * vnd_per_usd
        elif currency == "VND":
            usd = amount / vnd_per_usd
            vnd = amount
        else:
            usd = amount / units_per_usd
            vnd = amount * vnd_per_usd / units_per_usd
        return Converted(usd_cents=_round(usd * 100), vnd=_round(vnd))
