"""The organiser's scheduler page: preview changes nothing; publishing creates the meetings,
mails each person their agenda and sends exactly one fair-wide live event."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail
from django.urls import reverse

from fairsite.channels import SCHEDULE_PUBLISHED, fair_group, user_group
from matchmaking import hosted, publishing, services
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


def _remote_pairs(fair, n, *, language="en"):
    """``n`` must-meet pairs of an on-site exhibitor and a remote buyer (online meetings)."""
    out = []
    for _ in range(n):
        ex = factories.MemberFactory(company__fair=fair)
        buyer = factories.BuyerMemberFactory(company__fair=fair, user__language=language)
        services.interest_set(fair=fair, user=buyer.user, target=ex.company, level="must")
        out.append((ex, buyer))
    return out


def _publish_queries(fair, organiser, n, capture):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    created = _remote_pairs(fair, n)
    for ex, buyer in created[: n // 2]:  # half of them also have a pending request
        MeetingRequest.objects.create(
            fair=fair,
            requester=buyer.company,
            recipient=ex.company,
            exhibitor=ex.company,
            buyer=buyer.company,
            awaiting=ex.company,
            requested_by=buyer.user,
        )
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    mail.outbox.clear()
    # The organiser's request: it marks the run publishing and enqueues the booking task.
    with capture() as after_commit, CaptureQueriesContext(connection) as request_queries:
        run = services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    assert run.status == RunStatus.PUBLISHING and len(after_commit) == 1
    assert not Meeting.objects.filter(exhibitor__in=[ex.company for ex, _b in created]).exists()
    # The task (one batch here), as the worker runs it; then its agenda e-mails.
    with capture(execute=True), CaptureQueriesContext(connection) as task_queries:
        after_commit[0]()
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == (RunStatus.PUBLISHED, n)
    assert len(mail.outbox) == 2 * n
    requests = MeetingRequest.objects.filter(exhibitor__in=[ex.company for ex, _b in created])
    assert requests.filter(status=RequestStatus.ACCEPTED, meeting__isnull=False).count() == n // 2
    for req in requests.select_related("meeting"):
        assert (req.meeting.exhibitor_id, req.meeting.buyer_id) == (req.exhibitor_id, req.buyer_id)
    return len(request_queries), len(task_queries)


def test_publish_query_count_does_not_grow_with_the_meetings(
    fair, organiser, django_capture_on_commit_callbacks
):
    small = _publish_queries(fair, organiser, 2, django_capture_on_commit_callbacks)
    # The first run's meetings are fixed in the second: only the 20 new ones are booked.
    large = _publish_queries(fair, organiser, 20, django_capture_on_commit_callbacks)
    assert small == large


def test_agendas_one_per_person_in_their_language_with_invitations(
    fair, organiser, django_capture_on_commit_callbacks
):
    ex = factories.MemberFactory(company__fair=fair)
    colleague = factories.MemberFactory(company=ex.company, user__language="vi")
    (_ex2, ja_buyer), (_ex3, en_buyer) = _remote_pairs(fair, 1, language="ja") + _remote_pairs(
        fair, 1
    )
    services.interest_set(fair=fair, user=ja_buyer.user, target=ex.company, level="must")
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    run.refresh_from_db()  # published by the booking task, right after the request's commit
    assert run.meetings_created == 3
    people = set(Meeting.objects.filter(fair=fair).values_list("attendees__user__email", flat=True))
    assert colleague.user.email in people
    assert len(mail.outbox) == len(people) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(people)
    # The booking task, the dashboard's figures renewed for the booked batch, then the agendas
    # (one task) and the fair-wide event.
    assert len(callbacks) == 4
    by_to = {m.to[0]: m for m in mail.outbox}
    ja = by_to[ja_buyer.user.email]
    assert "商談スケジュール" in ja.subject  # "Your meeting schedule for …" in Japanese
    assert "主催者が以下の商談を設定しました" in ja.body
    assert len(ja.attachments) == 2
    assert all(a[2].startswith("text/calendar") for a in ja.attachments)
    ics = {
        (a[1] if isinstance(a[1], str) else a[1].decode()).replace("\r\n ", "")
        for a in by_to[en_buyer.user.email].attachments
    }
    assert all("METHOD:REQUEST" in text and en_buyer.user.email in text for text in ics)
    assert "Your meeting schedule" in by_to[en_buyer.user.email].subject


def test_publish_books_what_still_fits_and_reports_the_rest(
    fair, organiser, login, django_capture_on_commit_callbacks
):
    """A buyer booked elsewhere since the preview: that meeting is refused and listed on the
    run page, the other is booked; only its people are mailed."""
    from meetings.booking import meeting_book

    (ex, buyer), (other_ex, other_buyer) = _remote_pairs(fair, 2)
    pending = MeetingRequest.objects.create(
        fair=fair,
        requester=buyer.company,
        recipient=ex.company,
        exhibitor=ex.company,
        buyer=buyer.company,
        awaiting=ex.company,
        requested_by=buyer.user,
    )
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    assert len(run.result["assignments"]) == 2
    slots = {s["id"]: s for s in run.instance["slots"]}
    (taken,) = [
        a
        for a in run.result["assignments"]
        if a["request"] == f"r{ex.company_id}-{buyer.company_id}"
    ]
    elsewhere = factories.MemberFactory(company__fair=fair)
    meeting_book(  # since the preview: the buyer now meets someone else at that time
        fair=fair,
        exhibitor=elsewhere.company,
        buyer=buyer.company,
        attendees=[elsewhere, buyer],
        start=datetime.fromisoformat(slots[taken["slot"]]["start"]),
        end=datetime.fromisoformat(slots[taken["slot"]]["end"]),
        mode="online",
        by=organiser,
    )
    mail.outbox.clear()
    client = login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == (RunStatus.PUBLISHED, 1)
    assert Meeting.objects.filter(exhibitor=other_ex.company, buyer=other_buyer.company).exists()
    assert not Meeting.objects.filter(exhibitor=ex.company).exists()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [other_ex.user.email, other_buyer.user.email]
    )
    page = client.get(reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk}))
    publication = page.context["publication"]
    assert (publication["booked"], publication["refused"]) == (1, 1)
    (row,) = publication["refused_rows"]
    assert (row["exhibitor"], row["buyer"]) == (ex.company.display_name, buyer.company.display_name)
    html = page.content.decode()
    assert 'id="refused-meetings"' in html and ex.company.display_name in html


def test_publish_with_the_online_rooms_closed_books_nothing_and_says_why(
    fair, organiser, django_capture_on_commit_callbacks
):
    """The batch is refused as a whole, then meeting by meeting: every one is refused with the
    reason, the run is published with none, nobody is mailed."""
    _remote_pairs(fair, 2)
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    fair.online_capacity = 0  # the organiser closed the online rooms since the preview
    fair.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == (RunStatus.PUBLISHED, 0)
    assert not Meeting.objects.exists()
    reasons = list(run.bookings.values_list("status", "reason"))
    assert reasons == [("refused", "online_full")] * 2
    assert not mail.outbox
    assert publishing.publication(run=run)["refused_rows"][0]["reason"] == "online rooms full"


def test_fixed_mixed_meeting_holds_an_online_room(
    fair, organiser, django_capture_on_commit_callbacks
):
    """Regression: a fixed MIXED meeting also takes an online room. With one room, the
    must-meet pair that can only meet online is not placed in that slot, and publish works."""
    from datetime import timedelta

    from matchmaking.models import Availability
    from meetings.booking import meeting_book
    from meetings.enums import MeetingMode
    from tests.matchmaking.helpers import venue_time

    fair.online_capacity = 1
    fair.save()
    mixed_ex = factories.MemberFactory(company__fair=fair)
    mixed_buyer = factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")
    busy_start = venue_time(fair, 0, 10)
    mixed = meeting_book(
        fair=fair,
        exhibitor=mixed_ex.company,
        buyer=mixed_buyer.company,
        attendees=[mixed_ex, mixed_buyer],
        start=busy_start,
        end=busy_start + timedelta(minutes=30),
        mode=MeetingMode.MIXED,
        by=mixed_ex.user,
    )
    assert mixed.table_number is not None and mixed.video_url
    ((ex, buyer),) = _remote_pairs(fair, 1)
    other_start = venue_time(fair, 0, 11)
    for member in (ex, buyer):  # free only at 10:00 (the mixed meeting's slot) and 11:00
        for start in (busy_start, other_start):
            Availability.objects.create(
                fair=fair, user=member.user, start=start, end=start + timedelta(minutes=30)
            )
    instance, _pairs = hosted.build_instance(fair=fair)
    assert instance["online_rooms"][f"{busy_start.astimezone(UTC):%Y-%m-%dT%H:%MZ}"] == 0
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    slots = {s["id"]: s["start"] for s in run.instance["slots"]}
    new = [
        a
        for a in run.result["assignments"]
        if a["request"] != f"r{mixed_ex.company_id}-{mixed_buyer.company_id}"
    ]
    assert len(new) == 1
    assert new[0]["mode"] == "online"
    assert datetime.fromisoformat(slots[new[0]["slot"]]) == other_start
    with django_capture_on_commit_callbacks(execute=True):
        run = services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    run.refresh_from_db()
    assert run.meetings_created == 1
    meeting = Meeting.objects.get(exhibitor=ex.company)
    assert meeting.start == other_start and meeting.video_url


def test_preview_page_shows_the_bound_kind(fair, pairs, organiser, login):
    client = login(organiser)
    client.post(reverse("matchmaking:scheduler"), {"time_limit": "1"})
    run = SchedulerRun.objects.get()
    kind = run.result["stats"]["bound_kind"]
    assert kind in hosted.BOUND_TEXT
    page = client.get(reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk}))
    assert page.context["preview"]["bound_kind"] == kind
    assert f'data-bound-kind="{kind}"' in page.content.decode()
    assert hosted.bound_label(kind) in page.content.decode()


def test_everyone_at_a_meeting_gets_the_same_invitation(
    fair, organiser, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    ex = factories.MemberFactory(company__fair=fair)
    colleague = factories.MemberFactory(company=ex.company)
    ((_other, buyer),) = _remote_pairs(fair, 1)
    services.interest_set(fair=fair, user=buyer.user, target=ex.company, level="must")
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    meeting = Meeting.objects.get(exhibitor=ex.company)
    name = f"meeting-{meeting.pk}.ics"
    copies = {
        message.to[0]: content if isinstance(content, bytes) else content.encode()
        for message in mail.outbox
        for filename, content, _mimetype in message.attachments
        if filename == name
    }
    assert set(copies) == {ex.user.email, colleague.user.email, buyer.user.email}
    assert len(set(copies.values())) == 1
    event = Calendar.from_ical(next(iter(copies.values()))).walk("VEVENT")[0]
    assert sorted(str(a) for a in event.get("ATTENDEE")) == sorted(f"mailto:{e}" for e in copies)
    assert str(event["UID"]).startswith(f"{meeting.uid}@")
