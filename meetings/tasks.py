"""Background work of the meetings app: meeting e-mails and reminders (``fairsite/tasks.py``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import get_connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fairsite.mail import build_message, deliver_once, outbox_pending
from fairsite.models import OutgoingEmail, User
from fairsite.tasks import periodic, task
from meetings import notifications
from meetings.calendar import Invitations, recipient_language
from meetings.enums import MeetingStatus
from meetings.models import Meeting, MeetingAttendee

logger = logging.getLogger(__name__)

TEMPLATES = {
    notifications.CHANGE_BOOKED: "meetings/email/invitation",
    notifications.CHANGE_CANCELLED: "meetings/email/meeting_cancelled",
}
DEFAULT_TEMPLATE = "meetings/email/meeting_changed"
# The longest lead time a person may choose (``User.reminder_minutes``).
MAX_REMINDER_MINUTES = 24 * 60


def _meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_related("fair", "exhibitor", "buyer").get(pk=meeting_id)


@task(retry=8)
def send_meeting_emails(
    *,
    meeting_id: int,
    change: str,
    sequence: int,
    user_ids: list[int],
    reason: str = "",
    previous_start: str = "",
) -> int:
    """E-mail each of ``user_ids`` that ``meeting`` changed (``change``), with the invitation
    of that change attached. Each e-mail is sent once (key: change, meeting, sequence,
    person). Returns how many were sent by this run."""
    meeting = _meeting(meeting_id)
    attendees = list(
        MeetingAttendee.objects.filter(meeting=meeting).select_related("user").order_by("id")
    )
    people = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    everyone = {p.pk: p for p in notifications.recipients(meeting)} | {p.pk: p for p in people}
    zones = notifications.zones_by_person(meeting, list(everyone.values()))
    method = "CANCEL" if change == notifications.CHANGE_CANCELLED else "REQUEST"
    invitations = Invitations(attendees={meeting.pk: attendees})
    template = TEMPLATES.get(change, DEFAULT_TEMPLATE)
    kind = notifications.KIND_OF_CHANGE.get(change, "meeting.changed")
    previous = datetime.fromisoformat(previous_start) if previous_start else None

    def key_of(user: Any) -> str:
        return f"meeting.{change}:{meeting.pk}:s{sequence}:u{user.pk}"

    pending = outbox_pending(recipients={key_of(u): u for u in people})
    sent = 0
    with get_connection() as connection:
        for user in people:
            if key_of(user) not in pending:  # sent by an earlier run
                continue
            side = _other_side(meeting, user, attendees)
            message = build_message(
                user=user,
                template=template,
                context={
                    "meeting": meeting,
                    "kind": kind,
                    "change": change,
                    "other": side,
                    "zones": zones[user.pk],
                    "reason": reason,
                    "previous_start": previous,
                    "room_url": notifications.room_url(meeting),
                },
                action_url=notifications.room_url(meeting),
                action_label=_("Open the meeting room"),
                attachments=[
                    (
                        "invitation.ics",
                        invitations.invitation(
                            meeting, method=method, language=recipient_language(user)
                        ),
                        f"text/calendar; method={method}; charset=utf-8",
                    )
                ],
            )
            sent += deliver_once(
                key=key_of(user), user=user, message=message, connection=connection
            )
    return sent


def _other_side(meeting: Meeting, user: Any, attendees: list[MeetingAttendee]) -> Any:
    for row in attendees:
        if row.user_id == user.pk:
            return meeting.buyer if row.company_id == meeting.exhibitor_id else meeting.exhibitor
    return None


def due_reminders(*, now: datetime) -> list[MeetingAttendee]:
    """The attendances whose reminder is due at ``now``: an active, scheduled meeting that
    starts after ``now`` and no later than the person's lead time from now. One query per
    distinct lead time chosen by the people concerned."""
    horizon = MeetingAttendee.objects.filter(
        active=True,
        meeting__status=MeetingStatus.SCHEDULED,
        start__gt=now,
        start__lte=now + timedelta(minutes=MAX_REMINDER_MINUTES),
        user__is_active=True,
        user__reminder_minutes__gt=0,
    )
    leads = sorted(horizon.order_by().values_list("user__reminder_minutes", flat=True).distinct())
    due: list[MeetingAttendee] = []
    for minutes in leads:
        due.extend(
            horizon.filter(
                user__reminder_minutes=minutes, start__lte=now + timedelta(minutes=minutes)
            )
            .select_related("user", "meeting", "meeting__fair", "meeting__exhibitor")
            .select_related("meeting__buyer")
            .order_by("start", "id")
        )
    return due


@periodic(cron="* * * * *")
def send_reminders(*, now: datetime | None = None) -> int:
    """Every minute: remind each person whose lead time before a meeting has come, live and by
    e-mail, in their language, with both zones and the link to the meeting room. Once per
    person, meeting and start time (a rescheduled meeting is reminded again). Returns how many
    e-mails this run sent."""
    now = now or timezone.now()
    sent = 0
    zones_cache: dict[int, dict[int, list[str]]] = {}
    due = due_reminders(now=now)
    keys = {row.pk: f"{notifications.reminder_key(row.meeting)}:u{row.user_id}" for row in due}
    done = set(
        OutgoingEmail.objects.filter(key__in=keys.values(), sent_at__isnull=False).values_list(
            "key", flat=True
        )
    )
    with get_connection() as connection:
        for row in due:
            if keys[row.pk] in done:  # reminded at an earlier run
                continue
            meeting, user = row.meeting, row.user
            if meeting.pk not in zones_cache:
                zones_cache[meeting.pk] = notifications.zones_by_person(
                    meeting, notifications.recipients(meeting)
                )
            zones = zones_cache[meeting.pk].get(user.pk) or [user.time_zone, meeting.fair.time_zone]
            minutes = max(1, round((meeting.start - now).total_seconds() / 60))
            notifications.meeting_reminder(meeting=meeting, user=user, minutes=minutes, zones=zones)
            message = build_message(
                user=user,
                template="meetings/email/reminder",
                context={
                    "meeting": meeting,
                    "minutes": minutes,
                    "zones": zones,
                    "other": meeting.buyer
                    if row.company_id == meeting.exhibitor_id
                    else meeting.exhibitor,
                    "room_url": notifications.room_url(meeting),
                },
                action_url=notifications.room_url(meeting),
                action_label=_("Join the meeting"),
            )
            sent += deliver_once(
                key=keys[row.pk], user=user, message=message, connection=connection
            )
    return sent
