"""Every company name on recommendations, requests, agenda, meetings, deals and the room links
to the company's profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking import selectors, services
from matchmaking.models import Recommendation
from meetings.enums import MeetingMode
from tests import factories
from tests.meetings.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(fair, buyer_member, exhibitor_member):
    supplier, buyer = exhibitor_member.company, buyer_member.company
    Recommendation.objects.create(
        fair=fair, company=buyer, other=supplier, rank=1, score=50, computed_at=timezone.now()
    )
    offered = selectors.pair_slot_proposals(
        fair=fair, user=buyer_member.user, company=buyer, other=supplier
    )
    req = services.meeting_request_create(
        fair=fair,
        user=buyer_member.user,
        target=supplier,
        slot_ids=[offered[0].slot_id],
        message="",
    )
    start = timezone.now() + timedelta(days=1)
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=supplier,
        buyer=buyer,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url="https://meet.jit.si/links",
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    deal = DealFactory(fair=fair, company=buyer, counterpart=supplier, meeting=meeting)
    return {"req": req, "meeting": meeting, "deal": deal}


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("matchmaking:recommendations"),
        lambda w: reverse("matchmaking:request_list"),
        lambda w: reverse("matchmaking:request_detail", args=[w["req"].pk]),
        lambda w: reverse("matchmaking:agenda"),
        lambda w: reverse("meetings:list"),
        lambda w: reverse("meetings:deals"),
        lambda w: reverse("meetings:deal_detail", args=[w["deal"].pk]),
        lambda w: reverse("meetings:room", args=[w["meeting"].pk]),
    ],
    ids=["recommendations", "requests", "request", "agenda", "meetings", "deals", "deal", "room"],
)
def test_supplier_name_links_to_its_profile(login, world, buyer_member, exhibitor_member, url):
    supplier = exhibitor_member.company
    profile = reverse("exhibitors:company_detail", args=[supplier.slug])

    html = login(buyer_member.user).get(url(world)).content.decode()

    assert f'<a href="{profile}">{supplier.display_name}</a>' in html


def test_buyer_name_links_to_its_profile_for_the_supplier(
    login, world, exhibitor_member, buyer_member
):
    buyer = buyer_member.company
    profile = reverse("exhibitors:buyer_detail", args=[buyer.slug])
    client = login(exhibitor_member.user)

    for url in (
        reverse("matchmaking:request_list"),
        reverse("matchmaking:agenda"),
        reverse("meetings:room", args=[world["meeting"].pk]),
    ):
        assert f'href="{profile}"' in client.get(url).content.decode(), url
    assert client.get(profile).status_code == 200
