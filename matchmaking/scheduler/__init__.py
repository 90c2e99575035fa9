"""Hosted-buyer meeting scheduler (pure Python; no Django).

Typical use::

    from matchmaking.scheduler import load_instance, solve, validate

    instance = load_instance("instance.json")
    schedule = solve(instance, time_limit=8.0, with_bound=True)
    assert not validate(instance.raw, schedule.to_dict())

See ``docs/scheduler.md`` for the formats, reason codes and the algorithm. The heavier
modules (numpy, scipy) are imported on first use, so reading and checking an instance
stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .model import (
    BOUND_TIME_LIMIT,
    DEFAULT_TIME_LIMIT,
    Assignment,
    FixedMeeting,
    Instance,
    InstanceError,
    Participant,
    Request,
    Schedule,
    Slot,
    Unscheduled,
    load_instance,
    parse_instance,
)
from .reasons import REASONS
from .validate import validate

if TYPE_CHECKING:
    from .bound import BoundResult
    from .insert import InsertResult, insert_request
    from .solver import greedy, solve

_LAZY = {
    "BoundResult": "bound",
    "InsertResult": "insert",
    "insert_request": "insert",
    "MAX_MOVES": "insert",
    "greedy": "solver",
    "solve": "solver",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def upper_bound(instance: Instance, time_limit: float | None = BOUND_TIME_LIMIT) -> BoundResult:
    """Proven upper bound on the best achievable objective (see ``bound.py``)."""
    from .bound import upper_bound as _upper_bound

    return _upper_bound(instance.problem, time_limit)


__all__ = [
    "Assignment",
    "BOUND_TIME_LIMIT",
    "BoundResult",
    "DEFAULT_TIME_LIMIT",
    "FixedMeeting",
    "InsertResult",
    "Instance",
    "InstanceError",
    "MAX_MOVES",
    "Participant",
    "REASONS",
    "Request",
    "Schedule",
    "Slot",
    "Unscheduled",
    "greedy",
    "insert_request",
    "load_instance",
    "parse_instance",
    "solve",
    "upper_bound",
    "validate",
]
