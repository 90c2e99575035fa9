"""The hall pages: check-in answers, hall staff, badges revoked and reprinted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from exhibitors.models import Badge, Visit
from exhibitors.visits import badge_payload
from fairsite.enums import HALL_STAFF_GROUP
from tests import factories
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

OPEN = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    clear_cache()
    monkeypatch.setattr("exhibitors.hall.timezone.now", lambda: OPEN)
    monkeypatch.setattr("exhibitors.middleware.timezone.now", lambda: OPEN)
    yield
    clear_cache()


@pytest.fixture
def hall_staff(db):
    person = factories.UserFactory(full_name="Door Keeper")
    person.groups.add(Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])
    return person


@pytest.fixture
def badge(fair):
    return factories.BadgeFactory(fair=fair, user__full_name="田中 亮", organisation="Izumi Giken")


def test_hall_staff_checks_a_badge_in_and_a_second_scan_is_a_repeat(login, hall_staff, badge):
    client = login(hall_staff)
    url = reverse("exhibitors:hall_checkin")

    first = client.post(url, {"code": badge_payload(badge=badge)}, **JSON).json()
    second = client.post(url, {"code": badge.code}, **JSON).json()

    assert (first["outcome"], first["admitted"], first["name"]) == ("first", True, "田中 亮")
    assert (second["outcome"], second["detail"]) == (
        "repeat",
        "First check-in today at 10:00.",
    )
    assert Visit.objects.count() == 1


def test_answers_are_in_the_staff_members_language(login, hall_staff, badge):
    client = login(hall_staff)
    client.cookies["django_language"] = "vi"
    url = reverse("exhibitors:hall_checkin")

    titles = [
        client.post(url, {"code": code}, **JSON).json()["title"]
        for code in (badge.code, badge.code, "no-such-badge")
    ]

    assert titles == ["Chào mừng! Đã vào cửa.", "Hôm nay đã vào cửa rồi.", "Thẻ không hợp lệ."]


def test_without_javascript_the_form_shows_the_answer(login, hall_staff, badge):
    response = login(hall_staff).post(reverse("exhibitors:hall_checkin"), {"code": badge.code})

    body = response.content.decode()
    assert response.status_code == 200
    assert "outcome-first" in body and "田中 亮" in body


def test_revoked_badge_answer_names_the_person_but_refuses(login, hall_staff, badge):
    client = login(hall_staff)
    client.post(reverse("exhibitors:hall_badge_revoke", args=[badge.pk]))

    answer = client.post(reverse("exhibitors:hall_checkin"), {"code": badge.code}, **JSON).json()

    assert (answer["outcome"], answer["admitted"]) == ("revoked", False)
    assert Badge.objects.get(pk=badge.pk).revoked_by == hall_staff
    assert Visit.objects.count() == 0


def test_other_fairs_badge_answer_names_nobody(login, hall_staff, fair):
    foreign = factories.BadgeFactory(fair=factories.FairFactory(is_current=False))

    answer = (
        login(hall_staff)
        .post(reverse("exhibitors:hall_checkin"), {"code": foreign.code}, **JSON)
        .json()
    )

    assert (answer["outcome"], answer["name"]) == ("other_fair", "")


def test_hall_staff_cannot_see_organiser_pages(login, hall_staff):
    client = login(hall_staff)

    codes = [
        client.get(reverse(name)).status_code
        for name in ("organisers:dashboard", "organisers:stats", "exhibitors:hall_staff")
    ]

    assert codes == [404, 404, 404]


def test_people_outside_hall_staff_get_404_and_record_nothing(login, exhibitor_member, badge):
    response = login(exhibitor_member.user).post(
        reverse("exhibitors:hall_checkin"), {"code": badge.code}, **JSON
    )

    assert response.status_code == 404
    assert Visit.objects.filter(kind="onsite").count() == 0


def test_hall_staff_reprints_a_badge_of_this_fair_only(login, hall_staff, badge):
    client = login(hall_staff)
    foreign = factories.BadgeFactory(fair=factories.FairFactory(is_current=False))

    ours = client.get(reverse("exhibitors:hall_badge_print", args=[badge.pk]))
    theirs = client.get(reverse("exhibitors:hall_badge_print", args=[foreign.pk]))

    assert (ours.status_code, ours["Content-Type"]) == (200, "application/pdf")
    assert ours.content.startswith(b"%PDF-")
    assert theirs.status_code == 404
    assert Badge.objects.get(pk=badge.pk).printed_count == 1


def test_badge_list_finds_by_name_and_query_count_is_constant(
    login, hall_staff, fair, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(hall_staff)
    url = reverse("exhibitors:hall_badges")
    factories.BadgeFactory.create_batch(2, fair=fair)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    factories.BadgeFactory.create_batch(40, fair=fair)
    with django_assert_num_queries(len(two.captured_queries)):
        response = client.get(url)
    found = client.get(url, {"q": "田中"})

    assert len(response.context["page"]) == 42
    assert list(found.context["page"]) == []


def test_organiser_grants_hall_staff_by_email(login, organiser):
    person = factories.UserFactory(email="door2@example.com")
    client = login(organiser)

    client.post(reverse("exhibitors:hall_staff"), {"email": "door2@example.com"})
    unknown = client.post(reverse("exhibitors:hall_staff"), {"email": "x@example.com"}, follow=True)

    assert person.groups.filter(name=HALL_STAFF_GROUP).exists()
    assert "No active account has this e-mail address." in unknown.content.decode()
