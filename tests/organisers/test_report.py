"""The end-of-fair report, page and PDF in Vietnamese and English: its headline numbers equal
the database's, its fonts are embedded; page images are kept as artifacts."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from exhibitors.enums import VisitKind
from exhibitors.models import Visit
from meetings.enums import MeetingStatus
from tests import factories
from tests.exhibitors.test_badge_pdf import embedded_fonts, poppler
from tests.meetings.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(fair, exhibitor_member, buyer_member):
    for i in range(3):
        badge = factories.BadgeFactory(fair=fair)
        Visit.objects.create(
            fair=fair,
            user=badge.user,
            badge=badge,
            kind=VisitKind.ONSITE,
            day=date(2021, 10, 20 + i % 2),
            at=datetime(2021, 10, 20 + i % 2, 3, tzinfo=UTC),
        )
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        status=MeetingStatus.HELD,
    )
    DealFactory(
        fair=fair,
        company=exhibitor_member.company,
        meeting=meeting,
        currency="USD",
        amount_minor=123456789,
        value_usd_cents=123456789,
        value_vnd=31_358_024_406,
    )
    return fair


def test_report_page_shows_the_three_numbers(login, organiser, scene):
    body = login(organiser).get(reverse("organisers:report")).content.decode()

    assert "1,234,567.89 USD" in body
    assert Visit.objects.filter(fair=scene).count() == 3
    assert '<p class="report-big">3</p>' in body


@pytest.mark.parametrize(
    ("language", "usd", "title"),
    [("vi", "1.234.567,89 USD", "Báo cáo"), ("en", "1,234,567.89 USD", "End-of-fair report")],
)
def test_report_pdf_in_each_language(
    login, organiser, scene, artifacts, tmp_path, language, usd, title
):
    response = login(organiser).get(reverse("organisers:report_pdf"), {"lang": language})
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)

    text = subprocess.run(  # noqa: S603
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(  # noqa: S603
        [poppler("pdftoppm"), "-r", "60", "-png", str(pdf), str(artifacts / f"report-{language}")],
        check=True,
    )

    assert response["Content-Type"] == "application/pdf"
    assert all(embedded for _name, embedded in embedded_fonts(pdf))
    assert usd in text
    assert title.lower() in text.lower()
