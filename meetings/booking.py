"""The writes that occupy time: book, cancel and reschedule a meeting.

No double booking, ever:

- **PostgreSQL**: exclusion constraints (``meetings/db.py``) refuse a person in two overlapping
  active attendances and a table in two overlapping active meetings. The service catches the
  ``IntegrityError``, recognises the constraint by name and raises :class:`SlotTaken`. A table
  clash with a concurrent booking is retried on the next free table inside a savepoint.
- **SQLite**: every transaction starts with ``BEGIN IMMEDIATE`` (settings), so writers are
  serialised; inside that transaction the service checks overlaps in Python before inserting.
- **Online capacity** (``Fair.online_capacity``): the fair row is locked with
  ``select_for_update`` and the overlapping online meetings counted, on every database.
- **One booking per person at a time** (PostgreSQL): a booking or move first takes a
  transaction-level advisory lock per attendee, in ascending order (:func:`_lock_people`).
  Bookings that share a person then run one after the other, and the later one sees the
  earlier one's committed meeting as an overlap at once; without it, twenty concurrent
  bookings of one buyer wait on each other's uncommitted rows inside the exclusion checks and
  deadlock (and each deadlock costs PostgreSQL's ``deadlock_timeout`` to detect).
- **Concurrency failures of the guard** are "slot taken" too, never a server error: checking
  an exclusion constraint waits for the concurrent transactions that insert overlapping rows,
  and two such waits can deadlock (``40P01``); a serialisation failure (``40001``) or a lock
  timeout (``55P03``) means the same. The guarded write runs in a savepoint
  (:func:`_guarded`): on such a failure it is rolled back and tried again, up to
  :data:`MAX_CONCURRENCY_RETRIES` times, reading the committed state afresh (so a concurrent
  booking that won is then seen as an overlap); after that it is :class:`SlotTaken`.

``FAIRSITE_BOOKING_GUARD=0`` (or ``settings.BOOKING_GUARD = False``) switches the Python-side
overlap check off. It exists only so that a test can show the protection is what makes the
concurrency test pass; never set it in production.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import Company, Member
from fairsite.models import Fair, User
from meetings import notifications
from meetings.db import ATTENDEE_NO_OVERLAP, TABLE_NO_OVERLAP
from meetings.enums import ACTIVE_STATUSES, MeetingMode, MeetingStatus
from meetings.links import new_video_url
from meetings.models import Meeting, MeetingAttendee
from organisers.live import stats_changed_on_commit

TABLE_MODES = (MeetingMode.ONSITE, MeetingMode.MIXED)
ONLINE_MODES = (MeetingMode.ONLINE, MeetingMode.MIXED)
MAX_TABLE_RETRIES = 20
#: Attempts of a guarded write after a deadlock, serialisation failure or lock timeout.
MAX_CONCURRENCY_RETRIES = 3
#: PostgreSQL's codes for "another transaction got in the way": deadlock detected,
#: serialisation failure, lock not available (``lock_timeout`` or ``NOWAIT``).
CONCURRENCY_SQLSTATES = frozenset({"40P01", "40001", "55P03"})

T = TypeVar("T")


class SlotTaken(Exception):
    """The time is no longer free: a person is busy, the tables or the online rooms are full."""

    MESSAGES = {
        "person_busy": gettext_lazy(
            "This slot has just been taken: one of the participants already has a meeting "
            "at that time. Please choose another time."
        ),
        "tables_full": gettext_lazy("All tables are taken at that time. Please choose another."),
        "online_full": gettext_lazy(
            "All online meeting rooms are taken at that time. Please choose another."
        ),
    }

    def __init__(self, code: str = "person_busy") -> None:
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.MESSAGES.get(self.code, self.MESSAGES["person_busy"]))

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class AttendeeSpec:
    user_id: int
    company_id: int


AttendeeLike = Member | AttendeeSpec | tuple[Any, Any]


def booking_guard_enabled() -> bool:
    configured = getattr(settings, "BOOKING_GUARD", None)
    if configured is not None:
        return bool(configured)
    return os.environ.get("FAIRSITE_BOOKING_GUARD", "1").strip().lower() not in {"0", "false", "no"}


def _python_check_needed() -> bool:
    """On PostgreSQL the exclusion constraints are the guard; elsewhere the serialised write
    path plus this check is."""
    return connection.vendor != "postgresql" and booking_guard_enabled()


def _id(value: Any) -> int:
    return int(getattr(value, "pk", value))


def _normalise(attendees: Iterable[AttendeeLike]) -> list[AttendeeSpec]:
    out: list[AttendeeSpec] = []
    seen: set[int] = set()
    for item in attendees:
        if isinstance(item, AttendeeSpec):
            spec = item
        elif isinstance(item, Member):
            spec = AttendeeSpec(item.user_id, item.company_id)
        else:
            user, company = item
            spec = AttendeeSpec(_id(user), _id(company))
        if spec.user_id not in seen:
            seen.add(spec.user_id)
            out.append(spec)
    return out


def _attendee_specs(
    attendees: Iterable[AttendeeLike], *, exhibitor: Company, buyer: Company
) -> list[AttendeeSpec]:
    """The distinct attendees, each of one of the meeting's two companies."""
    people = _normalise(attendees)
    if not people:
        raise ValidationError(_("A meeting needs at least one attendee."))
    if any(p.company_id not in (exhibitor.pk, buyer.pk) for p in people):
        raise ValidationError(_("Attendees must belong to one of the two companies."))
    return people


def _attendee_rows(
    *, fair: Fair, meeting: Meeting, people: Iterable[AttendeeSpec]
) -> list[MeetingAttendee]:
    return [
        MeetingAttendee(
            fair=fair,
            meeting=meeting,
            user_id=p.user_id,
            company_id=p.company_id,
            start=meeting.start,
            end=meeting.end,
            active=True,
        )
        for p in people
    ]


def _constraint_name(exc: IntegrityError) -> str:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(exc)
    for known in (ATTENDEE_NO_OVERLAP, TABLE_NO_OVERLAP):
        if known in text:
            return known
    return ""


def _refusal(exc: IntegrityError) -> str | None:
    """The :class:`SlotTaken` code for an exclusion-constraint violation, else ``None``."""
    return {TABLE_NO_OVERLAP: "tables_full", ATTENDEE_NO_OVERLAP: "person_busy"}.get(
        _constraint_name(exc)
    )


def _concurrency_failure(exc: DatabaseError) -> bool:
    """A deadlock, serialisation failure or lock timeout: the guard met a concurrent writer."""
    return getattr(exc.__cause__, "sqlstate", None) in CONCURRENCY_SQLSTATES


def _guarded(attempt: Callable[[], T]) -> T:
    """Run ``attempt`` (the guard's checks and the write) in a savepoint; retried after a
    concurrency failure, up to :data:`MAX_CONCURRENCY_RETRIES` times, then
    :class:`SlotTaken`. Rolling back to the savepoint releases the locks the attempt took, so
    the caller's transaction stays usable."""
    for _attempt in range(MAX_CONCURRENCY_RETRIES):
        try:
            with transaction.atomic():
                return attempt()
        except DatabaseError as exc:
            if isinstance(exc, IntegrityError) or not _concurrency_failure(exc):
                raise
    raise SlotTaken("person_busy")


def _refused_when_concurrent(write: Callable[[], T]) -> T:
    """Run ``write`` in a savepoint with no retry (a caller that computed from a snapshot it
    cannot read again): a concurrency failure is :class:`SlotTaken` at once."""
    try:
        with transaction.atomic():
            return write()
    except DatabaseError as exc:
        if isinstance(exc, IntegrityError) or not _concurrency_failure(exc):
            raise
        raise SlotTaken("person_busy") from exc


#: The first key of the advisory locks that serialise bookings of one person.
PERSON_LOCK_CLASS = 0x4D454554  # "MEET"


def _lock_people(user_ids: Iterable[int]) -> None:
    """Take the booking lock of each person (PostgreSQL), in ascending key order so two
    bookings never wait for each other in a cycle. Held until the transaction ends. A lock
    timeout is :class:`SlotTaken`."""
    if connection.vendor != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already serialises every writer
    keys = sorted({int(uid) % 2**31 for uid in user_ids})

    def lock() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, k) FROM (SELECT unnest(%s::int[]) AS k "
                "ORDER BY 1) AS ordered",
                [PERSON_LOCK_CLASS, keys],
            )

    _refused_when_concurrent(lock)


def _active_overlapping(fair_id: int, start: datetime, end: datetime) -> Any:
    return Meeting.objects.filter(
        fair_id=fair_id, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
    )


def _check_people_free(
    *, fair_id: int, user_ids: Sequence[int], start: datetime, end: datetime, exclude: int | None
) -> None:
    busy = MeetingAttendee.objects.filter(
        fair_id=fair_id, user_id__in=user_ids, active=True, start__lt=end, end__gt=start
    )
    if exclude is not None:
        busy = busy.exclude(meeting_id=exclude)
    if busy.exists():
        raise SlotTaken("person_busy")


def _check_online_capacity(
    *, fair: Fair, start: datetime, end: datetime, exclude: int | None
) -> None:
    locked = Fair.objects.select_for_update().only("id", "online_capacity").get(pk=fair.pk)
    if locked.online_capacity is None:
        return
    running = _active_overlapping(fair.pk, start, end).filter(mode__in=ONLINE_MODES)
    if exclude is not None:
        running = running.exclude(pk=exclude)
    if running.count() >= locked.online_capacity:
        raise SlotTaken("online_full")


def _check_free(
    *,
    fair: Fair,
    mode: str,
    user_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude: int | None,
) -> None:
    """Online capacity (fair row locked) and, where the database does not guard it, people."""
    if mode in ONLINE_MODES:
        _check_online_capacity(fair=fair, start=start, end=end, exclude=exclude)
    if _python_check_needed():
        _check_people_free(
            fair_id=fair.pk, user_ids=user_ids, start=start, end=end, exclude=exclude
        )


def free_tables(
    *, fair: Fair, start: datetime, end: datetime, exclude: int | None = None
) -> list[int]:
    """Table numbers free for the whole of ``[start, end)``, lowest first."""
    used = _active_overlapping(fair.pk, start, end).filter(table_number__isnull=False)
    if exclude is not None:
        used = used.exclude(pk=exclude)
    taken = set(used.values_list("table_number", flat=True))
    return [n for n in range(1, fair.tables + 1) if n not in taken]


def _candidate_tables(
    *,
    fair: Fair,
    mode: str,
    start: datetime,
    end: datetime,
    exclude: int | None = None,
    prefer: int | None = None,
) -> list[int | None]:
    """The tables to try in order (``[None]`` without a table); ``prefer`` first when free."""
    if mode not in TABLE_MODES:
        return [None]
    free = free_tables(fair=fair, start=start, end=end, exclude=exclude)
    if prefer in free:
        free.remove(prefer)
        free.insert(0, prefer)
    if not free:
        raise SlotTaken("tables_full")
    return list(free[:MAX_TABLE_RETRIES])


def _write_at_a_table(tables: Sequence[int | None], write: Callable[[int | None], T]) -> T:
    """``write(table)`` in a savepoint for each candidate table until one is not refused by
    the table constraint; other constraint refusals raise :class:`SlotTaken` at once."""
    for index, table in enumerate(tables):
        try:
            with transaction.atomic():
                return write(table)
        except IntegrityError as exc:
            code = _refusal(exc)
            if code is None:
                raise
            if code == "tables_full" and index + 1 < len(tables):
                continue
            raise SlotTaken(code) from exc
    raise SlotTaken("tables_full")  # pragma: no cover - loop always returns or raises


def _validate(
    *, fair: Fair, exhibitor: Company, buyer: Company, start: datetime, end: datetime, mode: str
) -> None:
    if end <= start:
        raise ValidationError(_("A meeting must end after it starts."))
    if mode not in MeetingMode.values:
        raise ValidationError(_("Unknown meeting place."))
    if exhibitor.fair_id != fair.pk or buyer.fair_id != fair.pk:
        raise ValidationError(_("Both companies must take part in this fair."))
    if exhibitor.role != CompanyRole.EXHIBITOR or buyer.role != CompanyRole.BUYER:
        raise ValidationError(_("A meeting is between an exhibitor and a buyer."))


def meeting_book_core(
    *,
    fair: Fair,
    exhibitor: Company,
    buyer: Company,
    attendees: Iterable[AttendeeLike],
    start: datetime,
    end: datetime,
    mode: str,
    by: User | None,
) -> Meeting:
    """Create the meeting and its attendee rows; no notification. Call inside a transaction.

    Locking rule: the attendees' booking locks first (:func:`_lock_people`, PostgreSQL), then
    online and mixed meetings lock the fair row (``select_for_update``) before counting
    online meetings in the slot. Overlaps of people and tables are refused by the
    PostgreSQL exclusion constraints (caught and turned into :class:`SlotTaken`), or on SQLite
    by a check inside the ``BEGIN IMMEDIATE`` transaction. The insert runs in a savepoint so a
    refused table is retried on the next free one without aborting the caller's transaction;
    checks and insert run in an outer savepoint retried after a deadlock, serialisation
    failure or lock timeout (:func:`_guarded`), then refused as :class:`SlotTaken`.
    """
    _validate(fair=fair, exhibitor=exhibitor, buyer=buyer, start=start, end=end, mode=mode)
    people = _attendee_specs(attendees, exhibitor=exhibitor, buyer=buyer)
    video_url = new_video_url() if mode in ONLINE_MODES else ""
    _lock_people(p.user_id for p in people)

    def create(table: int | None) -> Meeting:
        meeting = Meeting.objects.create(
            fair=fair,
            exhibitor=exhibitor,
            buyer=buyer,
            start=start,
            end=end,
            mode=mode,
            table_number=table,
            status=MeetingStatus.SCHEDULED,
            video_url=video_url,
            created_by=by,
        )
        MeetingAttendee.objects.bulk_create(
            _attendee_rows(fair=fair, meeting=meeting, people=people)
        )
        return meeting

    def attempt() -> Meeting:
        _check_free(
            fair=fair,
            mode=mode,
            user_ids=[p.user_id for p in people],
            start=start,
            end=end,
            exclude=None,
        )
        tables = _candidate_tables(fair=fair, mode=mode, start=start, end=end)
        return _write_at_a_table(tables, create)

    meeting = _guarded(attempt)
    stats_changed_on_commit(fair.pk)
    return meeting


@transaction.atomic
def meeting_book(
    *,
    fair: Fair,
    exhibitor: Company,
    buyer: Company,
    attendees: Iterable[AttendeeLike],
    start: datetime,
    end: datetime,
    mode: str,
    by: User | None,
) -> Meeting:
    """Book a meeting and tell every attendee (e-mail with the invitation, a live event).

    Locking rule: as :func:`meeting_book_core` — the fair row for online capacity, the
    database's exclusion constraints (PostgreSQL) or the serialised write path (SQLite) for
    people and tables. Raises :class:`SlotTaken` when the time is no longer free.
    """
    meeting = meeting_book_core(
        fair=fair,
        exhibitor=exhibitor,
        buyer=buyer,
        attendees=attendees,
        start=start,
        end=end,
        mode=mode,
        by=by,
    )
    notifications.meeting_booked(meeting=meeting)
    return meeting


def _may_change(meeting: Meeting, by: User) -> bool:
    if getattr(by, "is_organiser", False):
        return True
    return Member.objects.filter(
        fair_id=meeting.fair_id,
        user=by,
        status=MembershipStatus.APPROVED,
        company_id__in=[meeting.exhibitor_id, meeting.buyer_id],
    ).exists()


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, notify: bool = True) -> Meeting:
    """Cancel a meeting: the people, the table and the online room are free again.

    Locking rule: the meeting row is locked (``select_for_update``) so a cancel and a
    reschedule of the same meeting never interleave. SEQUENCE rises; the UID stays, so
    calendars replace the event with a cancelled one (``METHOD:CANCEL``). A time that has not
    started is offered to the exhibitor's waiting list after commit (a cancel of a cancelled
    meeting changes and offers nothing).
    """
    locked = Meeting.objects.select_for_update().select_related("fair").get(pk=meeting.pk)
    if not _may_change(locked, by):
        raise PermissionDenied
    if locked.status == MeetingStatus.CANCELLED:
        return locked
    if locked.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        raise ValidationError(_("A meeting that has already taken place cannot be cancelled."))
    locked.status = MeetingStatus.CANCELLED
    locked.sequence += 1
    locked.version += 1
    locked.save(update_fields=["status", "sequence", "version", "updated_at"])
    MeetingAttendee.objects.filter(meeting=locked).update(active=False)
    if notify:
        notifications.meeting_cancelled(meeting=locked)
    stats_changed_on_commit(locked.fair_id)
    _time_freed(meeting=locked, start=locked.start, end=locked.end)
    return locked


def _time_freed(*, meeting: Meeting, start: datetime, end: datetime) -> None:
    """A time of the meeting's exhibitor is free again: offered to its waiting list after
    commit (``matchmaking.waitlist``), when it has not started."""
    if start <= timezone.now():
        return
    from matchmaking.waitlist import waitlist_slot_freed

    waitlist_slot_freed(meeting=meeting, start=start, end=end)


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    by: User,
    mode: str | None = None,
) -> Meeting:
    """Move a meeting to another time (and optionally place); same UID, SEQUENCE + 1.

    Locking rule: the meeting row is locked first (``select_for_update``), then the
    attendees' booking locks (:func:`_lock_people`); online moves also lock the fair row to
    count online capacity. The new time is refused by the exclusion
    constraints on PostgreSQL or checked inside the serialised transaction on SQLite; the
    update runs in a savepoint so a refused move leaves the meeting as it was. Attendee rows
    are kept in sync (same start, end and active flag as the meeting). The old time, freed,
    is offered to the exhibitor's waiting list after commit.
    """
    locked = (
        Meeting.objects.select_for_update()
        .select_related("fair", "exhibitor", "buyer")
        .get(pk=meeting.pk)
    )
    if not _may_change(locked, by):
        raise PermissionDenied
    if locked.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be moved."))
    fair = locked.fair
    mode = mode or locked.mode
    _validate(
        fair=fair, exhibitor=locked.exhibitor, buyer=locked.buyer, start=start, end=end, mode=mode
    )
    user_ids = list(
        MeetingAttendee.objects.filter(meeting=locked).values_list("user_id", flat=True)
    )
    video_url = locked.video_url
    if mode in ONLINE_MODES and not video_url:
        video_url = new_video_url()

    def move(table: int | None) -> None:
        Meeting.objects.filter(pk=locked.pk).update(
            start=start,
            end=end,
            mode=mode,
            table_number=table,
            video_url=video_url,
            sequence=locked.sequence + 1,
            version=locked.version + 1,
            updated_at=timezone.now(),
        )
        MeetingAttendee.objects.filter(meeting=locked).update(start=start, end=end)

    previous_start, previous_end = locked.start, locked.end
    _lock_people(user_ids)

    def attempt() -> None:
        _check_free(
            fair=fair, mode=mode, user_ids=user_ids, start=start, end=end, exclude=locked.pk
        )
        # Keep the same table when it is free.
        tables = _candidate_tables(
            fair=fair,
            mode=mode,
            start=start,
            end=end,
            exclude=locked.pk,
            prefer=locked.table_number,
        )
        _write_at_a_table(tables, move)

    _guarded(attempt)
    locked.refresh_from_db()
    stats_changed_on_commit(locked.fair_id)  # meetings per day
    notifications.meeting_rescheduled(meeting=locked, previous_start=previous_start)
    if (previous_start, previous_end) != (locked.start, locked.end):
        _time_freed(meeting=locked, start=previous_start, end=previous_end)
    return locked


# --- Many meetings at once (the scheduler's publication) ------------------------------------

BULK_BATCH_SIZE = 1000


@dataclass(frozen=True)
class BulkItem:
    """One meeting of a :func:`meetings_book_bulk` batch."""

    exhibitor: Company
    buyer: Company
    attendees: Sequence[AttendeeLike]
    start: datetime
    end: datetime
    mode: str


def _overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _chunks(values: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


def meetings_book_bulk(*, fair: Fair, items: Sequence[BulkItem], by: User | None) -> list[Meeting]:
    """Create many meetings and their attendee rows at once; no notification. Call inside a
    transaction. All or nothing: :class:`SlotTaken` means nothing of the batch was written.

    Locking rule: the fair row is locked first (``select_for_update``), then the active
    meetings overlapping the batch are read once, inside the transaction. From that snapshot
    and the batch itself, in order:

    - **tables**: each on-site or mixed meeting gets the lowest table free in its time (busy
      neither in the database nor earlier in the batch), else ``tables_full``;
    - **online rooms**: overlapping online and mixed meetings (database + batch) are counted
      against ``Fair.online_capacity``, else ``online_full``;
    - **people**: on PostgreSQL the exclusion constraints refuse any overlap when the rows are
      inserted, within the batch or against existing meetings (``IntegrityError`` →
      ``person_busy``; a table clash with a concurrent single booking → ``tables_full``). On
      SQLite the transaction is ``BEGIN IMMEDIATE``, so a check against the attendances read
      inside it plus the batch's own is the serialised guard (switched off only by
      ``BOOKING_GUARD``, for tests).

    The inserts run in a savepoint with a constant number of statements per
    :data:`BULK_BATCH_SIZE` meetings; a deadlock, serialisation failure or lock timeout there
    (a concurrent single booking) is :class:`SlotTaken`, as the snapshot may be stale.
    Returns the meetings in the order of ``items``.
    """
    if not items:
        return []
    locked = (
        Fair.objects.select_for_update().only("id", "tables", "online_capacity").get(pk=fair.pk)
    )
    people: list[list[AttendeeSpec]] = []
    for item in items:
        _validate(
            fair=fair,
            exhibitor=item.exhibitor,
            buyer=item.buyer,
            start=item.start,
            end=item.end,
            mode=item.mode,
        )
        people.append(_attendee_specs(item.attendees, exhibitor=item.exhibitor, buyer=item.buyer))

    window = (min(i.start for i in items), max(i.end for i in items))
    existing = list(
        _active_overlapping(fair.pk, *window).values_list("start", "end", "mode", "table_number")
    )
    # Capacity per distinct interval of the batch: tables and online rooms in use, from the
    # database (computed once per interval) plus the batch as it is assigned.
    intervals = sorted({(i.start, i.end) for i in items})
    neighbours = {iv: [o for o in intervals if _overlaps(iv, o)] for iv in intervals}
    db_tables: dict[tuple[datetime, datetime], set[int]] = {}
    db_online: dict[tuple[datetime, datetime], int] = {}
    for iv in intervals:
        hits = [row for row in existing if _overlaps(iv, (row[0], row[1]))]
        db_tables[iv] = {row[3] for row in hits if row[3] is not None}
        db_online[iv] = sum(1 for row in hits if row[2] in ONLINE_MODES)
    batch_tables: dict[tuple[datetime, datetime], set[int]] = {iv: set() for iv in intervals}
    batch_online: dict[tuple[datetime, datetime], int] = dict.fromkeys(intervals, 0)

    check_people = _python_check_needed()
    busy: dict[int, list[tuple[datetime, datetime]]] = {}
    if check_people:
        user_ids = sorted({p.user_id for specs in people for p in specs})
        for chunk in _chunks(user_ids, 900):
            rows = MeetingAttendee.objects.filter(
                fair_id=fair.pk,
                user_id__in=chunk,
                active=True,
                start__lt=window[1],
                end__gt=window[0],
            ).values_list("user_id", "start", "end")
            for user_id, start, end in rows:
                busy.setdefault(user_id, []).append((start, end))

    meetings: list[Meeting] = []
    for item, specs in zip(items, people, strict=True):
        iv = (item.start, item.end)
        if check_people:
            for p in specs:
                taken = busy.setdefault(p.user_id, [])
                if any(_overlaps(iv, other) for other in taken):
                    raise SlotTaken("person_busy")
                taken.append(iv)
        if item.mode in ONLINE_MODES and locked.online_capacity is not None:
            running = db_online[iv] + sum(batch_online[o] for o in neighbours[iv])
            if running >= locked.online_capacity:
                raise SlotTaken("online_full")
            batch_online[iv] += 1
        table = None
        if item.mode in TABLE_MODES:
            used = set(db_tables[iv]).union(*(batch_tables[o] for o in neighbours[iv]))
            table = next((n for n in range(1, locked.tables + 1) if n not in used), None)
            if table is None:
                raise SlotTaken("tables_full")
            batch_tables[iv].add(table)
        meetings.append(
            Meeting(
                fair=fair,
                exhibitor=item.exhibitor,
                buyer=item.buyer,
                start=item.start,
                end=item.end,
                mode=item.mode,
                table_number=table,
                status=MeetingStatus.SCHEDULED,
                video_url=new_video_url() if item.mode in ONLINE_MODES else "",
                created_by=by,
            )
        )

    def insert() -> None:
        Meeting.objects.bulk_create(meetings, batch_size=BULK_BATCH_SIZE)
        MeetingAttendee.objects.bulk_create(
            [
                row
                for meeting, specs in zip(meetings, people, strict=True)
                for row in _attendee_rows(fair=fair, meeting=meeting, people=specs)
            ],
            batch_size=BULK_BATCH_SIZE,
        )

    try:
        _refused_when_concurrent(insert)
    except IntegrityError as exc:
        code = _refusal(exc)
        if code is None:
            raise
        raise SlotTaken(code) from exc
    stats_changed_on_commit(fair.pk)
    return meetings
