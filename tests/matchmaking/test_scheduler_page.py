"""The organiser's scheduler page: preview changes nothing; publishing creates the meetings,
mails each person their agenda and sends exactly one fair-wide live event."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail
from django.urls import reverse

from fairsite.channels import SCHEDULE_PUBLISHED, fair_group, user_group
from matchmaking import hosted, services
from matchmaking.enums import RequestStatus, RunStatus
from matchmaking.models import MeetingRequest, SchedulerRun
from meetings.enums import MeetingStatus
from meetings.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(fair, organiser):
    ex1 = factories.MemberFactory(company__fair=fair)
    ex2 = factories.MemberFactory(company__fair=fair)
    onsite_buyer = factories.BuyerMemberFactory(
        company__fair=fair, company__attendance="onsite", user__time_zone="Asia/Seoul"
    )
    remote_buyer = factories.BuyerMemberFactory(company__fair=fair)
    services.interest_set(fair=fair, user=onsite_buyer.user, target=ex1.company, level="must")
    services.interest_set(fair=fair, user=ex2.user, target=onsite_buyer.company, level="maybe")
    services.interest_set(fair=fair, user=remote_buyer.user, target=ex2.company, level="no")
    services.interest_set(fair=fair, user=ex1.user, target=remote_buyer.company, level="must")
    return ex1, ex2, onsite_buyer, remote_buyer


def listen(groups, action):
    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        for group in groups:
            await layer.group_add(group, channel)
        try:
            result = await sync_to_async(action)()
            received = []
            while True:
                try:
                    received.append(await asyncio.wait_for(layer.receive(channel), 0.5))
                except TimeoutError:
                    return result, received
        finally:
            for group in groups:
                await layer.group_discard(group, channel)

    return async_to_sync(run)()


def test_instance_weights_and_exclusions(fair, pairs):
    ex1, ex2, onsite_buyer, remote_buyer = pairs
    instance, pair_map = hosted.build_instance(fair=fair)
    by_pair = {(p["exhibitor"], p["buyer"]): p["weight"] for p in pair_map.values()}
    assert by_pair == {
        (ex1.company_id, onsite_buyer.company_id): 3,
        (ex2.company_id, onsite_buyer.company_id): 1,
        (ex1.company_id, remote_buyer.company_id): 3,
    }
    modes = {r["id"]: r["mode"] for r in instance["requests"]}
    assert modes[f"r{ex1.company_id}-{onsite_buyer.company_id}"] == "either"
    assert modes[f"r{ex1.company_id}-{remote_buyer.company_id}"] == "online"


def test_preview_then_publish_sends_one_fair_wide_event(
    fair, pairs, organiser, login, django_capture_on_commit_callbacks
):
    ex1, ex2, onsite_buyer, remote_buyer = pairs
    pending = MeetingRequest.objects.create(
        fair=fair,
        requester=onsite_buyer.company,
        recipient=ex2.company,
        exhibitor=ex2.company,
        buyer=onsite_buyer.company,
        awaiting=ex2.company,
        requested_by=onsite_buyer.user,
    )
    client = login(organiser)
    response = client.post(reverse("matchmaking:scheduler"), {"time_limit": "2"})
    assert response.status_code == 302
    run = SchedulerRun.objects.get()
    assert run.status == RunStatus.PREVIEW
    assert not Meeting.objects.exists()
    page = client.get(reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk}))
    assert page.status_code == 200
    preview = page.context["preview"]
    assert preview["new_meetings"] == 3  # the "not interested" pair is left out
    assert sorted(row["weight"] for row in preview["assignments"]) == [2, 3, 3]  # maybe → requested
    mail.outbox.clear()

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk}))

    response, events = listen(
        [fair_group(fair.pk), user_group(ex1.user_id), user_group(onsite_buyer.user_id)], publish
    )
    assert response.status_code == 302
    assert [e["type"] for e in events] == [SCHEDULE_PUBLISHED]
    assert events[0]["meetings"] == 3
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == (RunStatus.PUBLISHED, 3)
    meetings = Meeting.objects.filter(fair=fair, status=MeetingStatus.SCHEDULED)
    assert meetings.count() == 3
    # ex1 meets two buyers, never at the same time.
    assert len({m.start for m in meetings.filter(exhibitor=ex1.company)}) == 2
    pending.refresh_from_db()
    assert pending.status == RequestStatus.ACCEPTED and pending.meeting is not None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        u.email for u in [ex1.user, ex2.user, onsite_buyer.user, remote_buyer.user]
    )
    ex1_mail = next(m for m in mail.outbox if m.to == [ex1.user.email])
    assert len(ex1_mail.attachments) == 2
    # Publishing twice is refused.
    again = client.post(reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk}))
    assert again.status_code == 302
    assert Meeting.objects.count() == 3


def test_scheduler_pages_are_for_organisers_only(fair, pairs, login):
    ex1 = pairs[0]
    client = login(ex1.user)
    assert client.get(reverse("matchmaking:scheduler")).status_code == 404
    assert client.post(reverse("matchmaking:scheduler"), {"time_limit": "1"}).status_code == 404
    assert not SchedulerRun.objects.exists()
