"""Reminders before each meeting: at each person's lead time, in their language and both zones,
with the link to the meeting room, live and by e-mail, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from fairsite.models import Notification
from meetings import notifications
from meetings.enums import MeetingMode, MeetingStatus
from meetings.tasks import due_reminders, send_reminders
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # 09:00 Hà Nội, 11:00 Tokyo


@pytest.fixture
def meeting(fair, exhibitor_member, buyer_member):
    exhibitor_member.user.language = "vi"
    exhibitor_member.user.save(update_fields=["language"])  # Hà Nội, 15 minutes (default)
    buyer_member.user.language = "ja"
    buyer_member.user.reminder_minutes = 30  # Tokyo
    buyer_member.user.save(update_fields=["language", "reminder_minutes"])
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=START,
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url="https://meet.jit.si/HanoiSIF-reminder",
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


def test_each_person_is_reminded_at_their_own_lead_time(meeting, exhibitor_member, buyer_member):
    assert send_reminders(now=START - timedelta(minutes=31)) == 0
    assert send_reminders(now=START - timedelta(minutes=30)) == 1
    assert [m.to for m in mail.outbox] == [[buyer_member.user.email]]
    assert send_reminders(now=START - timedelta(minutes=16)) == 0
    assert send_reminders(now=START - timedelta(minutes=15)) == 1
    assert [m.to[0] for m in mail.outbox][1:] == [exhibitor_member.user.email]


def test_reminder_is_in_the_recipients_language_with_both_zones_and_the_room_link(
    meeting, exhibitor_member, buyer_member, settings
):
    settings.SITE_URL = "https://fair.example.org"
    send_reminders(now=START - timedelta(minutes=30))
    send_reminders(now=START - timedelta(minutes=15))
    by_person = {m.to[0]: m for m in mail.outbox}
    to_buyer, to_exhibitor = (
        by_person[buyer_member.user.email],
        by_person[exhibitor_member.user.email],
    )
    room = f"https://fair.example.org/meetings/{meeting.pk}/"
    # Japanese, Tokyo first, then the other side's zone.
    assert "30 分後" in to_buyer.subject
    assert "11:00 東京 · 09:00 ハノイ" in to_buyer.body
    assert room in to_buyer.body
    # Vietnamese, Hà Nội first.
    assert "Cuộc gặp của bạn bắt đầu sau 15 phút" in to_exhibitor.body
    assert "09:00 Hà Nội · 11:00 Tokyo" in to_exhibitor.body
    html = to_exhibitor.alternatives[0][0]
    assert f'href="{room}"' in html
    # Live too: a stored notification with the join link.
    stored = Notification.objects.get(recipient=buyer_member.user, kind="meeting.reminder")
    assert stored.payload["join_url"] == room
    assert stored.payload["minutes"] == 30
    assert "11:00 東京" in stored.payload["text"]


def test_a_reminder_is_sent_once_even_if_the_task_runs_again(meeting, buyer_member):
    for minutes in (30, 29, 28, 1):
        send_reminders(now=START - timedelta(minutes=minutes))
    assert len(mail.outbox) == 2  # the buyer once, the exhibitor once (from 15 minutes)
    assert Notification.objects.filter(kind="meeting.reminder").count() == 2


def test_a_moved_meeting_is_reminded_again_at_its_new_time(meeting, buyer_member):
    send_reminders(now=START - timedelta(minutes=30))
    moved = START + timedelta(hours=2)
    meeting.start = moved
    meeting.end = moved + timedelta(minutes=30)
    meeting.save()
    meeting.attendees.update(start=meeting.start, end=meeting.end)
    send_reminders(now=moved - timedelta(minutes=30))
    assert [m.to[0] for m in mail.outbox] == [buyer_member.user.email] * 2


def test_no_reminder_for_a_cancelled_meeting_or_a_person_who_turned_them_off(
    meeting, exhibitor_member, buyer_member
):
    exhibitor_member.user.reminder_minutes = 0
    exhibitor_member.user.save(update_fields=["reminder_minutes"])
    assert send_reminders(now=START - timedelta(minutes=10)) == 1  # the buyer only
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    Notification.objects.all().delete()
    mail.outbox.clear()
    assert due_reminders(now=START - timedelta(minutes=10)) == []


def test_due_reminders_reads_a_constant_number_of_queries(
    fair, django_assert_max_num_queries, exhibitor_member
):
    for hour in range(6):
        buyer = factories.BuyerMemberFactory(company__fair=fair)
        m = factories.MeetingFactory(
            fair=fair,
            exhibitor=exhibitor_member.company,
            buyer=buyer.company,
            start=START + timedelta(minutes=hour),
        )
        factories.MeetingAttendeeFactory(meeting=m, user=buyer.user, company=buyer.company)
    with django_assert_max_num_queries(2):  # the lead times, then one query per lead time
        rows = due_reminders(now=START - timedelta(minutes=10))
    assert len(rows) == 6
    assert notifications.reminder_key(rows[0].meeting).startswith("reminder:")
