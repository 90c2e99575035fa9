"""What every signed-in page asks about its viewer (verified address, organiser, hall staff,
unread notifications) comes in one query at the start of the request, and is right."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exhibitors.access import can_check_in
from exhibitors.selectors import user_is_verified, viewer_flags_load
from fairsite.enums import HALL_STAFF_GROUP
from tests import factories
from tests.fairsite.test_notifications import store

pytestmark = pytest.mark.django_db


def test_flags_are_one_query_and_answer_every_reader(django_assert_num_queries):
    staff = factories.UserFactory()
    staff.groups.add(Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])
    for _ in range(3):
        store(staff)
    with django_assert_num_queries(1):
        viewer_flags_load(user=staff)
        assert (user_is_verified(user=staff), staff.is_organiser, can_check_in(staff)) == (
            True,
            False,
            True,
        )
    assert staff._unread_notifications == 3


def test_flags_of_an_unverified_organiser(django_assert_num_queries):
    organiser = factories.OrganiserFactory()
    EmailAddress.objects.filter(user=organiser).update(verified=False)
    with django_assert_num_queries(1):
        viewer_flags_load(user=organiser)
        assert (user_is_verified(user=organiser), organiser.is_organiser) == (False, True)
    assert organiser._unread_notifications == 0


def test_header_shows_the_unread_count_and_roles_without_more_queries(client, organiser):
    store(organiser)
    store(organiser)
    client.force_login(organiser)
    url = reverse("notifications:list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert 'id="notifications-unread">2</span>' in page
    assert reverse("organisers:dashboard") in page
    assert not [q for q in queries.captured_queries if "auth_group" in q["sql"]][1:]
    assert not [q for q in queries.captured_queries if "COUNT" in q["sql"].upper()][1:]
