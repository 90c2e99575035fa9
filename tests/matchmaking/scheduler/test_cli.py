"""The command line: bad instances give one clear line and exit code 2; good ones a schedule."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from matchmaking.scheduler import validate
from matchmaking.scheduler.generate import small_instance

ROOT = Path(__file__).resolve().parents[3]


def base() -> dict[str, Any]:
    return {
        "slots": [
            {"id": "s1", "start": "2021-10-20T01:00:00Z", "end": "2021-10-20T01:30:00Z"},
            {"id": "s2", "start": "2021-10-20T01:30:00Z", "end": "2021-10-20T02:00:00Z"},
        ],
        "tables": 1,
        "online_rooms": None,
        "participants": [
            {"id": "E1", "available": ["s1", "s2"]},
            {"id": "E2", "available": ["s1", "s2"]},
            {"id": "B1", "available": ["s1"]},
            {"id": "B2", "available": ["s2"]},
        ],
        "requests": [
            {"id": "R1", "a": "E1", "b": "B1", "weight": 3, "mode": "onsite"},
            {"id": "R2", "a": "E2", "b": "B1", "weight": 1, "mode": "either"},
            {"id": "R3", "a": "E2", "b": "B2", "weight": 2, "mode": "online"},
        ],
        "fixed": [{"request": "R1", "slot": "s1", "mode": "onsite"}],
    }


def edit(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(base())
    change(data)
    return data


def _set(path: tuple, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _append(key: str, item: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[key].append(item)


BAD: dict[str, tuple[Any, str]] = {
    "malformed_json": ("{ not json", "malformed JSON"),
    "top_level_list": ("[1, 2]", "top level must be a JSON object"),
    "missing_slots": (edit(lambda d: d.pop("slots")), "missing 'slots' list"),
    "unknown_participant": (
        edit(_set(("requests", 0, "b"), "B9")),
        "request R1: unknown participant b='B9'",
    ),
    "unknown_slot_in_availability": (
        edit(_set(("participants", 0, "available"), ["s1", "s7"])),
        "participant E1: unknown slot id 's7'",
    ),
    "unknown_request_in_fixed": (
        edit(_set(("fixed", 0, "request"), "R9")),
        "unknown request R9",
    ),
    "unknown_slot_in_fixed": (
        edit(_set(("fixed", 0, "slot"), "s9")),
        "fixed meeting R1: unknown slot 's9'",
    ),
    "duplicate_slot": (
        edit(_set(("slots", 1, "id"), "s1")),
        "duplicate slot id s1",
    ),
    "duplicate_participant": (
        edit(_set(("participants", 1, "id"), "E1")),
        "duplicate participant id E1",
    ),
    "duplicate_request": (
        edit(_set(("requests", 1, "id"), "R1")),
        "duplicate request id R1",
    ),
    "overlapping_slots": (
        edit(_set(("slots", 1, "start"), "2021-10-20T01:15:00Z")),
        "overlapping slots s1 and s2",
    ),
    "reversed_slot": (
        edit(_set(("slots", 1, "end"), "2021-10-20T01:00:00Z")),
        "reversed slot s2",
    ),
    "empty_slot": (
        edit(_set(("slots", 1, "end"), "2021-10-20T01:30:00Z")),
        "reversed slot s2",
    ),
    "naive_time": (
        edit(_set(("slots", 0, "start"), "2021-10-20T01:00:00")),
        "needs a UTC offset",
    ),
    "bad_time": (
        edit(_set(("slots", 0, "start"), "20 Oct 2021")),
        "invalid ISO 8601 time",
    ),
    "fixed_outside_availability": (
        edit(_set(("fixed", 0, "slot"), "s2")),
        "fixed meeting R1: B1 is not available in slot s2",
    ),
    "fixed_clash": (
        edit(_append("fixed", {"request": "R2", "slot": "s1", "mode": "online"})),
        "fixed meetings R1 and R2 clash: B1 is in both in slot s1",
    ),
    "fixed_over_capacity": (
        edit(_set(("tables",), 0)),
        "fixed meetings exceed capacity in slot s1: 1 onsite for 0 tables",
    ),
    "fixed_twice": (
        edit(_append("fixed", {"request": "R1", "slot": "s1", "mode": "onsite"})),
        "request R1 is fixed twice",
    ),
    "fixed_mode_either": (
        edit(_set(("fixed", 0, "mode"), "either")),
        "mode must be onsite or online",
    ),
    "fixed_mode_against_request": (
        edit(_set(("fixed", 0, "mode"), "online")),
        "fixed meeting R1: mode online but the request is onsite",
    ),
    "bad_mode": (
        edit(_set(("requests", 0, "mode"), "hybrid")),
        "request R1: bad mode 'hybrid'",
    ),
    "zero_weight": (
        edit(_set(("requests", 0, "weight"), 0)),
        "request R1: weight must be a positive number, got 0",
    ),
    "negative_weight": (
        edit(_set(("requests", 0, "weight"), -2.5)),
        "weight must be a positive number, got -2.5",
    ),
    "text_weight": (
        edit(_set(("requests", 0, "weight"), "3")),
        "weight must be a positive number, got '3'",
    ),
    "self_meeting": (
        edit(_set(("requests", 0, "b"), "E1")),
        "request R1: a and b are the same participant E1",
    ),
    "negative_tables": (
        edit(_set(("tables",), -1)),
        "tables must be a non-negative integer, got -1",
    ),
    "tables_missing_slot": (
        edit(_set(("tables",), {"s1": 2})),
        "tables: no count given for slot s2",
    ),
    "rooms_unknown_slot": (
        edit(_set(("online_rooms",), {"s1": 1, "s2": 1, "s3": 1})),
        "online_rooms: unknown slot id s3",
    ),
}


def _write(path: Path, content: Any) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "matchmaking.scheduler", *args]


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    """Run every bad instance through the CLI, all processes at once to save time."""
    folder = tmp_path_factory.mktemp("bad")
    procs: dict[str, subprocess.Popen] = {}
    for name, (content, _) in BAD.items():
        path = folder / f"{name}.json"
        _write(path, content)
        procs[name] = _spawn(str(path))
    procs["missing_file"] = _spawn(str(folder / "nowhere.json"))
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return results


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        _command(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


CASES = [*BAD.items(), ("missing_file", (None, "nowhere.json: file not found"))]


@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, (_, e) in CASES])
def test_bad_instance_gives_one_line_and_exit_2(
    bad_runs: dict[str, subprocess.CompletedProcess], name: str, expected: str
) -> None:
    run = bad_runs[name]
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert run.stdout == ""


def test_base_instance_is_valid_for_the_cli(tmp_path: Path) -> None:
    """Positive control: the instance the bad cases are derived from is accepted."""
    path = tmp_path / "ok.json"
    _write(path, base())
    run = subprocess.run(
        _command(str(path), "--bound", "--validate"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    schedule = json.loads(run.stdout)
    assert validate(base(), schedule) == []
    assert schedule["objective"] == 5  # R1 (fixed) and R3; R2 needs B1, busy with R1 in s1
    assert schedule["upper_bound"] == 5.0
    assert schedule["unscheduled"] == [
        {
            "request": "R2",
            "reason": "participant_busy",
            "detail": (
                "E2 is booked in 0 and B1 in 1 of the 1 common slot; "
                "B1 has 2 requests for 1 available slot"
            ),
        }
    ]


def test_output_file_and_greedy_mode(tmp_path: Path) -> None:
    raw = small_instance(7, slots=5, participants=8, requests=14)
    path, out = tmp_path / "in.json", tmp_path / "out.json"
    _write(path, raw)
    procs = [
        _spawn(str(path), "-o", str(out), "--time-limit", "2"),
        _spawn(str(path), "--greedy"),
    ]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], [r[1] for r in results]
    assert results[0][0] == ""
    solved = json.loads(out.read_text())
    baseline = json.loads(results[1][0])
    assert validate(raw, solved) == []
    assert validate(raw, baseline) == []
    assert solved["upper_bound"] is None
    assert solved["objective"] >= baseline["objective"]
