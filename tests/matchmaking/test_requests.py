"""Meeting requests: who may see and act, the state machine, limits, expiry, notifications."""

from __future__ import annotations

import asyncio
import zoneinfo
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fairsite.channels import USER_NOTIFY, user_group
from fairsite.timefmt import day_label
from matchmaking import selectors, services
from matchmaking.enums import RequestStatus
from matchmaking.models import MeetingRequest, ProposedSlot
from meetings.booking import meeting_book
from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting
from tests import factories

pytestmark = pytest.mark.django_db


def proposals(fair, member, other):
    return selectors.pair_slot_proposals(
        fair=fair, user=member.user, company=member.company, other=other.company
    )


def send(fair, buyer_member, exhibitor_member, count=2, message="Hello"):
    offered = proposals(fair, buyer_member, exhibitor_member)
    return services.meeting_request_create(
        fair=fair,
        user=buyer_member.user,
        target=exhibitor_member.company,
        slot_ids=[p.slot_id for p in offered[:count]],
        message=message,
    )


def capture_user_events(user_id, action):
    """Run ``action`` (with on-commit callbacks executed) while listening on the person's
    group; return the messages received (the real channel layer: in memory or Redis)."""

    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(user_id), channel)
        try:
            await sync_to_async(action)()
            received = []
            while True:
                try:
                    received.append(await asyncio.wait_for(layer.receive(channel), 0.5))
                except TimeoutError:
                    return received
        finally:
            await layer.group_discard(user_group(user_id), channel)

    return async_to_sync(run)()


def test_request_create_mails_recipient_in_their_language_and_zone(
    fair, buyer_member, exhibitor_member, django_capture_on_commit_callbacks
):
    exhibitor_member.user.language = "vi"
    exhibitor_member.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        req = send(fair, buyer_member, exhibitor_member)
    assert req.status == RequestStatus.PENDING
    assert [m.to for m in mail.outbox] == [[exhibitor_member.user.email]]
    body = mail.outbox[0].body
    first = req.slots.order_by("start").first().start
    hanoi = first.astimezone(fair.tz)
    # The recipient's zone first, their date order (Vietnamese: "Thứ Sáu, 1 tháng 1").
    assert f"{day_label(hanoi.date(), 'vi')}, {hanoi:%H:%M}–" in body
    assert buyer_member.company.display_name in mail.outbox[0].subject
    assert "Hello" in body


def test_request_create_sends_a_live_event_to_the_recipient_only(
    fair, buyer_member, exhibitor_member, other_member, django_capture_on_commit_callbacks
):
    def act():
        with django_capture_on_commit_callbacks(execute=True):
            send(fair, buyer_member, exhibitor_member)

    events = capture_user_events(exhibitor_member.user.pk, act)
    assert len(events) == 1
    assert events[0]["type"] == USER_NOTIFY
    assert events[0]["event"]["kind"] == "request.received"
    assert buyer_member.company.display_name in events[0]["event"]["text"]
    assert capture_user_events(other_member.user.pk, lambda: None) == []


def test_accept_books_the_meeting_and_mails_the_invitation(
    fair, buyer_member, exhibitor_member, django_capture_on_commit_callbacks
):
    req = send(fair, buyer_member, exhibitor_member)
    slot = req.slots.order_by("start").last()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_request_accept(
            request=req, user=exhibitor_member.user, slot_id=slot.pk
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED
    assert req.meeting == meeting
    assert (meeting.start, meeting.end) == (slot.start, slot.end)
    assert meeting.mode == MeetingMode.ONLINE  # the buyer is remote
    assert meeting.video_url
    assert sorted(meeting.attendees.values_list("user_id", flat=True)) == sorted(
        [buyer_member.user_id, exhibitor_member.user_id]
    )
    # Both sides get the invitation: the requester with the answer, the accepter for their
    # own calendar.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [buyer_member.user.email, exhibitor_member.user.email]
    )
    for message in mail.outbox:
        attachment = message.attachments[0]
        assert attachment[0] == "invitation.ics"
        ics = attachment[1] if isinstance(attachment[1], str) else attachment[1].decode()
        assert f"UID:{meeting.uid}@" in ics


def test_counter_proposal_passes_the_turn_and_the_requester_accepts(
    fair, buyer_member, exhibitor_member
):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    first_round = set(req.slots.values_list("start", flat=True))
    offered = [
        p for p in proposals(fair, exhibitor_member, buyer_member) if p.start not in first_round
    ]
    services.meeting_request_counter(
        request=req,
        user=exhibitor_member.user,
        slot_ids=[offered[0].slot_id],
        message="Later?",
    )
    req.refresh_from_db()
    assert (req.round, req.awaiting_id) == (2, buyer_member.company_id)
    with pytest.raises(ValidationError, match="other side's turn"):
        services.meeting_request_accept(
            request=req,
            user=exhibitor_member.user,
            slot_id=req.slots.get(round=2).pk,
        )
    meeting = services.meeting_request_accept(
        request=req, user=buyer_member.user, slot_id=req.slots.get(round=2).pk
    )
    assert meeting.start == offered[0].start
    old = req.slots.get(round=1)
    assert not Meeting.objects.filter(start=old.start).exists()


@pytest.mark.parametrize(
    ("finish", "message"),
    [
        ("decline", "was declined and can no longer be accepted"),
        ("cancel", "was cancelled and can no longer be accepted"),
    ],
)
def test_closed_request_cannot_be_accepted(
    fair, buyer_member, exhibitor_member, login, finish, message
):
    req = send(fair, buyer_member, exhibitor_member)
    if finish == "decline":
        services.meeting_request_decline(
            request=req, user=exhibitor_member.user, reason="Not our field"
        )
    else:
        services.meeting_request_cancel(request=req, user=buyer_member.user)
    slot = req.slots.first()
    with pytest.raises(ValidationError, match=message):
        services.meeting_request_accept(request=req, user=exhibitor_member.user, slot_id=slot.pk)
    client = login(exhibitor_member.user)
    response = client.post(
        reverse("matchmaking:request_accept", kwargs={"pk": req.pk}), {"slot": slot.pk}
    )
    assert response.status_code == 409
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_only_the_two_sides_see_or_act_on_a_request(
    fair, buyer_member, exhibitor_member, other_member, login
):
    req = send(fair, buyer_member, exhibitor_member)
    slot = req.slots.first()
    client = login(other_member.user)
    for name, data in [
        ("request_detail", None),
        ("request_counter", None),
        ("request_accept", {"slot": slot.pk}),
        ("request_decline", {"reason": "x"}),
        ("request_cancel", {}),
    ]:
        url = reverse(f"matchmaking:{name}", kwargs={"pk": req.pk})
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 404, name
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    for member in (buyer_member, exhibitor_member):
        response = login(member.user).get(
            reverse("matchmaking:request_detail", kwargs={"pk": req.pk})
        )
        assert response.status_code == 200


def test_pending_request_limit_per_person(fair, buyer_member, settings):
    settings.MATCHMAKING_MAX_PENDING_REQUESTS = 2
    exhibitors = [factories.MemberFactory(company__fair=fair) for _ in range(3)]
    send(fair, buyer_member, exhibitors[0], count=1)
    send(fair, buyer_member, exhibitors[1], count=1)
    with pytest.raises(ValidationError, match="already have 2 requests waiting"):
        send(fair, buyer_member, exhibitors[2], count=1)
    assert MeetingRequest.objects.count() == 2


def test_one_open_request_per_pair(fair, buyer_member, exhibitor_member):
    send(fair, buyer_member, exhibitor_member)
    with pytest.raises(ValidationError, match="already an open meeting request"):
        offered = proposals(fair, exhibitor_member, buyer_member)
        services.meeting_request_create(
            fair=fair,
            user=exhibitor_member.user,
            target=buyer_member.company,
            slot_ids=[offered[0].slot_id],
        )


def test_more_than_three_times_refused(fair, buyer_member, exhibitor_member):
    with pytest.raises(ValidationError, match="between one and 3"):
        send(fair, buyer_member, exhibitor_member, count=4)


def test_a_time_outside_the_offered_slots_is_refused(fair, buyer_member, exhibitor_member):
    with pytest.raises(ValidationError, match="no longer free"):
        services.meeting_request_create(
            fair=fair,
            user=buyer_member.user,
            target=exhibitor_member.company,
            slot_ids=["2020-01-01T00:00Z"],
        )


def test_request_expires_once_all_its_times_have_started(fair, buyer_member, exhibitor_member):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    past = timezone.now() - timedelta(hours=1)
    assert services.meeting_requests_expire(fair=fair) == 0
    ProposedSlot.objects.filter(request=req).update(start=past, end=past + timedelta(minutes=30))
    assert services.meeting_requests_expire(fair=fair) == 1
    assert services.meeting_requests_expire(fair=fair) == 0  # idempotent
    req.refresh_from_db()
    assert req.status == RequestStatus.EXPIRED
    with pytest.raises(ValidationError, match="expired"):
        services.meeting_request_accept(
            request=req, user=exhibitor_member.user, slot_id=req.slots.first().pk
        )


def test_request_expires_at_read_time_in_the_service(fair, buyer_member, exhibitor_member):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    past = timezone.now() - timedelta(minutes=5)
    ProposedSlot.objects.filter(request=req).update(start=past, end=past + timedelta(minutes=30))
    with pytest.raises(ValidationError, match="expired"):
        services.meeting_request_decline(request=req, user=exhibitor_member.user)
    req.refresh_from_db()
    assert req.status == RequestStatus.EXPIRED


def test_accept_of_a_taken_slot_answers_409_and_changes_nothing(
    fair, buyer_member, exhibitor_member, login
):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    slot = req.slots.get()
    rival = factories.BuyerMemberFactory(company__fair=fair)
    meeting_book(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=rival.company,
        attendees=[exhibitor_member, rival],
        start=slot.start,
        end=slot.end,
        mode=MeetingMode.ONLINE,
        by=rival.user,
    )
    response = login(exhibitor_member.user).post(
        reverse("matchmaking:request_accept", kwargs={"pk": req.pk}), {"slot": slot.pk}
    )
    assert response.status_code == 409
    assert "This slot has just been taken" in response.content.decode()
    req.refresh_from_db()
    assert req.status == RequestStatus.PENDING
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count() == 1


def test_cancel_of_an_accepted_request_cancels_the_meeting(fair, buyer_member, exhibitor_member):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    meeting = services.meeting_request_accept(
        request=req, user=exhibitor_member.user, slot_id=req.slots.get().pk
    )
    services.meeting_request_cancel(request=req, user=buyer_member.user)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert not meeting.attendees.filter(active=True).exists()


def test_buyer_cannot_request_a_buyer(fair, buyer_member, login):
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    url = reverse("matchmaking:request_create", kwargs={"pk": other_buyer.company_id})
    assert login(buyer_member.user).get(url).status_code == 404


def test_request_page_shows_times_in_both_zones(fair, buyer_member, exhibitor_member, login):
    url = reverse("matchmaking:request_create", kwargs={"pk": exhibitor_member.company_id})
    response = login(buyer_member.user).get(url)
    assert response.status_code == 200
    content = response.content.decode()
    # The most comfortable time for both first: 10:00 in Hà Nội is 12:00 in Tokyo.
    assert "12:00–12:30 Tokyo · 10:00–10:30 Hà Nội" in content
    best = response.context["proposals"][0]
    assert best.penalty == 0


def test_request_list_shows_proposed_times_in_both_zones(
    fair, buyer_member, exhibitor_member, login
):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    slot = req.slots.get()
    page = login(exhibitor_member.user).get(reverse("matchmaking:request_list")).content.decode()
    tokyo_zone = zoneinfo.ZoneInfo(buyer_member.user.time_zone)
    hanoi, tokyo = (
        "–".join(
            timezone.localtime(t, timezone=zone).strftime("%H:%M") for t in (slot.start, slot.end)
        )
        for zone in (fair.tz, tokyo_zone)
    )
    assert f"{hanoi} Hà Nội · {tokyo} Tokyo" in page
