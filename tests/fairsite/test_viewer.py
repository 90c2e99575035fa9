"""What every signed-in page asks about its viewer (verified address, organiser, hall staff,
unread notifications) comes in one query at the start of the request, and is right."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, load_backend
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exhibitors.access import can_check_in
from exhibitors.selectors import user_is_verified, viewer_flags_load
from fairsite import session_auth
from fairsite.enums import HALL_STAFF_GROUP
from fairsite.models import User
from fairsite.sessions import SessionStore
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


# --- The user and the flags in one query (fairsite.session_auth.request_user) ----------------


def _viewer_queries(client, url: str) -> list[str]:
    client.get(url)  # warm: the fair, the figures' cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_a_signed_in_request_reads_its_session_and_user_with_the_flags_in_two_queries(
    client, fair, organiser
):
    """The dashboard's data endpoint, served from the cache, queries for nothing but its viewer:
    the session row, then the user with the four flags (before: the user, then the flags)."""
    client.force_login(organiser)
    sql = _viewer_queries(client, reverse("organisers:stats"))
    assert len(sql) == 2, sql
    assert "django_session" in sql[0]
    assert "auth_group" in sql[1] and "account_emailaddress" in sql[1]


def _flags(user) -> tuple:
    return tuple(getattr(user, name) for name in session_auth.VIEWER_FLAGS)


@pytest.mark.parametrize("who", ["hall staff", "unverified organiser", "buyer with unread"])
def test_the_flags_that_come_with_the_user_are_those_of_the_flag_query(who, fair):
    if who == "hall staff":
        user = factories.UserFactory()
        user.groups.add(Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])
    elif who == "unverified organiser":
        user = factories.OrganiserFactory()
        EmailAddress.objects.filter(user=user).update(verified=False)
    else:
        user = factories.UserFactory()
        store(user, n=1)
        store(user, n=1)
    backend = load_backend(settings.AUTHENTICATION_BACKENDS[0])
    loaded = session_auth.load_user(backend, user.pk, viewer=True)
    fresh = User.objects.get(pk=user.pk)
    viewer_flags_load(user=fresh)
    assert _flags(loaded) == _flags(fresh)
    assert loaded.email == user.email


def test_a_changed_password_signs_a_page_session_out(client, fair, organiser):
    client.force_login(organiser)
    url = reverse("organisers:stats")
    assert client.get(url).status_code == 200
    organiser.set_password("a whole new secret 42")
    organiser.save(update_fields=["password"])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Session.objects.exists()  # flushed, as Django does


def test_an_inactive_person_is_signed_out(client, fair, organiser):
    client.force_login(organiser)
    User.objects.filter(pk=organiser.pk).update(is_active=False)
    response = client.get(reverse("organisers:stats"))
    assert response.status_code == 302


def test_a_session_of_a_former_secret_key_is_kept_with_a_new_key_and_hash(
    client, fair, organiser, settings
):
    """Django's rule for ``SECRET_KEY_FALLBACKS``: still signed in, the session's key cycled and
    its auth hash the current one."""
    client.force_login(organiser)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert client.get(reverse("organisers:stats")).status_code == 200
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    store = SessionStore(new_key)
    assert store[HASH_SESSION_KEY] == User.objects.get(pk=organiser.pk).get_session_auth_hash()
