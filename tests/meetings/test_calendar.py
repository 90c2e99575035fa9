"""Invitations parse back with icalendar and carry the identity, times and place; the private
feed answers only to its token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar, Event

from matchmaking import services
from meetings.booking import meeting_book, meeting_cancel, meeting_reschedule
from meetings.calendar import (
    Invitations,
    calendar_domain,
    ical_bytes,
    load_attendees,
    meeting_invitation,
)
from meetings.enums import MeetingMode
from meetings.models import Meeting
from tests import factories
from tests.matchmaking.helpers import future_fair, venue_time


@pytest.fixture
def fair(db):
    return future_fair()


@pytest.fixture
def onsite_buyer(fair):
    return factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")


def booked(fair, exhibitor, buyer, mode=MeetingMode.ONSITE, hour=9):
    start = venue_time(fair, 0, hour)
    return meeting_book(
        fair=fair,
        exhibitor=exhibitor.company,
        buyer=buyer.company,
        attendees=[exhibitor, buyer],
        start=start,
        end=start + timedelta(minutes=30),
        mode=mode,
        by=exhibitor.user,
    )


def event_of(data: bytes):
    cal = Calendar.from_ical(data)
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return cal, events[0]


def test_invitation_has_uid_sequence_utc_times_and_table(fair, exhibitor_member, onsite_buyer):
    meeting = booked(fair, exhibitor_member, onsite_buyer)
    cal, event = event_of(meeting_invitation(meeting=meeting, recipient=onsite_buyer.user))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{meeting.uid}@{calendar_domain()}"
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert start == venue_time(fair, 0, 9).astimezone(UTC)
    assert start.utcoffset() == timedelta(0)
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert str(event["LOCATION"]) == f"Table {meeting.table_number}, {fair.venue}"
    assert exhibitor_member.company.display_name in str(event["SUMMARY"])
    assert onsite_buyer.company.display_name in str(event["SUMMARY"])
    assert str(event["URL"]).endswith(f"/meetings/{meeting.pk}/")
    attendees = sorted(str(a) for a in event.get("ATTENDEE"))
    assert attendees == sorted(
        [f"mailto:{exhibitor_member.user.email}", f"mailto:{onsite_buyer.user.email}"]
    )
    assert str(event["STATUS"]) == "CONFIRMED"


def test_online_invitation_location_is_the_join_link(fair, exhibitor_member, buyer_member):
    meeting = booked(fair, exhibitor_member, buyer_member, mode=MeetingMode.ONLINE)
    _cal, event = event_of(meeting_invitation(meeting=meeting))
    assert str(event["LOCATION"]) == meeting.video_url


def test_reschedule_then_cancel_keep_uid_and_raise_sequence(fair, exhibitor_member, onsite_buyer):
    meeting = booked(fair, exhibitor_member, onsite_buyer)
    later = venue_time(fair, 1, 11)
    moved = meeting_reschedule(
        meeting=meeting, start=later, end=later + timedelta(minutes=30), by=onsite_buyer.user
    )
    _cal, event = event_of(meeting_invitation(meeting=moved))
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"{meeting.uid}@{calendar_domain()}", 1)
    assert event.decoded("DTSTART") == later.astimezone(UTC)
    cancelled = meeting_cancel(meeting=moved, by=onsite_buyer.user)
    cal, event = event_of(meeting_invitation(meeting=cancelled, method="CANCEL"))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"{meeting.uid}@{calendar_domain()}", 2)


def test_feed_lists_active_meetings_and_answers_only_to_its_token(
    fair, exhibitor_member, onsite_buyer, client
):
    kept = booked(fair, exhibitor_member, onsite_buyer)
    dropped = booked(fair, exhibitor_member, onsite_buyer, hour=11)
    meeting_cancel(meeting=dropped, by=exhibitor_member.user)
    token = services.calendar_token_get(user=exhibitor_member.user).token
    url = reverse("matchmaking:calendar_feed", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert uids == [f"{kept.uid}@{calendar_domain()}"]
    altered = token[:-1] + ("y" if token.endswith("x") else "x")
    wrong = reverse("matchmaking:calendar_feed", kwargs={"token": altered})
    assert client.get(wrong).status_code == 404
    services.calendar_token_rotate(user=exhibitor_member.user)
    assert client.get(url).status_code == 404
    fresh = services.calendar_token_get(user=exhibitor_member.user).token
    assert (
        client.get(reverse("matchmaking:calendar_feed", kwargs={"token": fresh})).status_code == 200
    )


def test_meeting_ics_download_is_private(fair, exhibitor_member, onsite_buyer, other_member, login):
    meeting = booked(fair, exhibitor_member, onsite_buyer)
    url = reverse("matchmaking:meeting_ics", kwargs={"pk": meeting.pk})
    assert login(other_member.user).get(url).status_code == 404
    response = login(onsite_buyer.user).get(url)
    assert response.status_code == 200
    _cal, event = event_of(response.content)
    assert event.decoded("DTSTART") == datetime.fromisoformat(meeting.start.isoformat())


def comparable(data: bytes) -> list[tuple[str, str, str]]:
    """Every property of every component, parameters included, except DTSTAMP."""
    cal = Calendar.from_ical(data)
    return [
        (component.name, name, values.to_ical().decode() + repr(sorted(values.params.items())))
        for component in cal.walk()
        for name, value in component.property_items(recursive=False)
        if name not in ("BEGIN", "END", "DTSTAMP")
        for values in (value if isinstance(value, list) else [value])
    ]


def several(fair, exhibitor_member, onsite_buyer, buyer_member, other_member):
    meetings = [
        booked(fair, exhibitor_member, onsite_buyer),
        booked(fair, exhibitor_member, buyer_member, mode=MeetingMode.ONLINE, hour=10),
        booked(fair, other_member, onsite_buyer, mode=MeetingMode.MIXED, hour=11),
        booked(fair, other_member, buyer_member, mode=MeetingMode.ONLINE, hour=13),
    ]
    cancelled = meeting_cancel(meeting=meetings[3], by=other_member.user)
    # As Invitations asks: meetings with their fair and both companies loaded.
    meetings[3] = Meeting.objects.select_related("fair", "exhibitor", "buyer").get(pk=cancelled.pk)
    return meetings


def test_batch_invitations_equal_the_single_meeting_path(
    fair, exhibitor_member, onsite_buyer, buyer_member, other_member
):
    meetings = several(fair, exhibitor_member, onsite_buyer, buyer_member, other_member)
    batch = Invitations.for_meetings(meetings)
    for meeting in meetings:
        for language in ("en", "vi", "ja"):
            for method in ("REQUEST", "CANCEL"):
                data = batch.invitation(meeting, method=method, language=language)
                single = meeting_invitation(
                    meeting=meeting, method=method, recipient=SimpleNamespace(language=language)
                )
                assert comparable(data) == comparable(single)
                # Byte for byte what icalendar writes for the same calendar.
                cal = batch.calendar(meeting, method=method, language=language)
                assert data == cal.to_ical() == ical_bytes(cal)
                assert batch.invitation(meeting, method=method, language=language) is data
    cal, event = event_of(batch.invitation(meetings[3], language="en"))
    assert (str(cal["METHOD"]), str(event["STATUS"])) == ("CANCEL", "CANCELLED")
    _cal, event = event_of(batch.invitation(meetings[2], language="en"))
    assert str(event["LOCATION"]).endswith(meetings[2].video_url)
    assert len(event.get("ATTENDEE")) == 2


def test_building_many_invitations_runs_a_constant_number_of_queries(
    fair, exhibitor_member, onsite_buyer, buyer_member, other_member
):
    meetings = several(fair, exhibitor_member, onsite_buyer, buyer_member, other_member)
    for count in (1, len(meetings)):
        with CaptureQueriesContext(connection) as queries:
            batch = Invitations.for_meetings(meetings[:count])
            for meeting in meetings[:count]:
                for language in ("en", "ja"):
                    batch.invitation(meeting, language=language)
        assert len(queries) == 1
    rows = load_attendees(meetings)
    with CaptureQueriesContext(connection) as queries:
        batch = Invitations(attendees=rows)
        for meeting in meetings:
            batch.invitation(meeting, language="vi")
            meeting_invitation(meeting=meeting, attendees=rows[meeting.pk])
    assert len(queries) == 0


def test_serialisation_folds_like_icalendar():
    event = Event()
    long_text = "Hội thảo ngành nhựa; máy ép, khuôn mẫu \\ công nghiệp phụ trợ 日本語 " * 4
    event.add("summary", long_text)
    event.add("description", "x" * 73 + "\\" + "y" * 200 + "^" * 80)
    event.add("location", "a,b;c" * 40)
    event.add("uid", "u" * 74)
    event.add("url", "https://example.com/" + "p" * 55)
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add_component(event)
    assert ical_bytes(cal) == cal.to_ical()
    assert Calendar.from_ical(ical_bytes(cal)).walk("VEVENT")[0]["SUMMARY"] == long_text
