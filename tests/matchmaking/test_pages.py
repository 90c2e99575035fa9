"""The signed-in matchmaking pages (requests, agenda) cost the same few queries at 2 rows and at
many, and the requests list reads without writing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matchmaking.enums import RequestStatus
from matchmaking.models import MeetingRequest, ProposedSlot
from tests import factories
from tests.matchmaking.test_requests import send

pytestmark = pytest.mark.django_db

# the session; the user with the viewer's flags (verified, groups, unread count); membership (the
# fair is the process's copy once warm, fairsite/current_fair.py)
FIXED = 3


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _buyers_ask(fair, exhibitor_member, count):
    for _ in range(count):
        send(fair, factories.BuyerMemberFactory(company__fair=fair), exhibitor_member)


def test_requests_page_costs_the_same_queries_for_two_and_many(login, fair, exhibitor_member):
    client = login(exhibitor_member.user)
    url = reverse("matchmaking:request_list")
    _buyers_ask(fair, exhibitor_member, 2)
    client.get(url)
    few, page = _queries(client, url)
    assert page.count("/requests/") >= 2

    _buyers_ask(fair, exhibitor_member, 10)
    many, page = _queries(client, url)

    assert many == few == FIXED + 2  # the requests, their current slots
    assert page.count('href="/requests/') >= 12


def test_requests_page_costs_the_same_queries_for_two_and_many_outgoing(login, fair, buyer_member):
    client = login(buyer_member.user)
    url = reverse("matchmaking:request_list")
    for _ in range(2):
        send(fair, buyer_member, factories.MemberFactory(company__fair=fair))
    client.get(url)
    few, page = _queries(client, url)

    for _ in range(10):
        send(fair, buyer_member, factories.MemberFactory(company__fair=fair))
    many, page = _queries(client, url)

    assert many == few == FIXED + 2  # the requests, their current slots
    assert page.count('<td><a href="/suppliers/') == 12
    assert page.count('href="/requests/') >= 12


def test_requests_page_shows_a_stale_request_expired_without_writing(
    login, fair, buyer_member, exhibitor_member
):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    past = timezone.now() - timedelta(hours=1)
    ProposedSlot.objects.filter(request=req).update(start=past, end=past + timedelta(minutes=30))
    client = login(exhibitor_member.user)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("matchmaking:request_list")).content.decode()

    assert "Expired" in page
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert MeetingRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING


def _meetings(fair, exhibitor_member, count, *, first_hour=0):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for index in range(first_hour, first_hour + count):
        buyer = factories.BuyerMemberFactory(company__fair=fair)
        meeting = factories.MeetingFactory(
            fair=fair,
            exhibitor=exhibitor_member.company,
            buyer=buyer.company,
            start=start + timedelta(hours=index),
            end=start + timedelta(hours=index, minutes=30),
        )
        for member in (buyer, exhibitor_member):
            factories.MeetingAttendeeFactory(
                meeting=meeting, user=member.user, company=member.company
            )


def test_agenda_costs_the_same_queries_for_two_and_many(login, fair, exhibitor_member):
    client = login(exhibitor_member.user)
    url = reverse("matchmaking:agenda")
    _meetings(fair, exhibitor_member, 2)
    client.get(url)
    few, page = _queries(client, url)
    assert page.count('id="meeting-') == 2

    _meetings(fair, exhibitor_member, 10, first_hour=2)
    many, page = _queries(client, url)

    assert many == few == FIXED + 2  # the meetings, their attendees with their people
    assert page.count('id="meeting-') == 12
