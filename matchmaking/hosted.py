"""The hosted-buyer scheduler inside the app: build the instance from the fair's data, solve
it with :mod:`matchmaking.scheduler`, and turn a previewed result into meetings.

Participants are companies (a company meets one counterpart per slot). A company is available
in a slot when at least one of its approved members is available (own entries or defaults) and
not already booked. Pairs and weights:

- "must meet" from either side → 3
- a pending meeting request → 2 (scheduling it accepts the request)
- "maybe" from either side → 1
- "not interested" from either side → never scheduled
- a pair that already has an active meeting on the grid → a *fixed* meeting (kept as is)

Mode: ``either`` when both companies are on site (tables in hall hours, else online), else
``online``. Tables per slot: the fair's tables (0 outside hall hours) minus meetings not
represented as fixed; online rooms likewise (``None`` = no limit, 0 outside the online window).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from exhibitors.enums import Attendance, CompanyRole, MembershipStatus
from exhibitors.models import Company, Member
from fairsite.models import Fair, User
from matchmaking import selectors
from matchmaking import slots as grid
from matchmaking.enums import (
    WEIGHT_MAYBE,
    WEIGHT_MUST,
    WEIGHT_REQUESTED,
    BookingStatus,
    InterestLevel,
    RequestStatus,
)
from matchmaking.models import Interest, MeetingRequest, SchedulerBooking, SchedulerRun
from meetings.booking import ONLINE_MODES, BulkItem, SlotTaken, meetings_book_bulk
from meetings.enums import ACTIVE_STATUSES
from meetings.models import Meeting

REQUEST_CHUNK = 500  # ids per IN (…) / CASE statement
REFUSED_SHOWN = 200  # meetings that could not be booked, listed on the run page

SOURCE_WEIGHTS = {"must": WEIGHT_MUST, "requested": WEIGHT_REQUESTED, "maybe": WEIGHT_MAYBE}


def _pid(company_id: int) -> str:
    return f"c{company_id}"


def _rid(exhibitor_id: int, buyer_id: int) -> str:
    return f"r{exhibitor_id}-{buyer_id}"


def build_instance(*, fair: Fair) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scheduler's JSON instance for ``fair`` and, per request id, what it stands for."""
    spec = selectors.grid_spec(fair=fair)
    slots = grid.build_grid(spec)
    companies = {
        c.pk: c
        for c in Company.objects.filter(
            fair=fair, role__in=[CompanyRole.BUYER, CompanyRole.EXHIBITOR]
        )
    }

    # Pairs and their weights.
    pairs: dict[tuple[int, int], dict[str, Any]] = {}
    excluded: set[tuple[int, int]] = set()

    def key(a: int, b: int) -> tuple[int, int] | None:
        ca, cb = companies.get(a), companies.get(b)
        if ca is None or cb is None or ca.role == cb.role:
            return None
        return (a, b) if ca.role == CompanyRole.EXHIBITOR else (b, a)

    def add(k: tuple[int, int] | None, source: str, request_id: int | None = None) -> None:
        if k is None:
            return
        entry = pairs.setdefault(
            k, {"exhibitor": k[0], "buyer": k[1], "weight": 0, "source": "", "request": None}
        )
        if SOURCE_WEIGHTS[source] > entry["weight"]:
            entry["weight"], entry["source"] = SOURCE_WEIGHTS[source], source
        if request_id is not None:
            entry["request"] = request_id

    for a, b, level in Interest.objects.filter(fair=fair).values_list(
        "from_company_id", "to_company_id", "level"
    ):
        k = key(a, b)
        if level == InterestLevel.NO:
            if k is not None:
                excluded.add(k)
        else:
            add(k, "must" if level == InterestLevel.MUST else "maybe")
    for req_id, a, b in MeetingRequest.objects.filter(
        fair=fair, status=RequestStatus.PENDING
    ).values_list("pk", "requester_id", "recipient_id"):
        add(key(a, b), "requested", req_id)
    for k in excluded:
        pairs.pop(k, None)

    # People: availability and bookings.
    members: dict[int, list[tuple[User, bool]]] = defaultdict(list)
    for m in Member.objects.filter(fair=fair, status=MembershipStatus.APPROVED).select_related(
        "user"
    ):
        company = companies.get(m.company_id)
        if company is not None:
            members[m.company_id].append((m.user, company.attendance == Attendance.ONSITE))
    people = [p for group in members.values() for p in group]
    avail = selectors.availability_map(fair=fair, people=people, spec=spec)
    busy = selectors.busy_map(fair=fair, user_ids=[u.pk for u, _o in people])

    slot_by_start = {(s.start, s.end): s for s in slots}
    meetings = list(
        Meeting.objects.filter(fair=fair, status__in=ACTIVE_STATUSES).values_list(
            "pk", "exhibitor_id", "buyer_id", "start", "end", "mode", "table_number"
        )
    )
    fixed: list[dict[str, Any]] = []
    fixed_busy: set[tuple[int, str]] = set()
    forced: dict[int, set[str]] = defaultdict(set)
    blocked: dict[int, list[grid.Interval]] = defaultdict(list)
    extra_tables: dict[str, int] = defaultdict(int)
    extra_online: dict[str, int] = defaultdict(int)
    for pk, ex, bu, start, end, mode, table in meetings:
        slot = slot_by_start.get((start, end))
        k = (ex, bu)
        if (
            slot is not None
            and k not in excluded
            and (slot.onsite if table is not None else slot.online)
            and (ex, slot.id) not in fixed_busy
            and (bu, slot.id) not in fixed_busy
        ):
            entry = pairs.setdefault(
                k, {"exhibitor": ex, "buyer": bu, "weight": WEIGHT_REQUESTED, "source": "booked"}
            )
            entry.setdefault("request", None)
            entry["meeting"] = pk
            fixed.append(
                {
                    "request": _rid(ex, bu),
                    "slot": slot.id,
                    "mode": "onsite" if table is not None else "online",
                }
            )
            fixed_busy.update({(ex, slot.id), (bu, slot.id)})
            if table is not None and mode in ONLINE_MODES:
                # A mixed meeting is fixed at its table and also holds an online room.
                extra_online[slot.id] += 1
            forced[ex].add(slot.id)
            forced[bu].add(slot.id)
            continue
        # Not representable: it only takes people and capacity away.
        for s in slots:
            if s.start < end and start < s.end:
                if table is not None:
                    extra_tables[s.id] += 1
                if mode in ONLINE_MODES:
                    extra_online[s.id] += 1
        blocked[ex].append((start, end))
        blocked[bu].append((start, end))
    fixed_rids = {f["request"] for f in fixed}
    # A pair that already met (off the grid) is not scheduled again.
    met = {(ex, bu) for _pk, ex, bu, *_rest in meetings}
    pairs = {k: v for k, v in pairs.items() if _rid(*k) in fixed_rids or k not in met}

    involved = {c for k in pairs for c in k}
    participants = []
    for cid in sorted(involved):
        available = []
        for s in slots:
            if s.id in forced[cid]:
                available.append(s.id)
                continue
            if (cid, s.id) in fixed_busy or grid.overlaps(blocked[cid], s.start, s.end):
                continue
            if any(
                grid.covers(avail[u.pk], s.start, s.end)
                and not grid.overlaps(busy.get(u.pk, []), s.start, s.end)
                for u, _o in members.get(cid, [])
            ):
                available.append(s.id)
        participants.append({"id": _pid(cid), "available": available})

    requests = []
    pair_map: dict[str, Any] = {}
    for (ex, bu), entry in sorted(pairs.items()):
        both_onsite = (
            companies[ex].attendance == Attendance.ONSITE
            and companies[bu].attendance == Attendance.ONSITE
        )
        rid = _rid(ex, bu)
        mode = "either" if both_onsite or rid in fixed_rids else "online"
        requests.append(
            {"id": rid, "a": _pid(bu), "b": _pid(ex), "weight": entry["weight"], "mode": mode}
        )
        pair_map[rid] = entry
    instance = {
        "slots": [
            {"id": s.id, "start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots
        ],
        "tables": {
            s.id: max(0, fair.tables - extra_tables[s.id]) if s.onsite else 0 for s in slots
        },
        "online_rooms": {
            s.id: (
                0
                if not s.online
                else None
                if fair.online_capacity is None
                else max(0, fair.online_capacity - extra_online[s.id])
            )
            for s in slots
        },
        "participants": participants,
        "requests": requests,
        "fixed": fixed,
    }
    return instance, pair_map


def solve_instance(
    instance: dict[str, Any], *, time_limit: float, bound_time_limit: float | None = None
) -> dict[str, Any]:
    """Run the scheduler; the result in its output format plus a few counts.

    The search and the LP bound run concurrently inside ``solve``, each within its own limit
    (``bound_time_limit`` defaults to ``time_limit``), so the call takes about the larger of
    the two. ``stats["bound_kind"]`` says which bound was proven in that time: ``lp`` (the
    full LP), ``lp_without_capacity`` (the full LP ran out of time: a looser bound) or
    ``count`` (the sum of the candidates' weights).
    """
    from matchmaking.scheduler import load_instance, solve

    loaded = load_instance(instance)
    schedule = solve(
        loaded,
        time_limit=time_limit,
        with_bound=True,
        bound_time_limit=time_limit if bound_time_limit is None else bound_time_limit,
    )
    result = schedule.to_dict()
    result["stats"] = {k: v for k, v in (schedule.stats or {}).items() if _jsonable(v)}
    return result


def _jsonable(value: Any) -> bool:
    return isinstance(value, int | float | str | bool) or value is None


REASON_TEXT = {
    "no_common_slot": lambda: _("no common free slot"),
    "no_capacity": lambda: _("no table or online room in their common slots"),
    "participant_busy": lambda: _("one of them is busy in every common slot"),
    "tables_full": lambda: _("tables full"),
    "online_full": lambda: _("online rooms full"),
    "capacity_full": lambda: _("tables and online rooms full"),
    "not_selected": lambda: _("fits, but a better schedule left it out"),
}

BOUND_TEXT = {
    "lp": lambda: _("LP bound (proven)"),
    "lp_without_capacity": lambda: _(
        "LP bound without table and room limits (proven but looser: the full LP ran out of time)"
    ),
    "count": lambda: _("sum of all candidate weights (proven but loose: the LP ran out of time)"),
}


def bound_label(kind: str | None) -> str:
    factory = BOUND_TEXT.get(kind or "")
    return factory() if factory else ""


#: Why a previewed meeting could not be booked at publication (``SlotTaken`` codes).
REFUSAL_TEXT = {
    "person_busy": lambda: _("one of them now has another meeting then"),
    "tables_full": lambda: _("tables full"),
    "online_full": lambda: _("online rooms full"),
}


def refusal_label(code: str) -> str:
    factory = REFUSAL_TEXT.get(code) or REFUSAL_TEXT["person_busy"]
    return factory()


def reason_label(code: str) -> str:
    factory = REASON_TEXT.get(code)
    return factory() if factory else code


def preview(*, run: SchedulerRun) -> dict[str, Any]:
    """Counts and tables for the preview page (company names resolved in one query)."""
    result, pairs = run.result or {}, run.pairs or {}
    fixed = {f["request"] for f in (run.instance or {}).get("fixed", [])}
    assignments = [a for a in result.get("assignments", []) if a["request"] not in fixed]
    unscheduled = result.get("unscheduled", [])
    ids = {pairs[r]["exhibitor"] for r in pairs} | {pairs[r]["buyer"] for r in pairs}
    names = {c.pk: c.display_name for c in Company.objects.filter(pk__in=ids)}
    slot_starts = {s["id"]: s["start"] for s in (run.instance or {}).get("slots", [])}

    def row(rid: str) -> dict[str, Any]:
        p = pairs.get(rid, {})
        return {
            "exhibitor": names.get(p.get("exhibitor"), "?"),
            "buyer": names.get(p.get("buyer"), "?"),
            "weight": p.get("weight"),
            "source": p.get("source"),
        }

    stats = result.get("stats") or {}
    objective, bound = result.get("objective"), result.get("upper_bound")
    gap = None
    if objective is not None and bound:
        gap = round(100 * max(0.0, bound - objective) / bound, 1)
    return {
        "new_meetings": len(assignments),
        "fixed": len(fixed),
        "pairs": len(pairs),
        "objective": result.get("objective"),
        "upper_bound": result.get("upper_bound"),
        "bound_kind": stats.get("bound_kind"),
        "bound_label": bound_label(stats.get("bound_kind")),
        "bound_seconds": stats.get("bound_seconds"),
        "gap_percent": gap,
        "seconds": result.get("seconds"),
        "assignments": [
            {
                **row(a["request"]),
                "start": datetime.fromisoformat(slot_starts[a["slot"]]),
                "mode": a["mode"],
            }
            for a in assignments
        ],
        "unscheduled": [
            {**row(u["request"]), "reason": reason_label(u.get("reason", ""))} for u in unscheduled
        ],
    }


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
