"""The independent validator catches every kind of violation (negative controls)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from matchmaking.scheduler import parse_instance, solve, validate


def instance() -> dict[str, Any]:
    return {
        "slots": [
            {"id": "s1", "start": "2021-10-20T01:00:00Z", "end": "2021-10-20T01:30:00Z"},
            {"id": "s2", "start": "2021-10-20T01:30:00Z", "end": "2021-10-20T02:00:00Z"},
            {"id": "s3", "start": "2021-10-20T02:00:00Z", "end": "2021-10-20T02:30:00Z"},
        ],
        "tables": {"s1": 1, "s2": 1, "s3": 0},
        "online_rooms": {"s1": None, "s2": 1, "s3": 1},
        "participants": [
            {"id": "E1", "available": ["s1", "s2", "s3"]},
            {"id": "E2", "available": ["s1", "s2", "s3"]},
            {"id": "B1", "available": ["s1", "s2"]},
            {"id": "B2", "available": ["s2", "s3"]},
        ],
        "requests": [
            {"id": "R1", "a": "E1", "b": "B1", "weight": 3, "mode": "onsite"},
            {"id": "R2", "a": "E2", "b": "B2", "weight": 2, "mode": "online"},
            {"id": "R3", "a": "E1", "b": "B2", "weight": 1, "mode": "either"},
            {"id": "R4", "a": "E2", "b": "B1", "weight": 1, "mode": "either"},
        ],
        "fixed": [{"request": "R2", "slot": "s3", "mode": "online"}],
    }


def good_schedule() -> dict[str, Any]:
    return {
        "assignments": [
            {"request": "R1", "slot": "s1", "mode": "onsite"},
            {"request": "R2", "slot": "s3", "mode": "online"},
            {"request": "R3", "slot": "s2", "mode": "onsite"},
            {"request": "R4", "slot": "s2", "mode": "online"},
        ],
        "unscheduled": [],
        "objective": 7,
        "upper_bound": 7.0,
        "seconds": 0.0,
    }


def assignment(schedule: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(a for a in schedule["assignments"] if a["request"] == rid)


def drop(schedule: dict[str, Any], rid: str, weight: int, reason: str = "participant_busy"):
    schedule["assignments"] = [a for a in schedule["assignments"] if a["request"] != rid]
    schedule["unscheduled"].append({"request": rid, "reason": reason})
    schedule["objective"] -= weight


def test_good_schedule_and_solver_output_pass() -> None:
    assert validate(instance(), good_schedule()) == []
    solved = solve(parse_instance(instance()), time_limit=2.0, with_bound=True)
    assert solved.objective == 7
    assert validate(instance(), solved.to_dict()) == []
    assert validate(parse_instance(instance()), solved) == []


def mutate_unknown_request(s: dict[str, Any]) -> None:
    s["assignments"].append({"request": "R99", "slot": "s1", "mode": "onsite"})


def mutate_unknown_slot(s: dict[str, Any]) -> None:
    assignment(s, "R1")["slot"] = "s9"


def mutate_twice(s: dict[str, Any]) -> None:
    s["assignments"].append({"request": "R3", "slot": "s2", "mode": "onsite"})


def mutate_mode(s: dict[str, Any]) -> None:
    assignment(s, "R1")["mode"] = "online"  # R1 is onsite-only


def mutate_bad_mode_name(s: dict[str, Any]) -> None:
    assignment(s, "R3")["mode"] = "either"


def mutate_unavailable(s: dict[str, Any]) -> None:
    drop(s, "R3", 1)
    assignment(s, "R4")["slot"] = "s3"  # B1 is not available in s3


def mutate_double_booking(s: dict[str, Any]) -> None:
    assignment(s, "R3")["slot"] = "s1"  # E1 already meets B1 in s1 (B2 not available: 2 hits)


def mutate_tables(s: dict[str, Any]) -> None:
    assignment(s, "R4")["mode"] = "onsite"  # R3 and R4 both on site in s2, one table


def mutate_rooms(s: dict[str, Any]) -> None:
    assignment(s, "R3")["mode"] = "online"  # s2 now has R3 and R4 online, one room


def mutate_fixed_moved(s: dict[str, Any]) -> None:
    assignment(s, "R2")["slot"] = "s2"


def mutate_fixed_mode(s: dict[str, Any]) -> None:
    assignment(s, "R2")["mode"] = "onsite"


def mutate_fixed_missing(s: dict[str, Any]) -> None:
    drop(s, "R2", 2)


def mutate_not_listed(s: dict[str, Any]) -> None:
    s["assignments"] = [a for a in s["assignments"] if a["request"] != "R4"]
    s["objective"] -= 1


def mutate_both(s: dict[str, Any]) -> None:
    s["unscheduled"].append({"request": "R4", "reason": "participant_busy"})


def mutate_reason(s: dict[str, Any]) -> None:
    drop(s, "R4", 1, reason="bad_luck")


def mutate_objective(s: dict[str, Any]) -> None:
    s["objective"] = 8


def mutate_bound(s: dict[str, Any]) -> None:
    s["upper_bound"] = 6.0


def mutate_no_assignments(s: dict[str, Any]) -> None:
    del s["assignments"]


CASES = [
    (mutate_unknown_request, "unknown request 'R99'"),
    (mutate_unknown_slot, "unknown slot 's9'"),
    (mutate_twice, "R3 is scheduled more than once"),
    (mutate_mode, "R1 (onsite) scheduled in mode 'online'"),
    (mutate_bad_mode_name, "scheduled in mode 'either'"),
    (mutate_unavailable, "B1 is not available in slot s3"),
    (mutate_double_booking, "E1 is double-booked"),
    (mutate_tables, "slot s2: 2 onsite meetings for 1 tables"),
    (mutate_rooms, "slot s2: 2 online meetings for 1 online rooms"),
    (mutate_fixed_moved, "fixed meeting R2 moved: s2/online instead of s3/online"),
    (mutate_fixed_mode, "fixed meeting R2 moved: s3/onsite instead of s3/online"),
    (mutate_fixed_missing, "fixed meeting R2 is missing"),
    (mutate_not_listed, "R4 is neither scheduled nor listed"),
    (mutate_both, "R4 is both scheduled and unscheduled"),
    (mutate_reason, "unknown reason 'bad_luck'"),
    (mutate_objective, "objective 8 but scheduled weight is 7"),
    (mutate_bound, "exceeds the upper bound"),
    (mutate_no_assignments, "no 'assignments' list"),
]


@pytest.mark.parametrize(("mutate", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_violation_is_reported(mutate: Any, expected: str) -> None:
    schedule = copy.deepcopy(good_schedule())
    mutate(schedule)
    violations = validate(instance(), schedule)
    assert any(expected in v for v in violations), violations


def test_time_overlap_between_different_slots_is_a_double_booking() -> None:
    raw = instance()
    raw["slots"][1]["start"] = "2021-10-20T01:15:00Z"  # s2 now overlaps s1
    # E1 has R1 in s1 (01:00-01:30) and R3 in s2 (01:15-02:00); B1 has R1 and R4
    violations = validate(raw, good_schedule())
    assert any("E1 is double-booked" in v for v in violations), violations
    assert any("B1 is double-booked" in v for v in violations), violations
    assert validate(instance(), good_schedule()) == []


def test_malformed_instance_is_reported_not_raised() -> None:
    assert validate({"slots": "nope"}, good_schedule())[0].startswith("instance is malformed")
