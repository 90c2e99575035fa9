"""Mutable schedule with constant-time moves and an undo log.

Participant occupancy is kept both as a bit mask of busy slots (``busy[p]``) and as a table
``occ[p][s]`` giving the request that occupies ``p`` in slot ``s`` (or -1). ``full[m]`` is the
bit mask of slots whose capacity for mode ``m`` is used up.
"""

from __future__ import annotations

from .model import Number, Problem


class State:
    __slots__ = (
        "prob",
        "busy",
        "occ",
        "slot",
        "mode",
        "cnt",
        "full",
        "members",
        "obj",
        "log",
    )

    def __init__(self, prob: Problem) -> None:
        n_slots = prob.n_slots
        self.prob = prob
        self.busy = [0] * prob.n_participants
        self.occ = [[-1] * n_slots for _ in range(prob.n_participants)]
        self.slot = [-1] * prob.n_requests
        self.mode = [-1] * prob.n_requests
        self.cnt = [[0] * n_slots, [0] * n_slots]
        self.full = [0, 0]
        for m in (0, 1):
            for s in range(n_slots):
                if prob.cap[m][s] <= 0:
                    self.full[m] |= 1 << s
        self.members: list[list[set[int]]] = [[set() for _ in range(n_slots)] for _ in (0, 1)]
        self.obj: Number = 0
        self.log: list[tuple[int, int, int, int]] = []

    # ------------------------------------------------------------------ basic moves

    def can_place(self, r: int, s: int, m: int) -> bool:
        prob = self.prob
        bit = 1 << s
        return bool(
            prob.common[r] & bit
            and not (self.busy[prob.ra[r]] | self.busy[prob.rb[r]]) & bit
            and not self.full[m] & bit
            and m in prob.modes[r]
            and self.slot[r] < 0
        )

    def place(self, r: int, s: int, m: int) -> None:
        prob = self.prob
        a, b = prob.ra[r], prob.rb[r]
        bit = 1 << s
        self.busy[a] |= bit
        self.busy[b] |= bit
        self.occ[a][s] = r
        self.occ[b][s] = r
        self.slot[r] = s
        self.mode[r] = m
        cnt = self.cnt[m]
        cnt[s] += 1
        if cnt[s] >= prob.cap[m][s]:
            self.full[m] |= bit
        self.members[m][s].add(r)
        self.obj += prob.w[r]
        self.log.append((0, r, s, m))

    def remove(self, r: int) -> None:
        prob = self.prob
        s, m = self.slot[r], self.mode[r]
        a, b = prob.ra[r], prob.rb[r]
        bit = 1 << s
        self.busy[a] &= ~bit
        self.busy[b] &= ~bit
        self.occ[a][s] = -1
        self.occ[b][s] = -1
        self.slot[r] = -1
        self.mode[r] = -1
        self.cnt[m][s] -= 1
        self.full[m] &= ~bit
        self.members[m][s].discard(r)
        self.obj -= prob.w[r]
        self.log.append((1, r, s, m))

    def rollback(self, mark: int) -> None:
        """Undo every move logged after position ``mark`` of the log."""
        log = self.log
        while len(log) > mark:
            kind, r, s, m = log.pop()
            if kind == 0:
                self.remove(r)
            else:
                self.place(r, s, m)
            log.pop()

    def bulk_place(self, items: list[tuple[int, int, int]]) -> int:
        """Place many meetings without logging; returns the index of the first bad item.

        An item is bad if its slot is not common to both participants, one of them is
        already busy then, the mode is not allowed or the capacity is used up. Returns -1
        when every item was placed.
        """
        prob = self.prob
        ra, rb, common, modes, cap, w = prob.ra, prob.rb, prob.common, prob.modes, prob.cap, prob.w
        busy, occ, slot, mode, cnt, members = (
            self.busy,
            self.occ,
            self.slot,
            self.mode,
            self.cnt,
            self.members,
        )
        total = self.obj
        for k, (r, s, m) in enumerate(items):
            a, b = ra[r], rb[r]
            bit = 1 << s
            if (
                slot[r] >= 0
                or not common[r] & bit
                or (busy[a] | busy[b]) & bit
                or m not in modes[r]
                or cnt[m][s] >= cap[m][s]
            ):
                self.obj = total
                return k
            busy[a] |= bit
            busy[b] |= bit
            occ[a][s] = r
            occ[b][s] = r
            slot[r] = s
            mode[r] = m
            cnt[m][s] += 1
            if cnt[m][s] >= cap[m][s]:
                self.full[m] |= bit
            members[m][s].add(r)
            total += w[r]
        self.obj = total
        return -1

    # ------------------------------------------------------------------ helpers

    def free_mask(self, r: int) -> int:
        """Slots where ``r`` could go now ignoring capacities."""
        prob = self.prob
        return prob.common[r] & ~(self.busy[prob.ra[r]] | self.busy[prob.rb[r]])

    def snapshot(self) -> tuple[list[int], list[int]]:
        return self.slot[:], self.mode[:]

    def load(self, snap: tuple[list[int], list[int]]) -> None:
        """Replace the whole schedule by a snapshot taken with :meth:`snapshot`."""
        for r, s in enumerate(self.slot):
            if s >= 0:
                self.remove(r)
        slots, modes = snap
        for r, s in enumerate(slots):
            if s >= 0:
                self.place(r, s, modes[r])
        self.log.clear()

    def exact_objective(self) -> Number:
        w = self.prob.w
        return sum(w[r] for r, s in enumerate(self.slot) if s >= 0)

    def placed(self) -> list[int]:
        return [r for r, s in enumerate(self.slot) if s >= 0]


def state_with_fixed(prob: Problem) -> State:
    state = State(prob)
    for r, (s, m) in prob.fixed.items():
        state.place(r, s, m)
    state.log.clear()
    return state
