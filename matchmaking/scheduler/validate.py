"""Independent schedule validator.

Works from the raw JSON documents only (the instance as given to the scheduler and the
schedule it printed) and shares no code with the solver, so a bug in the solver's data
structures cannot hide itself. Returns a list of human-readable violations; an empty list
means the schedule is valid.

Checked: known request/slot ids and modes in assignments; each request at most once and
listed exactly once across ``assignments`` and ``unscheduled``; the mode allowed by the
request; both participants available in the slot; no participant in two meetings whose
slots overlap in time (including the same slot twice); tables and online rooms per slot;
fixed meetings present with exactly their slot and mode; known reason codes; the
objective equal to the weight of the scheduled requests; the upper bound, if given, not
below the objective.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

KNOWN_REASONS = {
    "no_common_slot",
    "no_capacity",
    "participant_busy",
    "tables_full",
    "online_full",
    "capacity_full",
    "needs_more_moves",
    "not_selected",
}
ALLOWED = {"onsite": {"onsite"}, "online": {"online"}, "either": {"onsite", "online"}}


def _as_dict(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return obj
    raw = getattr(obj, "raw", None)
    if isinstance(raw, Mapping):
        return raw
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return obj


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset")
    return moment


def _capacity(value: Any, slot: str) -> float:
    if isinstance(value, Mapping):
        value = value.get(slot)
    return math.inf if value is None else float(value)


def validate(instance: Any, schedule: Any) -> list[str]:
    """Violations of ``schedule`` (output JSON) against ``instance`` (input JSON)."""
    inst, sched = _as_dict(instance), _as_dict(schedule)
    try:
        slots = {s["id"]: (_time(s["start"]), _time(s["end"])) for s in inst["slots"]}
        avail = {p["id"]: set(p["available"]) for p in inst["participants"]}
        requests = {r["id"]: r for r in inst["requests"]}
        fixed = {f["request"]: f for f in inst.get("fixed") or []}
        tables, rooms = inst["tables"], inst.get("online_rooms")
    except (KeyError, TypeError, ValueError) as exc:
        return [f"instance is malformed: {exc!r}"]
    if not isinstance(sched, Mapping):
        return ["schedule is not a JSON object"]
    violations: list[str] = []
    placed = _check_assignments(sched, slots, avail, requests, violations)
    _check_overlaps(placed, slots, requests, violations)
    _check_capacity(placed, slots, tables, rooms, violations)
    _check_fixed(placed, fixed, violations)
    _check_unscheduled(sched, placed, requests, violations)
    _check_objective(sched, placed, requests, violations)
    return violations


def _check_assignments(
    sched: Mapping[str, Any],
    slots: Mapping[str, Any],
    avail: Mapping[str, set[str]],
    requests: Mapping[str, Any],
    violations: list[str],
) -> dict[str, tuple[str, str]]:
    placed: dict[str, tuple[str, str]] = {}
    entries = sched.get("assignments")
    if not isinstance(entries, list):
        violations.append("schedule has no 'assignments' list")
        return placed
    for entry in entries:
        if not isinstance(entry, Mapping):
            violations.append(f"assignment {entry!r} is not an object")
            continue
        rid, sid, mode = entry.get("request"), entry.get("slot"), entry.get("mode")
        request = requests.get(rid)
        if request is None:
            violations.append(f"assignment for unknown request {rid!r}")
            continue
        if sid not in slots:
            violations.append(f"request {rid} assigned to unknown slot {sid!r}")
            continue
        if rid in placed:
            violations.append(f"request {rid} is scheduled more than once")
            continue
        if mode not in ALLOWED.get(request.get("mode"), set()):
            violations.append(f"request {rid} ({request.get('mode')}) scheduled in mode {mode!r}")
        for who in (request["a"], request["b"]):
            if sid not in avail.get(who, set()):
                violations.append(f"request {rid}: {who} is not available in slot {sid}")
        placed[rid] = (sid, mode)
    return placed


def _check_overlaps(
    placed: Mapping[str, tuple[str, str]],
    slots: Mapping[str, Any],
    requests: Mapping[str, Any],
    violations: list[str],
) -> None:
    """No participant in two meetings at once (same slot, or slots overlapping in time)."""
    agenda: dict[str, list[tuple[datetime, datetime, str, str]]] = {}
    for rid, (sid, _) in placed.items():
        start, end = slots[sid]
        for who in (requests[rid]["a"], requests[rid]["b"]):
            agenda.setdefault(who, []).append((start, end, sid, rid))
    for who, items in agenda.items():
        items.sort()
        latest_end, latest = None, None
        for start, end, sid, rid in items:
            if latest_end is not None and latest is not None and start < latest_end:
                violations.append(
                    f"{who} is double-booked: {latest[1]} in {latest[0]} and {rid} in {sid}"
                )
            if latest_end is None or end > latest_end:
                latest_end, latest = end, (sid, rid)


def _check_capacity(
    placed: Mapping[str, tuple[str, str]],
    slots: Mapping[str, Any],
    tables: Any,
    rooms: Any,
    violations: list[str],
) -> None:
    used: dict[tuple[str, str], int] = {}
    for sid, mode in placed.values():
        used[(sid, mode)] = used.get((sid, mode), 0) + 1
    for (sid, mode), count in sorted(used.items()):
        limit = _capacity(tables if mode == "onsite" else rooms, sid)
        if count > limit:
            what = "tables" if mode == "onsite" else "online rooms"
            violations.append(f"slot {sid}: {count} {mode} meetings for {limit:g} {what}")


def _check_fixed(
    placed: Mapping[str, tuple[str, str]], fixed: Mapping[str, Any], violations: list[str]
) -> None:
    for rid, f in fixed.items():
        got = placed.get(rid)
        if got is None:
            violations.append(f"fixed meeting {rid} is missing")
        elif got != (f["slot"], f["mode"]):
            violations.append(
                f"fixed meeting {rid} moved: {got[0]}/{got[1]} instead of {f['slot']}/{f['mode']}"
            )


def _check_unscheduled(
    sched: Mapping[str, Any],
    placed: Mapping[str, tuple[str, str]],
    requests: Mapping[str, Any],
    violations: list[str],
) -> None:
    entries = sched.get("unscheduled")
    if not isinstance(entries, list):
        violations.append("schedule has no 'unscheduled' list")
        return
    listed: set[str] = set()
    for entry in entries:
        rid = entry.get("request") if isinstance(entry, Mapping) else None
        if rid not in requests:
            violations.append(f"unscheduled entry for unknown request {rid!r}")
            continue
        if rid in placed:
            violations.append(f"request {rid} is both scheduled and unscheduled")
        if rid in listed:
            violations.append(f"request {rid} is listed as unscheduled twice")
        listed.add(rid)
        if entry.get("reason") not in KNOWN_REASONS:
            violations.append(f"request {rid}: unknown reason {entry.get('reason')!r}")
    for rid in requests:
        if rid not in placed and rid not in listed:
            violations.append(f"request {rid} is neither scheduled nor listed as unscheduled")


def _check_objective(
    sched: Mapping[str, Any],
    placed: Mapping[str, tuple[str, str]],
    requests: Mapping[str, Any],
    violations: list[str],
) -> None:
    total = sum(requests[rid]["weight"] for rid in placed)
    objective = sched.get("objective")
    if not isinstance(objective, int | float) or not math.isclose(
        objective, total, rel_tol=1e-9, abs_tol=1e-9
    ):
        violations.append(f"objective {objective!r} but scheduled weight is {total!r}")
    bound = sched.get("upper_bound")
    if bound is not None and isinstance(objective, int | float) and objective > bound + 1e-6:
        violations.append(f"objective {objective} exceeds the upper bound {bound}")
