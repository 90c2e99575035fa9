"""The public supplier directory: diacritics-blind search, filters, pagination, query count."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from exhibitors import services
from exhibitors.enums import Attendance
from tests.exhibitors.factories import certification, sector
from tests.factories import BuyerCompanyFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def indexed(**kwargs):
    """A company whose search text and cached display are maintained as the services do (the
    service's on-commit renewal of the cached display runs as the commit would run it)."""
    sectors = kwargs.pop("sectors", [])
    certifications = kwargs.pop("certifications", [])
    company = CompanyFactory(**kwargs)
    company.sectors.set([sector(code) for code in sectors])
    company.certifications.set([certification(code) for code in certifications])
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.company_search_text_refresh(company=company)


def names(response):
    return sorted(c.name_en for c in response.context["page"].object_list)


@pytest.fixture
def catalogue(fair):
    return {
        "precision": indexed(
            fair=fair,
            name_en="Hanoi Precision",
            name_vi="Cơ khí chính xác Hà Nội",
            capabilities="Tiện CNC",
            sectors=["mechanical"],
            certifications=["iso9001"],
            key_product_name="Khuôn dập",
            key_product_year=2019,
        ),
        "plastics": indexed(
            fair=fair,
            name_en="Dong Nai Polymer",
            name_vi="Nhựa Đồng Nai",
            capabilities="Ép phun",
            city="Biên Hòa",
            sectors=["plastics"],
            certifications=["iatf16949"],
            attendance=Attendance.REMOTE,
        ),
        "foreign": indexed(
            fair=fair,
            name_en="Siam Metal",
            name_vi="",
            country="TH",
            capabilities="Die casting",
            sectors=["metal"],
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("co khi chinh xac", ["Hanoi Precision"]),
        ("Cơ khí CHÍNH XÁC", ["Hanoi Precision"]),
        ("nhua", ["Dong Nai Polymer"]),
        ("NHỰA", ["Dong Nai Polymer"]),
        ("dong nai", ["Dong Nai Polymer"]),
        ("bien hoa", ["Dong Nai Polymer"]),
        ("cao su", ["Dong Nai Polymer"]),  # from the sector label "Nhựa và cao su"
        ("die casting", ["Siam Metal"]),
        ("chinh xac nhua", []),  # every word must match
        ("", ["Dong Nai Polymer", "Hanoi Precision", "Siam Metal"]),
    ],
)
def test_directory_search_ignores_diacritics_and_case(client, catalogue, query, expected):
    response = client.get(reverse("exhibitors:directory"), {"q": query})
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "plastics"}, ["Dong Nai Polymer"]),
        ({"country": "TH"}, ["Siam Metal"]),
        ({"certification": "iso9001"}, ["Hanoi Precision"]),
        ({"key_product": "on"}, ["Hanoi Precision"]),
        ({"attendance": "remote"}, ["Dong Nai Polymer"]),
        ({"attendance": "onsite", "country": "VN"}, ["Hanoi Precision"]),
    ],
)
def test_directory_filters(client, catalogue, params, expected):
    assert names(client.get(reverse("exhibitors:directory"), params)) == expected


def test_directory_invalid_filter_value_is_an_error_not_a_500(client, catalogue):
    response = client.get(reverse("exhibitors:directory"), {"sector": "nope", "q": "nhua"})
    assert response.status_code == 200
    assert response.context["form"].errors["sector"]
    assert names(response) == ["Dong Nai Polymer"]  # the valid filter still applies


def test_directory_lists_exhibitors_of_current_fair_only(client, fair, catalogue):
    BuyerCompanyFactory(fair=fair, name_en="Hidden Buyer")
    CompanyFactory(fair__slug="older", fair__is_current=False, name_en="Old Fair Co")
    listed = names(client.get(reverse("exhibitors:directory")))
    assert "Hidden Buyer" not in listed
    assert "Old Fair Co" not in listed


def test_directory_paginates_24_per_page(client, fair):
    CompanyFactory.create_batch(30, fair=fair)
    first = client.get(reverse("exhibitors:directory"))
    second = client.get(reverse("exhibitors:directory"), {"page": 2})
    assert len(first.context["page"].object_list) == 24
    assert len(second.context["page"].object_list) == 6
    assert client.get(reverse("exhibitors:directory"), {"page": "x"}).status_code == 200


def _populate(fair, count):
    for i in range(count):
        indexed(
            fair=fair,
            name_en=f"Supplier {i:03d}",
            sectors=["mechanical", "plastics"],
            certifications=["iso9001", "iatf16949"],
            key_product_year=2020,
            key_product_name="Part",
        )


def _count_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exhibitors:directory"), {"q": "supplier"})
    assert response.status_code == 200
    return len(queries), len(response.context["page"].object_list)


def test_directory_query_count_does_not_grow_with_rows(client, fair, django_assert_num_queries):
    _populate(fair, 2)
    client.get("/")  # warm: the process's copy of the current fair is read once
    few, shown_few = _count_queries(client)
    _populate(fair, 48)
    with django_assert_num_queries(few):
        response = client.get(reverse("exhibitors:directory"), {"q": "supplier"})
    assert (shown_few, len(response.context["page"].object_list)) == (2, 24)


def test_company_name_with_html_is_escaped(client, fair):
    CompanyFactory(fair=fair, name_en="<script>alert(1)</script> Ltd", slug="xss")
    listing = client.get(reverse("exhibitors:directory")).content.decode()
    detail = client.get(reverse("exhibitors:company_detail", args=["xss"])).content.decode()
    for page in (listing, detail):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in page


def test_directory_search_with_a_nul_says_so_and_still_lists(client, fair):
    from exhibitors.models import Company
    from fairsite.textinput import UNSAFE_TEXT_MESSAGE
    from tests.factories import CompanyFactory

    CompanyFactory(fair=fair, name_en="Listed Supplier")
    before = Company.objects.count()

    response = client.get(reverse("exhibitors:directory"), {"q": "ab\x00c"})

    assert response.status_code == 200
    assert str(UNSAFE_TEXT_MESSAGE) in response.content.decode()
    assert "Listed Supplier" in response.content.decode()
    assert Company.objects.count() == before
