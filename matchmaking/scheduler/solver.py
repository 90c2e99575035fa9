"""Top-level solve: greedy baseline, exact MIP when small, otherwise construction + search."""

from __future__ import annotations

import random
import time
from typing import Any

from .bound import BoundResult, upper_bound
from .exact import small_enough, solve_exact
from .greedy import greedy_state, weighted_state
from .model import MODE_NAMES, ONLINE, ONSITE, Assignment, Instance, Problem, Schedule
from .reasons import explain, participant_load
from .search import EPS, Search
from .state import State

DEFAULT_TIME_LIMIT = 8.0
EXACT_MAX_VARIABLES = 2500


def trivial_bound(prob: Problem) -> float:
    """Everything that has a common slot (used to stop early when all of it is placed)."""
    return float(sum(prob.w[r] for r in range(prob.n_requests) if prob.common[r]))


def improve(state: State, rng: random.Random, deadline: float, target: float) -> dict[str, int]:
    """Local search on ``state`` until ``deadline`` or ``target``; leaves the best found."""
    prob = state.prob
    search = Search(state, rng, deadline)
    stats = {"chains": 0, "swaps": 0, "kicks": 0, "rounds": 0}
    best_obj = state.obj
    best = state.snapshot()

    def reached() -> bool:
        return state.obj >= target - EPS or not search.time_left()

    def by_weight() -> list[int]:
        return sorted(search.pool, key=lambda r: (-prob.w[r], r))

    def chain_pass(depth: int, nodes: int) -> None:
        for r in by_weight():
            if reached():
                return
            if state.slot[r] < 0 and search.insert(r, depth, nodes):
                stats["chains"] += 1
        search.commit()

    def swap_pass() -> None:
        for r in by_weight():
            if reached():
                return
            if state.slot[r] < 0 and search.swap_in(r):
                stats["swaps"] += 1
            search.commit()

    for depth, nodes in ((1, 60), (2, 300), (3, 1500)):
        chain_pass(depth, nodes)
    swap_pass()
    while not reached():
        stats["rounds"] += 1
        for k in range(100):
            if k % 10 == 0 and reached():
                break
            search.kick()
            search.commit()
            stats["kicks"] += 1
        chain_pass(2, 300)
        swap_pass()
        if state.obj > best_obj + EPS:
            best_obj = state.obj
            best = state.snapshot()
    if state.obj < best_obj - EPS:
        state.load(best)
    return stats


def prefer_onsite(state: State) -> None:
    """Move online 'either' meetings to a free table in the same slot (objective unchanged)."""
    prob = state.prob
    for r in range(prob.n_requests):
        s = state.slot[r]
        if s < 0 or r in prob.fixed or state.mode[r] != ONLINE or ONSITE not in prob.modes[r]:
            continue
        if not state.full[ONSITE] >> s & 1:
            state.remove(r)
            state.place(r, s, ONSITE)
    state.log.clear()


def build_schedule(
    state: State, seconds: float, bound: float | None, stats: dict[str, Any] | None = None
) -> Schedule:
    prob = state.prob
    placed = sorted(state.placed(), key=lambda r: (state.slot[r], r))
    assignments = [
        Assignment(prob.req_ids[r], prob.slot_ids[state.slot[r]], MODE_NAMES[state.mode[r]])
        for r in placed
    ]
    load = participant_load(prob)
    unscheduled = [
        explain(state, r, load) for r in range(prob.n_requests) if state.slot[r] < 0
    ]
    return Schedule(
        assignments=assignments,
        unscheduled=unscheduled,
        objective=state.exact_objective(),
        upper_bound=bound,
        seconds=seconds,
        stats=stats or {},
    )


def greedy(instance: Instance) -> Schedule:
    """The plain greedy baseline: most-constrained request first, earliest free slot."""
    started = time.perf_counter()
    state = greedy_state(instance.problem)
    return build_schedule(state, time.perf_counter() - started, None)


def fill(state: State) -> None:
    """Place whatever still fits directly (never lowers the objective)."""
    search = Search(state, random.Random(0), 0.0)
    for r in sorted(search.pool, key=lambda r: (-state.prob.w[r], r)):
        search.place_direct(r)
    state.log.clear()


def solve(
    instance: Instance,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    seed: int = 0,
    with_bound: bool = False,
    exact_max_variables: int = EXACT_MAX_VARIABLES,
) -> Schedule:
    """Best schedule found within ``time_limit`` seconds (never worse than :func:`greedy`).

    Small instances (at most ``exact_max_variables`` binary variables) are solved exactly.
    Larger ones get a weighted construction and local search, stopping early once the
    objective reaches the upper bound. With ``with_bound`` the proven LP bound is computed
    (its time counts towards the limit) and reported as ``upper_bound``.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    prob = instance.problem
    rng = random.Random(seed)
    stats: dict[str, Any] = {}
    base = greedy_state(prob)
    stats["greedy"] = base.obj
    bound: BoundResult | None = upper_bound(prob) if with_bound else None
    target = bound.value if bound is not None else trivial_bound(prob)
    if bound is not None:
        stats["bound_seconds"] = bound.seconds
    candidates = [base]
    proven = False
    if base.obj < target - EPS and small_enough(prob, exact_max_variables):
        found = solve_exact(prob, deadline - time.perf_counter())
        if found is not None:
            candidates.append(found[0])
            proven = found[1]
            stats["exact"] = proven
    if not proven and base.obj < target - EPS:
        state = weighted_state(prob)
        stats["construction"] = state.obj
        stats.update(improve(state, rng, deadline, target))
        candidates.append(state)
    best = max(candidates, key=lambda st: st.exact_objective())
    fill(best)
    prefer_onsite(best)
    value = bound.value if bound is not None else None
    return build_schedule(best, time.perf_counter() - started, value, stats)
