"""Booking a previewed scheduler run: its new meetings in batches, what could not be booked,
and the progress shown on the run page (the background task of a publish;
``services.scheduler_run_book`` holds the transactions and the order of steps)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from exhibitors.enums import Attendance, MembershipStatus
from exhibitors.models import Company, Member
from fairsite.models import Fair, User
from matchmaking import selectors
from matchmaking import slots as grid
from matchmaking.enums import BookingStatus, RequestStatus
from matchmaking.models import MeetingRequest, SchedulerBooking, SchedulerRun
from meetings.booking import BulkItem, SlotTaken, meetings_book_bulk
from meetings.models import Meeting

REQUEST_CHUNK = 500  # ids per IN (…) / CASE statement
REFUSED_SHOWN = 200  # meetings that could not be booked, listed on the run page


#: Why a previewed meeting could not be booked at publication (``SlotTaken`` codes).
REFUSAL_TEXT = {
    "person_busy": lambda: _("one of them now has another meeting then"),
    "tables_full": lambda: _("tables full"),
    "online_full": lambda: _("online rooms full"),
}


def refusal_label(code: str) -> str:
    factory = REFUSAL_TEXT.get(code) or REFUSAL_TEXT["person_busy"]
    return factory()


def publication_plan(*, run: SchedulerRun) -> list[dict[str, Any]]:
    """The new meetings of a previewed run (the fixed ones exist already), in booking order:
    by slot, then pair. Each: ``{"request", "slot", "mode"}``."""
    fixed = {f["request"] for f in (run.instance or {}).get("fixed", [])}
    return sorted(
        (a for a in (run.result or {}).get("assignments", []) if a["request"] not in fixed),
        key=lambda a: (a["slot"], a["request"]),
    )


def book_batch(
    *, fair: Fair, run: SchedulerRun, bookings: Sequence[SchedulerBooking], by: User | None
) -> tuple[list[Meeting], dict[int, str]]:
    """Book one batch of a run being published (call inside the batch's transaction).

    Reads the batch's people, availability and bookings once (committed earlier batches
    included), chooses each meeting's attendees (the approved members of both companies free
    at that time) and books the batch with :func:`meetings.booking.meetings_book_bulk` (fair
    row locked first; all or nothing). If that refuses (something changed since the
    preview), each meeting is booked on its own in a savepoint, so the ones that still fit
    are booked and the others refused with the reason. A meeting whose company has nobody
    free is refused without trying. Pending requests of booked pairs are accepted with their
    meeting. Marks every row of ``bookings`` booked or refused.

    Returns the booked meetings and, per refused booking's id, the :class:`SlotTaken` code.
    The number of queries does not grow with the batch, unless the batch is refused.
    """
    if not bookings:
        return [], {}
    pairs = run.pairs or {}
    slot_times = {
        s["id"]: (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]))
        for s in (run.instance or {}).get("slots", [])
    }
    company_ids = {pairs[b.request]["exhibitor"] for b in bookings} | {
        pairs[b.request]["buyer"] for b in bookings
    }
    companies = {c.pk: c for c in Company.objects.filter(fair=fair, pk__in=company_ids)}
    members: dict[int, list[User]] = defaultdict(list)
    onsite = {cid: c.attendance == Attendance.ONSITE for cid, c in companies.items()}
    for m in (
        Member.objects.filter(company_id__in=company_ids, status=MembershipStatus.APPROVED)
        .select_related("user")
        .order_by("created_at", "id")
    ):
        members[m.company_id].append(m.user)
    spec = selectors.grid_spec(fair=fair)
    people = [(u, onsite[cid]) for cid, users in members.items() for u in users]
    avail = selectors.availability_map(fair=fair, people=people, spec=spec)
    busy = selectors.busy_map(fair=fair, user_ids=[u.pk for u, _o in people])

    refused: dict[int, str] = {}
    planned: list[tuple[SchedulerBooking, BulkItem]] = []
    for booking in bookings:
        pair = pairs[booking.request]
        start, end = slot_times[booking.slot]
        if pair["exhibitor"] not in companies or pair["buyer"] not in companies:
            refused[booking.pk] = "person_busy"
            continue
        attendees = []
        for cid in (pair["exhibitor"], pair["buyer"]):
            free = [
                u
                for u in members.get(cid, [])
                if grid.covers(avail[u.pk], start, end)
                and not grid.overlaps(busy.get(u.pk, []), start, end)
            ]
            attendees.extend((u, companies[cid]) for u in free)
            if not free:
                break
        if not {c.pk for _u, c in attendees} >= {pair["exhibitor"], pair["buyer"]}:
            refused[booking.pk] = "person_busy"
            continue
        for user, _company in attendees:
            busy.setdefault(user.pk, []).append((start, end))
        planned.append(
            (
                booking,
                BulkItem(
                    exhibitor=companies[pair["exhibitor"]],
                    buyer=companies[pair["buyer"]],
                    attendees=attendees,
                    start=start,
                    end=end,
                    mode=booking.mode,
                ),
            )
        )

    booked: list[tuple[SchedulerBooking, Meeting]] = []
    try:
        with transaction.atomic():
            created = meetings_book_bulk(fair=fair, items=[i for _b, i in planned], by=by)
        booked = list(zip((b for b, _i in planned), created, strict=True))
    except SlotTaken:
        # Something changed since the preview: keep what still fits, one by one.
        for booking, item in planned:
            try:
                with transaction.atomic():
                    (meeting,) = meetings_book_bulk(fair=fair, items=[item], by=by)
            except SlotTaken as exc:
                refused[booking.pk] = exc.code
            else:
                booked.append((booking, meeting))

    for booking, meeting in booked:
        booking.status, booking.meeting, booking.reason = BookingStatus.BOOKED, meeting, ""
    for booking in bookings:
        if booking.pk in refused:
            booking.status, booking.meeting, booking.reason = (
                BookingStatus.REFUSED,
                None,
                refused[booking.pk],
            )
    SchedulerBooking.objects.bulk_update(
        bookings, ["status", "meeting", "reason"], batch_size=REQUEST_CHUNK
    )
    _accept_requests(
        fair=fair,
        accepted={
            pairs[b.request]["request"]: m.pk for b, m in booked if pairs[b.request].get("request")
        },
    )
    return [m for _b, m in booked], refused


def publication(*, run: SchedulerRun) -> dict[str, Any]:
    """Progress of a run being published, and the meetings that could not be booked (with
    their pair, time and reason) for the run page. Two queries."""
    counts = dict(
        SchedulerBooking.objects.filter(run=run)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    total = len(publication_plan(run=run))
    booked = counts.get(BookingStatus.BOOKED, 0)
    refused_rows = list(
        SchedulerBooking.objects.filter(run=run, status=BookingStatus.REFUSED).order_by("position")[
            :REFUSED_SHOWN
        ]
    )
    pairs = run.pairs or {}
    ids = {pairs[b.request][side] for b in refused_rows for side in ("exhibitor", "buyer")}
    names = {c.pk: c.display_name for c in Company.objects.filter(pk__in=ids)} if ids else {}
    slot_starts = {s["id"]: s["start"] for s in (run.instance or {}).get("slots", [])}
    refused = counts.get(BookingStatus.REFUSED, 0)
    done = booked + refused
    return {
        "total": total,
        "booked": booked,
        "refused": refused,
        "done": done,
        "percent": round(100 * done / total) if total else 100,
        "refused_rows": [
            {
                "exhibitor": names.get(pairs[b.request]["exhibitor"], "?"),
                "buyer": names.get(pairs[b.request]["buyer"], "?"),
                "start": datetime.fromisoformat(slot_starts[b.slot]),
                "mode": b.mode,
                "reason": refusal_label(b.reason),
            }
            for b in refused_rows
        ],
    }


def _accept_requests(*, fair: Fair, accepted: dict[int, int]) -> None:
    """Mark pending requests accepted with their meeting: one ``UPDATE … CASE`` per chunk."""
    ids = sorted(accepted)
    for index in range(0, len(ids), REQUEST_CHUNK):
        chunk = ids[index : index + REQUEST_CHUNK]
        MeetingRequest.objects.filter(pk__in=chunk, fair=fair, status=RequestStatus.PENDING).update(
            status=RequestStatus.ACCEPTED,
            meeting_id=Case(
                *(When(pk=pk, then=Value(accepted[pk])) for pk in chunk),
                output_field=IntegerField(),
            ),
            updated_at=timezone.now(),
        )
