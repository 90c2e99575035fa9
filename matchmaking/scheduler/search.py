"""Local search: ejection chains, weighted swaps and a plateau-walking perturbation.

All moves work on a :class:`State` and are undone through its log when they do not pay
off, so the state is always a valid schedule between moves.

* ``place_chain(r, depth)`` schedules an unscheduled request ``r`` without dropping anything:
  it puts ``r`` in a slot and re-places the meetings it displaces (the meetings of ``r``'s
  participants in that slot, and one meeting of the same mode if the slot's capacity is
  used up), recursively up to ``depth`` levels. Meetings already moved in the chain are
  locked so a chain never undoes itself.
* ``swap_in(r)`` is the weighted variant: displaced meetings that cannot be re-placed are
  dropped, and the move is kept only if ``r`` weighs more than what was dropped.
* ``kick()`` forces a random unscheduled request in, re-places what it can and keeps the
  result when the objective does not get worse; this walks across plateaus of equal weight
  and lets the chains find new improvements.
"""

from __future__ import annotations

import random
import time

from .construct import slot_list
from .model import Problem
from .state import State

EPS = 1e-9


class Search:
    def __init__(self, state: State, rng: random.Random, deadline: float) -> None:
        self.state = state
        self.prob: Problem = state.prob
        self.rng = rng
        self.deadline = deadline
        self.locked: set[int] = set()
        self.nodes = 0
        self.node_limit = 0
        prob = self.prob
        self.movable = [r not in prob.fixed for r in range(prob.n_requests)]
        self.pool: set[int] = {
            r
            for r in range(prob.n_requests)
            if self.movable[r] and prob.common[r] and state.slot[r] < 0
        }

    # ------------------------------------------------------------------ bookkeeping

    def time_left(self) -> bool:
        return time.perf_counter() < self.deadline

    def sync_pool(self, mark: int) -> None:
        """Refresh the set of unscheduled requests from the moves logged after ``mark``."""
        slot = self.state.slot
        for _, r, _, _ in self.state.log[mark:]:
            if slot[r] < 0:
                self.pool.add(r)
            else:
                self.pool.discard(r)

    def commit(self) -> None:
        self.sync_pool(0)
        self.state.log.clear()

    # ------------------------------------------------------------------ chains

    def place_direct(self, r: int) -> bool:
        state = self.state
        free = state.free_mask(r)
        if not free:
            return False
        modes = self.prob.modes[r]
        if len(modes) == 2 and self.rng.random() < 0.5:
            modes = modes[::-1]
        for m in modes:
            f = free & ~state.full[m]
            if f:
                slots = slot_list(f)
                state.place(r, slots[self.rng.randrange(len(slots))], m)
                return True
        return False

    def positions(self, r: int) -> list[tuple[float, int, int, tuple[int, ...], bool]]:
        """Candidate (slot, mode) pairs for ``r`` with the meetings that would be displaced."""
        prob, state = self.prob, self.state
        occ_a, occ_b = state.occ[prob.ra[r]], state.occ[prob.rb[r]]
        locked, movable = self.locked, self.movable
        rand = self.rng.random
        out = []
        for s in slot_list(prob.common[r]):
            x, y = occ_a[s], occ_b[s]
            blockers: tuple[int, ...] = ()
            if x >= 0:
                if not movable[x] or x in locked:
                    continue
                blockers = (x,)
            if y >= 0 and y != x:
                if not movable[y] or y in locked:
                    continue
                blockers = (*blockers, y)
            for m in prob.modes[r]:
                cap_full = bool(state.full[m] >> s & 1) and not any(
                    state.mode[z] == m for z in blockers
                )
                cost = len(blockers) + cap_full + rand()
                out.append((cost, s, m, blockers, cap_full))
        out.sort()
        return out

    def capacity_victim(self, s: int, m: int) -> int:
        """A meeting of mode ``m`` in slot ``s`` to displace, preferring easy ones."""
        state, prob = self.state, self.prob
        other = 1 - m
        fallback = -1
        for z in state.members[m][s]:
            if not self.movable[z] or z in self.locked:
                continue
            if other in prob.modes[z] and not state.full[other] >> s & 1:
                return z
            if fallback < 0 and state.free_mask(z) & ~state.full[m]:
                fallback = z
        if fallback >= 0:
            return fallback
        cands = [z for z in state.members[m][s] if self.movable[z] and z not in self.locked]
        return self.rng.choice(cands) if cands else -1

    def displace(self, r: int, s: int, m: int, blockers: tuple[int, ...], cap_full: bool) -> list:
        """Remove what stands in the way and put ``r`` at (s, m); returns the displaced."""
        state = self.state
        ejected = list(blockers)
        for z in blockers:
            state.remove(z)
        if state.full[m] >> s & 1:
            victim = self.capacity_victim(s, m)
            if victim < 0:
                return [-1]
            state.remove(victim)
            ejected.append(victim)
        state.place(r, s, m)
        return ejected

    def place_chain(self, r: int, depth: int, width: int = 6) -> bool:
        """Schedule unscheduled ``r`` displacing others that are re-placed (no loss)."""
        if self.place_direct(r):
            return True
        if depth <= 0 or self.nodes >= self.node_limit or self.saturated(r):
            return False
        state = self.state
        self.locked.add(r)
        try:
            for _, s, m, blockers, cap_full in self.positions(r)[:width]:
                self.nodes += 1
                mark = len(state.log)
                ejected = self.displace(r, s, m, blockers, cap_full)
                if ejected and ejected[-1] < 0:
                    state.rollback(mark)
                    continue
                if all(self.place_chain(z, depth - 1, width) for z in ejected):
                    return True
                state.rollback(mark)
                if self.nodes >= self.node_limit:
                    break
        finally:
            self.locked.discard(r)
        return False

    def saturated(self, r: int) -> bool:
        """True if a participant of ``r`` is busy in every slot it is available in.

        Then no chain can make room for ``r`` without dropping a meeting.
        """
        prob, busy = self.prob, self.state.busy
        a, b = prob.ra[r], prob.rb[r]
        return not (prob.avail[a] & ~busy[a]) or not (prob.avail[b] & ~busy[b])

    def insert(self, r: int, depth: int, node_limit: int = 400) -> bool:
        if self.saturated(r):
            return False
        self.nodes = 0
        self.node_limit = node_limit
        mark = len(self.state.log)
        ok = self.place_chain(r, depth)
        if ok:
            self.sync_pool(mark)
        return ok

    # ------------------------------------------------------------------ weighted swap

    def swap_in(self, r: int, depth: int = 1, tries: int = 8) -> bool:
        """Schedule ``r`` dropping lighter meetings if that increases the objective."""
        state = self.state
        self.locked.add(r)
        try:
            for _, s, m, blockers, cap_full in self.positions(r)[:tries]:
                mark = len(state.log)
                before = state.obj
                ejected = self.displace(r, s, m, blockers, cap_full)
                if ejected and ejected[-1] < 0:
                    state.rollback(mark)
                    continue
                for z in ejected:
                    self.nodes = 0
                    self.node_limit = 200
                    self.place_chain(z, depth)
                if state.obj > before + EPS:
                    self.sync_pool(mark)
                    return True
                state.rollback(mark)
        finally:
            self.locked.discard(r)
        return False

    # ------------------------------------------------------------------ perturbation

    def kick(self) -> None:
        """Force one unscheduled request in; keep the outcome unless the objective drops."""
        if not self.pool:
            return
        prob, state = self.prob, self.state
        pool = list(self.pool)
        weights = [prob.w[r] for r in pool]
        r = self.rng.choices(pool, weights=weights)[0]
        mark = len(state.log)
        before = state.obj
        cands = self.positions(r)
        if not cands:
            return
        _, s, m, blockers, cap_full = cands[self.rng.randrange(min(len(cands), 6))]
        self.locked.add(r)
        try:
            ejected = self.displace(r, s, m, blockers, cap_full)
            if ejected and ejected[-1] < 0:
                state.rollback(mark)
                return
            for z in ejected:
                self.nodes = 0
                self.node_limit = 200
                self.place_chain(z, 2)
            self.refill_neighbours(r, ejected)
        finally:
            self.locked.discard(r)
        if state.obj < before - EPS:
            state.rollback(mark)
        else:
            self.sync_pool(mark)

    def refill_neighbours(self, r: int, ejected: list[int]) -> None:
        """Try the unscheduled requests of the participants touched by a move."""
        prob, state = self.prob, self.state
        people = {prob.ra[r], prob.rb[r]}
        for z in ejected:
            people.add(prob.ra[z])
            people.add(prob.rb[z])
        for q in sorted(self.pool_by_participant(people), key=lambda q: -prob.w[q]):
            if state.slot[q] < 0 and not self.place_direct(q) and not self.saturated(q):
                self.nodes = 0
                self.node_limit = 50
                self.place_chain(q, 1)

    def pool_by_participant(self, people: set[int]) -> list[int]:
        prob = self.prob
        return [q for q in self.pool if prob.ra[q] in people or prob.rb[q] in people]
