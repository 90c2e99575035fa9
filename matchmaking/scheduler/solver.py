"""Top-level solve: greedy baseline, exact MIP when small, otherwise construction + search."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from .bound import BoundResult, upper_bound
from .construct import greedy_state, weighted_state
from .exact import small_enough, solve_exact
from .model import (
    BOUND_TIME_LIMIT,
    DEFAULT_TIME_LIMIT,
    MODE_NAMES,
    ONLINE,
    ONSITE,
    Assignment,
    Instance,
    Problem,
    Schedule,
)
from .reasons import explain, participant_load
from .search import EPS, Search
from .state import State

EXACT_MAX_VARIABLES = 2500
IDLE_ROUNDS = 40


def trivial_bound(prob: Problem) -> float:
    """Everything that has a common slot (used to stop early when all of it is placed)."""
    return float(sum(prob.w[r] for r in range(prob.n_requests) if prob.common[r]))


class BoundRunner:
    """Computes the LP bound in a background thread (HiGHS runs on the other core).

    ``current()`` is the best bound known so far (None until the first one arrives);
    ``result()`` waits for the final one.
    """

    def __init__(self, prob: Problem, time_limit: float | None) -> None:
        self.prob = prob
        self.time_limit = time_limit
        self.latest: BoundResult | None = None
        self.final: BoundResult | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="lp-bound", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.final = upper_bound(self.prob, self.time_limit, on_progress=self._progress)
        except BaseException as exc:  # noqa: BLE001 - re-raised in result()
            self.error = exc

    def _progress(self, bound: BoundResult) -> None:
        self.latest = bound

    def current(self) -> float | None:
        bound = self.final or self.latest
        return None if bound is None else bound.value

    def result(self) -> BoundResult:
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.final is not None
        return self.final


def improve(
    state: State,
    rng: random.Random,
    deadline: float,
    target: Callable[[], float],
    idle_rounds: int = IDLE_ROUNDS,
) -> dict[str, Any]:
    """Local search on ``state`` until ``deadline``, ``target()`` or stagnation.

    Leaves the best schedule found in ``state``. Stagnation means ``idle_rounds`` rounds
    of perturbation in a row without a new best.
    """
    prob = state.prob
    search = Search(state, rng, deadline)
    stats: dict[str, Any] = {"chains": 0, "swaps": 0, "kicks": 0, "rounds": 0}
    trace: list[tuple[float, float]] = [(time.perf_counter(), state.obj)]
    stats["trace"] = trace
    best_obj = state.obj
    best = state.snapshot()

    def reached() -> bool:
        return state.obj >= target() - EPS or not search.time_left()

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
        trace.append((time.perf_counter(), state.obj))
    swap_pass()
    trace.append((time.perf_counter(), state.obj))
    best_obj = state.obj
    best = state.snapshot()
    idle = 0
    while not reached() and search.pool and idle < idle_rounds:
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
            trace.append((time.perf_counter(), best_obj))
            idle = 0
        else:
            idle += 1
    if state.obj < best_obj - EPS:
        state.load(best)
    return stats


def prefer_onsite(state: State) -> None:
    """Give 'either' meetings held online a free table (objective unchanged).

    The meeting keeps its slot if a table is free there; otherwise it moves to the earliest
    slot where both participants are free and a table is available.
    """
    prob = state.prob
    for r in range(prob.n_requests):
        s = state.slot[r]
        if s < 0 or r in prob.fixed or state.mode[r] != ONLINE or ONSITE not in prob.modes[r]:
            continue
        if state.full[ONSITE] >> s & 1:
            elsewhere = state.free_mask(r) & ~state.full[ONSITE]
            if not elsewhere:
                continue
            s = (elsewhere & -elsewhere).bit_length() - 1
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
    unscheduled = [explain(state, r, load) for r in range(prob.n_requests) if state.slot[r] < 0]
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
    bound_time_limit: float | None = BOUND_TIME_LIMIT,
    exact_max_variables: int = EXACT_MAX_VARIABLES,
    idle_rounds: int = IDLE_ROUNDS,
) -> Schedule:
    """Best schedule found within ``time_limit`` seconds (never worse than :func:`greedy`).

    Small instances (at most ``exact_max_variables`` binary variables) are solved exactly
    by a MIP. Larger ones get a weighted construction and local search, which stops at the
    time limit, after ``idle_rounds`` fruitless perturbation rounds, or as soon as the
    objective reaches the best known upper bound. With ``with_bound`` the proven LP bound
    is computed in parallel (see :func:`upper_bound`) and reported as ``upper_bound``; the
    call then returns once both are done.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    prob = instance.problem
    rng = random.Random(seed)
    runner = BoundRunner(prob, bound_time_limit) if with_bound else None
    counted = trivial_bound(prob)

    def target() -> float:
        known = runner.current() if runner is not None else None
        return counted if known is None else min(counted, known)

    stats: dict[str, Any] = {}
    base = greedy_state(prob)
    stats["greedy"] = base.obj
    candidates = [base]
    proven = False
    if base.obj < target() - EPS and small_enough(prob, exact_max_variables):
        found = solve_exact(prob, (deadline - time.perf_counter()) / 2)
        if found is not None:
            candidates.append(found[0])
            proven = found[1]
            stats["exact"] = proven
    if not proven and base.obj < target() - EPS:
        state = weighted_state(prob)
        stats["construction"] = state.obj
        stats.update(improve(state, rng, deadline, target, idle_rounds))
        candidates.append(state)
    best = max(candidates, key=lambda st: st.exact_objective())
    fill(best)
    prefer_onsite(best)
    stats["search_seconds"] = time.perf_counter() - started
    if "trace" in stats:  # (seconds since start, objective) after each improving step
        stats["trace"] = [(round(t - started, 3), obj) for t, obj in stats["trace"]]
    value = None
    if runner is not None:
        bound = runner.result()
        value = bound.value
        stats.update(bound_kind=bound.kind, bound_seconds=bound.seconds)
    return build_schedule(best, time.perf_counter() - started, value, stats)
