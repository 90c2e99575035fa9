"""A home for each person: after sign-in a member lands on their overview, organisers on the
dashboard, everyone else on the fair's front page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matchmaking import selectors, services
from matchmaking.models import Recommendation
from meetings.enums import MeetingMode
from tests import factories
from tests.factories import PASSWORD
from tests.matchmaking.helpers import future_fair

pytestmark = pytest.mark.django_db


@pytest.fixture
def fair(db):
    return future_fair()


def online_meeting(fair, supplier, buyer, *, minutes_from_now):
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=supplier.company,
        buyer=buyer.company,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url="https://meet.jit.si/home",
    )
    for member in (supplier, buyer):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


def request_from(fair, buyer, supplier):
    offered = selectors.pair_slot_proposals(
        fair=fair, user=buyer.user, company=buyer.company, other=supplier.company
    )
    return services.meeting_request_create(
        fair=fair,
        user=buyer.user,
        target=supplier.company,
        slot_ids=[offered[0].slot_id],
        message="",
    )


def test_sign_in_lands_a_member_on_their_overview(client, exhibitor_member, buyer_member, fair):
    meeting = online_meeting(fair, exhibitor_member, buyer_member, minutes_from_now=5)
    req = request_from(fair, buyer_member, exhibitor_member)
    Recommendation.objects.create(
        fair=fair,
        company=exhibitor_member.company,
        other=buyer_member.company,
        rank=1,
        score=80,
        computed_at=timezone.now(),
    )

    response = client.post(
        reverse("account_login"),
        {"login": exhibitor_member.user.email, "password": PASSWORD},
        follow=True,
    )
    html = response.content.decode()

    assert response.redirect_chain[-1][0] == "/"
    assert reverse("meetings:join", args=[meeting.pk]) in html
    assert 'aria-disabled="false"' in html
    assert "Hà Nội" in html and "Tokyo" in html
    assert reverse("matchmaking:request_detail", args=[req.pk]) in html
    assert reverse("exhibitors:buyer_detail", args=[buyer_member.company.slug]) in html
    assert "Requests waiting for your answer" in html
    assert 'class="completeness"' in html


def test_requester_does_not_see_its_own_request_as_waiting(
    login, exhibitor_member, buyer_member, fair
):
    req = request_from(fair, buyer_member, exhibitor_member)

    html = login(buyer_member.user).get("/").content.decode()

    assert reverse("matchmaking:request_detail", args=[req.pk]) not in html
    assert "Nothing to answer." in html


def test_organiser_lands_on_the_dashboard(client, organiser, fair):
    response = client.post(
        reverse("account_login"), {"login": organiser.email, "password": PASSWORD}
    )

    assert response["Location"] == "/"
    assert client.get("/")["Location"] == reverse("organisers:dashboard")


def test_anonymous_sees_the_front_page(client, fair):
    html = client.get("/").content.decode()

    assert reverse("account_signup") in html
    assert "Your next meetings" not in html


def test_profile_completeness_names_what_is_missing(exhibitor_member):
    percent, missing = selectors.profile_gaps(company=exhibitor_member.company)

    assert 0 < percent < 100
    assert "Logo" in missing and "Sectors" in missing


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_overview_query_count_is_constant(login, exhibitor_member, fair):
    client = login(exhibitor_member.user)

    def add(n, offset):
        for i in range(n):
            buyer = factories.BuyerMemberFactory(company__fair=fair)
            online_meeting(fair, exhibitor_member, buyer, minutes_from_now=60 * (offset + i + 1))
            request_from(fair, buyer, exhibitor_member)
            Recommendation.objects.create(
                fair=fair,
                company=exhibitor_member.company,
                other=buyer.company,
                rank=offset + i + 1,
                score=50,
                computed_at=timezone.now(),
            )

    add(2, 0)
    client.get("/")  # warm: the process's copy of the current fair is read once
    with_two = _queries(client)
    add(6, 2)

    assert _queries(client) == with_two
