"""Room pages, join and check-in, the deal log pages and the organisers' dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exhibitors import cache as display_cache
from exhibitors import services as exhibitor_services
from exhibitors.models import Certification, Sector
from meetings import services
from meetings.enums import Currency, DealStage, JoinKind, MeetingMode, MeetingStatus
from meetings.models import Deal, DealRevision, ExchangeRate, Meeting, MeetingJoin
from tests import factories
from tests.meetings.factories import DealFactory, MeetingJoinFactory

pytestmark = pytest.mark.django_db

START = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle=", re.IGNORECASE)


def html(response) -> str:
    return response.content.decode()


def meeting_now(fair, exhibitor_member, buyer_member, *, minutes_from_now=5, **extra):
    """An online meeting starting ``minutes_from_now`` from the real clock, both booked in."""
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    values = {
        "mode": MeetingMode.ONLINE,
        "table_number": None,
        "video_url": "https://zoom.us/j/1234567890",
    }
    values.update(extra)
    meeting = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=start,
        end=start + timedelta(minutes=30),
        **values,
    )
    for member in (exhibitor_member, buyer_member):
        factories.MeetingAttendeeFactory(meeting=meeting, user=member.user, company=member.company)
    return meeting


# --- Room ----------------------------------------------------------------------------------


def test_room_shows_time_in_viewer_zone_and_other_side_zone(
    login, meeting, exhibitor_member, buyer_member
):
    url = reverse("meetings:room", args=[meeting.pk])

    as_exhibitor = html(login(exhibitor_member.user).get(url))
    as_buyer = html(login(buyer_member.user).get(url))

    assert "09:00–09:30 Hà Nội · 11:00–11:30 Tokyo" in as_exhibitor
    assert "11:00–11:30 Tokyo · 09:00–09:30 Hà Nội" in as_buyer


def test_room_shows_the_other_company_profile(login, meeting, exhibitor_member):
    meeting.buyer.sourcing_needs = "Die-cast ADC12 housings, 20k pcs/month"
    meeting.buyer.save()

    page = html(login(exhibitor_member.user).get(reverse("meetings:room", args=[meeting.pk])))

    assert "Die-cast ADC12 housings, 20k pcs/month" in page
    assert meeting.buyer.name_native in page


def test_room_escapes_html_in_names(login, meeting, exhibitor_member, buyer_member):
    meeting.buyer.name_en = '<script>alert("x")</script>'
    meeting.buyer.save()
    buyer_member.user.full_name = "<img src=x onerror=alert(1)>"
    buyer_member.user.save()

    page = html(login(exhibitor_member.user).get(reverse("meetings:room", args=[meeting.pk])))

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img src=x onerror" not in page


def test_room_has_join_button_and_link(login, fair, exhibitor_member, buyer_member):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)

    page = html(login(buyer_member.user).get(reverse("meetings:room", args=[meeting.pk])))

    assert reverse("meetings:join", args=[meeting.pk]) in page
    assert "https://zoom.us/j/1234567890" in page
    link = page.split('class="button join-button')[1][:300]
    assert 'aria-disabled="false"' in link and 'target="_blank"' in page


def test_room_join_button_disabled_outside_window(login, fair, exhibitor_member, buyer_member):
    meeting = meeting_now(fair, exhibitor_member, buyer_member, minutes_from_now=120)

    page = html(login(buyer_member.user).get(reverse("meetings:room", args=[meeting.pk])))

    assert 'aria-disabled="true"' in page.split('class="button join-button')[1][:300]


@pytest.mark.parametrize("role", ["anonymous", "other", "pending"])
def test_non_participants_get_404_or_login_on_every_meeting_url(
    client, login, meeting, exhibitor_member, other_member, role
):
    from exhibitors.enums import MembershipStatus

    if role == "other":
        login(other_member.user)
    elif role == "pending":
        pending = factories.MemberFactory(
            company=exhibitor_member.company, status=MembershipStatus.PENDING
        )
        login(pending.user)
    token = services.checkin_token(meeting=meeting)
    urls = [
        ("get", reverse("meetings:room", args=[meeting.pk])),
        ("get", reverse("meetings:join", args=[meeting.pk])),
        ("get", reverse("meetings:video_link", args=[meeting.pk])),
        ("post", reverse("meetings:cancel", args=[meeting.pk])),
        ("post", reverse("meetings:mark", args=[meeting.pk])),
        ("get", reverse("meetings:checkin", args=[meeting.pk, token])),
        ("post", reverse("meetings:checkin", args=[meeting.pk, token])),
        ("get", reverse("meetings:checkin_qr", args=[meeting.pk])),
        ("get", reverse("meetings:meeting_deal", args=[meeting.pk])),
    ]

    codes = {url: getattr(client, method)(url).status_code for method, url in urls}

    expected = 302 if role == "anonymous" else 404
    assert set(codes.values()) == {expected}, codes
    assert MeetingJoin.objects.count() == 0
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED


def test_meeting_of_another_fair_is_404_even_for_its_members(login, exhibitor_member):
    other_fair = factories.FairFactory(is_current=False)
    foreign = factories.MeetingFactory(fair=other_fair, exhibitor=exhibitor_member.company)

    response = login(exhibitor_member.user).get(reverse("meetings:room", args=[foreign.pk]))

    assert response.status_code == 404


def test_room_page_has_no_inline_script_or_style(login, meeting, organiser):
    page = html(login(organiser).get(reverse("meetings:room", args=[meeting.pk])))

    assert not INLINE_SCRIPT.search(page)
    assert not INLINE_STYLE.search(page)


def test_room_turns_ended_in_progress_meeting_into_held(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member, minutes_from_now=-60)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.IN_PROGRESS)

    login(buyer_member.user).get(reverse("meetings:room", args=[meeting.pk]))

    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.HELD


# --- Join ----------------------------------------------------------------------------------


def test_join_inside_window_records_and_redirects_to_video(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)

    response = login(buyer_member.user).get(reverse("meetings:join", args=[meeting.pk]))

    assert (response.status_code, response["Location"]) == (302, "https://zoom.us/j/1234567890")
    assert list(MeetingJoin.objects.values_list("user_id", "kind")) == [
        (buyer_member.user_id, JoinKind.ONLINE)
    ]


def test_join_outside_window_explains_and_records_nothing(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member, minutes_from_now=60)

    response = login(buyer_member.user).get(reverse("meetings:join", args=[meeting.pk]))

    assert response.status_code == 409
    assert "Location" not in response
    assert "minutes before the start" in html(response)
    assert MeetingJoin.objects.count() == 0


def test_join_is_a_link_not_a_form(login, fair, exhibitor_member, buyer_member):
    """A form's redirect to the video service is blocked by CSP form-action; a link is not."""
    meeting = meeting_now(fair, exhibitor_member, buyer_member)

    response = login(buyer_member.user).post(reverse("meetings:join", args=[meeting.pk]))

    assert response.status_code == 405
    assert MeetingJoin.objects.count() == 0


def test_both_sides_joining_through_the_site_starts_the_meeting(
    client, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member, minutes_from_now=-1)
    url = reverse("meetings:join", args=[meeting.pk])
    for member in (exhibitor_member, buyer_member):
        client.force_login(member.user)
        client.get(url)

    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_PROGRESS


# --- Links, check-in, marks, cancel -----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "http://zoom.us/j/1", "https://a:b@zoom.us/j/1"]
)
def test_video_link_form_rejects_hostile_urls(login, meeting, exhibitor_member, url):
    response = login(exhibitor_member.user).post(
        reverse("meetings:video_link", args=[meeting.pk]), {"url": url}
    )

    assert response.status_code == 200
    assert "errorlist" in html(response)
    assert Meeting.objects.get(pk=meeting.pk).video_url == "https://meet.jit.si/HanoiSIF-test-room"


def test_video_link_form_saves_https_link(login, meeting, exhibitor_member):
    response = login(exhibitor_member.user).post(
        reverse("meetings:video_link", args=[meeting.pk]),
        {"url": "https://teams.microsoft.com/l/meetup-join/abc"},
    )

    assert response.status_code == 302
    assert (
        Meeting.objects.get(pk=meeting.pk).video_url
        == "https://teams.microsoft.com/l/meetup-join/abc"
    )


def test_checkin_page_confirms_then_records(login, fair, exhibitor_member, buyer_member):
    meeting = meeting_now(
        fair,
        exhibitor_member,
        buyer_member,
        mode=MeetingMode.ONSITE,
        table_number=9,
        video_url="",
    )
    url = reverse("meetings:checkin", args=[meeting.pk, services.checkin_token(meeting=meeting)])
    client = login(exhibitor_member.user)

    page = client.get(url)
    assert MeetingJoin.objects.count() == 0
    response = client.post(url)

    assert page.status_code == 200
    assert response.status_code == 302
    assert list(MeetingJoin.objects.values_list("kind", flat=True)) == [JoinKind.TABLE]


def test_checkin_with_wrong_token_is_404(login, table_meeting, exhibitor_member):
    token = services.checkin_token(meeting=table_meeting)
    client = login(exhibitor_member.user)

    wrong = reverse("meetings:checkin", args=[table_meeting.pk, token[:-1] + "x"])
    responses = [client.get(wrong), client.post(wrong)]

    assert [r.status_code for r in responses] == [404, 404]
    assert MeetingJoin.objects.count() == 0


def test_checkin_qr_is_svg_for_organisers(login, table_meeting, organiser):
    response = login(organiser).get(reverse("meetings:checkin_qr", args=[table_meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_organiser_marks_no_show_from_the_room(login, meeting, organiser):
    response = login(organiser).post(
        reverse("meetings:mark", args=[meeting.pk]), {"status": MeetingStatus.NO_SHOW}
    )

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.NO_SHOW


def test_cancel_from_the_room(login, meeting, buyer_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(buyer_member.user).post(reverse("meetings:cancel", args=[meeting.pk]))

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED


def test_room_says_who_is_here_and_links_only_the_viewers_own_deal(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)
    MeetingJoinFactory(meeting=meeting, user=buyer_member.user, company=buyer_member.company)
    theirs = DealFactory(
        fair=fair,
        meeting=meeting,
        company=exhibitor_member.company,
        counterpart=buyer_member.company,
        created_by=exhibitor_member.user,
    )
    url = reverse("meetings:room", args=[meeting.pk])

    before = html(login(buyer_member.user).get(url))
    mine = DealFactory(
        fair=fair,
        meeting=meeting,
        company=buyer_member.company,
        counterpart=exhibitor_member.company,
        created_by=buyer_member.user,
    )
    after = html(login(buyer_member.user).get(url))

    assert f"{buyer_member.company.display_name} is here." in before
    assert f"{exhibitor_member.company.display_name} is here." not in before
    assert reverse("meetings:deal_detail", args=[theirs.pk]) not in before
    assert reverse("meetings:meeting_deal", args=[meeting.pk]) in before
    assert reverse("meetings:deal_detail", args=[mine.pk]) in after
    assert reverse("meetings:deal_detail", args=[theirs.pk]) not in after


# the session; the user with the viewer's flags (verified, groups, unread count); membership (the
# fair is the process's copy once warm); the meeting with its companies, its attendees with their
# people, who is present, the viewer's deal. The other side's summary comes from the cache.
ROOM_QUERIES = 7


def test_room_costs_the_same_few_queries_with_many_people_and_tags(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)
    client = login(buyer_member.user)
    url = reverse("meetings:room", args=[meeting.pk])
    client.get(url)
    few = _count(client, url)

    for _ in range(6):
        colleague = factories.MemberFactory(company=exhibitor_member.company)
        factories.MeetingAttendeeFactory(
            meeting=meeting, user=colleague.user, company=exhibitor_member.company
        )
    exhibitor_member.company.sectors.set(Sector.objects.all())
    exhibitor_member.company.certifications.set(Certification.objects.all())
    display_cache.display_bump(fair_id=fair.pk)  # as a profile change does on commit
    renewed = _count(client, url)
    many = _count(client, url)

    assert Sector.objects.count() > 2 and Certification.objects.count() > 2
    assert many == few == ROOM_QUERIES
    assert renewed == ROOM_QUERIES + 2  # the other side's sectors and certifications, once


def test_room_summary_of_the_other_side_follows_its_profile(
    login, fair, exhibitor_member, buyer_member
):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)
    client = login(buyer_member.user)
    url = reverse("meetings:room", args=[meeting.pk])
    client.get(url)

    with TestCase.captureOnCommitCallbacks(execute=True):
        exhibitor_services.company_update(
            company=exhibitor_member.company,
            actor=exhibitor_member.user,
            profile={"name_en": "Renamed Precision JSC"},
        )
    page = html(client.get(url))

    assert 'aria-label="Renamed Precision JSC"' in page


def test_room_summary_is_cached_until_the_display_version_moves(
    login, fair, exhibitor_member, buyer_member
):
    """Negative control: the summary really comes from the cache; a change that bypasses the
    services (no new display version) is not seen until the version moves."""
    meeting = meeting_now(fair, exhibitor_member, buyer_member)
    client = login(buyer_member.user)
    url = reverse("meetings:room", args=[meeting.pk])
    client.get(url)
    type(exhibitor_member.company).objects.filter(pk=exhibitor_member.company.pk).update(
        name_en="Silent Precision JSC"
    )

    before = html(client.get(url))
    display_cache.display_bump(fair_id=fair.pk)
    after = html(client.get(url))

    assert 'aria-label="Silent Precision JSC"' not in before
    assert 'aria-label="Silent Precision JSC"' in after


def test_room_summary_is_per_language(login, fair, exhibitor_member, buyer_member):
    meeting = meeting_now(fair, exhibitor_member, buyer_member)
    client = login(buyer_member.user)
    url = reverse("meetings:room", args=[meeting.pk])
    english = html(client.get(url))
    client.cookies["django_language"] = "vi"
    vietnamese = html(client.get(url))

    assert "Products and capabilities" in english
    assert "Products and capabilities" not in vietnamese


# --- My meetings ---------------------------------------------------------------------------


def test_my_meetings_lists_only_my_companys(login, meeting, other_member, exhibitor_member):
    foreign = factories.MeetingFactory(fair=meeting.fair, exhibitor=other_member.company)

    page = html(login(exhibitor_member.user).get(reverse("meetings:list")))

    assert reverse("meetings:room", args=[meeting.pk]) in page
    assert reverse("meetings:room", args=[foreign.pk]) not in page
    assert "09:00–09:30 Hà Nội · 11:00–11:30 Tokyo" in page


def _add_meetings(fair, exhibitor_member, count, *, first_hour=0):
    for index in range(first_hour, first_hour + count):
        buyer = factories.BuyerMemberFactory(company__fair=fair)
        meeting = factories.MeetingFactory(
            fair=fair,
            exhibitor=exhibitor_member.company,
            buyer=buyer.company,
            start=START + timedelta(hours=index),
        )
        factories.MeetingAttendeeFactory(meeting=meeting, user=buyer.user, company=buyer.company)
        factories.MeetingAttendeeFactory(
            meeting=meeting, user=exhibitor_member.user, company=exhibitor_member.company
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_meetings_query_count_is_constant(
    client, fair, exhibitor_member, django_assert_num_queries
):
    client.force_login(exhibitor_member.user)
    url = reverse("meetings:list")
    _add_meetings(fair, exhibitor_member, 2)
    client.get(url)  # warm: the process's copy of the current fair is read once
    with_two = _count(client, url)

    _add_meetings(fair, exhibitor_member, 12, first_hour=2)
    with django_assert_num_queries(with_two):
        response = client.get(url)

    assert response.content.count(b'href="/meetings/') == 14


# --- Deal log pages ------------------------------------------------------------------------


def test_log_a_meeting_deal_with_exact_amount(login, meeting, exhibitor_member, rates):
    response = login(exhibitor_member.user).post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": "1,234.56", "currency": "USD", "contacts": "x"},
    )

    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.amount_minor, deal.value_usd_cents, deal.value_vnd) == (
        123_456,
        123_456,
        30_864_000,
    )


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("12.5", "JPY"), ("1.234", "USD"), ("-5", "USD"), ("1.500.000", "VND"), ("5", "")],
)
def test_bad_amount_is_a_form_error_and_saves_nothing(
    login, meeting, exhibitor_member, rates, amount, currency
):
    response = login(exhibitor_member.user).post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": amount, "currency": currency},
    )

    assert response.status_code == 200
    assert "errorlist" in html(response)
    assert Deal.objects.count() == 0


def test_missing_rate_is_a_clear_form_error(login, meeting, exhibitor_member):
    response = login(exhibitor_member.user).post(
        reverse("meetings:meeting_deal", args=[meeting.pk]),
        {"stage": DealStage.QUOTATION, "amount": "100", "currency": "JPY"},
    )

    assert "no exchange rate for JPY" in html(response)
    assert Deal.objects.count() == 0


def test_second_visit_to_log_goes_to_the_existing_entry(login, meeting, exhibitor_member):
    deal = services.deal_create(fair=meeting.fair, user=exhibitor_member.user, meeting=meeting)

    response = login(exhibitor_member.user).get(reverse("meetings:meeting_deal", args=[meeting.pk]))

    assert response["Location"] == reverse("meetings:deal_edit", args=[deal.pk])


def test_concurrent_edit_shows_conflict_with_current_values(
    client, meeting, exhibitor_member, rates
):
    colleague = factories.MemberFactory(company=exhibitor_member.company)
    deal = services.deal_create(fair=meeting.fair, user=exhibitor_member.user, meeting=meeting)
    url = reverse("meetings:deal_edit", args=[deal.pk])
    form = {"stage": DealStage.MOU, "amount": "", "currency": "", "version": "1"}
    client.force_login(exhibitor_member.user)
    client.post(url, {**form, "notes": "Agreed on samples <b>bold</b>"})

    client.force_login(colleague.user)
    response = client.post(url, {**form, "notes": "Lost the customer"})

    deal.refresh_from_db()
    assert response.status_code == 409
    assert "Someone else saved this entry" in html(response)
    assert "Agreed on samples &lt;b&gt;bold&lt;/b&gt;" in html(response)
    assert (deal.notes, deal.version) == ("Agreed on samples <b>bold</b>", 2)
    assert 'name="version" value="2"' in html(response)


def test_deal_detail_escapes_notes_and_shows_history(login, meeting, exhibitor_member, rates):
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        notes="<script>steal()</script>",
        currency=Currency.JPY,
        amount_minor=150_000,
    )

    page = html(login(exhibitor_member.user).get(reverse("meetings:deal_detail", args=[deal.pk])))

    assert "<script>steal()</script>" not in page
    assert "&lt;script&gt;steal()&lt;/script&gt;" in page
    assert "¥150,000" in page
    assert "US$1,000.00" in page
    assert exhibitor_member.user.full_name in page


def test_walk_in_from_the_booth(login, fair, exhibitor_member, rates):
    badge = factories.BadgeFactory(fair=fair, organisation="Samsung Display Vietnam")

    response = login(exhibitor_member.user).post(
        reverse("meetings:walk_in"),
        {"badge_code": badge.code, "stage": DealStage.QUOTATION, "amount": "", "currency": ""},
    )

    assert response.status_code == 302
    assert Deal.objects.get().counterpart_name == "Samsung Display Vietnam"


def test_company_sees_only_its_own_log(login, fair, exhibitor_member, other_member):
    mine = DealFactory(fair=fair, company=exhibitor_member.company, counterpart_name="Mine Co")
    DealFactory(fair=fair, company=other_member.company, counterpart_name="Theirs Co")

    page = html(login(exhibitor_member.user).get(reverse("meetings:deals")))
    foreign = login(exhibitor_member.user).get(reverse("meetings:deal_detail", args=[mine.pk + 1]))

    assert "Mine Co" in page and "Theirs Co" not in page
    assert foreign.status_code == 404


def test_organiser_sees_all_with_totals(login, fair, exhibitor_member, other_member, organiser):
    DealFactory(
        fair=fair,
        company=exhibitor_member.company,
        currency="USD",
        amount_minor=100_000,
        value_usd_cents=100_000,
        value_vnd=25_000_000,
    )
    DealFactory(
        fair=fair,
        company=other_member.company,
        currency="JPY",
        amount_minor=150_000,
        value_usd_cents=100_000,
        value_vnd=25_000_000,
    )

    page = html(login(organiser).get(reverse("meetings:deals")))

    assert "US$2,000.00" in page
    assert "₫50,000,000" in page
    assert "¥150,000" in page and "US$1,000.00" in page


def _add_deals(fair, companies, count):
    for index in range(count):
        company = companies[index % len(companies)]
        DealFactory(
            fair=fair, company=company, currency="USD", amount_minor=100, value_usd_cents=100
        )


def test_deal_list_query_count_is_constant(
    client, fair, exhibitor_member, other_member, organiser, django_assert_num_queries
):
    companies = [exhibitor_member.company, other_member.company]
    client.force_login(organiser)
    url = reverse("meetings:deals")
    _add_deals(fair, companies, 2)
    client.get(url)  # warm: the process's copy of the current fair is read once
    with_two = _count(client, url)

    _add_deals(fair, companies, 30)
    with django_assert_num_queries(with_two):
        client.get(url)


def test_csv_export_for_organisers_neutralises_formulas(login, fair, exhibitor_member, organiser):
    DealFactory(
        fair=fair,
        company=exhibitor_member.company,
        counterpart_name='=HYPERLINK("http://evil")',
        currency="VND",
        amount_minor=1_234_567,
        value_vnd=1_234_567,
        value_usd_cents=4_938,
    )

    response = login(organiser).get(reverse("meetings:deal_export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0]["counterpart"] == '\'=HYPERLINK("http://evil")'
    assert (rows[0]["amount_minor"], rows[0]["value_usd"]) == ("1234567", "49.38")


@pytest.mark.parametrize(
    "typed",
    ["a;=1+2", "Tanaka, =1+2", "x;@SUM(A1)", "\t=cmd", '=HYPERLINK("http://evil","x")'],
)
def test_csv_export_keeps_list_separated_formulas_as_text(
    login, fair, exhibitor_member, organiser, typed
):
    """Where ``;`` is the list separator (Vietnamese settings), ``a;=1+2`` would split into a
    second cell holding a formula: every such cell is written as text."""
    DealFactory(fair=fair, company=exhibitor_member.company, notes=typed)

    response = login(organiser).get(reverse("meetings:deal_export"))
    content = response.content

    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for Excel
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0]["notes"] == "'" + typed


def test_organiser_publishes_a_rate(login, organiser, fair):
    response = login(organiser).post(
        reverse("meetings:rates"),
        {"currency": "VND", "units_per_usd": "24,350", "valid_from": "2021-10-01T08:00"},
    )

    assert response.status_code == 302
    assert ExchangeRate.objects.get().units_per_usd == Decimal("24350")


# --- Dashboard -----------------------------------------------------------------------------


def test_history_is_recorded_through_the_edit_page(client, meeting, exhibitor_member, rates):
    deal = services.deal_create(fair=meeting.fair, user=exhibitor_member.user, meeting=meeting)
    client.force_login(exhibitor_member.user)

    client.post(
        reverse("meetings:deal_edit", args=[deal.pk]),
        {"stage": DealStage.SAMPLES, "amount": "150000", "currency": "JPY", "version": "1"},
    )

    revision = DealRevision.objects.get(deal=deal, version=2)
    assert revision.user == exhibitor_member.user
    assert revision.changes["stage"] == [DealStage.NO_FOLLOW_UP, DealStage.SAMPLES]
    assert revision.changes["amount_minor"] == [None, 150_000]
