"""Money, exactly, in the reader's conventions: amounts are integers of the currency's minor
unit, never floats; people type and read them the way their language writes numbers.

Reading and writing follow the active language (``vi``, ``en``, ``ja``, ``ko``; CLDR data from
Babel), see ``docs/deals.md``:

- Vietnamese groups thousands with points and writes decimals after a comma:
  ``1.500.000.000 ₫``, ``69.500,00 US$``; English, Japanese and Korean group with commas and
  write a decimal point: ``US$69,500.00``, ``¥1,234``, ``₩1,234``;
- spaces (also no-break and thin ones) may group thousands in every language;
- the currency's own symbol or code may be typed before or after the number (``₫``, ``đ``,
  ``VND``; ``US$``, ``$``, ``USD``; ``¥``, ``￥``, ``円``, ``JPY``; ``₩``, ``원``, ``KRW``; ``฿``,
  ``THB``; ``€``, ``EUR``); another currency's symbol is refused;
- groups are of three digits; the other language's separators (``1,500,000`` typed in
  Vietnamese, ``1.500.000`` typed in English) are refused with an example of what to type,
  never guessed;
- no more decimals than the currency has (VND, JPY and KRW have none, USD, EUR and THB two);
- no sign, exponent, NaN or infinity; at most :data:`MAX_MINOR` minor units.

Shown: :func:`format_amount` (with the currency's symbol) everywhere people read amounts;
:func:`format_plain` (``1500000.50``) in CSV files, which spreadsheets read in any language.

Conversions use the rates as quoted (units of the currency per US dollar) and round half to
even, once, at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

from babel import numbers as babel_numbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from meetings.enums import CURRENCY_EXPONENT

# 10^15 minor units: a quadrillion đồng (about USD 40 billion) or ten trillion dollars. Anything
# larger is a typing accident; the bound also keeps every conversion inside a 64-bit integer.
MAX_MINOR = 10**15
MAX_INPUT_CHARS = 40

# The CLDR locale for each interface language (anything else reads and writes as English).
LOCALES = {"vi": "vi", "en": "en", "ja": "ja", "ko": "ko"}

# What may be typed next to a number for each currency (compared case-insensitively).
CURRENCY_MARKERS = {
    "VND": ("₫", "đ", "vnd", "đồng", "dong"),
    "USD": ("us$", "$", "usd"),
    "JPY": ("jp¥", "¥", "￥", "円", "jpy"),
    "KRW": ("₩", "￦", "원", "krw"),
    "THB": ("฿", "thb"),
    "EUR": ("€", "eur"),
}
# Symbols as shown: one dollar sign that says which dollar, and the yen sign every reader
# types (CLDR gives a bare "$" in English and Japanese and a full-width "￥" in Japanese).
_SHOWN_SYMBOL = {("USD", "$"): "US$", ("JPY", "￥"): "¥"}

# Spaces people paste as thousands separators: normal, no-break, narrow no-break, thin.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
# ASCII digits only: "١٢٣" (Arabic-Indic) or full-width digits are not amounts.
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)
_GROUPED = re.compile(r"^\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?$", re.ASCII)


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENT[currency]
    except KeyError:
        raise ValidationError(_("Unknown currency."), code="currency") from None


def reader_locale(language: str | None = None) -> str:
    """The CLDR locale for ``language`` (default: the active language)."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE or "en").lower()
    return LOCALES.get(code.split("-")[0].split("_")[0], "en")


def separators(locale: str | None = None) -> tuple[str, str]:
    """``(decimal, group)`` of the reader's language: ``(",", ".")`` in Vietnamese."""
    loc = reader_locale(locale)
    return babel_numbers.get_decimal_symbol(loc), babel_numbers.get_group_symbol(loc)


def _number_pattern(decimal: str, group: str) -> re.Pattern[str]:
    d, g = re.escape(decimal), re.escape(group)
    return re.compile(
        rf"^(?:\d{{1,3}}(?:(?P<sep>{g}| )\d{{3}})(?:(?P=sep)\d{{3}})*|\d+)(?:{d}(?P<frac>\d+))?$",
        re.ASCII,
    )


def _strip_markers(raw: str, currency: str) -> tuple[str, bool]:
    """``raw`` without this currency's symbol or code at either end; ``False`` when some other
    letter or symbol is left (another currency's, or anything that is not a number)."""
    lowered = raw.lower()
    for marker in sorted(CURRENCY_MARKERS.get(currency, ()), key=len, reverse=True):
        if lowered.startswith(marker):
            raw, lowered = raw[len(marker) :].strip(), lowered[len(marker) :].strip()
            break
        if lowered.endswith(marker):
            raw, lowered = raw[: -len(marker)].strip(), lowered[: -len(marker)].strip()
            break
    return raw, not re.search(r"[^\d., ]", raw)


def example(currency: str, locale: str | None = None) -> str:
    """An amount of this currency as the reader types it: ``1.500.000`` or ``1,500.50``."""
    places = exponent(currency)
    return format_amount(
        1_500_000 if places == 0 else 150_050, currency, with_code=False, locale=locale
    )


def parse_amount(text: str, currency: str, *, locale: str | None = None) -> int:
    """``"1.500.000.000 ₫"`` in Vietnamese or ``"US$1,234.56"`` in English → minor units.
    Raises :class:`ValidationError` with a message that says what to type instead."""
    places = exponent(currency)
    loc = reader_locale(locale)
    decimal, group = separators(loc)
    raw = (text or "").translate(_SPACES).strip()
    if not raw:
        raise ValidationError(_("Enter an amount."), code="required")
    if len(raw) > MAX_INPUT_CHARS:
        raise ValidationError(_("This amount is too long."), code="too_long")
    if raw.startswith("-") or raw.endswith("-"):
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    raw, clean = _strip_markers(raw, currency)
    hint = {"example": example(currency, loc), "currency": currency}
    if not clean or not raw:
        raise ValidationError(
            _("Enter a number such as %(example)s (in %(currency)s)."), code="invalid", params=hint
        )
    found = _number_pattern(decimal, group).match(raw)
    if found is None:
        other = _number_pattern(group, decimal).match(raw)
        if other is not None and (decimal in raw or group in raw):
            raise ValidationError(
                _(
                    "Write the amount as %(example)s: “%(decimal)s” for decimals, “%(group)s” or a "
                    "space between thousands."
                ),
                code="separators",
                params={**hint, "decimal": decimal, "group": group},
            )
        raise ValidationError(
            _("Enter a number such as %(example)s (in %(currency)s)."), code="invalid", params=hint
        )
    fraction = found.group("frac") or ""
    whole = raw[: found.start("frac") - len(decimal)] if fraction else raw
    whole = whole.replace(group, "").replace(" ", "")
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


def format_amount(
    minor: int | None, currency: str, *, with_code: bool = True, locale: str | None = None
) -> str:
    """An amount as the reader writes it: ``150000000000, "VND"`` → ``"1.500.000.000 ₫"`` in
    Vietnamese; ``6950000, "USD"`` → ``"US$69,500.00"`` in English. ``with_code=False`` leaves
    the symbol out (``"1.500.000.000"``: what a form shows back for editing)."""
    if minor is None or not currency:
        return ""
    places = exponent(currency)
    loc = reader_locale(locale)
    value = to_decimal(minor, currency)
    if not with_code:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return babel_numbers.format_decimal(value, format=pattern, locale=loc)
    pattern = babel_numbers.Locale.parse(loc).currency_formats["standard"].pattern
    pattern = pattern.split(";")[0].replace(
        "#,##0.00", "#,##0" + ("." + "0" * places if places else "")
    )
    text = babel_numbers.format_currency(
        value, currency, format=pattern, locale=loc, currency_digits=False
    )
    symbol = babel_numbers.get_currency_symbol(currency, locale=loc)
    shown = _SHOWN_SYMBOL.get((currency, symbol))
    return text.replace(symbol, shown) if shown else text


def format_plain(minor: int | None, currency: str) -> str:
    """For files read by programs (CSV): ``1500000.50``, a point and no grouping."""
    if minor is None or not currency:
        return ""
    return f"{to_decimal(minor, currency):.{exponent(currency)}f}"


def format_rate(value: Decimal | None, *, locale: str | None = None) -> str:
    """``Decimal("24350.000000")`` → ``"24,350"`` (``"24.350"`` in Vietnamese); ``149.520000``
    → ``"149.52"`` (``"149,52"``): no trailing zeros, never an exponent."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(
        Decimal(value).normalize(), format="#,##0.######", locale=reader_locale(locale)
    )


def parse_rate(text: str, *, locale: str | None = None) -> Decimal:
    """A rate as banks quote it, in the reader's conventions: units of the currency per US
    dollar, e.g. ``24,350`` or ``149.52`` (``24.350`` or ``149,52`` in Vietnamese). Positive,
    at most six decimals, under a billion."""
    loc = reader_locale(locale)
    decimal, group = separators(loc)
    raw = (text or "").translate(_SPACES).strip()
    found = _number_pattern(decimal, group).match(raw) if len(raw) <= MAX_INPUT_CHARS else None
    if found is None:
        raise ValidationError(
            _("Enter a rate such as %(whole)s or %(fraction)s."),
            code="invalid",
            params={
                "whole": format_rate(Decimal("24350"), locale=loc),
                "fraction": format_rate(Decimal("149.52"), locale=loc),
            },
        )
    fraction = found.group("frac") or ""
    whole = raw[: found.start("frac") - len(decimal)] if fraction else raw
    raw = whole.replace(group, "").replace(" ", "") + ("." + fraction if fraction else "")
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
