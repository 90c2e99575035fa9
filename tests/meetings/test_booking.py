"""No double booking, ever: a person and a table are never in two overlapping active meetings,
online rooms never exceed the fair's capacity — each protection with its negative control."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client

from matchmaking.enums import RequestStatus
from matchmaking.models import MeetingRequest, ProposedSlot
from meetings import booking
from meetings.booking import (
    BulkItem,
    SlotTaken,
    meeting_book,
    meeting_cancel,
    meeting_reschedule,
    meetings_book_bulk,
)
from meetings.db import ATTENDEE_NO_OVERLAP, CREATE_SQL, DROP_SQL, TABLE_NO_OVERLAP
from meetings.enums import MeetingMode, MeetingStatus
from meetings.models import Meeting, MeetingAttendee
from tests import factories
from tests.matchmaking.helpers import future_fair, venue_time

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def fair(db):
    return future_fair()


@pytest.fixture
def onsite_buyer(fair):
    return factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")


def book(fair, exhibitor, buyer, *, hour=10, minute=0, mode=MeetingMode.ONSITE, people=None):
    start = venue_time(fair, 0, hour, minute)
    return meeting_book(
        fair=fair,
        exhibitor=exhibitor.company,
        buyer=buyer.company,
        attendees=people if people is not None else [exhibitor, buyer],
        start=start,
        end=start + timedelta(minutes=30),
        mode=mode,
        by=exhibitor.user,
    )


def test_book_assigns_the_lowest_free_table_and_mirrors_attendees(
    fair, exhibitor_member, onsite_buyer
):
    other_exhibitor = factories.MemberFactory(company__fair=fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    first = book(fair, exhibitor_member, onsite_buyer)
    second = book(fair, other_exhibitor, other_buyer)
    assert (first.table_number, second.table_number) == (1, 2)
    assert first.video_url == ""
    rows = list(first.attendees.values_list("user_id", "company_id", "start", "end", "active"))
    assert sorted(rows) == sorted(
        [
            (exhibitor_member.user_id, exhibitor_member.company_id, first.start, first.end, True),
            (onsite_buyer.user_id, onsite_buyer.company_id, first.start, first.end, True),
        ]
    )


def test_online_meeting_gets_a_join_link_and_no_table(fair, exhibitor_member, buyer_member):
    meeting = book(fair, exhibitor_member, buyer_member, mode=MeetingMode.ONLINE)
    assert meeting.table_number is None
    assert meeting.video_url.startswith("https://")


def test_overlap_refused_for_a_person(fair, exhibitor_member, onsite_buyer):
    book(fair, exhibitor_member, onsite_buyer)
    another_buyer = factories.BuyerMemberFactory(company__fair=fair)
    with pytest.raises(SlotTaken) as caught:
        book(fair, exhibitor_member, another_buyer, minute=15, mode=MeetingMode.ONLINE)
    assert caught.value.code == "person_busy"
    assert "already has a meeting" in caught.value.message
    assert Meeting.objects.count() == 1
    # Back to back is fine: [10:00, 10:30) and [10:30, 11:00) do not overlap.
    book(fair, exhibitor_member, another_buyer, minute=30, mode=MeetingMode.ONLINE)


def test_overlap_refused_for_a_table(fair, exhibitor_member, onsite_buyer):
    fair.tables = 1
    fair.save()
    book(fair, exhibitor_member, onsite_buyer)
    other_exhibitor = factories.MemberFactory(company__fair=fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite")
    with pytest.raises(SlotTaken) as caught:
        book(fair, other_exhibitor, other_buyer)
    assert caught.value.code == "tables_full"


def test_online_capacity_is_counted_under_the_fair_lock(fair, exhibitor_member, buyer_member):
    fair.online_capacity = 1
    fair.save()
    book(fair, exhibitor_member, buyer_member, mode=MeetingMode.ONLINE)
    others = (
        factories.MemberFactory(company__fair=fair),
        factories.BuyerMemberFactory(company__fair=fair),
    )
    with pytest.raises(SlotTaken) as caught:
        book(fair, *others, mode=MeetingMode.ONLINE)
    assert caught.value.code == "online_full"


def test_python_guard_is_what_protects_sqlite(fair, exhibitor_member, onsite_buyer, settings):
    """Negative control on SQLite: with the guard off, the same double booking gets in."""
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the exclusion constraint is the guard (tested below)")
    settings.BOOKING_GUARD = False
    book(fair, exhibitor_member, onsite_buyer)
    another_buyer = factories.BuyerMemberFactory(company__fair=fair)
    book(fair, exhibitor_member, another_buyer, mode=MeetingMode.ONLINE)
    assert MeetingAttendee.objects.filter(user=exhibitor_member.user, active=True).count() == 2


def test_postgres_constraint_refuses_a_person_overlap_and_its_negative_control(
    postgres_required, fair, exhibitor_member, onsite_buyer
):
    """The booking service has no Python-side check on PostgreSQL: the constraint alone
    refuses. Dropping it (inside this test's transaction) lets the double booking in."""
    book(fair, exhibitor_member, onsite_buyer)
    another_buyer = factories.BuyerMemberFactory(company__fair=fair)
    with pytest.raises(SlotTaken) as caught:
        book(fair, exhibitor_member, another_buyer, mode=MeetingMode.ONLINE)
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert ATTENDEE_NO_OVERLAP in str(caught.value.__cause__)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        for statement in DROP_SQL:
            cursor.execute(statement)
    book(fair, exhibitor_member, another_buyer, mode=MeetingMode.ONLINE)
    assert MeetingAttendee.objects.filter(user=exhibitor_member.user, active=True).count() == 2


def test_postgres_constraint_refuses_a_table_overlap(postgres_required, fair, exhibitor_member):
    first = factories.MeetingFactory(fair=fair, table_number=4, start=venue_time(fair, 0, 9))
    with pytest.raises(IntegrityError, match=TABLE_NO_OVERLAP), transaction.atomic():
        factories.MeetingFactory(fair=fair, table_number=4, start=first.start)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        for statement in DROP_SQL:
            cursor.execute(statement)
    factories.MeetingFactory(fair=fair, table_number=4, start=first.start)  # negative control


def test_cancel_frees_the_slot_and_sends_a_cancellation(
    fair, exhibitor_member, onsite_buyer, django_capture_on_commit_callbacks
):
    meeting = book(fair, exhibitor_member, onsite_buyer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = meeting_cancel(meeting=meeting, by=onsite_buyer.user)
    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.sequence == meeting.sequence + 1
    assert not cancelled.attendees.filter(active=True).exists()
    assert len(mail.outbox) == 2
    ics = mail.outbox[0].attachments[0][1]
    ics = ics if isinstance(ics, str) else ics.decode()
    assert "METHOD:CANCEL" in ics
    book(fair, exhibitor_member, onsite_buyer)  # the same slot is free again


def test_cancel_by_an_outsider_is_refused(fair, exhibitor_member, onsite_buyer, other_member):
    from django.core.exceptions import PermissionDenied

    meeting = book(fair, exhibitor_member, onsite_buyer)
    with pytest.raises(PermissionDenied):
        meeting_cancel(meeting=meeting, by=other_member.user)


def test_reschedule_keeps_uid_raises_sequence_and_syncs_attendees(
    fair, exhibitor_member, onsite_buyer
):
    meeting = book(fair, exhibitor_member, onsite_buyer)
    new_start = venue_time(fair, 1, 14)
    moved = meeting_reschedule(
        meeting=meeting,
        start=new_start,
        end=new_start + timedelta(minutes=30),
        by=onsite_buyer.user,
    )
    assert moved.uid == meeting.uid
    assert moved.sequence == meeting.sequence + 1
    assert set(moved.attendees.values_list("start", "end")) == {
        (new_start, new_start + timedelta(minutes=30))
    }
    assert moved.table_number == meeting.table_number


def test_reschedule_into_a_busy_slot_is_refused_and_changes_nothing(
    fair, exhibitor_member, onsite_buyer
):
    meeting = book(fair, exhibitor_member, onsite_buyer)
    another_buyer = factories.BuyerMemberFactory(company__fair=fair)
    busy = book(fair, exhibitor_member, another_buyer, hour=11, mode=MeetingMode.ONLINE)
    with pytest.raises(SlotTaken):
        meeting_reschedule(
            meeting=meeting, start=busy.start, end=busy.end, by=exhibitor_member.user
        )
    meeting.refresh_from_db()
    assert meeting.start == venue_time(fair, 0, 10)
    assert meeting.sequence == 0
    assert set(meeting.attendees.values_list("start", flat=True)) == {meeting.start}


# --- Bulk booking (the scheduler's publication) ---------------------------------------------


def item(fair, exhibitor, buyer, *, hour=10, minute=0, mode=MeetingMode.ONSITE, people=None):
    start = venue_time(fair, 0, hour, minute)
    return BulkItem(
        exhibitor=exhibitor.company,
        buyer=buyer.company,
        attendees=people if people is not None else [exhibitor, buyer],
        start=start,
        end=start + timedelta(minutes=30),
        mode=mode,
    )


def onsite_pair(fair):
    return (
        factories.MemberFactory(company__fair=fair),
        factories.BuyerMemberFactory(company__fair=fair, company__attendance="onsite"),
    )


def test_bulk_assigns_lowest_free_tables_links_and_mirrors_attendees(fair, organiser):
    fair.tables = 3
    fair.save()
    existing = book(fair, *onsite_pair(fair))  # table 1 at 10:00
    a, b, c = onsite_pair(fair), onsite_pair(fair), onsite_pair(fair)
    remote = (
        factories.MemberFactory(company__fair=fair),
        factories.BuyerMemberFactory(company__fair=fair),
    )
    made = meetings_book_bulk(
        fair=fair,
        items=[
            item(fair, *a),
            item(fair, *b),
            item(fair, *c, hour=11),
            item(fair, *remote, mode=MeetingMode.ONLINE),
        ],
        by=organiser,
    )
    assert existing.table_number == 1
    assert [m.table_number for m in made] == [2, 3, 1, None]
    assert [bool(m.video_url) for m in made] == [False, False, False, True]
    assert all(m.pk and m.created_by == organiser for m in made)
    for meeting in made:
        rows = set(meeting.attendees.values_list("start", "end", "active"))
        assert rows == {(meeting.start, meeting.end, True)}
        assert meeting.attendees.count() == 2


def test_bulk_person_overlap_within_the_batch_writes_nothing(fair, organiser):
    exhibitor, buyer = onsite_pair(fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(
            fair=fair,
            items=[
                item(fair, exhibitor, buyer),
                item(fair, exhibitor, other_buyer, minute=15, mode=MeetingMode.ONLINE),
            ],
            by=organiser,
        )
    assert caught.value.code == "person_busy"
    assert not Meeting.objects.exists() and not MeetingAttendee.objects.exists()


def test_bulk_person_overlap_against_an_existing_meeting_writes_nothing(fair, organiser):
    exhibitor, buyer = onsite_pair(fair)
    book(fair, exhibitor, buyer)
    fresh = onsite_pair(fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(
            fair=fair,
            items=[
                item(fair, *fresh, hour=11),
                item(fair, exhibitor, other_buyer, mode=MeetingMode.ONLINE),
            ],
            by=organiser,
        )
    assert caught.value.code == "person_busy"
    assert Meeting.objects.count() == 1 and MeetingAttendee.objects.count() == 2


def test_bulk_tables_full_within_the_batch_writes_nothing(fair, organiser):
    fair.tables = 1
    fair.save()
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(
            fair=fair,
            items=[item(fair, *onsite_pair(fair)), item(fair, *onsite_pair(fair))],
            by=organiser,
        )
    assert caught.value.code == "tables_full"
    assert not Meeting.objects.exists()


def test_bulk_counts_online_rooms_per_slot(fair, organiser):
    fair.online_capacity = 2
    fair.save()
    pairs = [
        (
            factories.MemberFactory(company__fair=fair),
            factories.BuyerMemberFactory(company__fair=fair),
        )
        for _ in range(3)
    ]
    book(fair, *pairs[0], mode=MeetingMode.ONLINE)
    # One room left at 10:00; a mixed meeting also takes a room.
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(
            fair=fair,
            items=[
                item(fair, *pairs[1], mode=MeetingMode.ONLINE),
                item(fair, *pairs[2], mode=MeetingMode.ONLINE, minute=15),
            ],
            by=organiser,
        )
    assert caught.value.code == "online_full"
    assert Meeting.objects.count() == 1
    made = meetings_book_bulk(
        fair=fair,
        items=[
            item(fair, *pairs[1], mode=MeetingMode.ONLINE),
            item(fair, *pairs[2], mode=MeetingMode.ONLINE, hour=11),
        ],
        by=organiser,
    )
    assert len(made) == 2


def test_bulk_python_guard_is_what_protects_sqlite(fair, organiser, settings):
    """Negative control on SQLite: with the guard off, the batch's double booking gets in."""
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the exclusion constraint is the guard (tested below)")
    exhibitor, buyer = onsite_pair(fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    items = [
        item(fair, exhibitor, buyer),
        item(fair, exhibitor, other_buyer, mode=MeetingMode.ONLINE),
    ]
    with pytest.raises(SlotTaken):
        meetings_book_bulk(fair=fair, items=items, by=organiser)
    settings.BOOKING_GUARD = False
    meetings_book_bulk(fair=fair, items=items, by=organiser)
    assert MeetingAttendee.objects.filter(user=exhibitor.user, active=True).count() == 2


def test_bulk_postgres_constraint_refuses_a_person_overlap_and_its_negative_control(
    postgres_required, fair, organiser
):
    """No Python-side person check on PostgreSQL: the constraint alone refuses the batch, and
    nothing of it is written. Dropping the constraints lets the double booking in."""
    exhibitor, buyer = onsite_pair(fair)
    book(fair, exhibitor, buyer)
    fresh = onsite_pair(fair)
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    items = [
        item(fair, *fresh),
        item(fair, exhibitor, other_buyer, mode=MeetingMode.ONLINE),
    ]
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(fair=fair, items=items, by=organiser)
    assert caught.value.code == "person_busy"
    assert isinstance(caught.value.__cause__, IntegrityError)
    assert ATTENDEE_NO_OVERLAP in str(caught.value.__cause__)
    assert Meeting.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in DROP_SQL:
            cursor.execute(statement)
    meetings_book_bulk(fair=fair, items=items, by=organiser)
    assert MeetingAttendee.objects.filter(user=exhibitor.user, active=True).count() == 2


def test_bulk_postgres_constraint_refuses_a_table_the_snapshot_missed(
    postgres_required, fair, organiser, monkeypatch
):
    """A table taken by a booking the batch did not see (as if concurrent) is refused by the
    table constraint: the whole batch is rolled back."""
    book(fair, *onsite_pair(fair))  # table 1
    blind = Meeting.objects.none()
    monkeypatch.setattr(booking, "_active_overlapping", lambda *args: blind)
    with pytest.raises(SlotTaken) as caught:
        meetings_book_bulk(
            fair=fair,
            items=[item(fair, *onsite_pair(fair), hour=11), item(fair, *onsite_pair(fair))],
            by=organiser,
        )
    assert caught.value.code == "tables_full"
    assert TABLE_NO_OVERLAP in str(caught.value.__cause__)
    assert Meeting.objects.count() == 1


def test_bulk_query_count_does_not_grow_with_the_batch(fair, organiser):
    from django.test.utils import CaptureQueriesContext

    fair.tables = 30
    fair.save()

    def run(n, hour):
        items = [item(fair, *onsite_pair(fair), hour=hour) for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            meetings_book_bulk(fair=fair, items=items, by=organiser)
        return len(queries)

    assert run(2, 10) == run(20, 11)


# --- Twenty people accept the same slot at once, against a running daphne -------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def _start_daphne(port: int, *, guard: bool) -> tuple[subprocess.Popen, Path]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fairsite.settings",
            "FAIRSITE_DATABASE_URL": _database_url(),
            "FAIRSITE_DEBUG": "1",
            "FAIRSITE_BOOKING_GUARD": "1" if guard else "0",
        }
    )
    env.pop("FAIRSITE_REDIS_URL", None)  # one process: the in-memory layer is enough here
    log = Path(tempfile.mkstemp(prefix="daphne-", suffix=".log")[1])
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        [str(BASE_DIR / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(port)]
        + ["fairsite.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"daphne exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:  # noqa: S310
                if r.status == 200:
                    return process, log
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    process.kill()
    raise AssertionError("daphne did not start")


def _contended_requests(fair, count: int = 20):
    """One exhibitor asked for ``count`` meetings, all at the same time, each by a different
    remote buyer; every buyer's person may accept theirs."""
    exhibitor = factories.MemberFactory(company__fair=fair)
    start = venue_time(fair, 0, 10)
    people = []
    for _ in range(count):
        buyer = factories.BuyerMemberFactory(company__fair=fair, user__language="en")
        req = MeetingRequest.objects.create(
            fair=fair,
            requester=exhibitor.company,
            recipient=buyer.company,
            exhibitor=exhibitor.company,
            buyer=buyer.company,
            awaiting=buyer.company,
            requested_by=exhibitor.user,
        )
        slot = ProposedSlot.objects.create(
            request=req, round=1, start=start, end=start + timedelta(minutes=30), mode="online"
        )
        client = Client()
        client.force_login(buyer.user)
        people.append((req.pk, slot.pk, client.cookies["sessionid"].value))
    return exhibitor, people


def _fire(port: int, people) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(people))
    results: list[tuple[int, str]] = [(0, "")] * len(people)

    def post(index: int, request_id: int, slot_id: int, session: str) -> None:
        token = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        data = f"csrfmiddlewaretoken={token}&slot={slot_id}".encode()
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/requests/{request_id}/accept/",
            data=data,
            method="POST",
            headers={
                "Cookie": f"sessionid={session}; csrftoken={token}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                results[index] = (response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            results[index] = (error.code, error.read().decode())

    threads = [threading.Thread(target=post, args=(i, *person)) for i, person in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _run_contention(fair, *, guard: bool):
    exhibitor, people = _contended_requests(fair)
    port = _free_port()
    process, log = _start_daphne(port, guard=guard)
    try:
        results = _fire(port, people)
    finally:
        process.kill()
        process.wait(10)
    return exhibitor, results, log


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_of_one_slot_book_exactly_one(postgres_required):
    fair = future_fair()
    exhibitor, results, log = _run_contention(fair, guard=True)
    statuses = [status for status, _body in results]
    assert 500 not in statuses, log.read_text()[-3000:]
    assert sum(1 for s in statuses if 200 <= s < 400) == 1, statuses
    refused = [body for status, body in results if status == 409]
    assert len(refused) == 19, statuses
    assert all("This slot has just been taken" in body for body in refused), refused[0][-3000:]
    active = Meeting.objects.filter(fair=fair, status=MeetingStatus.SCHEDULED)
    assert active.count() == 1
    assert MeetingRequest.objects.filter(status=RequestStatus.ACCEPTED).count() == 1
    assert MeetingAttendee.objects.filter(user=exhibitor.user, active=True).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_without_protection_double_book(postgres_required):
    """Negative control: without the exclusion constraints and the Python guard, the same
    run books the exhibitor into several meetings at once — so the test above can fail."""
    fair = future_fair()
    with connection.cursor() as cursor:
        for statement in DROP_SQL:
            cursor.execute(statement)
    try:
        exhibitor, results, _log = _run_contention(fair, guard=False)
        successes = sum(1 for status, _body in results if 200 <= status < 400)
        assert successes >= 2
        assert MeetingAttendee.objects.filter(user=exhibitor.user, active=True).count() >= 2
    finally:
        Meeting.objects.all().delete()
        with connection.cursor() as cursor:
            for statement in CREATE_SQL:
                cursor.execute(statement)


# --- Twenty exhibitors accept one buyer's requests for the same slot at once -----------------


def _requests_of_one_buyer(fair, *, count: int, mode: str):
    """One buyer asked ``count`` exhibitors for a meeting at the same time; every exhibitor's
    person may accept theirs."""
    buyer = factories.BuyerMemberFactory(
        company__fair=fair, company__attendance="onsite", user__language="en"
    )
    start = venue_time(fair, 0, 10)
    people = []
    for _ in range(count):
        exhibitor = factories.MemberFactory(company__fair=fair, user__language="en")
        req = MeetingRequest.objects.create(
            fair=fair,
            requester=buyer.company,
            recipient=exhibitor.company,
            exhibitor=exhibitor.company,
            buyer=buyer.company,
            awaiting=exhibitor.company,
            requested_by=buyer.user,
        )
        slot = ProposedSlot.objects.create(
            request=req, round=1, start=start, end=start + timedelta(minutes=30), mode=mode
        )
        client = Client()
        client.force_login(exhibitor.user)
        people.append((req.pk, slot.pk, client.cookies["sessionid"].value))
    return buyer, people


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("mode", "tables"), [("onsite", 150), ("onsite", 2), ("mixed", 150)])
def test_twenty_concurrent_accepts_for_one_buyer_one_success_and_409s(
    postgres_required, mode, tables
):
    """Every concurrency failure of the guard (exclusion violation, deadlock, serialisation
    failure, lock timeout) is "slot taken": one meeting, nineteen 409s, no 500."""
    fair = future_fair(tables=tables)
    buyer, people = _requests_of_one_buyer(fair, count=20, mode=mode)
    port = _free_port()
    process, log = _start_daphne(port, guard=True)
    try:
        started = time.monotonic()
        results = _fire(port, people)
        elapsed = time.monotonic() - started
        print(f"20 concurrent accepts ({mode}, {tables} tables): {elapsed:.1f} s")
    finally:
        process.kill()
        process.wait(10)
    statuses = sorted(status for status, _body in results)
    assert 500 not in statuses, log.read_text()[-3000:]
    assert statuses == [302] + [409] * 19, statuses
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    assert MeetingAttendee.objects.filter(user=buyer.user, active=True).count() == 1
    assert MeetingRequest.objects.filter(status=RequestStatus.ACCEPTED).count() == 1
    assert elapsed < 30, elapsed


def _deadlock_with_a_helper(attempt_wrapper):
    """Run, in this thread, an attempt that locks user A then user B, while a helper
    transaction holds B and then asks for A: a real PostgreSQL deadlock, in which this thread
    (which waited first) is the victim. Returns what ``attempt_wrapper(attempt)`` returns and
    how many times the attempt ran."""
    from django.db import connections

    from fairsite.models import User

    first, second = factories.UserFactory(), factories.UserFactory()
    helper_holds_second = threading.Event()
    main_holds_first = threading.Event()
    runs = []

    def helper() -> None:
        try:
            with transaction.atomic():
                User.objects.select_for_update().get(pk=second.pk)
                helper_holds_second.set()
                main_holds_first.wait(10)
                time.sleep(0.3)  # let the main thread wait first, so it is the victim
                User.objects.select_for_update().get(pk=first.pk)
        finally:
            connections.close_all()

    def attempt() -> str:
        runs.append(1)
        User.objects.select_for_update().get(pk=first.pk)
        main_holds_first.set()
        User.objects.select_for_update().get(pk=second.pk)
        return "booked"

    thread = threading.Thread(target=helper)
    thread.start()
    helper_holds_second.wait(10)
    try:
        with transaction.atomic():
            return attempt_wrapper(attempt), len(runs)
    finally:
        thread.join(30)


@pytest.mark.django_db(transaction=True)
def test_guarded_write_retries_after_a_real_deadlock(postgres_required):
    result, runs = _deadlock_with_a_helper(booking._guarded)
    assert (result, runs) == ("booked", 2)


@pytest.mark.django_db(transaction=True)
def test_unguarded_write_meets_the_deadlock_negative_control(postgres_required):
    """Negative control: the same attempt without the guard fails with PostgreSQL's deadlock
    error, so the test above proves the retry."""
    from django.db import OperationalError

    with pytest.raises(OperationalError) as caught:
        _deadlock_with_a_helper(lambda attempt: attempt())
    assert caught.value.__cause__.sqlstate == "40P01"


@pytest.mark.django_db(transaction=True)
def test_guarded_write_gives_up_as_slot_taken(postgres_required, monkeypatch):
    """Every attempt deadlocks: after the bounded retries the answer is "slot taken"."""
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"

    def always_deadlocks():
        try:
            raise Deadlock
        except Deadlock as cause:
            raise OperationalError("deadlock detected") from cause

    with pytest.raises(SlotTaken):
        booking._guarded(always_deadlocks)
