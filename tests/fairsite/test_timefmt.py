from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import translation

from fairsite.timefmt import both_zones, day_label, in_zone, meeting_when


def test_both_zones_hanoi_and_tokyo_two_hours_apart():
    moment = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
    assert both_zones(moment, ["Asia/Ho_Chi_Minh", "Asia/Tokyo"]) == "10:00 Hà Nội · 12:00 Tokyo"


def test_new_york_follows_daylight_saving():
    march_before = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)  # EST, UTC-5
    march_after = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # EDT, UTC-4 (DST began 8 March)
    november_after = datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # EST again (ended 1 November)
    assert in_zone(march_before, "America/New_York") == "08:00 New York"
    assert in_zone(march_after, "America/New_York") == "09:00 New York"
    assert in_zone(november_after, "America/New_York") == "08:00 New York"


def test_both_zones_adds_date_when_local_day_differs():
    moment = datetime(2021, 10, 20, 13, 0, tzinfo=UTC)  # 20:00 Hà Nội, 09:00 New York same day
    late = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # 09:00 Hà Nội, 22:00 previous day NY
    assert both_zones(moment, ["Asia/Ho_Chi_Minh", "America/New_York"]) == (
        "20:00 Hà Nội · 09:00 New York"
    )
    text = both_zones(late, ["Asia/Ho_Chi_Minh", "America/New_York"])
    assert text.startswith("09:00 Hà Nội · ")
    assert text.endswith("22:00 New York")
    assert "10/19/2021" in text or "19" in text.split("·")[1]


# --- Ranges, the reader's date order, the venue first -------------------------------------------

START = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wednesday 2 December, 10:00 Hà Nội
END = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
HANOI_TOKYO = ["Asia/Ho_Chi_Minh", "Asia/Tokyo"]


def test_meeting_reads_as_a_range_in_each_zone():
    text = meeting_when(START, END, HANOI_TOKYO, with_date=False, language="en")

    assert text == "10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Wed 2 Dec"),
        ("vi", "Thứ Tư, 2 tháng 12"),
        ("ja", "12月2日(水)"),
        ("ko", "12월 2일 (수)"),
    ],
)
def test_day_label_in_the_readers_language_order(language, expected):
    assert day_label(date(2026, 12, 2), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Wed 2 Dec, 10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"),
        ("vi", "Thứ Tư, 2 tháng 12, 10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"),
        ("ja", "12月2日(水) 10:00–10:30 ハノイ · 12:00–12:30 東京"),
        ("ko", "12월 2일 (수) 10:00–10:30 하노이 · 12:00–12:30 도쿄"),
    ],
)
def test_meeting_with_date_in_each_language(language, expected):
    with translation.override(language):
        assert meeting_when(START, END, HANOI_TOKYO) == expected


def test_language_defaults_to_the_active_one():
    with translation.override("ja"):
        assert meeting_when(START, END, ["Asia/Tokyo"]).startswith("12月2日(水) 12:00–12:30")


def test_onsite_meeting_shows_the_venue_time_first():
    tokyo_first = ["Asia/Tokyo", "Asia/Ho_Chi_Minh"]

    onsite = meeting_when(
        START, END, tokyo_first, mode="onsite", venue="Asia/Ho_Chi_Minh", with_date=False
    )
    online = meeting_when(
        START, END, tokyo_first, mode="online", venue="Asia/Ho_Chi_Minh", with_date=False
    )

    assert onsite == "10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"
    assert online == "12:00–12:30 Tokyo · 10:00–10:30 Hà Nội"


def test_venue_is_added_for_an_onsite_meeting_between_remote_zones():
    text = meeting_when(
        START, END, ["Asia/Tokyo"], mode="mixed", venue="Asia/Ho_Chi_Minh", with_date=False
    )

    assert text == "10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"


def test_zone_on_another_day_gets_its_own_date():
    start = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 08:00 Hà Nội Wed, 20:00 New York Tue

    text = meeting_when(
        start,
        start + timedelta(minutes=30),
        ["Asia/Ho_Chi_Minh", "America/New_York"],
        language="en",
    )

    assert text == "Wed 2 Dec, 08:00–08:30 Hà Nội · Tue 1 Dec, 20:00–20:30 New York"


def test_comma_separated_zones_from_templates_are_accepted():
    assert meeting_when(START, END, "Asia/Ho_Chi_Minh, Asia/Tokyo", with_date=False) == (
        "10:00–10:30 Hà Nội · 12:00–12:30 Tokyo"
    )


@pytest.mark.django_db
def test_template_tag_uses_the_fairs_zone_as_venue():
    from django.template import Context, Template

    from tests.factories import FairFactory

    fair = FairFactory(time_zone="Asia/Ho_Chi_Minh")
    template = Template("{% load fairtime %}{% meeting_when start end zones mode %}")
    context = {"fair": fair, "start": START, "end": END, "zones": "Asia/Seoul"}

    with translation.override("ko"):
        onsite = template.render(Context({**context, "mode": "onsite"}))
        online = template.render(Context({**context, "mode": "online"}))

    assert onsite == "12월 2일 (수) 10:00–10:30 하노이 · 12:00–12:30 서울"
    assert online == "12월 2일 (수) 12:00–12:30 서울"  # online: the venue adds nothing


# --- E-mails and pages use it -------------------------------------------------------------------

INVITATION_WHEN = {
    # 2021-10-20 02:00 UTC, on site: the venue (Hà Nội) first, then Tokyo.
    "en": "Wed 20 Oct, 09:00–09:30 Hà Nội · 11:00–11:30 Tokyo",
    "vi": "Thứ Tư, 20 tháng 10, 09:00–09:30 Hà Nội · 11:00–11:30 Tokyo",
    "ja": "10月20日(水) 09:00–09:30 ハノイ · 11:00–11:30 東京",
    "ko": "10월 20일 (수) 09:00–09:30 하노이 · 11:00–11:30 도쿄",
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(INVITATION_WHEN))
def test_invitation_mail_shows_the_onsite_meeting_venue_first_in_each_language(language):
    from django.template.loader import render_to_string

    from tests.factories import MeetingFactory

    meeting = MeetingFactory()
    with translation.override(language):
        body = render_to_string(
            "meetings/email/invitation_body.txt",
            {"recipient": "Tanaka", "meeting": meeting, "zones": ["Asia/Tokyo"], "kind": ""},
        )

    assert INVITATION_WHEN[language] in body


@pytest.mark.django_db
def test_agenda_shows_ranges_in_the_readers_language(client):
    from tests.factories import BuyerMemberFactory, MeetingAttendeeFactory, MeetingFactory

    buyer = BuyerMemberFactory(user__time_zone="Asia/Seoul", user__language="ko")
    meeting = MeetingFactory(
        fair=buyer.company.fair, buyer=buyer.company, mode="online", table_number=None
    )
    MeetingAttendeeFactory(meeting=meeting, user=buyer.user, company=buyer.company)
    client.force_login(buyer.user)
    client.cookies["django_language"] = "ko"

    page = client.get("/agenda/").content.decode()

    assert "10월 20일 (수) 11:00–11:30 서울" in page


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("onsite", "Wed 2 Dec, 10:00–10:30 Hà Nội · Tue 1 Dec, 21:00–21:30 Chicago"),
        ("online", "Tue 1 Dec, 21:00–21:30 Chicago · Wed 2 Dec, 10:00–10:30 Hà Nội"),
    ],
)
def test_proposed_slot_at_a_table_leads_with_the_venue(mode, expected):
    from matchmaking.selectors import SlotProposal

    zones = ("America/Chicago", "Asia/Ho_Chi_Minh")
    proposal = SlotProposal("s1", START, END, mode, 0.0, 1, zones, "Asia/Ho_Chi_Minh")

    with translation.override("en"):
        assert proposal.label == expected
