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
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from .model import UNLIMITED, Problem

BOUND_TIME_LIMIT = 20.0


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

    matrix: csr_matrix
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
    class_of = [0] * prob.n_slots
    for c, slots in enumerate(classes):
        for s in slots:
            class_of[s] = c
    candidates = _candidates(prob, active, classes, class_of, cap)
    settled, kept = _settle_unconstrained(prob, candidates, classes, cap)
    constant += settled
    var_r = [r for r, _, _ in kept]
    var_c = [c for _, c, _ in kept]
    var_m = [m for _, _, m in kept]
    matrix, rhs, capacity_rows = _rows(prob, classes, cap, var_r, var_c, var_m)
    remaining = sum(prob.w[r] for r in dict.fromkeys(var_r))
    return LPModel(
        matrix=matrix,
        rhs=rhs,
        weights=np.array([prob.w[r] for r in var_r], dtype=float),
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
        return best
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
        return best
    lp_value, certified, _ = full
    tighter = result(min(best.value, model.constant + certified), "lp", model.constant + lp_value)
    return tighter


def _candidates(
    prob: Problem,
    active: list[tuple[int, int]],
    classes: list[list[int]],
    class_of: list[int],
    cap: list[list[int]],
) -> dict[int, list[tuple[int, int]]]:
    """For each request, the (class, mode) pairs it could use."""
    out: dict[int, list[tuple[int, int]]] = {}
    for r, mask in active:
        seen: set[int] = set()
        pairs: list[tuple[int, int]] = []
        rest = mask
        while rest:
            low = rest & -rest
            rest ^= low
            c = class_of[low.bit_length() - 1]
            if c in seen:
                continue
            seen.add(c)
            rep = classes[c][0]
            pairs.extend((c, m) for m in prob.modes[r] if cap[m][rep] > 0)
        if pairs:
            out[r] = pairs
    return out


def _settle_unconstrained(
    prob: Problem,
    candidates: dict[int, list[tuple[int, int]]],
    classes: list[list[int]],
    cap: list[list[int]],
) -> tuple[float, list[tuple[int, int, int]]]:
    """Take out requests the LP can always serve in full.

    If some variable of request ``r`` appears in no row that can bind (its participants
    have fewer candidate requests than slots in that class and the capacity cannot run
    out), an optimal LP solution puts all of ``r`` there: it earns ``w_r`` and uses nothing
    other requests need. Removing ``r`` can make further rows non-binding, so this repeats
    to a fixed point. Returns the weight settled this way and the remaining variables.
    """
    pc: dict[tuple[int, int], int] = {}
    cm: dict[tuple[int, int], int] = {}
    for r, pairs in candidates.items():
        for c in {c for c, _ in pairs}:
            for p in (prob.ra[r], prob.rb[r]):
                pc[(p, c)] = pc.get((p, c), 0) + 1
        for c, m in pairs:
            cm[(c, m)] = cm.get((c, m), 0) + 1

    def loose(r: int, c: int, m: int) -> bool:
        n = len(classes[c])
        limit = cap[m][classes[c][0]]
        return (
            pc[(prob.ra[r], c)] <= n
            and pc[(prob.rb[r], c)] <= n
            and (limit >= UNLIMITED or cm[(c, m)] <= limit * n)
        )

    settled: float = 0
    remaining = dict(candidates)
    changed = True
    while changed:
        changed = False
        for r, pairs in list(remaining.items()):
            if any(loose(r, c, m) for c, m in pairs):
                settled += prob.w[r]
                del remaining[r]
                changed = True
                for c in {c for c, _ in pairs}:
                    pc[(prob.ra[r], c)] -= 1
                    pc[(prob.rb[r], c)] -= 1
                for c, m in pairs:
                    cm[(c, m)] -= 1
    kept = [(r, c, m) for r, pairs in remaining.items() for c, m in pairs]
    return settled, kept


def _rows(
    prob: Problem,
    classes: list[list[int]],
    cap: list[list[int]],
    var_r: list[int],
    var_c: list[int],
    var_m: list[int],
) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Constraint matrix (only rows that can bind), right-hand sides, capacity-row mask."""
    # distinct requests per (participant, class) and per (class, mode)
    pc_requests: dict[tuple[int, int], set[int]] = {}
    cm_requests: dict[tuple[int, int], set[int]] = {}
    for r, c, m in zip(var_r, var_c, var_m, strict=True):
        pc_requests.setdefault((prob.ra[r], c), set()).add(r)
        pc_requests.setdefault((prob.rb[r], c), set()).add(r)
        cm_requests.setdefault((c, m), set()).add(r)
    row_of: dict[tuple, int] = {}
    rhs: list[float] = []
    for r in dict.fromkeys(var_r):
        row_of[("r", r)] = len(rhs)
        rhs.append(1.0)
    for (p, c), reqs in pc_requests.items():
        if len(reqs) > len(classes[c]):
            row_of[("p", p, c)] = len(rhs)
            rhs.append(float(len(classes[c])))
    for (c, m), reqs in cm_requests.items():
        limit = cap[m][classes[c][0]]
        if limit < UNLIMITED and len(reqs) > limit * len(classes[c]):
            row_of[("c", c, m)] = len(rhs)
            rhs.append(float(limit * len(classes[c])))
    rows: list[int] = []
    cols: list[int] = []
    for j, (r, c, m) in enumerate(zip(var_r, var_c, var_m, strict=True)):
        for key in (("r", r), ("p", prob.ra[r], c), ("p", prob.rb[r], c), ("c", c, m)):
            i = row_of.get(key)
            if i is not None:
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows))
    matrix = csr_matrix((data, (rows, cols)), shape=(len(rhs), len(var_r)))
    capacity = np.zeros(len(rhs), dtype=bool)
    capacity[[i for key, i in row_of.items() if key[0] == "c"]] = True
    return matrix, np.array(rhs), capacity


def _round_down(prob: Problem, value: float) -> float:
    if not prob.integral:
        return value
    g = 0
    for w in prob.w:
        g = math.gcd(g, int(w))
    if g == 0:
        return value
    return float(g * math.floor(value / g + 1e-7))
