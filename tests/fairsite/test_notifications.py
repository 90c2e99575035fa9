"""Stored notifications: written with the event's transaction, listed, marked read, caught up."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from fairsite import notifications
from fairsite.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def store(user, n=1, kind="request.received"):
    return (
        notifications.notify(
            kind=kind,
            recipients=[user],
            text=lambda u: "Nippon Buyer asks to meet you.",
            url="https://fair.example.org/requests/1/",
            fields={"request_id": 1, "company": "Nippon Buyer"},
        )
        * n
    )


def many(user, count):
    for _ in range(count):
        store(user)


def test_notification_is_rolled_back_with_its_event(django_capture_on_commit_callbacks):
    user = factories.UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            store(user)
            raise RuntimeError
    assert Notification.objects.count() == 0
    assert callbacks == []  # nothing announced either


def test_a_keyed_notification_is_stored_once():
    user = factories.UserFactory()
    for _ in range(2):
        notifications.notify(
            kind="request.received",
            recipients=[user],
            text=lambda u: "x",
            url="https://fair.example.org/",
            fields={"request_id": 1, "company": "C"},
            key="once",
        )
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_wrong_payload_shape_writes_nothing():
    user = factories.UserFactory()
    with pytest.raises(ValueError, match="missing"):
        notifications.notify(
            kind="request.received",
            recipients=[user],
            text=lambda u: "x",
            url="https://fair.example.org/",
            fields={"request_id": 1},
        )
    assert Notification.objects.count() == 0


def test_page_lists_only_my_notifications(client):
    me, other = factories.UserFactory(), factories.UserFactory()
    store(me)
    notifications.notify(
        kind="request.declined",
        recipients=[other],
        text=lambda u: "Someone else's secret",
        url="https://fair.example.org/requests/2/",
        fields={"request_id": 2, "company": "C"},
    )
    client.force_login(me)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Nippon Buyer asks to meet you." in page
    assert "secret" not in page


@pytest.mark.parametrize("count", [2, 30])
def test_page_query_count_does_not_grow(client, count, django_assert_num_queries):
    me = factories.UserFactory()
    many(me, count)
    client.force_login(me)
    client.get(reverse("notifications:list"))  # warm the session and caches
    with django_assert_num_queries(QUERIES_PER_PAGE):
        assert client.get(reverse("notifications:list")).status_code == 200


# The same at 2 and at 30 rows: the page's fixed queries (the session; the user with the viewer's
# flags and the header's unread count) and one for the list. There is no fair here (so no
# membership), and once warm the process's copy answers for the fair (fairsite/current_fair.py).
QUERIES_PER_PAGE = 3


def test_mark_read_mine_and_not_someone_elses(client):
    me, other = factories.UserFactory(), factories.UserFactory()
    (mine,) = store(me)
    (theirs,) = store(other)
    client.force_login(me)
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 302
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None


def test_mark_all_read_and_the_unread_count(client):
    me, other = factories.UserFactory(), factories.UserFactory()
    many(me, 3)
    store(other)
    assert notifications.unread_count(user=me) == 3
    client.force_login(me)
    client.post(reverse("notifications:read_all"))
    assert notifications.unread_count(user=me) == 0
    assert notifications.unread_count(user=other) == 1


def test_feed_returns_what_was_missed_after_an_id(client):
    me = factories.UserFactory()
    first, second, third = (store(me)[0] for _ in range(3))
    client.force_login(me)
    data = client.get(reverse("notifications:feed"), {"after": first.pk}).json()
    assert [n["id"] for n in data["notifications"]] == [second.pk, third.pk]
    assert data["unread"] == 3
    assert set(data["notifications"][0]) == {
        "kind",
        "id",
        "created",
        "text",
        "url",
        "request_id",
        "company",
    }


def test_feed_refuses_a_bad_after(client):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("notifications:feed"), {"after": "yesterday"})
    assert response.status_code == 400
    assert "error" in response.json()


def test_reminder_lead_time_is_saved_from_the_account_page(client):
    me = factories.UserFactory()
    client.force_login(me)
    account = client.get(reverse("exhibitors:account")).content.decode()
    assert 'name="reminder_minutes"' in account and 'value="15"' in account
    client.post(reverse("notifications:reminders"), {"reminder_minutes": "45"})
    me.refresh_from_db()
    assert me.reminder_minutes == 45


@pytest.mark.parametrize("bad", ["2000", "-1", "soon", ""])
def test_a_bad_reminder_lead_time_changes_nothing(client, bad):
    me = factories.UserFactory()
    client.force_login(me)
    response = client.post(
        reverse("notifications:reminders"), {"reminder_minutes": bad}, follow=True
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.reminder_minutes == 15
    assert list(response.context["messages"])[0].level_tag == "error"
