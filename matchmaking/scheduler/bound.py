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

The value is certified rather than trusted: for any dual vector ``u >= 0``,
``b.u + sum_j max(0, c_j - (A^T u)_j)`` bounds the LP (and hence the optimum) from above
because every variable lies in [0, 1]. We evaluate that expression with HiGHS's duals, so
solver tolerances cannot make the bound invalid. With integer weights the optimum is a
multiple of their greatest common divisor, so the bound is rounded down to one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from .model import UNLIMITED, Problem


@dataclass(frozen=True)
class BoundResult:
    value: float
    lp_value: float
    seconds: float
    variables: int
    rows: int
    classes: int


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


def upper_bound(prob: Problem) -> BoundResult:
    """A proven upper bound on the total weight any valid schedule can reach."""
    started = time.perf_counter()
    free, cap, fixed_weight = _residual(prob)
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
    fixed_weight += settled
    var_r = [r for r, c, _ in kept]
    var_c = [c for _, c, _ in kept]
    var_m = [m for _, _, m in kept]
    if not var_r:
        return _result(float(fixed_weight), float(fixed_weight), prob, started, 0, 0, classes)
    matrix, rhs = _rows(prob, classes, cap, var_r, var_c, var_m)
    weights = np.array([prob.w[r] for r in var_r], dtype=float)
    res = linprog(
        -weights, A_ub=matrix, b_ub=rhs, bounds=(0.0, 1.0), method="highs"
    )
    if res.status != 0:  # pragma: no cover - the LP is always feasible (y = 0) and bounded
        raise RuntimeError(f"LP bound failed: {res.message}")
    lp_value = -float(res.fun)
    duals = np.maximum(0.0, -np.asarray(res.ineqlin.marginals, dtype=float))
    reduced = weights - matrix.T @ duals
    certified = float(rhs @ duals + np.maximum(0.0, reduced).sum())
    certified = max(certified, lp_value) * (1 + 1e-12) + 1e-9
    total = certified + fixed_weight
    value = _round_down(prob, total)
    return _result(value, lp_value + fixed_weight, prob, started, len(var_r), len(rhs), classes)


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
) -> tuple[csr_matrix, np.ndarray]:
    """Constraint matrix (only rows that can bind) and right-hand sides."""
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
    return matrix, np.array(rhs)


def _round_down(prob: Problem, value: float) -> float:
    if not prob.integral:
        return value
    g = 0
    for w in prob.w:
        g = math.gcd(g, int(w))
    if g == 0:
        return value
    return float(g * math.floor(value / g + 1e-7))


def _result(
    value: float,
    lp_value: float,
    prob: Problem,
    started: float,
    n_vars: int,
    n_rows: int,
    classes: list[list[int]],
) -> BoundResult:
    if prob.integral:
        value = _round_down(prob, value)
    return BoundResult(
        value=value,
        lp_value=lp_value,
        seconds=time.perf_counter() - started,
        variables=n_vars,
        rows=n_rows,
        classes=len(classes),
    )
