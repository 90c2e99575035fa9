"""Command line: ``python -m matchmaking.scheduler INSTANCE.json [-o SCHEDULE.json] [--bound]``.

Exit codes: 0 success, 1 the schedule failed validation (only with ``--validate``),
2 bad instance or arguments (one-line message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .model import BOUND_TIME_LIMIT, DEFAULT_TIME_LIMIT, InstanceError, load_instance
from .validate import validate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m matchmaking.scheduler",
        description="Schedule hosted-buyer meetings (see docs/scheduler.md).",
    )
    parser.add_argument("instance", help="instance JSON file")
    parser.add_argument("-o", "--output", help="write the schedule here instead of stdout")
    parser.add_argument(
        "--bound", action="store_true", help="also compute a proven upper bound (LP relaxation)"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        help=f"search time in seconds (default {DEFAULT_TIME_LIMIT:g})",
    )
    parser.add_argument(
        "--bound-time-limit",
        type=float,
        default=BOUND_TIME_LIMIT,
        help=f"seconds allowed for each LP of the bound (default {BOUND_TIME_LIMIT:g})",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--greedy", action="store_true", help="only run the plain greedy baseline")
    parser.add_argument(
        "--validate",
        action="store_true",
        help="check the result with the independent validator (exit 1 on violations)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.time_limit <= 0 or args.bound_time_limit <= 0:
        print("error: time limits must be positive", file=sys.stderr)
        return 2
    try:
        instance = load_instance(Path(args.instance))
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .solver import greedy, solve  # numpy/scipy only once the instance is known good

    if args.greedy:
        schedule = greedy(instance)
    else:
        schedule = solve(
            instance,
            time_limit=args.time_limit,
            seed=args.seed,
            with_bound=args.bound,
            bound_time_limit=args.bound_time_limit,
        )
    document = schedule.to_dict()
    text = json.dumps(document, indent=2) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    if args.validate:
        violations = validate(instance.raw, document)
        for line in violations:
            print(f"violation: {line}", file=sys.stderr)
        if violations:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
