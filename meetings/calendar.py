"""Calendar invitations (.ics) for meetings, and each person's private calendar feed.

- UID: ``<meeting.uid>@<fair domain>``; it never changes, so a calendar updates the same event.
- SEQUENCE: ``meeting.sequence`` (raised by every reschedule and cancel).
- ``METHOD:REQUEST`` for a booking or a change, ``METHOD:CANCEL`` + ``STATUS:CANCELLED`` for a
  cancellation, ``METHOD:PUBLISH`` for the feed.
- Times are UTC (``DTSTART:20211020T020000Z``): no offsets to go stale across daylight saving.
- LOCATION: "Table N, <venue>" for on-site meetings, the join link for online ones (both for
  mixed). URL: the meeting's room page.

The fair's public address comes from ``settings.SITE_URL`` (default ``http://localhost:8000``)
and the UID domain from ``settings.CALENDAR_DOMAIN`` (default: the host of ``SITE_URL``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting, MeetingAttendee

PRODID = "-//Hanoi Supporting Industry Fair//fairsite//EN"


def site_url() -> str:
    return (getattr(settings, "SITE_URL", None) or "http://localhost:8000").rstrip("/")


def calendar_domain() -> str:
    configured = getattr(settings, "CALENDAR_DOMAIN", None)
    if configured:
        return configured
    return urlsplit(site_url()).hostname or "localhost"


def meeting_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{calendar_domain()}"


def meeting_url(meeting: Meeting) -> str:
    return f"{site_url()}/meetings/{meeting.pk}/"


def meeting_location(meeting: Meeting) -> str:
    venue = meeting.fair.venue or meeting.fair.name
    parts = []
    if meeting.mode in (MeetingMode.ONSITE, MeetingMode.MIXED) and meeting.table_number:
        parts.append(
            _("Table %(number)s, %(venue)s") % {"number": meeting.table_number, "venue": venue}
        )
    if meeting.mode in (MeetingMode.ONLINE, MeetingMode.MIXED) and meeting.video_url:
        parts.append(meeting.video_url)
    return " · ".join(parts)


def _address(user: Any) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = vText(str(user))
    return address


def _event(meeting: Meeting, attendees: Iterable[MeetingAttendee], cancelled: bool) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", meeting.start.astimezone(UTC))
    event.add("dtend", meeting.end.astimezone(UTC))
    event.add(
        "summary",
        _("Meeting: %(exhibitor)s × %(buyer)s")
        % {"exhibitor": meeting.exhibitor.display_name, "buyer": meeting.buyer.display_name},
    )
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    description = [meeting.fair.name, meeting_url(meeting)]
    if meeting.video_url:
        description.append(_("Join online: %(url)s") % {"url": meeting.video_url})
    event.add("description", "\n".join(description))
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText(meeting.fair.name)
    event.add("organizer", organizer)
    for attendee in attendees:
        address = _address(attendee.user)
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", address, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _calendar(method: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def meeting_invitation(
    *, meeting: Meeting, method: str = "REQUEST", recipient: Any = None
) -> bytes:
    """One meeting as an iCalendar invitation (``REQUEST`` or ``CANCEL``), its text in the
    recipient's language."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError("method must be REQUEST or CANCEL")
    cancelled = method == "CANCEL" or meeting.status == MeetingStatus.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    language = getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    attendees = MeetingAttendee.objects.filter(meeting=meeting).select_related("user")
    with translation.override(language):
        cal = _calendar(method)
        cal.add_component(_event(meeting, attendees, cancelled))
    return cal.to_ical()


def calendar_feed(*, meetings: Iterable[Meeting], language: str) -> bytes:
    """A subscription feed (``METHOD:PUBLISH``) of the given meetings. ``meetings`` should
    come with ``fair``, ``exhibitor``, ``buyer`` selected and ``attendees__user`` prefetched."""
    with translation.override(language):
        cal = _calendar("PUBLISH")
        cal.add("x-wr-calname", _("My fair meetings"))
        for meeting in meetings:
            cal.add_component(_event(meeting, meeting.attendees.all(), cancelled=False))
    return cal.to_ical()
