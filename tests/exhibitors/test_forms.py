"""Bad input on every form gives form errors (never a 500) and stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exhibitors.forms import AccountForm, BadgeForm, CompanyForm, JoinCompanyForm
from exhibitors.models import Badge, Company, Member
from fairsite.models import User
from tests.exhibitors.factories import image_upload
from tests.factories import PASSWORD, CompanyFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {"name_en": "Good Parts", "country": "VN", "attendance": "onsite"}


def company_form(data, files=None, role="exhibitor"):
    from fairsite.forms import new_submission_key

    return CompanyForm({"submission_key": new_submission_key(), **data}, files, role=role)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name_en": ""}, "name_en"),
        ({"name_en": "x" * 201}, "name_en"),
        ({"name_en": "<b>Bold</b> Co"}, "name_en"),
        ({"name_vi": "Công ty <script>"}, "name_vi"),
        ({"city": "y" * 101}, "city"),
        ({"description": "z" * 4001}, "description"),
        ({"country": "XX"}, "country"),
        ({"attendance": "teleport"}, "attendance"),
        ({"employees": "many"}, "employees"),
        ({"employees": "-3"}, "employees"),
        ({"key_product_year": "1999", "key_product_name": "P"}, "key_product_year"),
        ({"key_product_year": "abc"}, "key_product_year"),
        ({"key_product_year": "2020"}, "key_product_name"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://example.com"}, "website"),
        ({"sectors": ["999999"]}, "sectors"),
        ({"languages": ["xx"]}, "languages"),
    ],
)
def test_company_form_rejects_bad_input(data, field):
    form = company_form({**GOOD, **data})
    assert not form.is_valid()
    assert field in form.errors


def test_company_form_accepts_good_input_and_drops_other_roles_fields():
    form = company_form({**GOOD, "sourcing_needs": "ignored for exhibitors"})
    assert form.is_valid(), form.errors
    assert "sourcing_needs" not in form.profile()
    buyer = company_form({**GOOD, "capabilities": "ignored"}, role="buyer")
    assert buyer.is_valid(), buyer.errors
    assert "capabilities" not in buyer.profile()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png"),
        SimpleUploadedFile("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        SimpleUploadedFile("logo.png", b"GIF89a" + b"\x00" * 20, content_type="image/gif"),
    ],
)
def test_company_form_rejects_logo_that_is_not_an_image(upload):
    form = company_form(GOOD, {"logo": upload})
    assert not form.is_valid()
    assert "logo" in form.errors


def test_company_form_rejects_oversized_logo(settings):
    settings.LOGO_MAX_BYTES = 100
    form = company_form(GOOD, {"logo": image_upload(size=(300, 300))})
    assert not form.is_valid()
    assert "logo" in form.errors


def test_company_form_turns_jpeg_logo_into_png():
    form = company_form(GOOD, {"logo": image_upload(name="photo.exe")})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["logo"].name == "logo.png"
    assert form.cleaned_data["logo"].read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "", "time_zone": "UTC", "language": "en"},
        {"full_name": "a" * 151, "time_zone": "UTC", "language": "en"},
        {"full_name": "<i>x</i>", "time_zone": "UTC", "language": "en"},
        {"full_name": "A", "time_zone": "Mars/Base", "language": "en"},
        {"full_name": "A", "time_zone": "", "time_zone_other": "Not/AZone", "language": "en"},
        {"full_name": "A", "time_zone": "", "language": "en"},
        {"full_name": "A", "time_zone": "UTC", "language": "xx"},
    ],
)
def test_account_form_rejects_bad_input(data):
    form = AccountForm(data, user=UserFactory.build())
    assert not form.is_valid()


def test_join_form_only_offers_companies_of_own_role_and_fair(fair):
    buyer = CompanyFactory(fair=fair, role="buyer")
    other_fair = CompanyFactory(fair__slug="other-fair", fair__is_current=False)
    for company in (buyer, other_fair):
        form = JoinCompanyForm({"company": company.pk}, fair=fair, role="exhibitor")
        assert not form.is_valid()
        assert "company" in form.errors


def test_badge_form_rejects_html_and_long_text():
    assert not BadgeForm({"organisation": "<a href=x>"}).is_valid()
    assert not BadgeForm({"organisation": "o" * 201}).is_valid()


# Through the views: errors on the page, nothing stored.


def test_create_company_view_bad_input_stores_nothing(client, fair):
    user = UserFactory(kind="exhibitor")
    client.force_login(user)
    response = client.post(
        reverse("exhibitors:company_create"),
        {
            "name_en": "<script>alert(1)</script>",
            "country": "VN",
            "attendance": "onsite",
            "employees": "lots",
            "logo": SimpleUploadedFile("x.png", b"%PDF-1.4 not an image"),
            "job_title": "j" * 500,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "errorlist" in page
    assert not Company.objects.exists()
    assert not Member.objects.exists()


def test_edit_company_view_bad_input_changes_nothing(client, fair):
    member = MemberFactory(company__fair=fair, company__name_en="Original")
    client.force_login(member.user)
    response = client.post(
        reverse("exhibitors:company_edit", args=[member.company.slug]),
        {"name_en": "x" * 500, "country": "VN", "attendance": "onsite"},
    )
    member.company.refresh_from_db()
    assert response.status_code == 200
    assert member.company.name_en == "Original"


def test_signup_bad_input_creates_no_user(client, fair):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "not-an-email",
            "password1": PASSWORD,
            "password2": "different",
            "full_name": "<b>x</b>",
            "kind": "pirate",
            "language": "xx",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "password2", "full_name", "kind", "language"} <= set(errors)
    assert not User.objects.exists()


def test_badge_view_bad_input_issues_nothing(client, fair):
    client.force_login(UserFactory())
    response = client.post(reverse("exhibitors:badge"), {"organisation": "<img src=x>"})
    assert response.status_code == 200
    assert not Badge.objects.exists()


def test_zone_picked_from_the_list_wins_over_a_typed_one():
    from exhibitors.forms import AccountForm
    from tests.factories import UserFactory

    user = UserFactory.build()
    form = AccountForm(
        data={
            "full_name": "Sato",
            "time_zone": "Asia/Tokyo",
            "time_zone_other": "Asia/Saigon",
            "language": "ja",
        },
        user=user,
    )
    assert form.is_valid(), form.errors
    assert form.resolved_time_zone() == "Asia/Tokyo"
