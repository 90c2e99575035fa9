"""Incremental insertion of one newly accepted request into a published schedule.

The schedule is disturbed as little as possible: the request is placed directly if it can
be; otherwise up to ``max_moves`` other non-fixed meetings are moved (to another slot, or to
the other mode when their request allows it). The search is exhaustive by number of moves
(0, then 1, then 2), so the result moves as few meetings as possible.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .construct import slot_list
from .model import (
    MODE_NAMES,
    REQUEST_MODES,
    Assignment,
    Instance,
    InstanceError,
    Problem,
    Request,
    Schedule,
    Unscheduled,
    check_request,
)
from .reasons import explain, participant_load
from .search import Search
from .state import State

MAX_MOVES = 2
_MODE_INDEX = {name: i for i, name in enumerate(MODE_NAMES)}


@dataclass
class InsertResult:
    placed: bool
    schedule: Schedule
    moved: list[str] = field(default_factory=list)
    assignment: Assignment | None = None
    reason: str | None = None
    detail: str = ""
    seconds: float = 0.0


def _extended_problem(prob: Problem, request: Request) -> Problem:
    """A shallow copy of ``prob`` with one more request at index ``n_requests``."""
    ext = copy.copy(prob)
    a, b = prob.part_index[request.a], prob.part_index[request.b]
    ext.req_ids = [*prob.req_ids, request.id]
    ext.ra = [*prob.ra, a]
    ext.rb = [*prob.rb, b]
    ext.w = [*prob.w, request.weight]
    ext.modes = [*prob.modes, REQUEST_MODES[request.mode]]
    ext.common = [*prob.common, prob.avail[a] & prob.avail[b]]
    ext.n_requests = prob.n_requests + 1
    ext.integral = prob.integral and isinstance(request.weight, int)
    return ext


def _state_from_schedule(prob: Problem, schedule: Schedule) -> State:
    state = State(prob)
    req_index, slot_index = prob.req_index, prob.slot_index
    items: list[tuple[int, int, int]] = []
    for item in schedule.assignments:
        r = req_index.get(item.request)
        s = slot_index.get(item.slot)
        m = _MODE_INDEX.get(item.mode)
        if r is None or s is None or m is None:
            raise InstanceError(f"published schedule: unknown assignment {item.request}")
        items.append((r, s, m))
    bad = state.bulk_place(items)
    if bad >= 0:
        rid = schedule.assignments[bad].request
        raise InstanceError(f"published schedule is not valid at request {rid}")
    for r, (s, m) in prob.fixed.items():
        if state.slot[r] != s or state.mode[r] != m:
            raise InstanceError(f"published schedule moved fixed meeting {prob.req_ids[r]}")
    return state


class _Inserter:
    """Depth-first search for a placement that moves at most ``budget`` meetings."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.prob = state.prob
        self.locked: set[int] = set()
        self.victim_tries = 4

    def direct(self, r: int) -> bool:
        state = self.state
        free = state.free_mask(r)
        for m in self.prob.modes[r]:
            f = free & ~state.full[m]
            if f:
                state.place(r, (f & -f).bit_length() - 1, m)
                return True
        return False

    def positions(self, r: int, budget: int) -> list[tuple[int, int, int, tuple[int, ...]]]:
        prob, state = self.prob, self.state
        occ_a, occ_b = state.occ[prob.ra[r]], state.occ[prob.rb[r]]
        out = []
        for s in slot_list(prob.common[r]):
            blockers: tuple[int, ...] = ()
            for z in (occ_a[s], occ_b[s]):
                if z < 0 or z in blockers:
                    continue
                if z in prob.fixed or z in self.locked:
                    blockers = (-1,)
                    break
                blockers = (*blockers, z)
            if blockers == (-1,):
                continue
            for m in prob.modes[r]:
                need_cap = state.full[m] >> s & 1 and not any(state.mode[z] == m for z in blockers)
                cost = len(blockers) + (1 if need_cap else 0)
                if 0 < cost <= budget:
                    out.append((cost, s, m, blockers))
        out.sort()
        return out

    def victims(self, s: int, m: int) -> list[int]:
        """Meetings that could give up their table/room in slot ``s``, easiest first."""
        state, prob = self.state, self.prob
        scored = []
        for z in state.members[m][s]:
            if z in prob.fixed or z in self.locked:
                continue
            switch = (1 - m) in prob.modes[z] and not state.full[1 - m] >> s & 1
            elsewhere = bool(state.free_mask(z) & ~(1 << s))
            scored.append((0 if switch else 1 if elsewhere else 2, z))
        scored.sort()
        return [z for _, z in scored[: self.victim_tries]]

    def place(self, r: int, budget: int) -> list[int] | None:
        """Place unscheduled ``r``; the list of moved meetings, or None (state unchanged)."""
        if self.direct(r):
            return []
        if budget <= 0:
            return None
        state = self.state
        self.locked.add(r)
        try:
            for _, s, m, blockers in self.positions(r, budget):
                mark = len(state.log)
                for z in blockers:
                    state.remove(z)
                options: list[int | None] = [None]
                if state.full[m] >> s & 1:
                    options = list(self.victims(s, m))
                for victim in options:
                    inner = len(state.log)
                    ejected = list(blockers)
                    if victim is not None:
                        state.remove(victim)
                        ejected.append(victim)
                    state.place(r, s, m)
                    moved = self._replace_all(ejected, budget - len(ejected))
                    if moved is not None:
                        return ejected + moved
                    state.rollback(inner)
                state.rollback(mark)
        finally:
            self.locked.discard(r)
        return None

    def _replace_all(self, ejected: list[int], budget: int) -> list[int] | None:
        if budget < 0:
            return None
        state = self.state
        mark = len(state.log)
        moved: list[int] = []
        self.locked.update(ejected)
        try:
            for z in ejected:
                sub = self.place(z, budget - len(moved))
                if sub is None:
                    state.rollback(mark)
                    return None
                moved.extend(sub)
        finally:
            self.locked.difference_update(ejected)
        return moved


def insert_request(
    instance: Instance,
    schedule: Schedule | Mapping[str, Any],
    request: Mapping[str, Any] | Request,
    *,
    max_moves: int = MAX_MOVES,
) -> InsertResult:
    """Place one new request into ``schedule`` moving at most ``max_moves`` other meetings.

    ``request`` is ``{"id", "a", "b", "weight", "mode"}`` and must not be in ``instance``.
    Returns the new schedule (the old one if the request could not be placed, with the
    request added to ``unscheduled``), the ids of the meetings moved, and a reason code
    when it could not be placed. Fixed meetings never move. Raises ``InstanceError`` for a
    bad request or a published schedule that does not fit the instance.
    """
    started = time.perf_counter()
    prob = instance.problem
    published = schedule if isinstance(schedule, Schedule) else Schedule.from_dict(schedule)
    entry = request if isinstance(request, Mapping) else asdict(request)
    new = check_request(entry, prob.n_requests, set(prob.part_ids))
    if new.id in prob.req_index:
        raise InstanceError(f"request {new.id} is already in the instance")
    ext = _extended_problem(prob, new)
    state = _state_from_schedule(ext, published)
    r = ext.n_requests - 1
    before_slot, before_mode = state.slot[:], state.mode[:]
    inserter = _Inserter(state)
    moved: list[int] | None = None
    for budget in range(max_moves + 1):
        moved = inserter.place(r, budget)
        if moved is not None:
            break
    if moved is None:
        reason = _failure(state, r)
        result_schedule = _with_unscheduled(published, reason)
        return InsertResult(
            placed=False,
            schedule=result_schedule,
            reason=reason.reason,
            detail=reason.detail,
            seconds=time.perf_counter() - started,
        )
    changed = sorted(
        {z for z in moved if (state.slot[z], state.mode[z]) != (before_slot[z], before_mode[z])}
    )
    new_schedule = _updated(published, ext, state, r, changed)
    return InsertResult(
        placed=True,
        schedule=new_schedule,
        moved=[ext.req_ids[z] for z in changed],
        assignment=Assignment(new.id, ext.slot_ids[state.slot[r]], MODE_NAMES[state.mode[r]]),
        seconds=time.perf_counter() - started,
    )


def _failure(state: State, r: int) -> Unscheduled:
    """Why ``r`` could not be inserted; 'needs_more_moves' if a longer chain would do it."""
    reason = explain(state, r, participant_load(state.prob))
    if reason.reason in ("no_common_slot", "no_capacity"):
        return reason
    search = Search(state, random.Random(0), time.perf_counter() + 0.05)
    mark = len(state.log)
    if search.insert(r, depth=4, node_limit=300):
        n = len({z for _, z, _, _ in state.log[mark:] if z != r})
        state.rollback(mark)
        return Unscheduled(
            reason.request,
            "needs_more_moves",
            f"placeable by moving about {n} meetings; re-run the scheduler to place it",
        )
    return reason


def _with_unscheduled(published: Schedule, reason: Unscheduled) -> Schedule:
    return Schedule(
        assignments=list(published.assignments),
        unscheduled=[*published.unscheduled, reason],
        objective=published.objective,
        upper_bound=None,
    )


def _updated(
    published: Schedule, prob: Problem, state: State, r: int, changed: list[int]
) -> Schedule:
    moved_ids = {prob.req_ids[z] for z in changed}
    assignments = []
    for item in published.assignments:
        if item.request in moved_ids:
            z = prob.req_index[item.request]
            item = Assignment(item.request, prob.slot_ids[state.slot[z]], MODE_NAMES[state.mode[z]])
        assignments.append(item)
    assignments.append(
        Assignment(prob.req_ids[r], prob.slot_ids[state.slot[r]], MODE_NAMES[state.mode[r]])
    )
    objective = published.objective + prob.w[r]
    return Schedule(
        assignments=assignments,
        unscheduled=list(published.unscheduled),
        objective=objective,
        upper_bound=None,
    )
