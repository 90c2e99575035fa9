"""Exports: what people typed stays text (CSV and XLSX), rows equal the database's, one day."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from exhibitors.enums import VisitKind
from exhibitors.models import Visit
from meetings.models import Deal
from tests import factories
from tests.meetings.factories import DealFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example","click")'


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def scene(fair, exhibitor_member):
    DealFactory(fair=fair, company=exhibitor_member.company, counterpart_name=EVIL, notes="+1")
    for day in (date(2021, 10, 20), date(2021, 10, 21)):
        badge = factories.BadgeFactory(fair=fair, organisation=EVIL)
        Visit.objects.create(
            fair=fair,
            user=badge.user,
            badge=badge,
            kind=VisitKind.ONSITE,
            day=day,
            at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        )
    return fair


def test_csv_keeps_a_formula_as_text(login, organiser, scene):
    response = login(organiser).get(reverse("organisers:export", args=["contacts", "csv"]))

    rows = read_csv(response)
    assert response["Content-Type"].startswith("text/csv")
    assert rows[1][2] == "'" + EVIL
    assert rows[1][9] == "'+1"


def test_xlsx_keeps_a_formula_as_a_text_cell(login, organiser, scene):
    response = login(organiser).get(reverse("organisers:export", args=["contacts", "xlsx"]))

    rows = read_xlsx(response)
    cell = rows[1][2]
    assert (cell.data_type, cell.value) == ("s", "'" + EVIL)
    assert rows[1][9].value == "'+1"


def test_without_safe_cell_the_xlsx_cell_would_be_a_formula(login, organiser, scene, monkeypatch):
    """Negative control: openpyxl itself turns "=…" text into a formula."""
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active["A1"] = EVIL
    out = io.BytesIO()
    book.save(out)

    assert load_workbook(out).active["A1"].data_type == "f"


def test_rows_equal_the_database_and_a_day_filters(login, organiser, scene):
    client = login(organiser)
    url = reverse("organisers:export", args=["visits", "xlsx"])

    everything = read_xlsx(client.get(url))
    one_day = read_xlsx(client.get(url, {"day": "2021-10-21"}))
    visitors = read_csv(
        client.get(reverse("organisers:export", args=["visitors", "csv"]), {"day": "2021-10-20"})
    )

    assert len(everything) - 1 == Visit.objects.filter(fair=scene).count() == 2
    assert [row[0].value for row in one_day[1:]] == ["2021-10-21"]
    assert len(visitors) - 1 == 1 and visitors[1][2] == "'" + EVIL
    deals = read_csv(client.get(reverse("organisers:export", args=["deals", "csv"])))
    assert len(deals) - 1 == Deal.objects.filter(fair=scene, meeting__isnull=False).count()


def test_bad_day_and_unknown_table_change_nothing(login, organiser, scene):
    client = login(organiser)

    bad = client.get(reverse("organisers:export", args=["visits", "csv"]), {"day": "yesterday"})
    outside = client.get(
        reverse("organisers:export", args=["visits", "csv"]), {"day": "2020-01-01"}
    )
    unknown = client.get(reverse("organisers:export", args=["passwords", "csv"]))
    odd = client.get(reverse("organisers:export", args=["visits", "pdf"]))

    assert [r.status_code for r in (bad, outside, unknown, odd)] == [400, 400, 404, 404]
    assert "2021-10-20" in bad.content.decode()


def test_export_query_count_is_constant(login, organiser, scene, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(organiser)
    url = reverse("organisers:export", args=["visits", "csv"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        badge = factories.BadgeFactory(fair=scene)
        Visit.objects.create(
            fair=scene,
            user=badge.user,
            badge=badge,
            kind="online",
            day=date(2021, 10, 22),
            at=datetime(2021, 10, 22, 3, tzinfo=UTC),
        )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
