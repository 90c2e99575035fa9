"""Telling people about their meetings: one function per event.

Each function is called from inside the service that made the change. It stores a notification
for every person booked in (``fairsite.notifications.notify``: same transaction, announced on
their sockets after commit), announces the change to the meeting's room (one payload,
:func:`room_payload`, declared in ``fairsite/events.py``) and enqueues the e-mails
(``meetings.tasks.send_meeting_emails``, after commit, sent once each). E-mails carry the
re-issued invitation (.ics) and link to the meeting room.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
from fairsite import events, timefmt
from fairsite.channels import MEETING_CHANGED, broadcast_on_commit, meeting_group
from fairsite.mail import absolute
from fairsite.notifications import notify
from meetings.models import Meeting, MeetingAttendee

# What changed (the ``change`` of ``meeting.changed`` events).
CHANGE_BOOKED = "booked"
CHANGE_RESCHEDULED = "rescheduled"
CHANGE_CANCELLED = "cancelled"
CHANGE_LINK = "link"
CHANGE_PLACE = "place"
CHANGE_STATUS = "status"
# Changes that re-issue the calendar invitation and send an e-mail.
CHANGES_MAILED = {CHANGE_BOOKED, CHANGE_RESCHEDULED, CHANGE_CANCELLED, CHANGE_LINK, CHANGE_PLACE}

KIND_OF_CHANGE = {
    CHANGE_BOOKED: "meeting.booked",
    CHANGE_RESCHEDULED: "meeting.rescheduled",
    CHANGE_CANCELLED: "meeting.cancelled",
    CHANGE_LINK: "meeting.changed",
    CHANGE_PLACE: "meeting.changed",
}


def room_url(meeting: Meeting) -> str:
    return absolute(reverse("meetings:room", kwargs={"pk": meeting.pk}))


def room_payload(meeting: Meeting, change: str) -> dict[str, Any]:
    """What the room hears about a meeting (JSON-serialisable). ``meeting`` is the id, as
    ``docs/websocket-protocol.md`` promises; ``meeting_id`` is the same id."""
    return events.check(
        events.ROOM,
        "meeting.changed",
        {
            "change": change,
            "meeting": meeting.pk,
            "meeting_id": meeting.pk,
            "status": meeting.status,
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "mode": meeting.mode,
            "table": meeting.table_number,
            "video_url": meeting.video_url,
            "sequence": meeting.sequence,
            "version": meeting.version,
        },
    )


def announce_room(meeting: Meeting, change: str) -> None:
    broadcast_on_commit(
        meeting_group(meeting.pk), {"type": MEETING_CHANGED, **room_payload(meeting, change)}
    )


def recipients(meeting: Meeting) -> list[Any]:
    """The active people booked into the meeting; if nobody is booked by name, the approved
    members of both companies."""
    users = [
        a.user
        for a in MeetingAttendee.objects.filter(meeting=meeting)
        .select_related("user")
        .order_by("id")
    ]
    if not users:
        users = [
            m.user
            for m in Member.objects.filter(
                fair_id=meeting.fair_id,
                company_id__in=[meeting.exhibitor_id, meeting.buyer_id],
                status=MembershipStatus.APPROVED,
            )
            .select_related("user")
            .order_by("id")
        ]
    seen: dict[int, Any] = {}
    for user in users:
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _text(change: str, meeting: Meeting, zones_of: Any) -> Any:
    def text(user: Any) -> str:
        when = timefmt.both_zones(meeting.start, zones_of(user), with_date=True)
        if change == CHANGE_CANCELLED:
            return _("Your meeting at %(when)s was cancelled.") % {"when": when}
        if change == CHANGE_BOOKED:
            return _("A meeting was booked: %(when)s.") % {"when": when}
        return _("Your meeting has changed: %(when)s.") % {"when": when}

    return text


def meeting_changed(
    *,
    meeting: Meeting,
    change: str,
    reason: str = "",
    previous_start: datetime | None = None,
    email: bool = True,
) -> None:
    """Tell the room and every person booked in that ``meeting`` changed (``booked``,
    ``rescheduled``, ``cancelled``, ``link``, ``place``; ``status`` tells the room only). For
    all but ``status`` each person gets a stored notification and, with ``email``, an e-mail in
    their language with the times in their zone and the other side's and the re-issued
    invitation."""
    announce_room(meeting, change)
    if change == CHANGE_STATUS:
        return
    people = recipients(meeting)
    zones = zones_by_person(meeting, people)
    kind = KIND_OF_CHANGE[change]
    notify(
        kind=kind,
        recipients=people,
        text=_text(change, meeting, lambda user: zones[user.pk]),
        url=room_url(meeting),
        fields={
            "meeting_id": meeting.pk,
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "status": meeting.status,
            "change": change,
        },
    )
    if email and change in CHANGES_MAILED and people:
        from meetings.tasks import send_meeting_emails

        send_meeting_emails.defer_on_commit(
            meeting_id=meeting.pk,
            change=change,
            sequence=meeting.sequence,
            user_ids=[p.pk for p in people],
            reason=reason,
            previous_start=previous_start.isoformat() if previous_start else "",
        )


def meeting_booked(*, meeting: Meeting) -> None:
    meeting_changed(meeting=meeting, change=CHANGE_BOOKED)


def meeting_rescheduled(*, meeting: Meeting, previous_start: datetime | None = None) -> None:
    meeting_changed(meeting=meeting, change=CHANGE_RESCHEDULED, previous_start=previous_start)


def meeting_cancelled(*, meeting: Meeting, reason: str = "") -> None:
    meeting_changed(meeting=meeting, change=CHANGE_CANCELLED, reason=reason)


def invitation_to(*, meeting: Meeting, user: Any) -> None:
    """E-mail ``user`` the invitation of a meeting they booked themselves (accepting a request):
    the other side hears through the request's own notification."""
    from meetings.tasks import send_meeting_emails

    send_meeting_emails.defer_on_commit(
        meeting_id=meeting.pk,
        change=CHANGE_BOOKED,
        sequence=meeting.sequence,
        user_ids=[user.pk],
        reason="",
        previous_start="",
    )


def zones_by_person(meeting: Meeting, people: list[Any]) -> dict[int, list[str]]:
    """Each person's zone first, then the zones of the people on the other side (at most
    three), then the venue's when nobody else's differs."""
    company_of = dict(
        Member.objects.filter(
            fair_id=meeting.fair_id,
            user__in=[p.pk for p in people],
            status=MembershipStatus.APPROVED,
        ).values_list("user_id", "company_id")
    )
    result: dict[int, list[str]] = {}
    for person in people:
        mine = company_of.get(person.pk)
        zones = [person.time_zone]
        for other in people:
            if company_of.get(other.pk) != mine and other.time_zone not in zones:
                zones.append(other.time_zone)
        if len(zones) == 1 and meeting.fair.time_zone not in zones:
            zones.append(meeting.fair.time_zone)
        result[person.pk] = zones[:3]
    return result


def meeting_reminder(*, meeting: Meeting, user: Any, minutes: int, zones: list[str]) -> bool:
    """Store and announce the reminder of ``meeting`` for ``user`` (once per meeting, start
    time and person). Returns whether it was new."""
    join_url = room_url(meeting)

    def text(person: Any) -> str:
        when = timefmt.both_zones(meeting.start, zones, with_date=False)
        return _("Your meeting starts in %(minutes)s minutes: %(when)s.") % {
            "minutes": minutes,
            "when": when,
        }

    stored = notify(
        kind="meeting.reminder",
        recipients=[user],
        text=text,
        url=join_url,
        fields={
            "meeting_id": meeting.pk,
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "minutes": minutes,
            "join_url": join_url,
        },
        key=reminder_key(meeting),
    )
    return bool(stored)


def reminder_key(meeting: Meeting) -> str:
    return f"reminder:{meeting.pk}:{meeting.start.isoformat()}"
