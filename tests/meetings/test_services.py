"""Room and deal-log services: joining, check-in, lifecycle, links, notifications, deals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from exhibitors.enums import MembershipStatus
from fairsite.channels import MEETING_CHANGED, meeting_group
from meetings import notifications, services
from meetings.enums import Currency, DealStage, JoinKind, MeetingMode, MeetingStatus
from meetings.models import Deal, DealRevision, Meeting, MeetingJoin
from tests import factories
from tests.meetings.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

START = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)  # the meeting fixture: 09:00–09:30 Hà Nội
DURING = START + timedelta(minutes=5)
AFTER = START + timedelta(minutes=45)


def joins(meeting) -> list[tuple[int, str]]:
    return list(MeetingJoin.objects.filter(meeting=meeting).values_list("user_id", "kind"))


def status_of(meeting) -> str:
    return Meeting.objects.values_list("status", flat=True).get(pk=meeting.pk)


# --- Join window ---------------------------------------------------------------------------


def test_join_inside_window_records_join_and_returns_link(meeting, exhibitor_member):
    url = services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)

    assert url == "https://meet.jit.si/HanoiSIF-test-room"
    assert joins(meeting) == [(exhibitor_member.user_id, JoinKind.ONLINE)]
    join = MeetingJoin.objects.get(meeting=meeting)
    assert (join.company_id, join.at) == (exhibitor_member.company_id, DURING)


def test_join_opens_ten_minutes_before_start(meeting, buyer_member):
    services.meeting_join_record(
        meeting=meeting, user=buyer_member.user, now=START - timedelta(minutes=10)
    )

    assert joins(meeting) == [(buyer_member.user_id, JoinKind.ONLINE)]


def test_join_window_follows_the_setting(meeting, buyer_member, settings):
    settings.MEETING_JOIN_EARLY_MINUTES = 30

    services.meeting_join_record(
        meeting=meeting, user=buyer_member.user, now=START - timedelta(minutes=25)
    )

    assert len(joins(meeting)) == 1


@pytest.mark.parametrize(
    "now",
    [
        START - timedelta(minutes=10, seconds=1),
        START - timedelta(days=1),
        START + timedelta(minutes=30),  # the end itself
        AFTER,
    ],
)
def test_join_outside_window_is_refused_and_records_nothing(meeting, exhibitor_member, now):
    with pytest.raises(services.MeetingActionError):
        services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=now)

    assert joins(meeting) == []
    assert status_of(meeting) == MeetingStatus.SCHEDULED


def test_join_on_site_meeting_is_refused(table_meeting, exhibitor_member):
    with pytest.raises(services.MeetingActionError):
        services.meeting_join_record(
            meeting=table_meeting,
            user=exhibitor_member.user,
            now=table_meeting.start + timedelta(minutes=1),
        )

    assert joins(table_meeting) == []


def test_join_cancelled_meeting_is_refused(meeting, exhibitor_member):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    meeting.refresh_from_db()

    with pytest.raises(services.MeetingActionError):
        services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)

    assert joins(meeting) == []


def test_join_by_other_company_is_denied(meeting, other_member):
    with pytest.raises(PermissionDenied):
        services.meeting_join_record(meeting=meeting, user=other_member.user, now=DURING)

    assert joins(meeting) == []


def test_join_by_pending_member_is_denied(meeting, exhibitor_member):
    pending = factories.MemberFactory(
        company=exhibitor_member.company, status=MembershipStatus.PENDING
    )

    with pytest.raises(PermissionDenied):
        services.meeting_join_record(meeting=meeting, user=pending.user, now=DURING)


# --- Lifecycle -------------------------------------------------------------------------------


def test_one_side_joined_stays_scheduled(meeting, exhibitor_member):
    services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)

    assert status_of(meeting) == MeetingStatus.SCHEDULED


def test_two_members_of_one_side_do_not_make_a_meeting(meeting, exhibitor_member):
    colleague = factories.MemberFactory(company=exhibitor_member.company)

    services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)
    services.meeting_join_record(meeting=meeting, user=colleague.user, now=DURING)

    assert status_of(meeting) == MeetingStatus.SCHEDULED


def test_organiser_join_does_not_count_as_a_side(meeting, exhibitor_member, organiser):
    services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)
    services.meeting_join_record(meeting=meeting, user=organiser, now=DURING)

    assert status_of(meeting) == MeetingStatus.SCHEDULED
    assert MeetingJoin.objects.get(user=organiser).company_id is None


def test_both_sides_joined_is_in_progress_then_held_after_end(
    meeting, exhibitor_member, buyer_member
):
    services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)
    services.meeting_join_record(meeting=meeting, user=buyer_member.user, now=DURING)
    in_progress = status_of(meeting)

    services.meeting_status_refresh(meeting=meeting, now=START + timedelta(minutes=29))
    still = status_of(meeting)
    services.meeting_status_refresh(meeting=meeting, now=AFTER)

    assert (in_progress, still, status_of(meeting)) == (
        MeetingStatus.IN_PROGRESS,
        MeetingStatus.IN_PROGRESS,
        MeetingStatus.HELD,
    )


def test_refresh_without_evidence_leaves_meeting_scheduled(meeting):
    services.meeting_status_refresh(meeting=meeting, now=AFTER)

    assert status_of(meeting) == MeetingStatus.SCHEDULED


def test_status_change_is_broadcast_to_the_room_after_commit(
    meeting, exhibitor_member, buyer_member, django_capture_on_commit_callbacks
):
    services.meeting_join_record(meeting=meeting, user=exhibitor_member.user, now=DURING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_join_record(meeting=meeting, user=buyer_member.user, now=DURING)
    # Nothing is sent before the commit: the organisers' figures, then the room.
    assert len(callbacks) == 2

    async def listen() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(meeting_group(meeting.pk), channel)
        await sync_to_async(callbacks[-1])()
        return await asyncio.wait_for(layer.receive(channel), timeout=5)

    event = async_to_sync(listen)()

    assert event["type"] == MEETING_CHANGED
    assert (event["meeting"], event["status"], event["change"]) == (
        meeting.pk,
        MeetingStatus.IN_PROGRESS,
        "status",
    )


# --- Table check-in --------------------------------------------------------------------------


def test_checkin_with_right_token_records_table_join(table_meeting, buyer_member):
    token = services.checkin_token(meeting=table_meeting)

    services.meeting_checkin(
        meeting=table_meeting, user=buyer_member.user, token=token, now=table_meeting.start
    )

    assert joins(table_meeting) == [(buyer_member.user_id, JoinKind.TABLE)]


@pytest.mark.parametrize("token", ["", "0" * 32, "x"])
def test_checkin_with_wrong_token_is_denied(table_meeting, buyer_member, token):
    with pytest.raises(PermissionDenied):
        services.meeting_checkin(
            meeting=table_meeting, user=buyer_member.user, token=token, now=table_meeting.start
        )

    assert joins(table_meeting) == []


def test_checkin_token_of_another_meeting_is_denied(table_meeting, meeting, buyer_member):
    other_token = services.checkin_token(meeting=meeting)

    with pytest.raises(PermissionDenied):
        services.meeting_checkin(
            meeting=table_meeting,
            user=buyer_member.user,
            token=other_token,
            now=table_meeting.start,
        )


def test_checkin_by_outsider_with_token_is_denied(table_meeting, other_member):
    token = services.checkin_token(meeting=table_meeting)

    with pytest.raises(PermissionDenied):
        services.meeting_checkin(
            meeting=table_meeting, user=other_member.user, token=token, now=table_meeting.start
        )

    assert joins(table_meeting) == []


def test_checkin_outside_window_is_refused(table_meeting, buyer_member):
    token = services.checkin_token(meeting=table_meeting)

    with pytest.raises(services.MeetingActionError):
        services.meeting_checkin(
            meeting=table_meeting,
            user=buyer_member.user,
            token=token,
            now=table_meeting.start - timedelta(hours=1),
        )

    assert joins(table_meeting) == []


def test_both_sides_checked_in_is_in_progress(table_meeting, exhibitor_member, buyer_member):
    token = services.checkin_token(meeting=table_meeting)
    for member in (exhibitor_member, buyer_member):
        services.meeting_checkin(
            meeting=table_meeting, user=member.user, token=token, now=table_meeting.start
        )

    assert status_of(table_meeting) == MeetingStatus.IN_PROGRESS


def test_mixed_meeting_table_and_online_evidence_combine(fair, exhibitor_member, buyer_member):
    mixed = factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        mode=MeetingMode.MIXED,
        table_number=3,
        video_url="https://zoom.us/j/1234567890",
    )
    token = services.checkin_token(meeting=mixed)

    services.meeting_checkin(meeting=mixed, user=exhibitor_member.user, token=token, now=DURING)
    services.meeting_join_record(meeting=mixed, user=buyer_member.user, now=DURING)

    assert status_of(mixed) == MeetingStatus.IN_PROGRESS


# --- Organiser's mark ------------------------------------------------------------------------


def test_organiser_marks_held_with_evidence(meeting, organiser):
    services.meeting_mark(meeting=meeting, user=organiser, status=MeetingStatus.HELD, now=AFTER)

    assert status_of(meeting) == MeetingStatus.HELD
    assert joins(meeting) == [(organiser.pk, JoinKind.ORGANISER)]


def test_organiser_marks_no_show(meeting, organiser):
    services.meeting_mark(meeting=meeting, user=organiser, status=MeetingStatus.NO_SHOW)

    assert status_of(meeting) == MeetingStatus.NO_SHOW


def test_member_cannot_mark(meeting, exhibitor_member):
    with pytest.raises(PermissionDenied):
        services.meeting_mark(
            meeting=meeting, user=exhibitor_member.user, status=MeetingStatus.HELD
        )

    assert status_of(meeting) == MeetingStatus.SCHEDULED


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.IN_PROGRESS, "held "])
def test_mark_accepts_only_held_or_no_show(meeting, organiser, status):
    with pytest.raises(services.MeetingActionError):
        services.meeting_mark(meeting=meeting, user=organiser, status=status)

    assert status_of(meeting) == MeetingStatus.SCHEDULED


def test_cancelled_meeting_cannot_be_marked(meeting, organiser):
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)

    with pytest.raises(services.MeetingActionError):
        services.meeting_mark(meeting=meeting, user=organiser, status=MeetingStatus.HELD)

    assert status_of(meeting) == MeetingStatus.CANCELLED


def test_evidence_does_not_override_a_no_show_mark(
    meeting, organiser, exhibitor_member, buyer_member
):
    services.meeting_mark(meeting=meeting, user=organiser, status=MeetingStatus.NO_SHOW)

    with pytest.raises(services.MeetingActionError):
        services.meeting_join_record(meeting=meeting, user=buyer_member.user, now=DURING)

    assert status_of(meeting) == MeetingStatus.NO_SHOW


# --- External links --------------------------------------------------------------------------

HOSTILE_URLS = [
    "http://zoom.us/j/123",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "https://user:secret@zoom.us/j/123",
    "https://zoom.us@evil.example/j/123",
    "https://:pw@zoom.us/",
    "https://zoom.us/j/" + "1" * 500,
    "https://",
    "https:///path",
    "https://localhost/room",
    "//evil.example/x",
    "ftp://zoom.us/j/1",
    "https://zoom.us/j/1 onmouseover=alert(1)",
    "https://zoom.us/j/1\nSet-Cookie: x=1",
    "https://zoom.us\\@evil.example/",
    "https://zoom.us/j/1\x00",
    "zoom.us/j/123",
    "",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_validate_video_url_rejects_hostile_links(url):
    with pytest.raises(ValidationError):
        services.validate_video_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://zoom.us/j/1234567890?pwd=abcDEF123",
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0",
        "https://meet.google.com/abc-defg-hij",
        "  https://us02web.zoom.us/j/85012345678  ",
    ],
)
def test_validate_video_url_accepts_meeting_services(url):
    assert services.validate_video_url(url) == url.strip()


def test_exhibitor_sets_external_link_and_both_sides_are_mailed(
    meeting, exhibitor_member, buyer_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.meeting_video_url_set(
            meeting=meeting, user=exhibitor_member.user, url="https://zoom.us/j/1234567890"
        )

    assert updated.video_url == "https://zoom.us/j/1234567890"
    assert updated.sequence == meeting.sequence + 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [exhibitor_member.user.email, buyer_member.user.email]
    )
    assert all("https://zoom.us/j/1234567890" in m.body for m in mail.outbox)


def test_buyer_cannot_set_the_link(meeting, buyer_member):
    with pytest.raises(PermissionDenied):
        services.meeting_video_url_set(
            meeting=meeting, user=buyer_member.user, url="https://zoom.us/j/1"
        )

    assert status_of(meeting) == MeetingStatus.SCHEDULED
    meeting.refresh_from_db()
    assert meeting.video_url == "https://meet.jit.si/HanoiSIF-test-room"


def test_hostile_link_is_not_saved(meeting, exhibitor_member):
    with pytest.raises(ValidationError):
        services.meeting_video_url_set(
            meeting=meeting, user=exhibitor_member.user, url="javascript:alert(1)"
        )

    meeting.refresh_from_db()
    assert meeting.video_url == "https://meet.jit.si/HanoiSIF-test-room"


def test_empty_link_goes_back_to_a_fresh_fair_room(meeting, organiser, settings):
    settings.VIDEO_BASE_URL = "https://video.example.org"

    updated = services.meeting_video_url_set(meeting=meeting, user=organiser, url="")

    assert updated.video_url.startswith("https://video.example.org/HanoiSIF-")


# --- Change notifications --------------------------------------------------------------------


def test_rescheduled_mail_shows_both_zones_and_carries_invitation(
    meeting, exhibitor_member, buyer_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.meeting_changed(meeting=meeting, change=notifications.CHANGE_RESCHEDULED)

    by_person = {m.to[0]: m for m in mail.outbox}
    to_buyer = by_person[buyer_member.user.email]
    to_exhibitor = by_person[exhibitor_member.user.email]
    # The buyer lives in Tokyo: their zone first, then the exhibitor's.
    assert "11:00–11:30 Tokyo · 09:00–09:30 Hà Nội" in to_buyer.body
    assert "09:00–09:30 Hà Nội · 11:00–11:30 Tokyo" in to_exhibitor.body
    assert to_buyer.attachments and "text/calendar" in to_buyer.attachments[0][2]


def test_cancelled_mail_carries_calendar_cancel(
    meeting, buyer_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.meeting_changed(meeting=meeting, change=notifications.CHANGE_CANCELLED)

    message = next(m for m in mail.outbox if m.to == [buyer_member.user.email])
    assert "cancel" in message.subject.lower()
    name, content, mimetype = message.attachments[0]
    assert "METHOD:CANCEL" in (content.decode() if isinstance(content, bytes) else content)


def test_notify_sends_nothing_on_rollback(meeting, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.meeting_changed(meeting=meeting, change=notifications.CHANGE_RESCHEDULED)
            raise RuntimeError

    assert mail.outbox == []


def test_company_names_are_not_html_escaped_in_plain_text_mail(
    meeting, buyer_member, django_capture_on_commit_callbacks
):
    meeting.exhibitor.name_en = "Hoà Phát & Sons <Parts>"
    meeting.exhibitor.save()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.meeting_changed(meeting=meeting, change=notifications.CHANGE_RESCHEDULED)

    message = next(m for m in mail.outbox if m.to == [buyer_member.user.email])
    assert "Hoà Phát & Sons <Parts>" in message.subject + message.body


# --- Deal log --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "minor", "usd_cents", "vnd"),
    [
        (Currency.VND, 1_234_567, 4_938, 1_234_567),
        (Currency.USD, 123_456, 123_456, 30_864_000),
        (Currency.JPY, 150_000, 100_000, 25_000_000),
        (Currency.KRW, 2_600_000, 200_000, 50_000_000),
        (Currency.THB, 1_250, 36, 8_929),
        (Currency.EUR, 90_000, 100_000, 25_000_000),
    ],
)
def test_deal_value_is_exact_in_every_currency(
    meeting, exhibitor_member, rates, currency, minor, usd_cents, vnd
):
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        stage=DealStage.QUOTATION,
        currency=currency,
        amount_minor=minor,
        now=DURING,
    )

    deal.refresh_from_db()
    assert (deal.currency, deal.amount_minor, deal.value_usd_cents, deal.value_vnd) == (
        currency,
        minor,
        usd_cents,
        vnd,
    )
    assert deal.vnd_per_usd == Decimal("25000")


def test_rate_is_frozen_when_logged(meeting, exhibitor_member, rates):
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        currency=Currency.JPY,
        amount_minor=150_000,
        now=DURING,
    )
    ExchangeRateFactory(
        fair=meeting.fair,
        currency=Currency.JPY,
        units_per_usd=Decimal("100"),
        valid_from=DURING + timedelta(minutes=1),
    )
    rates[Currency.JPY].units_per_usd = Decimal("1")  # even an edited old row changes nothing
    rates[Currency.JPY].save()

    deal.refresh_from_db()
    assert (deal.value_usd_cents, deal.units_per_usd) == (100_000, Decimal("150"))


def test_latest_rate_in_force_is_used_and_future_rates_ignored(meeting, exhibitor_member, rates):
    fair = meeting.fair
    ExchangeRateFactory(
        fair=fair, currency=Currency.JPY, units_per_usd=Decimal("120"), valid_from=START
    )
    ExchangeRateFactory(
        fair=fair, currency=Currency.JPY, units_per_usd=Decimal("1"), valid_from=AFTER
    )

    deal = services.deal_create(
        fair=fair,
        user=exhibitor_member.user,
        meeting=meeting,
        currency=Currency.JPY,
        amount_minor=120_000,
        now=DURING,
    )

    assert deal.value_usd_cents == 100_000


def test_rates_of_another_fair_are_not_used(meeting, exhibitor_member):
    other_fair = factories.FairFactory(is_current=False)
    ExchangeRateFactory(fair=other_fair, currency=Currency.JPY, units_per_usd=Decimal("150"))
    ExchangeRateFactory(fair=other_fair, currency=Currency.VND, units_per_usd=Decimal("25000"))

    with pytest.raises(ValidationError) as caught:
        services.deal_create(
            fair=meeting.fair,
            user=exhibitor_member.user,
            meeting=meeting,
            currency=Currency.JPY,
            amount_minor=1,
            now=DURING,
        )

    assert "currency" in caught.value.message_dict
    assert Deal.objects.count() == 0


def test_no_rate_for_currency_is_a_clear_error_and_nothing_is_saved(
    meeting, exhibitor_member, fair
):
    ExchangeRateFactory(fair=fair, currency=Currency.VND, units_per_usd=Decimal("25000"))

    with pytest.raises(ValidationError) as caught:
        services.deal_create(
            fair=fair,
            user=exhibitor_member.user,
            meeting=meeting,
            currency=Currency.KRW,
            amount_minor=1_000,
            now=DURING,
        )

    assert "KRW" in caught.value.message_dict["currency"][0]
    assert Deal.objects.count() == DealRevision.objects.count() == 0


def test_deal_without_value_needs_no_rate(meeting, buyer_member):
    deal = services.deal_create(
        fair=meeting.fair,
        user=buyer_member.user,
        meeting=meeting,
        contacts="tanaka@example.jp",
        stage=DealStage.SAMPLES,
        now=DURING,
    )

    assert (deal.amount_minor, deal.value_usd_cents, deal.currency) == (None, None, "")
    assert deal.counterpart_id == meeting.exhibitor_id


def test_negative_or_huge_minor_amounts_are_refused(meeting, exhibitor_member, rates):
    for amount in (-1, 10**15 + 1):
        with pytest.raises(ValidationError):
            services.deal_create(
                fair=meeting.fair,
                user=exhibitor_member.user,
                meeting=meeting,
                currency=Currency.USD,
                amount_minor=amount,
                now=DURING,
            )

    assert Deal.objects.count() == 0


def test_deal_history_keeps_who_old_and_new(meeting, exhibitor_member, rates):
    colleague = factories.MemberFactory(company=exhibitor_member.company)
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        stage=DealStage.QUOTATION,
        currency=Currency.USD,
        amount_minor=100_000,
        now=DURING,
    )

    services.deal_update(
        deal=deal,
        user=colleague.user,
        version=1,
        counterpart_name="",
        contacts="",
        stage=DealStage.NEGOTIATING,
        currency=Currency.USD,
        amount_minor=250_000,
        notes="",
        now=AFTER,
    )

    first, second = DealRevision.objects.filter(deal=deal).order_by("version")
    assert (first.user, first.version, first.changes["stage"]) == (
        exhibitor_member.user,
        1,
        [None, DealStage.QUOTATION],
    )
    assert (second.user, second.version, second.at) == (colleague.user, 2, AFTER)
    assert second.changes["stage"] == [DealStage.QUOTATION, DealStage.NEGOTIATING]
    assert second.changes["amount_minor"] == [100_000, 250_000]
    assert second.changes["value_usd_cents"] == [100_000, 250_000]
    assert "contacts" not in second.changes


def _update(deal, user, version, **overrides):
    values = {
        "counterpart_name": "",
        "contacts": "",
        "stage": DealStage.QUOTATION,
        "currency": "",
        "amount_minor": None,
        "notes": "",
    }
    values.update(overrides)
    return services.deal_update(deal=deal, user=user, version=version, now=AFTER, **values)


def test_second_edit_from_same_version_conflicts_and_changes_nothing(
    meeting, exhibitor_member, rates
):
    colleague = factories.MemberFactory(company=exhibitor_member.company)
    deal = services.deal_create(
        fair=meeting.fair, user=exhibitor_member.user, meeting=meeting, now=DURING
    )
    loaded_by_both = deal.version

    _update(deal, exhibitor_member.user, loaded_by_both, notes="First: MoU next week")
    with pytest.raises(services.DealConflict) as caught:
        _update(
            deal,
            colleague.user,
            loaded_by_both,
            notes="Second: no interest",
            stage=DealStage.NO_FOLLOW_UP,
        )

    deal.refresh_from_db()
    assert (deal.notes, deal.stage, deal.version) == (
        "First: MoU next week",
        DealStage.QUOTATION,
        2,
    )
    assert caught.value.current.notes == "First: MoU next week"
    assert DealRevision.objects.filter(deal=deal).count() == 2


def test_edit_with_current_version_after_conflict_succeeds(meeting, exhibitor_member, rates):
    deal = services.deal_create(
        fair=meeting.fair, user=exhibitor_member.user, meeting=meeting, now=DURING
    )
    _update(deal, exhibitor_member.user, 1, notes="one")

    updated = _update(deal, exhibitor_member.user, 2, notes="two")

    assert (updated.notes, updated.version) == ("two", 3)


def test_edit_that_changes_nothing_writes_nothing(meeting, exhibitor_member):
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        stage=DealStage.QUOTATION,
        now=DURING,
    )

    same = _update(deal, exhibitor_member.user, 1)

    assert same.version == 1
    assert DealRevision.objects.filter(deal=deal).count() == 1


def test_stage_change_keeps_frozen_value_but_new_amount_refreezes(meeting, exhibitor_member, rates):
    deal = services.deal_create(
        fair=meeting.fair,
        user=exhibitor_member.user,
        meeting=meeting,
        currency=Currency.JPY,
        amount_minor=150_000,
        now=DURING,
    )
    ExchangeRateFactory(
        fair=meeting.fair,
        currency=Currency.JPY,
        units_per_usd=Decimal("100"),
        valid_from=DURING + timedelta(minutes=1),
    )

    staged = _update(
        deal,
        exhibitor_member.user,
        1,
        stage=DealStage.MOU,
        currency=Currency.JPY,
        amount_minor=150_000,
    )
    repriced = _update(
        deal,
        exhibitor_member.user,
        2,
        stage=DealStage.MOU,
        currency=Currency.JPY,
        amount_minor=200_000,
    )

    assert staged.value_usd_cents == 100_000
    assert (repriced.value_usd_cents, repriced.units_per_usd) == (200_000, Decimal("100"))


def test_other_company_cannot_edit_a_deal(meeting, exhibitor_member, buyer_member):
    deal = services.deal_create(
        fair=meeting.fair, user=exhibitor_member.user, meeting=meeting, now=DURING
    )

    with pytest.raises(PermissionDenied):
        _update(deal, buyer_member.user, 1, notes="not mine")

    deal.refresh_from_db()
    assert deal.notes == ""


def test_organiser_may_correct_a_deal(meeting, exhibitor_member, organiser):
    deal = services.deal_create(
        fair=meeting.fair, user=exhibitor_member.user, meeting=meeting, now=DURING
    )

    _update(deal, organiser, 1, notes="corrected")

    assert DealRevision.objects.get(deal=deal, version=2).user == organiser


def test_outsider_cannot_log_someone_elses_meeting(meeting, other_member):
    with pytest.raises(PermissionDenied):
        services.deal_create(fair=meeting.fair, user=other_member.user, meeting=meeting)

    assert Deal.objects.count() == 0


def test_company_logs_a_meeting_once(meeting, exhibitor_member):
    services.deal_create(fair=meeting.fair, user=exhibitor_member.user, meeting=meeting)

    with pytest.raises(ValidationError):
        services.deal_create(fair=meeting.fair, user=exhibitor_member.user, meeting=meeting)

    assert Deal.objects.count() == 1


def test_walk_in_from_badge_code(fair, exhibitor_member):
    badge = factories.BadgeFactory(fair=fair, organisation="Kyoto Seiki KK")

    deal = services.deal_create(
        fair=fair, user=exhibitor_member.user, badge_code=f"  {badge.code} ", contacts="card"
    )

    assert (deal.meeting, deal.visitor_badge, deal.counterpart_name) == (
        None,
        badge,
        "Kyoto Seiki KK",
    )


def test_walk_in_unknown_badge_is_refused(fair, exhibitor_member):
    other_fair = factories.FairFactory(is_current=False)
    foreign = factories.BadgeFactory(fair=other_fair)

    for code in ("nope", foreign.code):
        with pytest.raises(ValidationError) as caught:
            services.deal_create(fair=fair, user=exhibitor_member.user, badge_code=code)
        assert "badge_code" in caught.value.message_dict

    assert Deal.objects.count() == 0


def test_walk_in_by_hand_needs_a_name(fair, exhibitor_member):
    with pytest.raises(ValidationError):
        services.deal_create(fair=fair, user=exhibitor_member.user, counterpart_name="  ")

    deal = services.deal_create(fair=fair, user=exhibitor_member.user, counterpart_name="Mr Kim")

    assert deal.counterpart_name == "Mr Kim"


def test_buyers_do_not_log_walk_ins(fair, buyer_member):
    with pytest.raises(ValidationError):
        services.deal_create(fair=fair, user=buyer_member.user, counterpart_name="Someone")


def test_rate_creation_is_for_organisers(fair, exhibitor_member, organiser):
    with pytest.raises(PermissionDenied):
        services.exchange_rate_create(
            fair=fair,
            user=exhibitor_member.user,
            currency=Currency.JPY,
            units_per_usd=Decimal("150"),
            valid_from=START,
        )

    rate = services.exchange_rate_create(
        fair=fair,
        user=organiser,
        currency=Currency.JPY,
        units_per_usd=Decimal("150"),
        valid_from=START,
    )
    assert (rate.created_by, rate.units_per_usd) == (organiser, Decimal("150"))
