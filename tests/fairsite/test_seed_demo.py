import importlib.util
import sys
import types
import unicodedata
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command

from exhibitors.enums import CompanyRole, VisitKind
from exhibitors.models import Badge, Company, Member, Visit
from fairsite.demo import DEMO_PASSWORD, DEMO_SLUG, DemoSize, builder, demo_fair_create
from fairsite.enums import ORGANISERS_GROUP, AccountKind
from fairsite.models import Fair, User
from tests.factories import FairFactory, UserFactory

BUYER_TIME_ZONES = {
    "JP": {"Asia/Tokyo"},
    "KR": {"Asia/Seoul"},
    "US": {"America/New_York", "America/Chicago", "America/Los_Angeles"},
    "TH": {"Asia/Bangkok"},
}
BUYER_LANGUAGES = {"JP": "ja", "KR": "ko", "US": "en", "TH": "en"}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    fair = Fair.objects.get(slug=DEMO_SLUG)
    companies = Company.objects.filter(fair=fair).order_by("role", "slug")
    return {
        "companies": list(
            companies.values_list(
                "role", "slug", "name_vi", "name_en", "name_native", "city", "booth"
            )
        ),
        "texts": list(companies.values_list("capabilities", "sourcing_needs", "search_text")),
        "members": sorted(
            Member.objects.filter(fair=fair).values_list("company__slug", "user__email")
        ),
        "badges": sorted(Badge.objects.filter(fair=fair).values_list("user__email", "code")),
        "visits": sorted(
            Visit.objects.filter(fair=fair).values_list("badge__code", "kind", "day", "at")
        ),
    }


@pytest.mark.django_db
def test_seed_demo_creates_the_current_fair():
    seed()

    fair = Fair.objects.get(slug=DEMO_SLUG)
    assert fair.is_current is True
    assert Fair.objects.current() == fair
    assert fair.time_zone == "Asia/Ho_Chi_Minh"
    assert (fair.slot_minutes, fair.tables) == (30, 150)
    assert len(fair.days()) == 3
    assert "Việt Xô" in fair.venue


@pytest.mark.django_db
def test_seed_demo_exhibitors_are_vietnamese_with_members():
    seed()

    exhibitors = Company.objects.filter(fair__slug=DEMO_SLUG, role=CompanyRole.EXHIBITOR)
    assert exhibitors.count() >= 120
    assert set(exhibitors.values_list("country", flat=True)) == {"VN"}
    assert exhibitors.filter(booth="").count() == 0
    assert exhibitors.filter(sectors__isnull=True).count() == 0
    assert exhibitors.filter(certifications__code="iso9001").distinct().count() > 90
    assert exhibitors.filter(key_product_year__isnull=False).exists()
    for company in exhibitors.prefetch_related("members__user"):
        members = list(company.members.all())
        assert 1 <= len(members) <= 3
        assert {(m.user.kind, m.user.time_zone, m.user.language) for m in members} == {
            (AccountKind.EXHIBITOR, "Asia/Ho_Chi_Minh", "vi")
        }


@pytest.mark.django_db
def test_seed_demo_buyers_come_from_four_countries_in_their_time_zones():
    seed()

    buyers = Company.objects.filter(fair__slug=DEMO_SLUG, role=CompanyRole.BUYER)
    assert buyers.count() >= 60
    assert set(buyers.values_list("country", flat=True)) == set(BUYER_TIME_ZONES)
    assert buyers.filter(sourcing_needs="").count() == 0
    remote = buyers.filter(attendance="remote").count()
    assert buyers.count() / 5 < remote < buyers.count() / 2
    for company in buyers.prefetch_related("members__user"):
        members = list(company.members.all())
        assert 1 <= len(members) <= 2
        for member in members:
            assert member.user.kind == AccountKind.BUYER
            assert member.user.time_zone in BUYER_TIME_ZONES[company.country.code]
            assert member.user.language == BUYER_LANGUAGES[company.country.code]


@pytest.mark.django_db
def test_seed_demo_japanese_and_korean_buyers_have_native_names():
    seed()

    buyers = Company.objects.filter(fair__slug=DEMO_SLUG, role=CompanyRole.BUYER)
    japanese = list(buyers.filter(country="JP").values_list("name_native", flat=True))
    korean = list(buyers.filter(country="KR").values_list("name_native", flat=True))
    assert japanese and all("株式会社" in name for name in japanese)
    assert korean and all("주식회사" in name or "(주)" in name for name in korean)


@pytest.mark.django_db
def test_seed_demo_visitors_have_badges_and_visits_on_fair_days():
    seed()

    fair = Fair.objects.get(slug=DEMO_SLUG)
    visitors = User.objects.filter(kind=AccountKind.VISITOR, badges__fair=fair)
    assert visitors.count() >= 150
    visits = Visit.objects.filter(fair=fair)
    assert set(visits.values_list("kind", flat=True)) == {VisitKind.ONSITE, VisitKind.ONLINE}
    assert set(visits.values_list("day", flat=True)) <= set(fair.days())
    for visit in visits:
        local = visit.at.astimezone(fair.tz)
        assert local.date() == visit.day
        assert fair.day_start <= local.time() < fair.day_end


@pytest.mark.django_db
def test_seed_demo_organiser_is_staff_in_group_and_admin_is_superuser():
    seed()

    organiser = User.objects.get(email=builder.ORGANISER_EMAIL)
    admin = User.objects.get(email=builder.ADMIN_EMAIL)
    assert (organiser.is_staff, organiser.is_superuser) == (True, False)
    assert list(organiser.groups.values_list("name", flat=True)) == [ORGANISERS_GROUP]
    assert organiser.is_organiser is True
    assert (admin.is_staff, admin.is_superuser) == (True, True)


@pytest.mark.django_db
def test_seed_demo_every_user_has_a_verified_primary_address_and_the_demo_password():
    seed()

    users = User.objects.filter(email__endswith=builder.DEMO_EMAIL_DOMAIN)
    addresses = EmailAddress.objects.filter(user__in=users, verified=True, primary=True)
    assert addresses.count() == users.count()
    assert set(addresses.values_list("email", flat=True)) == set(
        users.values_list("email", flat=True)
    )
    assert authenticate(email=builder.ORGANISER_EMAIL, password=DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_seed_demo_prints_sign_in_details(settings):
    settings.SITE_URL = "http://127.0.0.1:8011"  # demo.sh with PORT=8011
    output = seed()

    assert "Sign in at http://127.0.0.1:8011/ with password" in output
    assert DEMO_PASSWORD in output
    assert builder.ORGANISER_EMAIL in output
    assert builder.ADMIN_EMAIL in output
    for label in ("Exhibitor", "Japanese buyer", "Korean buyer", "US buyer", "Visitor"):
        assert label in output
    buyer_emails = Member.objects.filter(company__role=CompanyRole.BUYER).values_list(
        "user__email", flat=True
    )
    assert sum(email in output for email in buyer_emails) >= 3


@pytest.mark.django_db
def test_seed_demo_search_text_is_filled_and_folded():
    seed()

    for search_text in Company.objects.values_list("search_text", flat=True):
        assert search_text
        assert search_text == search_text.lower()
        assert "đ" not in search_text
        decomposed = unicodedata.normalize("NFKD", search_text)
        assert not [ch for ch in decomposed if unicodedata.combining(ch)]
    assert Company.objects.filter(search_text__contains="co khi chinh xac").exists()


@pytest.mark.django_db
def test_seed_demo_reset_rebuilds_identical_data():
    seed()
    first = snapshot()

    output = seed("--reset")

    assert "Deleted the demo fair" in output
    assert snapshot() == first
    assert Fair.objects.filter(slug=DEMO_SLUG).count() == 1


@pytest.mark.django_db
def test_seed_demo_second_run_without_reset_changes_nothing():
    seed()
    counts = (User.objects.count(), Company.objects.count(), Badge.objects.count())

    output = seed()

    assert "already exists" in output
    assert (User.objects.count(), Company.objects.count(), Badge.objects.count()) == counts


@pytest.mark.django_db
def test_seed_demo_reset_keeps_other_people_and_fairs():
    other_fair = FairFactory(slug="sif-2025", is_current=True)
    someone = UserFactory(email="someone@example.com")
    seed()

    seed("--reset")

    other_fair.refresh_from_db()
    assert other_fair.is_current is False
    assert User.objects.filter(pk=someone.pk).exists()


@pytest.mark.django_db
def test_demo_fair_create_refuses_when_demo_exists():
    demo_fair_create(size=DemoSize(exhibitors=3, buyers=8, visitors=2))

    with pytest.raises(ValueError):
        demo_fair_create(size=DemoSize(exhibitors=3, buyers=8, visitors=2))


@pytest.mark.django_db
def test_demo_fair_create_calls_app_hooks_with_own_rng(monkeypatch):
    calls = []

    def hook_seed(*, fair, rng, scale):
        calls.append((fair.slug, rng.random(), scale))
        return {"meetings": 7}

    module = types.ModuleType("demo_hook_for_test")
    module.__spec__ = importlib.util.spec_from_loader("demo_hook_for_test", loader=None)
    module.seed = hook_seed
    monkeypatch.setitem(sys.modules, "demo_hook_for_test", module)
    monkeypatch.setattr(builder, "HOOK_MODULES", ("demo_hook_for_test", "no_such_app.demo"))

    result = demo_fair_create(size=DemoSize(exhibitors=4, buyers=8, visitors=3), scale=True)

    assert calls and calls[0][0] == DEMO_SLUG and calls[0][2] is True
    assert result.counts["meetings"] == 7
    assert result.counts["exhibitors"] == 4


@pytest.mark.django_db
def test_demo_fair_create_scaled_names_stay_unique_beyond_name_parts():
    result = demo_fair_create(size=DemoSize(exhibitors=10, buyers=900, visitors=0))

    names = list(Company.objects.filter(fair=result.fair).values_list("name_en", flat=True))
    assert len(names) == len(set(names)) == 910
