"""Exact integer programme for small instances (HiGHS through ``scipy.optimize.milp``).

One binary ``x[r,s,m]`` per request, common slot and allowed mode; rows: each request at
most once, each participant at most one meeting per slot, capacities per slot and mode.
Fixed meetings are taken out beforehand (their participants are busy in their slot and they
use one unit of capacity). Used by the solver when the model is small enough to prove
optimality quickly; the heuristic takes over otherwise.
"""

from __future__ import annotations

import numpy as np

from .bound import _residual
from .model import UNLIMITED, Problem
from .state import State, state_with_fixed


def variables(prob: Problem) -> list[tuple[int, int, int]]:
    free, cap, _ = _residual(prob)
    out = []
    for r in range(prob.n_requests):
        if r in prob.fixed:
            continue
        mask = free[prob.ra[r]] & free[prob.rb[r]]
        for s in range(prob.n_slots):
            if mask >> s & 1:
                out.extend((r, s, m) for m in prob.modes[r] if cap[m][s] > 0)
    return out


def small_enough(prob: Problem, limit: int) -> bool:
    """Whether the MIP has at most ``limit`` variables (cheap upper estimate first)."""
    estimate = 0
    for r in range(prob.n_requests):
        estimate += prob.common[r].bit_count() * len(prob.modes[r])
        if estimate > 4 * limit:
            return False
    return estimate <= limit or len(variables(prob)) <= limit


def solve_exact(prob: Problem, time_limit: float) -> tuple[State, bool] | None:
    """Best schedule found by the MIP and whether it is proven optimal (None if none found)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_matrix

    xs = variables(prob)
    state = state_with_fixed(prob)
    if not xs:
        return state, True
    _, cap, _ = _residual(prob)
    rows: dict[tuple, list[int]] = {}
    rhs: dict[tuple, float] = {}
    for j, (r, s, m) in enumerate(xs):
        rows.setdefault(("r", r), []).append(j)
        rhs[("r", r)] = 1.0
        for p in (prob.ra[r], prob.rb[r]):
            rows.setdefault(("p", p, s), []).append(j)
            rhs[("p", p, s)] = 1.0
        if cap[m][s] < UNLIMITED:
            rows.setdefault(("c", s, m), []).append(j)
            rhs[("c", s, m)] = float(cap[m][s])
    keys = [k for k, cols in rows.items() if len(cols) > rhs[k]]
    if keys:
        r_idx = [i for i, k in enumerate(keys) for _ in rows[k]]
        c_idx = [j for k in keys for j in rows[k]]
        matrix = csr_matrix((np.ones(len(r_idx)), (r_idx, c_idx)), shape=(len(keys), len(xs)))
        constraints = [LinearConstraint(matrix, -np.inf, np.array([rhs[k] for k in keys]))]
    else:
        constraints = []
    weights = np.array([prob.w[r] for r, _, _ in xs], dtype=float)
    res = milp(
        -weights,
        constraints=constraints,
        integrality=np.ones(len(xs)),
        bounds=Bounds(0, 1),
        options={"time_limit": max(0.05, time_limit), "disp": False},
    )
    if res.x is None:
        return None
    for j in np.flatnonzero(res.x > 0.5):
        r, s, m = xs[int(j)]
        if not state.can_place(r, s, m):  # pragma: no cover - defensive
            return None
        state.place(r, s, m)
    state.log.clear()
    return state, res.status == 0
