"""Constructive passes: the plain greedy baseline and the solver's weighted construction."""

from __future__ import annotations

from .model import Problem
from .state import State, state_with_fixed


def free_requests(prob: Problem) -> list[int]:
    """Requests that are not fixed and have at least one common slot."""
    return [r for r in range(prob.n_requests) if r not in prob.fixed and prob.common[r]]


def place_earliest(state: State, r: int) -> bool:
    """Put ``r`` in its earliest feasible slot (onsite first on ties); False if none."""
    prob = state.prob
    free = state.free_mask(r)
    if not free:
        return False
    best_low = 0
    best_mode = -1
    for m in prob.modes[r]:
        f = free & ~state.full[m]
        if f:
            low = f & -f
            if best_mode < 0 or low < best_low:
                best_low, best_mode = low, m
    if best_mode < 0:
        return False
    state.place(r, best_low.bit_length() - 1, best_mode)
    return True


def greedy_state(prob: Problem) -> State:
    """Plain greedy: most-constrained request first (fewest common slots), earliest free slot."""
    state = state_with_fixed(prob)
    order = sorted(free_requests(prob), key=lambda r: (prob.common[r].bit_count(), -prob.w[r], r))
    for r in order:
        place_earliest(state, r)
    state.log.clear()
    return state


def weighted_state(prob: Problem) -> State:
    """Heavier requests first, then most-constrained; each goes to its least-contested slot.

    The contention of participant ``p`` in slot ``s`` is the expected demand for that slot
    from ``p``'s requests that are still to be placed (each spreads one unit over its common
    slots). Choosing the slot with the least contention keeps scarce slots for the requests
    that need them (for instance remote buyers with a narrow time-zone window).
    """
    state = state_with_fixed(prob)
    n_slots = prob.n_slots
    demand = [[0.0] * n_slots for _ in range(prob.n_participants)]
    share: list[float] = [0.0] * prob.n_requests
    todo = free_requests(prob)
    for r in todo:
        slots = slot_list(prob.common[r])
        share[r] = 1.0 / len(slots)
        da, db = demand[prob.ra[r]], demand[prob.rb[r]]
        for s in slots:
            da[s] += share[r]
            db[s] += share[r]
    order = sorted(todo, key=lambda r: (-prob.w[r], prob.common[r].bit_count(), r))
    for r in order:
        a, b = prob.ra[r], prob.rb[r]
        da, db = demand[a], demand[b]
        slots = slot_list(prob.common[r])
        for s in slots:
            da[s] -= share[r]
            db[s] -= share[r]
        free = state.free_mask(r)
        best: tuple[float, int, int] | None = None
        for m in prob.modes[r]:
            for s in slot_list(free & ~state.full[m]):
                key = (da[s] + db[s], s, m)
                if best is None or key < best:
                    best = key
        if best is not None:
            state.place(r, best[1], best[2])
    state.log.clear()
    return state


_SLOT_CACHE: dict[int, list[int]] = {}


def slot_list(mask: int) -> list[int]:
    cached = _SLOT_CACHE.get(mask)
    if cached is None:
        cached = []
        m = mask
        while m:
            low = m & -m
            cached.append(low.bit_length() - 1)
            m ^= low
        if len(_SLOT_CACHE) < 200_000:
            _SLOT_CACHE[mask] = cached
    return cached
