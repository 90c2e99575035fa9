"""The waiting list of a full exhibitor: joining, the position, a freed time offered to the
first free waiting buyer exactly once (also with concurrent cancellations), accepting,
declining, expiry passing it on, the e-mail in the buyer's language, and who may act."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fairsite.models import Notification
from matchmaking import services, waitlist
from matchmaking.enums import OfferStatus, WaitlistStatus
from matchmaking.models import WaitlistEntry, WaitlistOffer
from meetings import booking
from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting, MeetingAttendee
from tests import factories
from tests.matchmaking.helpers import future_fair, slot_at, venue_time

pytestmark = pytest.mark.django_db


def book(fair, exhibitor, buyer, start, *, mode=MeetingMode.ONLINE):
    return booking.meeting_book(
        fair=fair,
        exhibitor=exhibitor.company,
        buyer=buyer.company,
        attendees=[exhibitor, buyer],
        start=start,
        end=start + timedelta(minutes=fair.slot_minutes),
        mode=mode,
        by=buyer.user,
    )


def full_exhibitor(fair, *, hour: int = 10):
    """An exhibitor whose one person is free only at ``hour``:00 venue time on the first day,
    and already booked then by another buyer. Returns the person and that meeting."""
    exhibitor = factories.MemberFactory(company__fair=fair)
    start = venue_time(fair, 0, hour)
    services.availability_set(fair=fair, user=exhibitor.user, slot_ids=[slot_at(fair, start).id])
    rival = factories.BuyerMemberFactory(company__fair=fair)
    return exhibitor, book(fair, exhibitor, rival, start)


def waiting_buyer(fair, exhibitor, *, language: str = "en", zone: str = "Asia/Tokyo"):
    buyer = factories.BuyerMemberFactory(
        company__fair=fair, user__language=language, user__time_zone=zone
    )
    entry = waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor.company)
    return buyer, entry


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``action`` as a committed change: its after-commit work (tasks inline) runs."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


# --- Joining, position, leaving ----------------------------------------------------------------


def test_buyers_join_a_full_exhibitor_in_order_and_see_their_position(fair):
    exhibitor, _meeting = full_exhibitor(fair)
    first, _ = waiting_buyer(fair, exhibitor)
    second, _ = waiting_buyer(fair, exhibitor)

    assert (
        waitlist.wait_state_for(
            fair=fair, user=first.user, company=first.company, exhibitor=exhibitor.company
        ).position
        == 1
    )
    assert (
        waitlist.wait_state_for(
            fair=fair, user=second.user, company=second.company, exhibitor=exhibitor.company
        ).position
        == 2
    )
    assert [
        e.buyer_id for e in waitlist.waitlist_of_exhibitor(fair=fair, company=exhibitor.company)
    ] == [
        first.company.pk,
        second.company.pk,
    ]


def test_joining_an_exhibitor_with_free_times_is_refused_and_changes_nothing(
    fair, exhibitor_member
):
    buyer = factories.BuyerMemberFactory(company__fair=fair)

    with pytest.raises(ValidationError, match="request a meeting instead"):
        waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor_member.company)
    assert WaitlistEntry.objects.count() == 0


def test_joining_twice_is_refused_with_a_message(fair):
    exhibitor, _meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)

    with pytest.raises(ValidationError, match="already on this waiting list"):
        waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor.company)
    assert WaitlistEntry.objects.count() == 1


def test_the_database_refuses_a_second_waiting_entry_per_buyer_and_exhibitor(fair):
    """The constraint itself, without the service's check in front of it."""
    exhibitor, _meeting = full_exhibitor(fair)
    buyer, entry = waiting_buyer(fair, exhibitor)

    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.create(
            fair=fair, buyer=buyer.company, exhibitor=exhibitor.company, user=buyer.user
        )
    # After leaving, joining again is a new entry.
    waitlist.waitlist_leave(fair=fair, user=buyer.user, entry=entry)
    waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor.company)
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() == 1


def test_an_exhibitor_cannot_join_and_a_buyer_cannot_list_a_buyer(fair, exhibitor_member):
    exhibitor, _meeting = full_exhibitor(fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)

    with pytest.raises(Exception) as refused:
        waitlist.waitlist_join(fair=fair, user=exhibitor_member.user, exhibitor=exhibitor.company)
    assert refused.type.__name__ == "PermissionDenied"
    with pytest.raises(ValidationError, match="Unknown exhibitor"):
        waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=buyer.company)


# --- A freed time is offered ------------------------------------------------------------------


def test_a_cancellation_offers_the_time_to_the_first_waiting_buyer_who_is_free(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    busy, _ = waiting_buyer(fair, exhibitor)
    free, free_entry = waiting_buyer(fair, exhibitor)
    waiting_buyer(fair, exhibitor)
    # The first in the queue has another meeting at that time.
    book(fair, factories.MemberFactory(company__fair=fair), busy, meeting.start)

    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))

    offer = WaitlistOffer.objects.get()
    assert (offer.entry_id, offer.status, offer.start, offer.end) == (
        free_entry.pk,
        OfferStatus.OPEN,
        meeting.start,
        meeting.end,
    )
    assert offer.exhibitor_user_id == exhibitor.user_id
    assert Notification.objects.filter(recipient=free.user, kind="waitlist.offered").count() == 1
    assert not Notification.objects.filter(recipient=busy.user, kind="waitlist.offered").exists()


def test_the_freed_time_is_offered_once_however_often_the_offer_runs(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    waiting_buyer(fair, exhibitor)
    waiting_buyer(fair, exhibitor)

    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))  # no-op
    again = waitlist.waitlist_offer_next(
        meeting_id=meeting.pk, start=meeting.start, end=meeting.end
    )

    assert again is None
    assert WaitlistOffer.objects.count() == 1


def test_the_database_refuses_a_second_open_offer_for_one_freed_time(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    waiting_buyer(fair, exhibitor)
    _second, second_entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistOffer.objects.create(
            fair=fair,
            entry=second_entry,
            freed_meeting=meeting,
            exhibitor_user=exhibitor.user,
            start=offer.start,
            end=offer.end,
            mode=offer.mode,
            expires_at=offer.expires_at,
        )


def test_the_offer_expires_after_the_configured_time_but_never_past_the_start(
    fair, committed, settings
):
    exhibitor, meeting = full_exhibitor(fair)
    waiting_buyer(fair, exhibitor)
    settings.WAITLIST_OFFER_MINUTES = 90

    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()
    assert timedelta(minutes=89) < offer.expires_at - offer.created_at <= timedelta(minutes=91)

    settings.WAITLIST_OFFER_MINUTES = 60 * 24 * 365
    WaitlistOffer.objects.all().delete()
    waitlist.waitlist_offer_next(meeting_id=meeting.pk, start=meeting.start, end=meeting.end)
    assert WaitlistOffer.objects.get().expires_at == meeting.start


def test_the_offer_e_mail_is_in_the_buyers_language_with_both_zones(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor, language="ja")

    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))

    (message,) = [m for m in mail.outbox if m.to == [buyer.user.email]]
    assert "空き" in message.subject, message.subject
    assert "10:00–10:30" in message.body and "12:00–12:30" in message.body  # Hà Nội · Tokyo
    stored = Notification.objects.get(recipient=buyer.user, kind="waitlist.offered")
    assert f"/waitlist/?offer={stored.payload['offer_id']}#offer-" in message.body
    assert "12:00" in stored.payload["text"] and "10:00" in stored.payload["text"]
    assert "空き" in stored.payload["text"]


def test_a_declined_offer_passes_to_the_next_free_buyer(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    first, _ = waiting_buyer(fair, exhibitor)
    _second, second_entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()

    committed(lambda: waitlist.waitlist_offer_decline(fair=fair, user=first.user, offer=offer))

    assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).entry_id == second_entry.pk
    # The first buyer stays on the list for other times.
    assert WaitlistEntry.objects.get(buyer=first.company).status == WaitlistStatus.WAITING


def test_an_expired_offer_passes_on_and_cannot_be_accepted(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    first, _ = waiting_buyer(fair, exhibitor)
    _second, second_entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()

    closed = committed(lambda: waitlist.waitlist_offers_expire(now=offer.expires_at))

    assert closed == 1
    assert WaitlistOffer.objects.get(pk=offer.pk).status == OfferStatus.EXPIRED
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).entry_id == second_entry.pk
    with pytest.raises(ValidationError, match="run out"):
        waitlist.waitlist_offer_accept(fair=fair, user=first.user, offer=offer)
    assert committed(lambda: waitlist.waitlist_offers_expire(now=offer.expires_at)) == 0


def test_the_workers_close_expired_offers_every_minute(fair, committed):
    from django.utils import timezone

    from fairsite import tasks
    from matchmaking.tasks import expire_waitlist_offers

    assert ("matchmaking.tasks.expire_waitlist_offers", "* * * * *") in {
        (task.name, cron) for task, cron in tasks.PERIODIC
    }
    exhibitor, meeting = full_exhibitor(fair)
    waiting_buyer(fair, exhibitor)
    _second, second_entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    assert committed(expire_waitlist_offers) == 0  # not due yet
    WaitlistOffer.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert committed(expire_waitlist_offers) == 1
    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).entry_id == second_entry.pk


def test_leaving_the_list_declines_an_open_offer_and_passes_it_on(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    first, first_entry = waiting_buyer(fair, exhibitor)
    _second, second_entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))

    committed(lambda: waitlist.waitlist_leave(fair=fair, user=first.user, entry=first_entry))

    assert WaitlistOffer.objects.get(status=OfferStatus.OPEN).entry_id == second_entry.pk


def test_a_rescheduled_meeting_offers_its_old_time(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, entry = waiting_buyer(fair, exhibitor)
    later = venue_time(fair, 1, 10)
    services.availability_set(
        fair=fair,
        user=exhibitor.user,
        slot_ids=[slot_at(fair, meeting.start).id, slot_at(fair, later).id],
    )
    old_start = meeting.start

    committed(
        lambda: booking.meeting_reschedule(
            meeting=meeting, start=later, end=later + timedelta(minutes=30), by=exhibitor.user
        )
    )

    offer = WaitlistOffer.objects.get()
    assert (offer.entry_id, offer.start) == (entry.pk, old_start)


# --- Accepting ---------------------------------------------------------------------------------


def test_accepting_books_the_meeting_for_both_and_closes_the_entry(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()

    booked = committed(
        lambda: waitlist.waitlist_offer_accept(fair=fair, user=buyer.user, offer=offer)
    )

    assert (booked.start, booked.status, booked.buyer_id) == (
        meeting.start,
        MeetingStatus.SCHEDULED,
        buyer.company.pk,
    )
    assert set(
        MeetingAttendee.objects.filter(meeting=booked, active=True).values_list(
            "user_id", flat=True
        )
    ) == {buyer.user_id, exhibitor.user_id}
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert (offer.status, offer.meeting_id, entry.status) == (
        OfferStatus.ACCEPTED,
        booked.pk,
        WaitlistStatus.BOOKED,
    )
    with pytest.raises(ValidationError, match="already accepted"):
        waitlist.waitlist_offer_accept(fair=fair, user=buyer.user, offer=offer)


def test_accepting_a_time_taken_meanwhile_says_so_and_passes_it_on(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)
    waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()
    # The exhibitor's person is booked at that time by someone else meanwhile.
    book(fair, exhibitor, factories.BuyerMemberFactory(company__fair=fair), meeting.start)

    with pytest.raises(ValidationError, match="no longer free"):
        committed(lambda: waitlist.waitlist_offer_accept(fair=fair, user=buyer.user, offer=offer))

    offer.refresh_from_db()
    assert offer.status == OfferStatus.GONE
    assert not Meeting.objects.filter(buyer=buyer.company).exists()
    # Nobody else can have it either: the exhibitor is busy then.
    assert not WaitlistOffer.objects.filter(status=OfferStatus.OPEN).exists()


def test_only_the_waiting_person_answers_their_offer(fair, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)
    colleague = factories.BuyerMemberFactory(company=buyer.company, fair=fair)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()

    for outsider in (colleague.user, exhibitor.user):
        assert waitlist.offer_for(fair=fair, user=outsider, offer_id=offer.pk) is None
        with pytest.raises(Exception) as refused:
            waitlist.waitlist_offer_accept(fair=fair, user=outsider, offer=offer)
        assert refused.type.__name__ == "PermissionDenied"
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN


# --- Pages -------------------------------------------------------------------------------------


def supplier_url(company) -> str:
    return reverse("exhibitors:company_detail", args=[company.slug])


def test_the_profile_offers_the_list_when_full_and_then_shows_the_position(fair, login):
    exhibitor, _meeting = full_exhibitor(fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    client = login(buyer.user)
    join = reverse("matchmaking:waitlist_join", args=[exhibitor.company.pk])

    html = client.get(supplier_url(exhibitor.company)).content.decode()
    assert f'action="{join}"' in html

    response = client.post(join, {"next": supplier_url(exhibitor.company)})
    assert response.status_code == 302
    html = client.get(supplier_url(exhibitor.company)).content.decode()
    assert "You are number 1 on this exhibitor's waiting list." in html
    assert f'action="{join}"' not in html


def test_the_profile_of_an_exhibitor_with_free_times_offers_no_list(fair, login, exhibitor_member):
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    html = login(buyer.user).get(supplier_url(exhibitor_member.company)).content.decode()
    assert "waitlist" not in html


def test_the_request_form_with_no_time_offers_the_list(fair, login):
    exhibitor, _meeting = full_exhibitor(fair)
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    html = (
        login(buyer.user)
        .get(reverse("matchmaking:request_create", args=[exhibitor.company.pk]))
        .content.decode()
    )
    assert reverse("matchmaking:waitlist_join", args=[exhibitor.company.pk]) in html


def test_joining_an_exhibitor_with_free_times_by_post_says_why_and_changes_nothing(
    fair, login, exhibitor_member
):
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    response = login(buyer.user).post(
        reverse("matchmaking:waitlist_join", args=[exhibitor_member.company.pk]), follow=True
    )
    assert response.status_code == 200
    assert "request a meeting instead" in response.content.decode()
    assert WaitlistEntry.objects.count() == 0


def test_accepting_on_the_page_books_and_opens_the_room(fair, login, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()
    client = login(buyer.user)
    page = client.get(reverse("matchmaking:waitlist")).content.decode()
    assert f'id="offer-{offer.pk}"' in page

    response = committed(
        lambda: client.post(reverse("matchmaking:waitlist_offer_accept", args=[offer.pk]))
    )

    booked = Meeting.objects.get(buyer=buyer.company, status=MeetingStatus.SCHEDULED)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:room", args=[booked.pk])


def test_a_taken_time_answers_409_with_the_message(fair, login, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()
    book(fair, exhibitor, factories.BuyerMemberFactory(company__fair=fair), meeting.start)

    response = login(buyer.user).post(reverse("matchmaking:waitlist_offer_accept", args=[offer.pk]))

    assert response.status_code == 409
    assert "This time is no longer free" in response.content.decode()


def test_someone_elses_offer_and_entry_answer_404(fair, login, committed):
    exhibitor, meeting = full_exhibitor(fair)
    buyer, entry = waiting_buyer(fair, exhibitor)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    offer = WaitlistOffer.objects.get()
    client = login(factories.BuyerMemberFactory(company__fair=fair).user)

    for name, pk in (
        ("matchmaking:waitlist_offer_accept", offer.pk),
        ("matchmaking:waitlist_offer_decline", offer.pk),
        ("matchmaking:waitlist_leave", entry.pk),
        ("matchmaking:waitlist_offer_accept", 987654),
    ):
        assert client.post(reverse(name, args=[pk])).status_code == 404
    assert WaitlistOffer.objects.get().status == OfferStatus.OPEN
    assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistStatus.WAITING


def test_the_exhibitor_sees_its_waiting_list(fair, login):
    exhibitor, _meeting = full_exhibitor(fair)
    buyer, _ = waiting_buyer(fair, exhibitor)
    html = login(exhibitor.user).get(reverse("matchmaking:waitlist")).content.decode()
    assert buyer.company.display_name in html


def _waitlist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("matchmaking:waitlist")).status_code == 200
    return len(queries)


def test_the_waitlist_page_query_count_is_constant(fair, login, committed):
    buyer = factories.BuyerMemberFactory(company__fair=fair)
    client = login(buyer.user)

    def join_one(hour):
        exhibitor, meeting = full_exhibitor(fair, hour=hour)
        waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor.company)
        return exhibitor, meeting

    for hour in (9, 10):
        exhibitor, meeting = join_one(hour)
    committed(lambda: booking.meeting_cancel(meeting=meeting, by=exhibitor.user))
    _waitlist_queries(client)  # warm: the process's copy of the current fair is read once
    few = _waitlist_queries(client)
    for hour in (11, 12, 13, 14):
        exhibitor, meeting = join_one(hour)
        committed(lambda m=meeting, e=exhibitor: booking.meeting_cancel(meeting=m, by=e.user))
    assert WaitlistOffer.objects.filter(status=OfferStatus.OPEN).count() == 5
    assert _waitlist_queries(client) == few


def test_the_exhibitors_list_query_count_is_constant(fair, login):
    exhibitor, _meeting = full_exhibitor(fair)
    client = login(exhibitor.user)
    for _ in range(2):
        waiting_buyer(fair, exhibitor)
    _waitlist_queries(client)  # warm: the process's copy of the current fair is read once
    few = _waitlist_queries(client)
    for _ in range(4):
        waiting_buyer(fair, exhibitor)
    assert _waitlist_queries(client) == few


# --- Concurrent cancellations (PostgreSQL, real threads) ---------------------------------------


def _cancel_all_at_once(meetings, people, *, before_check=None):
    """Cancel ``meetings`` each in its own thread and connection, released together; the
    offers are made after each commit, as in production (inline engine)."""
    barrier = threading.Barrier(len(meetings))
    errors: list[BaseException] = []

    def cancel(meeting, person) -> None:
        try:
            barrier.wait(10)
            booking.meeting_cancel(meeting=meeting, by=person)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=cancel, args=(m, p)) for m, p in zip(meetings, people, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


def _concurrent_freed_times(count: int):
    """``count`` full exhibitors, each booked at 10:00 on the first day, and ``count`` buyers
    waiting on every one of their lists, in the same order."""
    fair = future_fair()
    exhibitors, meetings = [], []
    for _ in range(count):
        exhibitor, meeting = full_exhibitor(fair)
        exhibitors.append(exhibitor)
        meetings.append(meeting)
    buyers = [factories.BuyerMemberFactory(company__fair=fair) for _ in range(count)]
    for buyer in buyers:
        for exhibitor in exhibitors:
            waitlist.waitlist_join(fair=fair, user=buyer.user, exhibitor=exhibitor.company)
    return fair, exhibitors, meetings, buyers


def _slow_overlap_check(monkeypatch, parties: int):
    """Hold every offering thread between its overlap check and its insert until all have
    checked (or a short while has passed, when the lock keeps the others waiting)."""
    barrier = threading.Barrier(parties)
    real = waitlist._has_overlapping_offer

    def check(user_id, start, end):
        found = real(user_id, start, end)
        try:
            barrier.wait(3)
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(waitlist, "_has_overlapping_offer", check)


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_offer_each_time_once_and_nobody_two_at_once(
    postgres_required, monkeypatch
):
    fair, exhibitors, meetings, buyers = _concurrent_freed_times(4)
    _slow_overlap_check(monkeypatch, parties=4)

    _cancel_all_at_once(meetings, [e.user for e in exhibitors])

    offers = list(WaitlistOffer.objects.filter(status=OfferStatus.OPEN))
    assert sorted(o.freed_meeting_id for o in offers) == sorted(m.pk for m in meetings)
    assert sorted(o.entry.user_id for o in offers) == sorted(b.user_id for b in buyers)
    assert WaitlistOffer.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_without_the_waiting_lock_a_buyer_gets_two_offers_at_once(postgres_required, monkeypatch):
    """Negative control: the same run without the per-person lock offers two freed times of
    the same hour to the first buyer — so the test above can fail."""
    fair, exhibitors, meetings, buyers = _concurrent_freed_times(2)
    _slow_overlap_check(monkeypatch, parties=2)
    monkeypatch.setattr(waitlist, "_lock_waiting_person", lambda user_id: None)

    _cancel_all_at_once(meetings, [e.user for e in exhibitors])

    first = buyers[0].user
    assert WaitlistOffer.objects.filter(entry__user=first, status=OfferStatus.OPEN).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_offering_one_freed_time_at_once_leave_one_offer(postgres_required, monkeypatch):
    """A retried task running beside the first: even with both past their checks at once
    (the waiting lock off), the one-open-offer-per-time constraint lets one insert through."""
    fair = future_fair()
    exhibitor, meeting = full_exhibitor(fair)
    for _ in range(2):
        waiting_buyer(fair, exhibitor)
    booking.meeting_cancel(meeting=meeting, by=exhibitor.user, notify=False)
    WaitlistOffer.objects.all().delete()  # start from the freed time with no offer yet
    _slow_overlap_check(monkeypatch, parties=2)
    monkeypatch.setattr(waitlist, "_lock_waiting_person", lambda user_id: None)
    made: list[object] = []

    def offer() -> None:
        try:
            made.append(
                waitlist.waitlist_offer_next(
                    meeting_id=meeting.pk, start=meeting.start, end=meeting.end
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=offer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(m is None for m in made) == [False, True]
    assert WaitlistOffer.objects.count() == 1
