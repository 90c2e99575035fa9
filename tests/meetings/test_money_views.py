"""Money typed and read in the reader's conventions on every page: the deal form, the deal log,
the organisers' dashboard and its JSON, and the CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse

from meetings.enums import DealStage
from meetings.models import Deal
from tests.meetings.factories import DealFactory

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_vietnamese_exhibitor_logs_dong_with_points_between_thousands(
    login, meeting, exhibitor_member, rates
):
    client = _in(login(exhibitor_member.user), "vi")

    response = client.post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": "1.500.000.000 ₫", "currency": "VND"},
    )

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.currency, deal.amount_minor) == ("VND", 1_500_000_000)
    page = client.get(reverse("meetings:deal_detail", args=[deal.pk])).content.decode()
    assert "1.500.000.000\u00a0₫" in page


def test_english_reader_is_told_how_to_type_when_using_points_for_thousands(
    login, meeting, exhibitor_member, rates
):
    client = _in(login(exhibitor_member.user), "en")

    response = client.post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": "1.500.000.000", "currency": "VND"},
    )

    assert response.status_code == 200
    assert "1,500,000" in response.content.decode()
    assert Deal.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "amount", "currency", "minor"),
    [
        ("ja", "¥1,234", "JPY", 1_234),
        ("ko", "₩1,234", "KRW", 1_234),
        ("en", "US$69,500.00", "USD", 6_950_000),
        ("vi", "69.500,00", "USD", 6_950_000),
    ],
)
def test_each_language_logs_its_own_amounts(
    login, meeting, buyer_member, rates, language, amount, currency, minor
):
    client = _in(login(buyer_member.user), language)

    response = client.post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.SAMPLES, "amount": amount, "currency": currency},
    )

    assert response.status_code == 302
    assert Deal.objects.get().amount_minor == minor


def test_edit_form_shows_the_amount_back_in_the_readers_way(
    login, meeting, exhibitor_member, rates
):
    client = _in(login(exhibitor_member.user), "vi")
    client.post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": "1.500.000.000", "currency": "VND"},
    )
    deal = Deal.objects.get()

    page = client.get(reverse("meetings:deal_edit", args=[deal.pk])).content.decode()

    assert 'value="1.500.000.000"' in page


def test_dashboard_shows_formatted_totals_never_minor_units(login, organiser, fair):
    DealFactory(fair=fair, currency="USD", amount_minor=6_950_000, value_usd_cents=6_950_000)
    client = _in(login(organiser), "en")

    page = client.get(reverse("organisers:dashboard")).content.decode()
    stats = client.get(reverse("organisers:stats")).json()

    # The page fills its figures from the same data in the reader's language (organisers'
    # dashboard script); what it shows before that holds no raw minor units.
    shown = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert "6950000" not in shown
    assert stats["deals"]["per_currency"][0]["display"] == "US$69,500.00"
    assert stats["deals"]["usd"] == "US$69,500.00"


def test_dashboard_in_vietnamese(login, organiser, fair):
    DealFactory(fair=fair, currency="VND", amount_minor=1_500_000_000, value_vnd=1_500_000_000)
    client = _in(login(organiser), "vi")

    stats = client.get(reverse("organisers:stats")).json()

    assert stats["deals"]["per_currency"][0]["display"] == "1.500.000.000\u00a0₫"


def test_csv_export_has_a_byte_order_mark_and_plain_decimals(login, organiser, fair):
    DealFactory(fair=fair, currency="USD", amount_minor=6_950_000, value_usd_cents=6_950_000)
    client = _in(login(organiser), "vi")

    response = client.get(reverse("meetings:deal_export"))
    body = response.content.decode("utf-8")

    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert (rows[0]["amount"], rows[0]["value_usd"]) == ("69500.00", "69500.00")


def test_money_template_filter_follows_the_language():
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load money %}{{ amount|money:currency }}")
    with translation.override("vi"):
        text = template.render(Context({"amount": 1_500_000_000, "currency": "VND"}))
    assert text == "1.500.000.000\u00a0₫"
    with translation.override("ko"):
        assert template.render(Context({"amount": 1234, "currency": "KRW"})) == "₩1,234"
    assert template.render(Context({"amount": None, "currency": "KRW"})) == ""
