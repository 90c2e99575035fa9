"""Benchmark of the hosted-buyer meeting scheduler on a fair-size instance.

Generates the fair instance (deterministic seed), runs the plain greedy baseline, our
solver and the LP upper bound in the same run, checks both schedules with the independent
validator, then times incremental insertion of new requests into the published schedule.

    .venv/bin/python bench/scheduler_bench.py [--seed 2021] [--time-limit 8] [--insertions 20]

Exits 1 if any schedule violates a constraint.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaking.scheduler import (  # noqa: E402
    Instance,
    Schedule,
    greedy,
    insert_request,
    parse_instance,
    solve,
    validate,
)
from matchmaking.scheduler.generate import FairConfig, fair_instance  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--insertions", type=int, default=20)
    parser.add_argument("--tables", type=int, default=150)
    parser.add_argument("--online-rooms", type=int, default=None, help="default: unlimited")
    return parser.parse_args()


def percent(value: float, bound: float) -> str:
    return f"{100.0 * value / bound:.2f} %" if bound else "-"


def describe(raw: dict[str, Any], instance: Instance) -> str:
    remote = sum(1 for p in raw["participants"] if "tz" in p)
    rooms = raw["online_rooms"] if raw["online_rooms"] is not None else "unlimited"
    exhibitors = sum(1 for p in instance.participants if p.id.startswith("E"))
    return (
        f"{exhibitors} exhibitors, {len(instance.participants) - exhibitors} buyers "
        f"({remote} remote), {len(instance.requests)} requests, {len(instance.slots)} slots, "
        f"{raw['tables']} tables, online rooms {rooms}, {len(instance.fixed)} fixed"
    )


def new_requests(
    raw: dict[str, Any], count: int, seed: int, blocked: Schedule | None = None
) -> list[dict[str, Any]]:
    """Extra accepted requests drawn like the generator's (popular exhibitors more often).

    With ``blocked``, only pairs that cannot be placed directly in that schedule (one of
    the two is busy in every common slot) while both still have a free slot somewhere, so
    that inserting them needs moves.
    """
    rng = random.Random(seed)
    avail = {p["id"]: set(p["available"]) for p in raw["participants"]}
    busy: dict[str, set[str]] = {p: set() for p in avail}
    if blocked is not None:
        by_id = {r["id"]: r for r in raw["requests"]}
        for item in blocked.assignments:
            busy[by_id[item.request]["a"]].add(item.slot)
            busy[by_id[item.request]["b"]].add(item.slot)
    remote = {p["id"] for p in raw["participants"] if "tz" in p}
    pairs = {frozenset((r["a"], r["b"])) for r in raw["requests"]}

    def sides(req: dict[str, Any]) -> tuple[str, str]:
        return (req["a"], req["b"]) if req["a"].startswith("E") else (req["b"], req["a"])

    out: list[dict[str, Any]] = []
    while len(out) < count:
        exhibitor = sides(rng.choice(raw["requests"]))[0]
        buyer = sides(rng.choice(raw["requests"]))[1]
        if frozenset((exhibitor, buyer)) in pairs:
            continue
        if blocked is not None:
            common = avail[exhibitor] & avail[buyer]
            free = common - busy[exhibitor] - busy[buyer]
            spare = avail[exhibitor] - busy[exhibitor] and avail[buyer] - busy[buyer]
            if not common or free or not spare:
                continue
        pairs.add(frozenset((exhibitor, buyer)))
        mode = "online" if buyer in remote else rng.choice(("onsite", "either", "online"))
        out.append(
            {
                "id": f"NEW{len(out) + 1:03d}",
                "a": exhibitor,
                "b": buyer,
                "weight": rng.choice((1, 2, 3)),
                "mode": mode,
            }
        )
    return out


def insertion_bench(
    raw: dict[str, Any],
    instance: Instance,
    schedule: Schedule,
    requests: list[dict[str, Any]],
    label: str,
) -> int:
    times: list[float] = []
    moved: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    violations = 0
    for request in requests:
        started = time.perf_counter()
        result = insert_request(instance, schedule, request)
        times.append(1000.0 * (time.perf_counter() - started))
        moved[len(result.moved)] += 1
        outcomes["placed" if result.placed else str(result.reason)] += 1
        extended = dict(raw, requests=[*raw["requests"], request])
        problems = validate(extended, result.schedule.to_dict())
        if len(result.moved) > 2:
            problems.append(f"{request['id']}: moved {len(result.moved)} meetings")
        for line in problems[:5]:
            print(f"  violation after inserting {request['id']}: {line}")
        violations += len(problems)
    print(
        f"\ninsertion, {len(requests)} {label} (each into the published schedule): "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )
    print(f"  outcomes: {dict(sorted(outcomes.items()))}")
    print(f"  meetings moved per insertion: {dict(sorted(moved.items()))}")
    print(f"  violations: {violations}")
    return violations


def main() -> int:
    args = parse_args()
    config = FairConfig(seed=args.seed, tables=args.tables, online_rooms=args.online_rooms)
    raw = fair_instance(config)
    instance = parse_instance(raw)
    print(f"instance (seed {args.seed}): {describe(raw, instance)}")

    started = time.perf_counter()
    base = greedy(instance)
    greedy_seconds = time.perf_counter() - started
    ours = solve(instance, time_limit=args.time_limit, seed=0, with_bound=True)
    bound = float(ours.upper_bound or 0.0)
    base_violations = validate(raw, base.to_dict())
    ours_violations = validate(raw, ours.to_dict())
    for line in (base_violations + ours_violations)[:10]:
        print(f"  violation: {line}")

    rows = [
        (
            "greedy",
            base.objective,
            percent(base.objective, bound),
            greedy_seconds,
            len(base_violations),
        ),
        (
            "ours",
            ours.objective,
            percent(ours.objective, bound),
            ours.stats["search_seconds"],
            len(ours_violations),
        ),
    ]
    print(f"\n{'':<24}{'objective':>10}{'of bound':>11}{'time (s)':>10}{'violations':>12}")
    for name, objective, share, seconds, bad in rows:
        print(f"{name:<24}{objective:>10}{share:>11}{seconds:>10.2f}{bad:>12}")
    kind = ours.stats.get("bound_kind", "?")
    print(
        f"{'upper bound (' + kind + ')':<24}{bound:>10.0f}{'':>11}"
        f"{ours.stats.get('bound_seconds', 0.0):>10.2f}"
    )
    trace = ours.stats.get("trace") or [(0.0, ours.objective)]
    best_at = next(t for t, obj in trace if obj >= ours.objective)
    print(
        f"ours: best found after {best_at:.2f} s; total {ours.seconds:.2f} s with the bound "
        f"computed in parallel; "
        f"unscheduled by reason: {dict(Counter(u.reason for u in ours.unscheduled))}"
    )
    violations = len(base_violations) + len(ours_violations)
    random_new = new_requests(raw, args.insertions, args.seed)
    violations += insertion_bench(raw, instance, ours, random_new, "new requests drawn at random")
    blocked_new = new_requests(raw, args.insertions, args.seed + 1, blocked=ours)
    label = "new requests with no directly free common slot"
    violations += insertion_bench(raw, instance, ours, blocked_new, label)
    if violations:
        print(f"\nFAILED: {violations} violations")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
