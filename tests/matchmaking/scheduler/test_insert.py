"""Incremental insertion: few moves, fixed meetings stay, the result stays valid."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.scheduler import (
    InstanceError,
    Schedule,
    insert_request,
    parse_instance,
    solve,
    validate,
)

from .test_properties import instances


def slots(n: int) -> list[dict[str, str]]:
    return [
        {
            "id": f"s{k + 1}",
            "start": f"2021-10-20T0{k + 1}:00:00Z",
            "end": f"2021-10-20T0{k + 1}:30:00Z",
        }
        for k in range(n)
    ]


def make(
    avail: dict[str, list[str]], requests: list[tuple], n_slots: int, tables: int = 10
) -> dict[str, Any]:
    return {
        "slots": slots(n_slots),
        "tables": tables,
        "online_rooms": None,
        "participants": [{"id": p, "available": a} for p, a in avail.items()],
        "requests": [
            {"id": rid, "a": a, "b": b, "weight": 1, "mode": mode} for rid, a, b, mode in requests
        ],
        "fixed": [],
    }


def published(placements: list[tuple[str, str, str]], weight: int) -> dict[str, Any]:
    return {
        "assignments": [{"request": r, "slot": s, "mode": m} for r, s, m in placements],
        "unscheduled": [],
        "objective": weight,
        "upper_bound": None,
        "seconds": 0.0,
    }


def chain_instance() -> dict[str, Any]:
    """N(A,B) needs s1; freeing it takes R1 s1->s2, R2 s2->s3, R3 s3->s4 (a chain of 3)."""
    avail = {
        "A": ["s1", "s2"],
        "B": ["s1"],
        "C": ["s1", "s2", "s3"],
        "D": ["s2", "s3", "s4"],
        "E": ["s3", "s4"],
    }
    requests = [("R1", "A", "C", "online"), ("R2", "C", "D", "online"), ("R3", "D", "E", "online")]
    return make(avail, requests, 4)


CHAIN_SCHEDULE = published(
    [("R1", "s1", "online"), ("R2", "s2", "online"), ("R3", "s3", "online")], 3
)
NEW = {"id": "N", "a": "A", "b": "B", "weight": 2, "mode": "online"}


def check(raw: dict[str, Any], result: Any, request: dict[str, Any]) -> dict[str, Any]:
    document = result.schedule.to_dict()
    assert validate(parse_instance(raw).with_request(request).raw, document) == []
    return {a["request"]: (a["slot"], a["mode"]) for a in document["assignments"]}


def test_direct_insertion_moves_nothing() -> None:
    raw = chain_instance()
    request = {"id": "N2", "a": "D", "b": "E", "weight": 1, "mode": "either"}
    result = insert_request(parse_instance(raw), CHAIN_SCHEDULE, request)
    assert result.placed and result.moved == []
    placed = check(raw, result, request)
    assert placed["N2"][0] == "s4"
    assert result.assignment is not None and result.assignment.slot == "s4"


def test_one_move() -> None:
    raw = make({"A": ["s1", "s2"], "B": ["s1"], "C": ["s1", "s2"]}, [("R1", "A", "C", "online")], 2)
    schedule = published([("R1", "s1", "online")], 1)
    assert validate(raw, schedule) == []
    result = insert_request(parse_instance(raw), schedule, NEW)
    assert result.placed
    assert result.moved == ["R1"]
    placed = check(raw, result, NEW)
    assert placed == {"N": ("s1", "online"), "R1": ("s2", "online")}
    assert result.schedule.objective == 3


def test_two_moves_chain() -> None:
    raw = chain_instance()
    raw["participants"][4]["available"] = ["s4"]  # R3 (D, E) can only use s4
    schedule = published(
        [("R1", "s1", "online"), ("R2", "s2", "online"), ("R3", "s4", "online")], 3
    )
    assert validate(raw, schedule) == []
    result = insert_request(parse_instance(raw), schedule, NEW)
    assert result.placed
    assert sorted(result.moved) == ["R1", "R2"]
    placed = check(raw, result, NEW)
    assert placed["N"] == ("s1", "online")
    assert placed["R1"] == ("s2", "online")
    assert placed["R2"] == ("s3", "online")
    assert placed["R3"] == ("s4", "online")


def test_three_moves_are_refused_but_reported() -> None:
    raw = chain_instance()
    assert validate(raw, CHAIN_SCHEDULE) == []
    result = insert_request(parse_instance(raw), CHAIN_SCHEDULE, NEW)
    assert not result.placed
    assert result.reason == "needs_more_moves"
    assert result.moved == []
    assert result.schedule.assignments == parse_schedule_assignments(CHAIN_SCHEDULE)
    assert result.schedule.unscheduled[-1].request == "N"
    check(raw, result, NEW)
    wider = insert_request(parse_instance(raw), CHAIN_SCHEDULE, NEW, max_moves=3)
    assert wider.placed and sorted(wider.moved) == ["R1", "R2", "R3"]
    check(raw, wider, NEW)


def parse_schedule_assignments(schedule: dict[str, Any]) -> list:
    return Schedule.from_dict(schedule).assignments


def test_fixed_meeting_is_never_moved() -> None:
    raw = chain_instance()
    raw["fixed"] = [{"request": "R1", "slot": "s1", "mode": "online"}]
    schedule = published([("R1", "s1", "online")], 1)
    schedule["unscheduled"] = [
        {"request": "R2", "reason": "participant_busy"},
        {"request": "R3", "reason": "participant_busy"},
    ]
    assert validate(raw, schedule) == []
    result = insert_request(parse_instance(raw), schedule, NEW)
    assert not result.placed
    assert result.reason == "participant_busy"
    check(raw, result, NEW)


def test_capacity_freed_by_switching_an_either_meeting_online() -> None:
    avail = {p: ["s1"] for p in "ABCD"}
    raw = make(avail, [("R1", "C", "D", "either")], 1, tables=1)
    schedule = published([("R1", "s1", "onsite")], 1)
    request = {"id": "N", "a": "A", "b": "B", "weight": 1, "mode": "onsite"}
    result = insert_request(parse_instance(raw), schedule, request)
    assert result.placed and result.moved == ["R1"]
    placed = check(raw, result, request)
    assert placed == {"R1": ("s1", "online"), "N": ("s1", "onsite")}


def test_bad_new_request_raises() -> None:
    instance = parse_instance(chain_instance())
    with pytest.raises(InstanceError, match="already in the instance"):
        insert_request(instance, CHAIN_SCHEDULE, {**NEW, "id": "R1"})
    with pytest.raises(InstanceError, match="unknown participant"):
        insert_request(instance, CHAIN_SCHEDULE, {**NEW, "b": "Z"})
    with pytest.raises(InstanceError, match="weight"):
        insert_request(instance, CHAIN_SCHEDULE, {**NEW, "weight": 0})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_slots=4, max_people=6, max_requests=9), st.data())
def test_random_insertions_move_at_most_two(raw: dict[str, Any], data: st.DataObject) -> None:
    instance = parse_instance(raw)
    schedule = solve(instance, time_limit=1.0)
    people = [p["id"] for p in raw["participants"]]
    a, b = data.draw(st.lists(st.sampled_from(people), min_size=2, max_size=2, unique=True))
    request = {
        "id": "NEW",
        "a": a,
        "b": b,
        "weight": data.draw(st.integers(1, 3)),
        "mode": data.draw(st.sampled_from(("onsite", "online", "either"))),
    }
    result = insert_request(instance, schedule, request)
    before = {a.request: (a.slot, a.mode) for a in schedule.assignments}
    after = check(raw, result, request)
    assert len(result.moved) <= 2
    changed = {r for r in before if after.get(r) != before[r]}
    assert changed == set(result.moved)
    assert not changed & {f["request"] for f in raw["fixed"]}
    if result.placed:
        assert set(after) == set(before) | {"NEW"}
        assert result.schedule.objective == pytest.approx(schedule.objective + request["weight"])
    else:
        assert after == before
        assert result.reason is not None
