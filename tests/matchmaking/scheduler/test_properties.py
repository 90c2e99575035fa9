"""Property-based tests: validity, never below greedy, never above the bound, exact on small."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.scheduler import greedy, parse_instance, solve, upper_bound, validate
from matchmaking.scheduler.generate import small_instance

MODES = ("onsite", "online", "either")
ALLOWED = {"onsite": ("onsite",), "online": ("online",), "either": ("onsite", "online")}
BASE = datetime(2021, 10, 20, 1, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def capacity_of(value: Any, slot: str) -> float:
    if isinstance(value, dict):
        value = value[slot]
    return float("inf") if value is None else value


@st.composite
def instances(draw: st.DrawFn, max_slots: int = 3, max_people: int = 5, max_requests: int = 6):
    """Small valid instances: uneven slot lengths, per-slot capacities, fixed meetings."""
    n_slots = draw(st.integers(1, max_slots))
    slots, at = [], BASE
    for k in range(n_slots):
        start = at + timedelta(minutes=draw(st.sampled_from((0, 15))))
        end = start + timedelta(minutes=draw(st.sampled_from((30, 45, 60))))
        slots.append({"id": f"s{k}", "start": iso(start), "end": iso(end)})
        at = end
    ids = [s["id"] for s in slots]
    cap = st.integers(0, 2)
    tables = draw(st.one_of(cap, st.fixed_dictionaries({sid: cap for sid in ids})))
    rooms = draw(
        st.one_of(
            st.none(), cap, st.fixed_dictionaries({sid: st.one_of(st.none(), cap) for sid in ids})
        )
    )
    n_people = draw(st.integers(2, max_people))
    people = [
        {"id": f"p{i}", "available": draw(st.lists(st.sampled_from(ids), unique=True))}
        for i in range(n_people)
    ]
    weight = st.one_of(st.integers(1, 3), st.sampled_from((0.5, 1.25, 2.5)))
    requests = []
    for i in range(draw(st.integers(0, max_requests))):
        a, b = draw(st.lists(st.integers(0, n_people - 1), min_size=2, max_size=2, unique=True))
        requests.append(
            {
                "id": f"r{i}",
                "a": f"p{a}",
                "b": f"p{b}",
                "weight": draw(weight),
                "mode": draw(st.sampled_from(MODES)),
            }
        )
    instance = {
        "slots": slots,
        "tables": tables,
        "online_rooms": rooms,
        "participants": people,
        "requests": requests,
        "fixed": [],
    }
    instance["fixed"] = draw_fixed(draw, instance)
    return instance


def draw_fixed(draw: st.DrawFn, instance: dict[str, Any]) -> list[dict[str, str]]:
    avail = {p["id"]: set(p["available"]) for p in instance["participants"]}
    busy: set[tuple[str, str]] = set()
    used: dict[tuple[str, str], int] = {}
    fixed = []
    for req in instance["requests"]:
        if not draw(st.integers(0, 3)) == 0:
            continue
        options = [
            (s["id"], mode)
            for s in instance["slots"]
            for mode in ALLOWED[req["mode"]]
            if s["id"] in avail[req["a"]]
            and s["id"] in avail[req["b"]]
            and (req["a"], s["id"]) not in busy
            and (req["b"], s["id"]) not in busy
            and used.get((s["id"], mode), 0)
            < capacity_of(instance["tables" if mode == "onsite" else "online_rooms"], s["id"])
        ]
        if not options:
            continue
        slot, mode = draw(st.sampled_from(options))
        busy.update({(req["a"], slot), (req["b"], slot)})
        used[(slot, mode)] = used.get((slot, mode), 0) + 1
        fixed.append({"request": req["id"], "slot": slot, "mode": mode})
    return fixed


def brute_force(instance: dict[str, Any]) -> float:
    """Exact optimum by exhaustive search (with a simple weight bound for pruning)."""
    avail = {p["id"]: set(p["available"]) for p in instance["participants"]}
    fixed = {f["request"]: (f["slot"], f["mode"]) for f in instance["fixed"]}
    reqs = sorted(instance["requests"], key=lambda r: (r["id"] not in fixed, -r["weight"]))
    best = [float("-inf")]
    busy: set[tuple[str, str]] = set()
    used: dict[tuple[str, str], int] = {}
    suffix = [0.0] * (len(reqs) + 1)
    for i in range(len(reqs) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + reqs[i]["weight"]

    def options(req: dict[str, Any]) -> list[tuple[str, str] | None]:
        if req["id"] in fixed:
            return [fixed[req["id"]]]
        out: list[tuple[str, str] | None] = [
            (s["id"], m)
            for s in instance["slots"]
            for m in ALLOWED[req["mode"]]
            if s["id"] in avail[req["a"]] and s["id"] in avail[req["b"]]
        ]
        return [*out, None]

    def feasible(req: dict[str, Any], slot: str, mode: str) -> bool:
        if (req["a"], slot) in busy or (req["b"], slot) in busy:
            return False
        key = "tables" if mode == "onsite" else "online_rooms"
        return used.get((slot, mode), 0) < capacity_of(instance[key], slot)

    def dfs(i: int, total: float) -> None:
        if total + suffix[i] <= best[0] + 1e-12:
            return
        if i == len(reqs):
            best[0] = total
            return
        req = reqs[i]
        for option in options(req):
            if option is None:
                dfs(i + 1, total)
                continue
            slot, mode = option
            if not feasible(req, slot, mode):
                continue
            busy.update({(req["a"], slot), (req["b"], slot)})
            used[(slot, mode)] = used.get((slot, mode), 0) + 1
            dfs(i + 1, total + req["weight"])
            busy.difference_update({(req["a"], slot), (req["b"], slot)})
            used[(slot, mode)] -= 1

    dfs(0, 0.0)
    return best[0]


def assert_fixed_kept(instance: dict[str, Any], schedule: dict[str, Any]) -> None:
    placed = {a["request"]: (a["slot"], a["mode"]) for a in schedule["assignments"]}
    for f in instance["fixed"]:
        assert placed[f["request"]] == (f["slot"], f["mode"])


SETTINGS = settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances())
def test_solve_is_valid_optimal_and_within_bounds(raw: dict[str, Any]) -> None:
    instance = parse_instance(raw)
    schedule = solve(instance, time_limit=5.0, with_bound=True)
    base = greedy(instance)
    document = schedule.to_dict()
    assert validate(raw, document) == []
    assert validate(raw, base.to_dict()) == []
    assert_fixed_kept(raw, document)
    optimum = brute_force(raw)
    assert schedule.objective >= base.objective - 1e-9
    assert schedule.objective == pytest.approx(optimum, abs=1e-9)
    assert schedule.upper_bound is not None
    assert optimum <= schedule.upper_bound + 1e-9


@SETTINGS
@given(instances(max_slots=4, max_people=6, max_requests=8))
def test_heuristic_path_is_valid_and_between_greedy_and_bound(raw: dict[str, Any]) -> None:
    instance = parse_instance(raw)
    schedule = solve(instance, time_limit=1.0, exact_max_variables=0, idle_rounds=2)
    document = schedule.to_dict()
    assert validate(raw, document) == []
    assert_fixed_kept(raw, document)
    assert schedule.objective >= greedy(instance).objective - 1e-9
    assert schedule.objective <= upper_bound(instance).value + 1e-9


@settings(max_examples=70, deadline=None)
@given(instances(max_slots=3, max_people=4, max_requests=6))
def test_bound_is_never_below_the_optimum(raw: dict[str, Any]) -> None:
    bound = upper_bound(parse_instance(raw))
    assert brute_force(raw) <= bound.value + 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_medium_random_instances(seed: int) -> None:
    raw = small_instance(
        seed, slots=10, participants=24, requests=90, fixed=4, float_weights=seed % 3 == 0
    )
    instance = parse_instance(raw)
    schedule = solve(instance, time_limit=1.0, exact_max_variables=0, idle_rounds=3)
    bound = upper_bound(instance)
    assert validate(raw, schedule.to_dict()) == []
    assert_fixed_kept(raw, schedule.to_dict())
    assert greedy(instance).objective - 1e-9 <= schedule.objective <= bound.value + 1e-9


def test_objective_type_follows_weights() -> None:
    raw = small_instance(1, slots=3, participants=4, requests=5, fixed=0)
    assert isinstance(solve(parse_instance(raw), time_limit=1.0).objective, int)
    raw_f = small_instance(1, slots=3, participants=4, requests=5, fixed=0, float_weights=True)
    assert isinstance(solve(parse_instance(raw_f), time_limit=1.0).objective, float)
