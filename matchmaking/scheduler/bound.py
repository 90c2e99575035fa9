"""Proven upper bound on the optimum: LP relaxation over slot classes, certified by duality.

Model (after removing fixed meetings, whose weight is added back): variable ``y[r,c,m]``
is the number of meetings of request ``r`` in slot class ``c`` with mode ``m``. A slot class
groups slots that are interchangeable: the same participants are free in them and they have
the same residual table and room capacities. With ``n_c`` slots in class ``c``::

    maximise    sum w_r y[r,c,m]
    subject to  sum_{c,m} y[r,c,m]            <= 1            for every request r
                sum_{r touching p, m} y[r,c,m] <= n_c          for every participant p, class c
                sum_r y[r,c,onsite]            <= n_c * tables  for every class c
                sum_r y[r,c,online]            <= n_c * rooms   for every class c (if limited)
                0 <= y <= 1

Spreading ``y`` evenly over the slots of a class gives a solution of the per-slot LP
relaxation and vice versa, so this is exactly the LP relaxation of the scheduling problem,
only smaller. Rows that cannot bind (fewer candidate requests than the right-hand side) are
left out.

The LP is solved in two steps. Without the capacity rows it is quick; if that solution
happens to respect every table and room limit it is optimal for the full LP too (kind
``"lp"``). Otherwise the full LP is solved within a time limit; when capacities bind hard it
can be slow, and if it runs out of time the capacity-free value is kept (kind
``"lp_without_capacity"``, still a valid but looser bound).

The value is certified rather than trusted: for any dual vector ``u >= 0``,
``b.u + sum_j max(0, c_j - (A^T u)_j)`` bounds the LP (and hence the optimum) from above
because every variable lies in [0, 1]. We evaluate that expression with HiGHS's duals, so
solver tolerances cannot make the bound invalid. With integer weights the optimum is a
multiple of their greatest common divisor, so the bound is rounded down to one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .model import BOUND_TIME_LIMIT, UNLIMITED, Problem


@dataclass(frozen=True)
class BoundResult:
    value: float
    kind: str  # "lp", "lp_without_capacity" or "count"
    lp_value: float
    seconds: float
    variables: int
    rows: int
    classes: int


@dataclass
class LPModel:
    """The reduced LP: ``max weights.y  s.t.  matrix y <= rhs, 0 <= y <= 1`` plus a constant."""

    matrix: Any  # scipy.sparse.csr_matrix
    rhs: np.ndarray
    weights: np.ndarray
    capacity_rows: np.ndarray  # boolean mask of the capacity rows
    constant: float  # fixed meetings plus requests the LP serves in full anyway
    classes: int
    candidate_weight: float  # constant plus every remaining request in full


def slot_classes(prob: Problem, free: list[int], cap: list[list[int]], people: set[int]) -> list:
    """Group slots with the same free participants (among ``people``) and capacities."""
    groups: dict[tuple, list[int]] = {}
    members = sorted(people)
    for s in range(prob.n_slots):
        bit = 1 << s
        key = (cap[0][s], cap[1][s], tuple(p for p in members if free[p] & bit))
        groups.setdefault(key, []).append(s)
    return list(groups.values())


def _residual(prob: Problem) -> tuple[list[int], list[list[int]], float]:
    """Free slot masks and capacities once fixed meetings are in place, and their weight."""
    free = prob.avail[:]
    cap = [row[:] for row in prob.cap]
    fixed_weight: float = 0
    for r, (s, m) in prob.fixed.items():
        free[prob.ra[r]] &= ~(1 << s)
        free[prob.rb[r]] &= ~(1 << s)
        if cap[m][s] < UNLIMITED:
            cap[m][s] -= 1
        fixed_weight += prob.w[r]
    return free, cap, fixed_weight


@dataclass
class _Vars:
    """Candidate LP variables (request, class, mode) as parallel arrays."""

    r: np.ndarray
    c: np.ndarray
    m: np.ndarray
    a: np.ndarray
    b: np.ndarray
    size: np.ndarray  # slots in the variable's class
    limit: np.ndarray  # capacity of (class, mode) over the whole class, inf if unlimited


def build_model(prob: Problem) -> LPModel:
    free, cap, constant = _residual(prob)
    active = []
    for r in range(prob.n_requests):
        if r in prob.fixed:
            continue
        mask = free[prob.ra[r]] & free[prob.rb[r]]
        if mask:
            active.append((r, mask))
    people = {prob.ra[r] for r, _ in active} | {prob.rb[r] for r, _ in active}
    classes = slot_classes(prob, free, cap, people)
    var = _candidates(prob, active, classes, cap)
    alive = _settle_unconstrained(prob, var, len(classes))
    settled_requests = np.unique(var.r[~alive])
    kept = np.flatnonzero(alive)
    var = _Vars(*(getattr(var, f)[kept] for f in _Vars.__dataclass_fields__))
    weights = np.array(prob.w, dtype=float)
    constant += float(weights[settled_requests].sum())
    matrix, rhs, capacity_rows = _rows(prob, var, len(classes))
    remaining = float(weights[np.unique(var.r)].sum())
    return LPModel(
        matrix=matrix,
        rhs=rhs,
        weights=weights[var.r],
        capacity_rows=capacity_rows,
        constant=float(constant),
        classes=len(classes),
        candidate_weight=float(constant + remaining),
    )


def solve_certified(
    model: LPModel, rows: np.ndarray, time_limit: float | None
) -> tuple[float, float, np.ndarray] | None:
    """LP over the selected rows: (LP value, certified bound, primal y), or None on timeout.

    Dropping rows only relaxes the LP, so the certificate stays a valid upper bound.
    """
    from scipy.optimize import linprog  # imported lazily: keeps the CLI start-up fast

    matrix, rhs = model.matrix[rows], model.rhs[rows]
    options = {"time_limit": float(time_limit)} if time_limit is not None else {}
    res = linprog(
        -model.weights,
        A_ub=matrix,
        b_ub=rhs,
        bounds=(0.0, 1.0),
        method="highs",
        options=options,
    )
    if res.status != 0 or res.ineqlin is None:
        return None
    lp_value = -float(res.fun)
    duals = np.maximum(0.0, -np.asarray(res.ineqlin.marginals, dtype=float))
    reduced = model.weights - matrix.T @ duals
    certified = float(rhs @ duals + np.maximum(0.0, reduced).sum())
    certified = max(certified, lp_value) * (1 + 1e-12) + 1e-9
    return lp_value, certified, np.asarray(res.x)


def upper_bound(
    prob: Problem,
    time_limit: float | None = BOUND_TIME_LIMIT,
    on_progress: Callable[[BoundResult], None] | None = None,
) -> BoundResult:
    """A proven upper bound on the total weight any valid schedule can reach.

    First the LP without capacity rows is solved (quick). If its solution respects every
    table and room limit it is also optimal for the full LP and we are done; otherwise the
    full LP is solved within ``time_limit`` seconds, keeping the first bound if it runs out.
    ``on_progress`` is called with each bound as soon as it is known.
    """
    started = time.perf_counter()
    model = build_model(prob)
    n_vars, n_rows = model.matrix.shape[1], model.matrix.shape[0]

    def result(value: float, kind: str, lp_value: float) -> BoundResult:
        out = BoundResult(
            value=_round_down(prob, value),
            kind=kind,
            lp_value=lp_value,
            seconds=time.perf_counter() - started,
            variables=n_vars,
            rows=n_rows,
            classes=model.classes,
        )
        if on_progress is not None:
            on_progress(out)
        return out

    if n_vars == 0:
        return result(model.constant, "lp", model.constant)
    best = result(model.candidate_weight, "count", model.candidate_weight)
    relaxed = solve_certified(model, ~model.capacity_rows, time_limit)
    if relaxed is None:
        return replace(best, seconds=time.perf_counter() - started)
    lp_value, certified, y = relaxed
    kind = "lp_without_capacity"
    cap_rows = model.capacity_rows
    if not cap_rows.any() or np.all(model.matrix[cap_rows] @ y <= model.rhs[cap_rows] + 1e-7):
        kind = "lp"
    best = result(model.constant + certified, kind, model.constant + lp_value)
    if kind == "lp":
        return best
    remaining = None if time_limit is None else time_limit - (time.perf_counter() - started)
    if remaining is not None and remaining <= 0.5:
        return best
    full = solve_certified(model, np.ones(n_rows, dtype=bool), remaining)
    if full is None:
        return replace(best, seconds=time.perf_counter() - started)
    lp_value, certified, _ = full
    tighter = result(min(best.value, model.constant + certified), "lp", model.constant + lp_value)
    return tighter


def _candidates(
    prob: Problem, active: list[tuple[int, int]], classes: list[list[int]], cap: list[list[int]]
) -> _Vars:
    """Every (request, class, mode) a request could use: common free slots, capacity > 0."""
    class_masks = [sum(1 << s for s in slots) for slots in classes]
    open_mode = [[cap[m][slots[0]] > 0 for m in (0, 1)] for slots in classes]
    vr: list[int] = []
    vc: list[int] = []
    vm: list[int] = []
    for r, mask in active:
        modes = prob.modes[r]
        for c, cmask in enumerate(class_masks):
            if mask & cmask:
                for m in modes:
                    if open_mode[c][m]:
                        vr.append(r)
                        vc.append(c)
                        vm.append(m)
    r_arr = np.array(vr, dtype=np.int64)
    c_arr = np.array(vc, dtype=np.int64)
    m_arr = np.array(vm, dtype=np.int64)
    sizes = np.array([len(slots) for slots in classes], dtype=float)
    limits = np.array(
        [
            [
                math.inf if cap[m][slots[0]] >= UNLIMITED else cap[m][slots[0]] * len(slots)
                for m in (0, 1)
            ]
            for slots in classes
        ],
        dtype=float,
    ).reshape(-1, 2)
    ra = np.array(prob.ra, dtype=np.int64)
    rb = np.array(prob.rb, dtype=np.int64)
    return _Vars(
        r=r_arr,
        c=c_arr,
        m=m_arr,
        a=ra[r_arr],
        b=rb[r_arr],
        size=sizes[c_arr] if len(c_arr) else np.zeros(0),
        limit=limits[c_arr, m_arr] if len(c_arr) else np.zeros(0),
    )


def _row_counts(var: _Vars, alive: np.ndarray, n_people: int, n_classes: int) -> tuple:
    """Distinct live requests per (participant, class) and live variables per (class, mode)."""
    first = np.ones(len(var.r), dtype=bool)  # first variable of each (request, class) pair
    first[1:] = (var.r[1:] != var.r[:-1]) | (var.c[1:] != var.c[:-1])
    pick = first & alive
    size = n_people * n_classes
    pc = np.bincount(var.a[pick] * n_classes + var.c[pick], minlength=size)
    pc += np.bincount(var.b[pick] * n_classes + var.c[pick], minlength=size)
    cm = np.bincount(var.c[alive] * 2 + var.m[alive], minlength=2 * n_classes)
    return pc, cm


def _settle_unconstrained(prob: Problem, var: _Vars, n_classes: int) -> np.ndarray:
    """Take out requests the LP can always serve in full; returns the live-variable mask.

    If some variable of request ``r`` appears in no row that can bind (its participants
    have no more candidate requests than slots in that class and the capacity cannot run
    out), an optimal LP solution puts all of ``r`` there: it earns ``w_r`` and uses nothing
    other requests need. Removing ``r`` can make further rows non-binding, so this repeats
    to a fixed point.
    """
    alive = np.ones(len(var.r), dtype=bool)
    if not len(var.r):
        return alive
    n_people = prob.n_participants
    while True:
        pc, cm = _row_counts(var, alive, n_people, n_classes)
        loose = (
            alive
            & (pc[var.a * n_classes + var.c] <= var.size)
            & (pc[var.b * n_classes + var.c] <= var.size)
            & (cm[var.c * 2 + var.m] <= var.limit)
        )
        if not loose.any():
            return alive
        settled = np.zeros(prob.n_requests, dtype=bool)
        settled[var.r[loose]] = True
        alive &= ~settled[var.r]


def _rows(prob: Problem, var: _Vars, n_classes: int) -> tuple[Any, np.ndarray, np.ndarray]:
    """Constraint matrix (only rows that can bind), right-hand sides, capacity-row mask."""
    from scipy.sparse import csr_matrix

    n_vars = len(var.r)
    alive = np.ones(n_vars, dtype=bool)
    pc, cm = _row_counts(var, alive, prob.n_participants, n_classes)
    requests, req_row = np.unique(var.r, return_inverse=True)
    n_req = len(requests)
    pc_size = np.zeros(len(pc))
    key_a = var.a * n_classes + var.c
    key_b = var.b * n_classes + var.c
    pc_size[key_a] = var.size
    pc_size[key_b] = var.size
    pc_keys = np.flatnonzero(pc > pc_size)
    pc_row = np.full(len(pc), -1, dtype=np.int64)
    pc_row[pc_keys] = n_req + np.arange(len(pc_keys))
    cm_limit = np.full(len(cm), math.inf)
    cm_limit[var.c * 2 + var.m] = var.limit
    cm_keys = np.flatnonzero(cm > cm_limit)
    cm_row = np.full(len(cm), -1, dtype=np.int64)
    first_cap = n_req + len(pc_keys)
    cm_row[cm_keys] = first_cap + np.arange(len(cm_keys))
    cols = np.arange(n_vars)
    parts_r = [req_row, pc_row[key_a], pc_row[key_b], cm_row[var.c * 2 + var.m]]
    rows = np.concatenate(parts_r)
    columns = np.concatenate([cols, cols, cols, cols])
    keep = rows >= 0
    n_rows = first_cap + len(cm_keys)
    matrix = csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], columns[keep])), shape=(n_rows, n_vars)
    )
    rhs = np.concatenate([np.ones(n_req), pc_size[pc_keys], cm_limit[cm_keys]])
    capacity = np.zeros(n_rows, dtype=bool)
    capacity[first_cap:] = True
    return matrix, rhs, capacity


def _round_down(prob: Problem, value: float) -> float:
    if not prob.integral:
        return value
    g = 0
    for w in prob.w:
        g = math.gcd(g, int(w))
    if g == 0:
        return value
    return float(g * math.floor(value / g + 1e-7))
