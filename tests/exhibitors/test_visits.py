"""Hall check-in and online visits: one visit per person, kind and venue day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from exhibitors import visits
from exhibitors.enums import VisitKind
from exhibitors.models import Visit
from exhibitors.visits import CheckinOutcome
from tests import factories
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

# 10:00 in Hà Nội on the fair's first day (2021-10-20).
OPEN = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def staff(db):
    return factories.OrganiserFactory()


@pytest.fixture
def badge(fair):
    return factories.BadgeFactory(fair=fair, user__full_name="Đặng Thanh Ngọc")


def scan(fair, staff, text, now=OPEN):
    return visits.visit_checkin(fair=fair, staff=staff, scanned=text, now=now)


def test_first_scan_records_a_visit_on_the_venue_day(fair, staff, badge):
    result = scan(fair, staff, visits.badge_payload(badge=badge))

    assert result.outcome == CheckinOutcome.FIRST
    assert list(Visit.objects.values_list("user", "badge", "kind", "day", "checked_in_by")) == [
        (badge.user_id, badge.pk, VisitKind.ONSITE, date(2021, 10, 20), staff.pk)
    ]


def test_double_scan_is_a_repeat_and_writes_nothing(fair, staff, badge):
    scan(fair, staff, visits.badge_payload(badge=badge))

    again = scan(fair, staff, badge.code, now=OPEN + timedelta(minutes=5))

    assert again.outcome == CheckinOutcome.REPEAT
    assert again.visit.at == OPEN
    assert Visit.objects.count() == 1


def test_unknown_and_garbage_codes_are_unknown(fair, staff):
    answers = [scan(fair, staff, text).outcome for text in ["nope-nope", "", "x" * 500, "SIF::"]]

    assert answers == [CheckinOutcome.UNKNOWN] * 4
    assert Visit.objects.count() == 0


def test_revoked_badge_is_refused_and_restored_badge_admitted(fair, staff, badge):
    visits.badge_revoke(badge=badge, staff=staff, now=OPEN)

    refused = scan(fair, staff, badge.code)
    visits.badge_restore(badge=badge, staff=staff)
    admitted = scan(fair, staff, badge.code)

    assert (refused.outcome, admitted.outcome) == (CheckinOutcome.REVOKED, CheckinOutcome.FIRST)
    assert Visit.objects.count() == 1


def test_another_fairs_badge_is_refused(fair, staff):
    other = factories.FairFactory(is_current=False)
    foreign = factories.BadgeFactory(fair=other)

    result = scan(fair, staff, visits.badge_payload(badge=foreign))

    assert result.outcome == CheckinOutcome.OTHER_FAIR
    assert Visit.objects.count() == 0


def test_payload_naming_another_fair_with_our_code_is_unknown(fair, staff, badge):
    result = scan(fair, staff, f"SIF:someone-else:{badge.code}")

    assert result.outcome == CheckinOutcome.UNKNOWN


def test_day_boundary_is_midnight_in_the_venue_zone(fair, staff, badge):
    # 16:59:59 UTC is 23:59:59 in Hà Nội; one second later it is the next fair day there (in
    # UTC both instants are on the 20th, so a UTC day would make the second scan a repeat).
    before = datetime(2021, 10, 20, 16, 59, 59, tzinfo=UTC)

    first = scan(fair, staff, badge.code, now=before)
    second = scan(fair, staff, badge.code, now=before + timedelta(seconds=1))

    assert (first.outcome, second.outcome) == (CheckinOutcome.FIRST, CheckinOutcome.FIRST)
    assert sorted(Visit.objects.values_list("day", flat=True)) == [
        date(2021, 10, 20),
        date(2021, 10, 21),
    ]


def test_scan_outside_the_fair_days_writes_nothing(fair, staff, badge):
    # 2021-10-19 23:59 in Hà Nội: the eve of the first day.
    result = scan(fair, staff, badge.code, now=datetime(2021, 10, 19, 16, 59, tzinfo=UTC))

    assert result.outcome == CheckinOutcome.CLOSED
    assert Visit.objects.count() == 0


def test_database_refuses_a_second_visit_of_one_person_on_one_day(fair, staff, badge):
    scan(fair, staff, badge.code)

    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            fair=fair,
            user=badge.user,
            badge=badge,
            kind=VisitKind.ONSITE,
            day=date(2021, 10, 20),
            at=OPEN,
        )


def test_online_visit_counts_once_a_day_and_writes_once(
    fair, exhibitor_member, django_assert_num_queries
):
    user = exhibitor_member.user

    recorded = visits.online_visit_record(fair=fair, user=user, now=OPEN)
    with django_assert_num_queries(0):
        again = [
            visits.online_visit_record(fair=fair, user=user, now=OPEN + timedelta(minutes=m))
            for m in range(1, 50)
        ]
    next_day = visits.online_visit_record(fair=fair, user=user, now=OPEN + timedelta(days=1))

    assert (recorded, any(again), next_day) == (True, False, True)
    assert list(Visit.objects.order_by("day").values_list("kind", "day", "badge")) == [
        (VisitKind.ONLINE, date(2021, 10, 20), None),
        (VisitKind.ONLINE, date(2021, 10, 21), None),
    ]


def test_online_visit_after_a_lost_cache_is_not_counted_twice(fair, exhibitor_member):
    user = exhibitor_member.user
    visits.online_visit_record(fair=fair, user=user, now=OPEN)
    clear_cache()

    second = visits.online_visit_record(fair=fair, user=user, now=OPEN + timedelta(hours=1))

    assert second is False
    assert Visit.objects.count() == 1


def test_online_visit_not_on_a_fair_day_and_not_for_organisers(fair, organiser, exhibitor_member):
    before = visits.online_visit_record(
        fair=fair, user=exhibitor_member.user, now=datetime(2021, 10, 1, tzinfo=UTC)
    )
    staff = visits.online_visit_record(fair=fair, user=organiser, now=OPEN)

    assert (before, staff) == (False, False)
    assert Visit.objects.count() == 0


def test_signed_in_requests_on_a_fair_day_count_one_online_visit(
    client, fair, exhibitor_member, monkeypatch
):
    monkeypatch.setattr("exhibitors.middleware.timezone.now", lambda: OPEN)
    client.force_login(exhibitor_member.user)

    for _ in range(3):
        assert client.get("/suppliers/").status_code == 200

    assert list(Visit.objects.values_list("user", "kind")) == [
        (exhibitor_member.user_id, VisitKind.ONLINE)
    ]


def test_hall_staff_grant_and_remove(organiser):
    from exhibitors.access import can_check_in

    person = factories.UserFactory(email="door@example.com")

    granted = visits.hall_staff_grant(email="DOOR@example.com", organiser=organiser)
    fresh = type(person).objects.get(pk=person.pk)
    may_then = can_check_in(fresh)
    visits.hall_staff_remove(user=person, organiser=organiser)
    may_after = can_check_in(type(person).objects.get(pk=person.pk))

    assert (granted, may_then, may_after) == (person, True, False)
    assert visits.hall_staff_grant(email="nobody@example.com", organiser=organiser) is None
