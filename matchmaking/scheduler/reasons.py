"""Why a request is left unscheduled, in terms organisers can act on."""

from __future__ import annotations

from .model import ONLINE, ONSITE, Problem, Unscheduled
from .state import State

REASONS: dict[str, str] = {
    "no_common_slot": "the two participants share no available slot",
    "no_capacity": (
        "in every common slot the allowed mode has no capacity at all "
        "(0 tables for an onsite request, 0 online rooms for an online one)"
    ),
    "participant_busy": (
        "common slots exist, but in each of them one of the participants already has "
        "another meeting"
    ),
    "tables_full": (
        "onsite-only request: both participants are free in some common slot, but all "
        "tables are taken there"
    ),
    "online_full": (
        "online-only request: both participants are free in some common slot, but all "
        "online rooms are taken there"
    ),
    "capacity_full": (
        "either-mode request: both participants are free in some common slot, but tables "
        "and online rooms are all taken there"
    ),
    "needs_more_moves": (
        "insertion only: the request could be placed only by moving more meetings than "
        "allowed (two)"
    ),
    "not_selected": "the request could still be placed; the schedule simply does not hold it",
}

_MODE_WORDS = {(ONSITE,): "tables", (ONLINE,): "online rooms", (ONSITE, ONLINE): "capacity"}


def participant_load(prob: Problem) -> list[int]:
    """Number of requests (with at least one common slot) per participant."""
    load = [0] * prob.n_participants
    for r in range(prob.n_requests):
        if prob.common[r]:
            load[prob.ra[r]] += 1
            load[prob.rb[r]] += 1
    return load


def explain(state: State, r: int, load: list[int] | None = None) -> Unscheduled:
    """Reason code and a one-line detail for unscheduled request ``r``."""
    prob = state.prob
    rid = prob.req_ids[r]
    a, b = prob.ra[r], prob.rb[r]
    name_a, name_b = prob.part_ids[a], prob.part_ids[b]
    common = prob.common[r]
    if not common:
        return Unscheduled(rid, "no_common_slot", f"{name_a} and {name_b} share no available slot")
    usable = 0
    for m in prob.modes[r]:
        for s in range(prob.n_slots):
            if common >> s & 1 and prob.cap[m][s] > 0:
                usable |= 1 << s
    n_common = common.bit_count()
    if not usable:
        what = _MODE_WORDS[prob.modes[r]]
        return Unscheduled(
            rid, "no_capacity", f"no {what} in any of the {_plural(n_common, 'common slot')}"
        )
    free = usable & ~(state.busy[a] | state.busy[b])
    if not free:
        detail = (
            f"{name_a} is booked in {(usable & state.busy[a]).bit_count()} and {name_b} in "
            f"{(usable & state.busy[b]).bit_count()} of the "
            f"{_plural(usable.bit_count(), 'common slot')}"
        )
        detail += _overload(prob, a, load) + _overload(prob, b, load)
        return Unscheduled(rid, "participant_busy", detail)
    open_modes = [m for m in prob.modes[r] if free & ~state.full[m]]
    if open_modes:
        return Unscheduled(
            rid, "not_selected", f"still open in {_plural(free.bit_count(), 'common slot')}"
        )
    reason = {(ONSITE,): "tables_full", (ONLINE,): "online_full"}.get(
        prob.modes[r], "capacity_full"
    )
    what = _MODE_WORDS[prob.modes[r]]
    return Unscheduled(
        rid,
        reason,
        f"{what} full in the {_plural(free.bit_count(), 'common slot')} where both are free",
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _overload(prob: Problem, p: int, load: list[int] | None) -> str:
    if load is None:
        return ""
    slots = prob.avail[p].bit_count()
    if load[p] > slots:
        requests = _plural(load[p], "request")
        return f"; {prob.part_ids[p]} has {requests} for {_plural(slots, 'available slot')}"
    return ""
