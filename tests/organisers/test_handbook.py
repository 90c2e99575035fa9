"""The supporting-industry handbook: requested by an organiser, built by a background task
after commit, with a table of contents, an index, key products highlighted; page images kept."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.urls import reverse

from organisers.models import Handbook
from tests import factories
from tests.exhibitors.test_badge_pdf import embedded_fonts, poppler

pytestmark = pytest.mark.django_db


@pytest.fixture
def exhibitors(fair):
    from exhibitors.models import Sector

    moulds = Sector.objects.get(code="mechanical")
    made = [
        factories.CompanyFactory(
            fair=fair,
            name_vi="Công ty Cổ phần Khuôn mẫu Hà Nội",
            name_en="Hanoi Mould JSC",
            city="Hà Nội",
            booth="B12",
            capabilities="Khuôn ép nhựa chính xác",
            key_product_name="Khuôn ép nhựa",
            key_product_year=2020,
        ),
        factories.CompanyFactory(
            fair=fair, name_vi="Công ty TNHH Cơ khí Đông Anh", name_en="Dong Anh Mechanical"
        ),
    ]
    for company in made:
        company.sectors.set([moulds])
    return made


def test_organiser_generates_the_handbook_in_the_background(
    login, organiser, fair, exhibitors, django_capture_on_commit_callbacks, artifacts, tmp_path
):
    client = login(organiser)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("organisers:handbook"), {"language": "vi"})
    pending = Handbook.objects.get(fair=fair, language="vi").status
    for callback in callbacks:
        callback()
    book = Handbook.objects.get(fair=fair, language="vi")
    response = client.get(reverse("organisers:handbook_pdf", args=["vi"]))
    pdf = tmp_path / "handbook.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(  # noqa: S603
        [poppler("pdftoppm"), "-r", "50", "-png", str(pdf), str(artifacts / "handbook-vi")],
        check=True,
    )

    assert (pending, book.status, book.exhibitors) == ("pending", "ready", 2)
    assert "Công ty Cổ phần Khuôn mẫu Hà Nội" in text
    assert "Khuôn ép nhựa" in text and "(2020)" in text
    assert all(embedded for _name, embedded in embedded_fonts(pdf))
    # The contents give page numbers after leader dots, the index after a dash.
    assert re.search(r"Công ty TNHH Cơ khí Đông Anh\s*—\s*\d+", text)
    assert re.search(r"Cơ khí chế tạo và khuôn mẫu\s*\.{3,}\s*3", text, re.IGNORECASE)


def test_bad_language_changes_nothing_and_missing_pdf_is_404(login, organiser, fair):
    client = login(organiser)

    response = client.post(reverse("organisers:handbook"), {"language": "xx"}, follow=True)
    missing = client.get(reverse("organisers:handbook_pdf", args=["en"]))

    assert "Choose Vietnamese or English." in response.content.decode()
    assert Handbook.objects.count() == 0
    assert missing.status_code == 404
