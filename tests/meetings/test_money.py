"""Exact money: parsing user input into minor units, formatting, and conversion."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meetings import money


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1,234,567", "VND", 1_234_567),
        ("1234567", "VND", 1_234_567),
        ("1 234 567", "VND", 1_234_567),
        ("1\u00a0234\u00a0567", "VND", 1_234_567),
        ("1234.56", "USD", 123_456),
        ("1,234.56", "USD", 123_456),
        ("1234.5", "USD", 123_450),
        ("1234", "USD", 123_400),
        ("150000", "JPY", 150_000),
        ("150,000", "JPY", 150_000),
        ("12.50", "THB", 1_250),
        ("0.01", "EUR", 1),
        ("2,500,000", "KRW", 2_500_000),
        ("  42 ", "USD", 4_200),
        ("0", "VND", 0),
        ("$5", "USD", 500),
        ("US$69,500.00", "USD", 6_950_000),
        ("5 USD", "USD", 500),
        ("₫1,500,000", "VND", 1_500_000),
        ("¥1,234", "JPY", 1_234),
        ("₩1,234", "KRW", 1_234),
    ],
)
def test_parse_amount_exact_in_every_currency(text, currency, minor):
    assert money.parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "code"),
    [
        ("12.5", "JPY", "decimals"),
        ("1.5", "VND", "decimals"),
        ("100.1", "KRW", "decimals"),
        ("1.234", "USD", "decimals"),
        ("0.001", "EUR", "decimals"),
        ("-5", "USD", "negative"),
        ("1.500.000", "VND", "separators"),
        ("1.500.000,50", "EUR", "separators"),
        ("1,5", "USD", "separators"),
        ("1,50,000", "VND", "invalid"),
        ("1,500 000", "VND", "invalid"),
        ("NaN", "USD", "invalid"),
        ("nan", "USD", "invalid"),
        ("inf", "USD", "invalid"),
        ("Infinity", "USD", "invalid"),
        ("1e6", "USD", "invalid"),
        ("+5", "USD", "invalid"),
        ("$5", "VND", "invalid"),
        ("5 JPY", "USD", "invalid"),
        ("USD", "USD", "invalid"),
        ("", "USD", "required"),
        ("1" * 41, "VND", "too_long"),
        ("1000000000000001", "VND", "too_large"),
        ("10000000000000.01", "USD", "too_large"),
        ("١٢٣", "VND", "invalid"),
    ],
)
def test_parse_amount_rejects_with_a_reason(text, currency, code):
    with pytest.raises(ValidationError) as caught:
        money.parse_amount(text, currency)

    assert caught.value.code == code


def test_parse_amount_message_names_the_currency_without_decimals():
    with pytest.raises(ValidationError) as caught:
        money.parse_amount("12.5", "JPY")

    assert "JPY" in caught.value.messages[0]


def test_parse_amount_unknown_currency_is_refused():
    with pytest.raises(ValidationError):
        money.parse_amount("5", "XAU")


def test_max_amount_is_accepted():
    assert money.parse_amount("1,000,000,000,000,000", "VND") == money.MAX_MINOR


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1_234_567, "VND", "₫1,234,567"),
        (123_456, "USD", "US$1,234.56"),
        (150_000, "JPY", "¥150,000"),
        (1_250, "THB", "THB12.50"),
        (5, "EUR", "€0.05"),
    ],
)
def test_format_amount_round_trips(minor, currency, text):
    assert money.format_amount(minor, currency) == text
    assert money.parse_amount(text, currency) == minor
    plain = money.format_amount(minor, currency, with_code=False)
    assert money.parse_amount(plain, currency) == minor


def test_format_rate_never_uses_exponents():
    assert money.format_rate(Decimal("24350.000000")) == "24,350"
    assert money.format_rate(Decimal("149.520000")) == "149.52"
    assert money.format_rate(Decimal("0.900000")) == "0.9"


@pytest.mark.parametrize(
    ("text", "value"), [("24,350", Decimal("24350")), ("149.52", Decimal("149.52"))]
)
def test_parse_rate_accepts_quoted_rates(text, value):
    assert money.parse_rate(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "abc", "1.1234567", "1e3", "NaN", "1000000000"])
def test_parse_rate_rejects_nonsense(text):
    with pytest.raises(ValidationError):
        money.parse_rate(text)


RATES = {"units_per_usd": Decimal("150"), "vnd_per_usd": Decimal("25000")}


def test_convert_jpy_to_usd_and_vnd():
    converted = money.convert(minor=150_000, currency="JPY", **RATES)

    assert converted == money.Converted(usd_cents=100_000, vnd=25_000_000)


def test_convert_usd_ignores_its_rate_and_keeps_cents():
    converted = money.convert(
        minor=123_456, currency="USD", units_per_usd=Decimal("7"), vnd_per_usd=Decimal("25000")
    )

    assert converted == money.Converted(usd_cents=123_456, vnd=30_864_000)


def test_convert_vnd_keeps_dong_exactly():
    converted = money.convert(
        minor=1_234_567, currency="VND", units_per_usd=Decimal("1"), vnd_per_usd=Decimal("25000")
    )

    # 1,234,567 / 25,000 = 49.38268 USD → 4938.268 cents → 4938.
    assert converted == money.Converted(usd_cents=4_938, vnd=1_234_567)


def test_convert_rounds_half_to_even():
    # 1 JPY at 200 JPY/USD = 0.5 cent → 0 (even); 3 JPY = 1.5 cents → 2 (even).
    rates = {"units_per_usd": Decimal("200"), "vnd_per_usd": Decimal("25000")}

    assert money.convert(minor=1, currency="JPY", **rates).usd_cents == 0
    assert money.convert(minor=3, currency="JPY", **rates).usd_cents == 2
    assert money.convert(minor=5, currency="JPY", **rates).usd_cents == 2


def test_convert_largest_amount_stays_exact():
    converted = money.convert(
        minor=money.MAX_MINOR,
        currency="EUR",
        **{"units_per_usd": Decimal("0.9"), "vnd_per_usd": Decimal("25000")},
    )

    # 10^13 EUR / 0.9 = 11,111,111,111,111.11… USD
    assert converted.usd_cents == 1_111_111_111_111_111
    assert converted.vnd == 277_777_777_777_777_778


# --- Each language's own way of writing numbers ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "currency", "minor"),
    [
        ("vi", "1.500.000.000 ₫", "VND", 1_500_000_000),
        ("vi", "1.500.000.000", "VND", 1_500_000_000),
        ("vi", "1.500.000.000đ", "VND", 1_500_000_000),
        ("vi", "1 500 000 000", "VND", 1_500_000_000),
        ("vi", "69.500,00 US$", "USD", 6_950_000),
        ("vi", "12,5", "USD", 1_250),
        ("vi", "1.500", "VND", 1_500),
        ("en", "US$69,500.00", "USD", 6_950_000),
        ("en", "1,500,000,000", "VND", 1_500_000_000),
        ("ja", "¥1,234", "JPY", 1_234),
        ("ja", "￥1,234", "JPY", 1_234),
        ("ja", "1,234円", "JPY", 1_234),
        ("ko", "₩1,234", "KRW", 1_234),
        ("ko", "1,234원", "KRW", 1_234),
        ("ko", "US$69,500.00", "USD", 6_950_000),
    ],
)
def test_parse_amount_in_the_readers_language(language, text, currency, minor):
    assert money.parse_amount(text, currency, locale=language) == minor


@pytest.mark.parametrize(
    ("language", "text", "currency", "code"),
    [
        ("vi", "1,500,000", "VND", "separators"),
        ("vi", "1500000.50", "USD", "separators"),
        ("vi", "12,345", "VND", "decimals"),
        ("en", "1.500.000.000", "VND", "separators"),
        ("ja", "1.234", "JPY", "decimals"),
        ("ko", "1.234.567", "KRW", "separators"),
    ],
)
def test_parse_amount_refuses_the_other_languages_separators(language, text, currency, code):
    with pytest.raises(ValidationError) as caught:
        money.parse_amount(text, currency, locale=language)

    assert caught.value.code == code


def test_separators_message_shows_what_to_type_in_vietnamese():
    with pytest.raises(ValidationError) as caught:
        money.parse_amount("1,500,000", "VND", locale="vi")

    assert "1.500.000" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("language", "minor", "currency", "text"),
    [
        ("vi", 1_500_000_000, "VND", "1.500.000.000 ₫"),
        ("vi", 6_950_000, "USD", "69.500,00 US$"),
        ("en", 6_950_000, "USD", "US$69,500.00"),
        ("en", 1_500_000_000, "VND", "₫1,500,000,000"),
        ("ja", 1_234, "JPY", "¥1,234"),
        ("ja", 6_950_000, "USD", "US$69,500.00"),
        ("ko", 1_234, "KRW", "₩1,234"),
        ("ko", 6_950_000, "USD", "US$69,500.00"),
    ],
)
def test_format_amount_in_the_readers_language(language, minor, currency, text):
    shown = money.format_amount(minor, currency, locale=language)

    assert shown.replace("\u00a0", " ") == text
    assert money.parse_amount(shown, currency, locale=language) == minor


def test_format_amount_follows_the_active_language():
    from django.utils import translation

    with translation.override("vi"):
        assert money.format_amount(1_500_000_000, "VND", with_code=False) == "1.500.000.000"
    with translation.override("en"):
        assert money.format_amount(1_500_000_000, "VND", with_code=False) == "1,500,000,000"


def test_format_plain_is_for_programs():
    assert money.format_plain(6_950_000, "USD") == "69500.00"
    assert money.format_plain(1_500_000_000, "VND") == "1500000000"
    assert money.format_plain(None, "USD") == ""


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("vi", "24.350", Decimal("24350")),
        ("vi", "149,52", Decimal("149.52")),
        ("en", "24,350", Decimal("24350")),
        ("ja", "149.52", Decimal("149.52")),
    ],
)
def test_rates_are_typed_in_the_readers_way(language, text, value):
    assert money.parse_rate(text, locale=language) == value
    assert money.parse_rate(money.format_rate(value, locale=language), locale=language) == value


def test_vietnamese_rate_with_points_between_thousands_is_never_read_as_a_decimal():
    assert money.parse_rate("24.350", locale="vi") == Decimal("24350")
    assert money.parse_rate("24.350", locale="en") == Decimal("24.35")
