"""The hosted-buyer scheduler inside the app: build the instance from the fair's data, solve
it with :mod:`matchmaking.scheduler`, and show a previewed result (booking it:
:mod:`matchmaking.publishing`).

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
from datetime import datetime
from typing import Any

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
    InterestLevel,
    RequestStatus,
)
from matchmaking.models import Interest, MeetingRequest, SchedulerRun
from meetings.booking import ONLINE_MODES
from meetings.enums import ACTIVE_STATUSES
from meetings.models import Meeting

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
