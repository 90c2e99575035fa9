"""Telling people, end to end: one journey through every request step and meeting change emits
every declared notification with exactly its declared keys (stored and live), and every e-mail
and calendar file it sends has only absolute links that open for their recipient."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.test import Client

from fairsite import events
from fairsite import notifications as core
from fairsite.models import Notification, User
from matchmaking import feedback, selectors, services, waitlist
from matchmaking import notifications as request_notifications
from matchmaking.models import SchedulerRun, WaitlistOffer
from meetings import booking
from meetings import notifications as meeting_notifications
from meetings import services as room_services
from meetings.enums import MeetingMode
from meetings.models import Meeting
from meetings.tasks import send_reminders
from tests import factories
from tests.matchmaking.helpers import future_fair

SITE = "https://fair.example.org"
LINK = re.compile(r"https?://[^\s<>\"'\\,;)]+")


def offered(fair, member, other, online=True):
    slots = selectors.pair_slot_proposals(
        fair=fair, user=member.user, company=member.company, other=other.company
    )
    return [p for p in slots if (p.mode != MeetingMode.ONSITE) == online]


@pytest.fixture
def journey(db, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Every step that tells people something, each committed (its tasks run inline)."""
    settings.SITE_URL = SITE
    live: list[tuple[int, dict]] = []

    def record(group, message):
        if message.get("type") == "user.notify":
            live.append((int(group.split(".")[1]), message["event"]))

    monkeypatch.setattr(core, "broadcast", record)
    fair = future_fair()
    exhibitor = factories.MemberFactory(company__fair=fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    second = factories.MemberFactory(company__fair=fair)
    buyer.user.language = "ja"
    buyer.user.save(update_fields=["language"])

    def step(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    first = offered(fair, buyer, exhibitor)
    req = step(
        lambda: services.meeting_request_create(
            fair=fair, user=buyer.user, target=exhibitor.company, slot_ids=[first[0].slot_id]
        )
    )
    later = [p for p in offered(fair, exhibitor, buyer) if p.start != first[0].start]
    step(
        lambda: services.meeting_request_counter(
            request=req, user=exhibitor.user, slot_ids=[later[0].slot_id]
        )
    )
    req.refresh_from_db()
    meeting = step(
        lambda: services.meeting_request_accept(
            request=req, user=buyer.user, slot_id=req.slots.get(round=2).pk
        )
    )
    free = [p for p in offered(fair, buyer, exhibitor) if p.start != meeting.start]
    meeting = step(
        lambda: booking.meeting_reschedule(
            meeting=meeting, start=free[0].start, end=free[0].end, by=exhibitor.user
        )
    )
    meeting = step(
        lambda: room_services.meeting_video_url_set(
            meeting=meeting, user=exhibitor.user, url="https://zoom.us/j/1234567890"
        )
    )
    step(lambda: send_reminders(now=meeting.start - timedelta(minutes=15)))
    booked = step(
        lambda: booking.meeting_book(
            fair=fair,
            exhibitor=second.company,
            buyer=buyer.company,
            attendees=[(second.user, second.company), (buyer.user, buyer.company)],
            start=free[1].start,
            end=free[1].end,
            mode=MeetingMode.ONLINE,
            by=second.user,
        )
    )
    step(lambda: booking.meeting_cancel(meeting=booked, by=second.user))
    declined = step(
        lambda: services.meeting_request_create(
            fair=fair,
            user=buyer.user,
            target=second.company,
            slot_ids=[offered(fair, buyer, second)[0].slot_id],
        )
    )
    step(lambda: services.meeting_request_decline(request=declined, user=second.user))
    third = factories.MemberFactory(company__fair=fair)
    withdrawn = step(
        lambda: services.meeting_request_create(
            fair=fair,
            user=buyer.user,
            target=third.company,
            slot_ids=[offered(fair, buyer, third)[0].slot_id],
        )
    )
    step(lambda: services.meeting_request_cancel(request=withdrawn, user=buyer.user))
    full = factories.MemberFactory(company__fair=fair)
    slot = offered(fair, buyer, full)[0]
    services.availability_set(fair=fair, user=full.user, slot_ids=[slot.slot_id])
    rival = factories.BuyerMemberFactory(company__fair=fair)
    taken = step(
        lambda: booking.meeting_book(
            fair=fair,
            exhibitor=full.company,
            buyer=rival.company,
            attendees=[(full.user, full.company), (rival.user, rival.company)],
            start=slot.start,
            end=slot.end,
            mode=MeetingMode.ONLINE,
            by=rival.user,
        )
    )
    step(lambda: waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=full.company))
    step(lambda: booking.meeting_cancel(meeting=taken, by=full.user))
    assert WaitlistOffer.objects.filter(entry__user=buyer.user).count() == 1
    step(
        lambda: feedback.meeting_feedback_ask_due(
            fair=fair, now=Meeting.objects.get(pk=meeting.pk).end + timedelta(minutes=1)
        )
    )
    run = SchedulerRun.objects.create(fair=fair, created_by=None)
    step(
        lambda: request_notifications.schedule_published(
            fair=fair, run=run, meetings=[Meeting.objects.get(pk=meeting.pk)]
        )
    )
    return {"live": live, "meetings": [meeting, booked]}


def test_every_declared_event_is_emitted_with_exactly_its_keys(journey):
    stored = list(Notification.objects.all())
    assert {n.kind for n in stored} == set(events.NOTIFICATIONS)
    for notification in stored:
        assert set(core.event(notification)) == events.NOTIFICATIONS[notification.kind]
    live_kinds = {frame["kind"] for _user, frame in journey["live"]}
    # Everything is live except the published schedule (one fair-wide event instead).
    assert live_kinds == set(events.NOTIFICATIONS) - {"schedule.published"}
    for _user, frame in journey["live"]:
        assert set(frame) == events.NOTIFICATIONS[frame["kind"]]


def test_a_payload_with_an_undeclared_key_is_refused():
    """Negative control: the declaration is what the senders are held to."""
    with pytest.raises(events.EventShapeError, match="unexpected"):
        events.check(events.NOTIFICATIONS, "meeting.reminder", {"kind": "x", "surprise": 1})
    with pytest.raises(events.EventShapeError, match="undeclared"):
        events.check(events.NOTIFICATIONS, "meeting.teleported", {})


def links_of(message) -> list[str]:
    texts = [message.body] + [content for content, _type in message.alternatives]
    for _name, content, _mimetype in message.attachments:
        ics = content.decode() if isinstance(content, bytes) else content
        texts.append(ics.replace("\r\n ", "").replace("\\n", " "))
    found = []
    for text in texts:
        found += [url.rstrip(".") for url in LINK.findall(text)]
    hrefs = [h for c, _t in message.alternatives for h in re.findall(r'href="([^"]+)"', c)]
    return found + hrefs


def test_every_link_in_every_mail_and_calendar_file_is_absolute_and_opens(journey, settings):
    videos = {m.video_url for m in Meeting.objects.all() if m.video_url}
    video_server = f"{settings.VIDEO_BASE_URL.rstrip('/')}/"
    assert len(mail.outbox) >= 10
    checked = 0
    for message in mail.outbox:
        recipient = User.objects.get(email=parseaddr(message.to[0])[1])
        client = Client()
        client.force_login(recipient)
        html = message.alternatives[0][0]
        assert message.alternatives[0][1] == "text/html" and "<a href=" in html
        links = links_of(message)
        assert links, message.subject
        for href in re.findall(r'href="([^"]+)"', html):
            assert href.startswith(("https://", "http://")), href
        for url in links:
            if url in videos or url.startswith((video_server, "https://zoom.us/")):
                continue  # the meeting's own video room, outside the site
            assert url.startswith(f"{SITE}/"), (message.subject, url)
            response = client.get(url.removeprefix(SITE))
            assert response.status_code == 200, (message.subject, url, response.status_code)
            checked += 1
    assert checked >= len(mail.outbox)


def test_each_mail_links_to_the_page_that_acts_on_it(journey):
    by_subject = [(m.subject, m.alternatives[0][0]) for m in mail.outbox]
    rooms = [h for _s, h in by_subject if "/meetings/" in h]
    requests = [h for _s, h in by_subject if "/requests/" in h]
    agendas = [h for _s, h in by_subject if "/agenda/" in h]
    assert rooms and requests and agendas
    assert meeting_notifications.room_url(journey["meetings"][0]).startswith(SITE)
