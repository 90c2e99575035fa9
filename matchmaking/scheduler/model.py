"""Instance and schedule data model: parsing, checking and compiling to index form.

Everything here is plain Python (no Django). ``load_instance`` turns the JSON input into
an :class:`Instance`, raising :class:`InstanceError` with a one-line message for anything
malformed. ``Instance.problem`` is the compiled, index-based form used by the algorithms:
participants, slots and requests become integers and slot sets become bit masks (bit ``s``
is the ``s``-th slot in time order).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

ONSITE = 0
ONLINE = 1
MODE_NAMES = ("onsite", "online")
REQUEST_MODES = {"onsite": (ONSITE,), "online": (ONLINE,), "either": (ONSITE, ONLINE)}
UNLIMITED = 1 << 40  # capacity used internally for "no limit"
DEFAULT_TIME_LIMIT = 8.0  # seconds of search in solve()
BOUND_TIME_LIMIT = 20.0  # seconds HiGHS may spend on each LP of the bound

Number = int | float


class InstanceError(ValueError):
    """The instance (or an argument referring to it) is invalid; the message is one line."""


@dataclass(frozen=True)
class Slot:
    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Participant:
    id: str
    available: tuple[str, ...]


@dataclass(frozen=True)
class Request:
    id: str
    a: str
    b: str
    weight: Number
    mode: str


@dataclass(frozen=True)
class FixedMeeting:
    request: str
    slot: str
    mode: str


@dataclass(frozen=True)
class Assignment:
    request: str
    slot: str
    mode: str

    def to_dict(self) -> dict[str, str]:
        return {"request": self.request, "slot": self.slot, "mode": self.mode}


@dataclass(frozen=True)
class Unscheduled:
    request: str
    reason: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"request": self.request, "reason": self.reason}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Schedule:
    assignments: list[Assignment]
    unscheduled: list[Unscheduled]
    objective: Number
    upper_bound: float | None = None
    seconds: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "assignments": [a.to_dict() for a in self.assignments],
            "unscheduled": [u.to_dict() for u in self.unscheduled],
            "objective": self.objective,
            "upper_bound": self.upper_bound,
            "seconds": round(self.seconds, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        """Read a schedule in the output format (as produced by :meth:`to_dict`)."""
        if not isinstance(data, Mapping):
            raise InstanceError("schedule must be a JSON object")
        try:
            assignments = [
                Assignment(str(a["request"]), str(a["slot"]), str(a["mode"]))
                for a in data.get("assignments", [])
            ]
            unscheduled = [
                Unscheduled(str(u["request"]), str(u.get("reason", "")), str(u.get("detail", "")))
                for u in data.get("unscheduled", [])
            ]
        except (KeyError, TypeError) as exc:
            raise InstanceError(f"schedule: malformed entry ({exc})") from None
        return cls(
            assignments=assignments,
            unscheduled=unscheduled,
            objective=data.get("objective", 0),
            upper_bound=data.get("upper_bound"),
            seconds=float(data.get("seconds") or 0.0),
        )


@dataclass(frozen=True)
class Instance:
    slots: tuple[Slot, ...]
    tables: Mapping[str, int]
    online_rooms: Mapping[str, int | None]
    participants: tuple[Participant, ...]
    requests: tuple[Request, ...]
    fixed: tuple[FixedMeeting, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @cached_property
    def problem(self) -> Problem:
        return Problem(self)

    def with_request(self, request: Mapping[str, Any] | Request) -> Instance:
        """A copy of this instance with one more request appended (checked like the others)."""
        entry = _request_dict(request)
        raw = dict(self.raw)
        raw["requests"] = [*self.raw.get("requests", []), entry]
        return parse_instance(raw)


def _request_dict(request: Mapping[str, Any] | Request) -> dict[str, Any]:
    if isinstance(request, Request):
        return {
            "id": request.id,
            "a": request.a,
            "b": request.b,
            "weight": request.weight,
            "mode": request.mode,
        }
    if not isinstance(request, Mapping):
        raise InstanceError("request must be a JSON object")
    return dict(request)


# --------------------------------------------------------------------------- parsing


def load_instance(source: str | Path | Mapping[str, Any]) -> Instance:
    """Load an instance from a JSON file path, a JSON string or an already decoded mapping."""
    if isinstance(source, Mapping):
        return parse_instance(source)
    text: str
    if isinstance(source, Path) or not str(source).lstrip().startswith("{"):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InstanceError(f"cannot read {path}: file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InstanceError(f"cannot read {path}: {reason}") from None
    else:
        text = str(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(
            f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(data, Mapping):
        raise InstanceError("malformed instance: the top level must be a JSON object")
    return parse_instance(data)


def parse_instance(data: Mapping[str, Any]) -> Instance:
    """Check and convert a decoded JSON instance; raises :class:`InstanceError`."""
    try:
        return _parse_instance(data)
    except (TypeError, AttributeError, KeyError) as exc:  # a wrongly typed value slipped by
        raise InstanceError(f"malformed instance: {exc}") from None


def _parse_instance(data: Mapping[str, Any]) -> Instance:
    if not isinstance(data, Mapping):
        raise InstanceError("malformed instance: the top level must be a JSON object")
    slots = _parse_slots(data.get("slots"))
    slot_ids = [s.id for s in slots]
    tables = _parse_capacity(data.get("tables"), "tables", slot_ids, allow_unlimited=False)
    rooms = _parse_capacity(data.get("online_rooms"), "online_rooms", slot_ids, True)
    participants = _parse_participants(data.get("participants"), set(slot_ids))
    requests = _parse_requests(data.get("requests"), {p.id for p in participants})
    raw_fixed = data.get("fixed")
    fixed = _parse_fixed([] if raw_fixed is None else raw_fixed, requests, slots, participants)
    instance = Instance(
        slots=tuple(slots),
        tables=tables,
        online_rooms=rooms,
        participants=tuple(participants),
        requests=tuple(requests),
        fixed=tuple(fixed),
        raw=data,
    )
    _check_fixed_capacity(instance)
    return instance


def _require_list(value: Any, name: str) -> Sequence[Any]:
    if value is None:
        raise InstanceError(f"missing '{name}' list")
    if not isinstance(value, list):
        raise InstanceError(f"'{name}' must be a list")
    return value


def _require_id(entry: Any, what: str, index: int, key: str = "id") -> str:
    if not isinstance(entry, Mapping):
        raise InstanceError(f"{what} #{index + 1} must be a JSON object")
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InstanceError(f"{what} #{index + 1} needs a non-empty string '{key}'")
    return value


def parse_time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise InstanceError(f"{where} must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InstanceError(f"{where}: invalid ISO 8601 time {value!r}") from None
    if moment.tzinfo is None:
        raise InstanceError(f"{where}: time {value!r} needs a UTC offset such as 'Z'")
    return moment.astimezone(UTC)


def _parse_slots(value: Any) -> list[Slot]:
    raw = _require_list(value, "slots")
    slots: list[Slot] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        sid = _require_id(entry, "slot", i)
        if sid in seen:
            raise InstanceError(f"duplicate slot id {sid}")
        seen.add(sid)
        start = parse_time(entry.get("start"), f"slot {sid} start")
        end = parse_time(entry.get("end"), f"slot {sid} end")
        if end <= start:
            raise InstanceError(f"reversed slot {sid}: end {entry['end']} is not after start")
        slots.append(Slot(sid, start, end))
    ordered = sorted(slots, key=lambda s: (s.start, s.end, s.id))
    latest: Slot | None = None
    for slot in ordered:
        if latest is not None and slot.start < latest.end:
            raise InstanceError(f"overlapping slots {latest.id} and {slot.id}")
        if latest is None or slot.end > latest.end:
            latest = slot
    return ordered


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InstanceError(f"{where} must be a non-negative integer, got {value!r}")
    return value


def _parse_capacity(
    value: Any, name: str, slot_ids: list[str], allow_unlimited: bool
) -> dict[str, int | None]:
    if value is None:
        if allow_unlimited:
            return dict.fromkeys(slot_ids)
        raise InstanceError(f"missing '{name}' (an integer or an object slot id -> count)")
    if isinstance(value, Mapping):
        known = set(slot_ids)
        for key in value:
            if key not in known:
                raise InstanceError(f"{name}: unknown slot id {key}")
        out: dict[str, int | None] = {}
        for sid in slot_ids:
            if sid not in value:
                raise InstanceError(f"{name}: no count given for slot {sid}")
            count = value[sid]
            if count is None and allow_unlimited:
                out[sid] = None
            else:
                out[sid] = _count(count, f"{name} for slot {sid}")
        return out
    return dict.fromkeys(slot_ids, _count(value, name))


def _parse_participants(value: Any, slot_ids: set[str]) -> list[Participant]:
    raw = _require_list(value, "participants")
    out: list[Participant] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        pid = _require_id(entry, "participant", i)
        if pid in seen:
            raise InstanceError(f"duplicate participant id {pid}")
        seen.add(pid)
        available = entry.get("available")
        if not isinstance(available, list):
            raise InstanceError(f"participant {pid}: 'available' must be a list of slot ids")
        listed: set[str] = set()
        for sid in available:
            if not isinstance(sid, str) or sid not in slot_ids:
                raise InstanceError(f"participant {pid}: unknown slot id {sid!r}")
            if sid in listed:
                raise InstanceError(f"participant {pid}: slot {sid} listed twice")
            listed.add(sid)
        out.append(Participant(pid, tuple(available)))
    return out


def check_weight(value: Any, where: str) -> Number:
    ok_type = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok_type or not math.isfinite(value) or value <= 0:
        raise InstanceError(f"{where}: weight must be a positive number, got {value!r}")
    return value


def check_request(entry: Any, index: int, participants: set[str]) -> Request:
    rid = _require_id(entry, "request", index)
    a, b = entry.get("a"), entry.get("b")
    for key, pid in (("a", a), ("b", b)):
        if not isinstance(pid, str) or pid not in participants:
            raise InstanceError(f"request {rid}: unknown participant {key}={pid!r}")
    if a == b:
        raise InstanceError(f"request {rid}: a and b are the same participant {a}")
    mode = entry.get("mode")
    if not isinstance(mode, str) or mode not in REQUEST_MODES:
        raise InstanceError(f"request {rid}: bad mode {mode!r} (expected onsite, online or either)")
    weight = check_weight(entry.get("weight"), f"request {rid}")
    return Request(rid, a, b, weight, mode)


def _parse_requests(value: Any, participants: set[str]) -> list[Request]:
    raw = _require_list(value, "requests")
    out: list[Request] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        request = check_request(entry, i, participants)
        if request.id in seen:
            raise InstanceError(f"duplicate request id {request.id}")
        seen.add(request.id)
        out.append(request)
    return out


def _parse_fixed(
    value: Any,
    requests: list[Request],
    slots: list[Slot],
    participants: list[Participant],
) -> list[FixedMeeting]:
    raw = _require_list(value, "fixed")
    by_id = {r.id: r for r in requests}
    slot_ids = {s.id for s in slots}
    avail = {p.id: set(p.available) for p in participants}
    busy: dict[tuple[str, str], str] = {}
    out: list[FixedMeeting] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        rid = _require_id(entry, "fixed meeting", i, key="request")
        request = by_id.get(rid)
        if request is None:
            raise InstanceError(f"fixed meeting #{i + 1}: unknown request {rid}")
        if rid in seen:
            raise InstanceError(f"request {rid} is fixed twice")
        seen.add(rid)
        sid = entry.get("slot")
        if not isinstance(sid, str) or sid not in slot_ids:
            raise InstanceError(f"fixed meeting {rid}: unknown slot {sid!r}")
        mode = entry.get("mode")
        if mode not in ("onsite", "online"):
            raise InstanceError(f"fixed meeting {rid}: mode must be onsite or online, got {mode!r}")
        if request.mode != "either" and mode != request.mode:
            raise InstanceError(
                f"fixed meeting {rid}: mode {mode} but the request is {request.mode}"
            )
        for pid in (request.a, request.b):
            if sid not in avail[pid]:
                raise InstanceError(f"fixed meeting {rid}: {pid} is not available in slot {sid}")
            other = busy.get((pid, sid))
            if other is not None:
                raise InstanceError(
                    f"fixed meetings {other} and {rid} clash: {pid} is in both in slot {sid}"
                )
            busy[(pid, sid)] = rid
        out.append(FixedMeeting(rid, sid, mode))
    return out


def _check_fixed_capacity(instance: Instance) -> None:
    used: dict[tuple[str, str], int] = {}
    for f in instance.fixed:
        used[(f.slot, f.mode)] = used.get((f.slot, f.mode), 0) + 1
    for (sid, mode), count in used.items():
        cap = instance.tables[sid] if mode == "onsite" else instance.online_rooms[sid]
        if cap is not None and count > cap:
            what = "tables" if mode == "onsite" else "online rooms"
            raise InstanceError(
                f"fixed meetings exceed capacity in slot {sid}: {count} {mode} for {cap} {what}"
            )


# --------------------------------------------------------------------------- compiled form


def bits(mask: int) -> list[int]:
    """Indices of the set bits of ``mask``, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class Problem:
    """Index form of an instance. Slots are numbered in time order."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.slot_ids = [s.id for s in instance.slots]
        self.n_slots = len(self.slot_ids)
        slot_index = {sid: i for i, sid in enumerate(self.slot_ids)}
        self.slot_index = slot_index
        self.part_ids = [p.id for p in instance.participants]
        self.part_index = {pid: i for i, pid in enumerate(self.part_ids)}
        self.avail = [_mask(p.available, slot_index) for p in instance.participants]
        self.cap = [
            [_cap(instance.tables[sid]) for sid in self.slot_ids],
            [_cap(instance.online_rooms[sid]) for sid in self.slot_ids],
        ]
        self.req_ids = [r.id for r in instance.requests]
        self.req_index = {rid: i for i, rid in enumerate(self.req_ids)}
        self.ra = [self.part_index[r.a] for r in instance.requests]
        self.rb = [self.part_index[r.b] for r in instance.requests]
        self.w: list[Number] = [r.weight for r in instance.requests]
        self.modes = [REQUEST_MODES[r.mode] for r in instance.requests]
        self.common = [self.avail[a] & self.avail[b] for a, b in zip(self.ra, self.rb, strict=True)]
        self.fixed: dict[int, tuple[int, int]] = {
            self.req_index[f.request]: (slot_index[f.slot], MODE_NAMES.index(f.mode))
            for f in instance.fixed
        }
        self.n_requests = len(self.req_ids)
        self.n_participants = len(self.part_ids)
        self.integral = all(isinstance(w, int) for w in self.w)

    def request_modes(self, mode: str) -> tuple[int, ...]:
        return REQUEST_MODES[mode]


def _mask(slot_ids: Sequence[str], index: Mapping[str, int]) -> int:
    mask = 0
    for sid in slot_ids:
        mask |= 1 << index[sid]
    return mask


def _cap(value: int | None) -> int:
    return UNLIMITED if value is None else value
