"""Synthetic instances: a fair-size hosted-buyer programme and small random instances.

``fair_instance`` models the Hanoi Supporting Industry Fair: three days of sixteen
30-minute slots from 08:00 to 16:00 in Asia/Ho_Chi_Minh, exhibitors on site all day (with
a lunch break), on-site buyers attending one to three days (some only a morning or an
afternoon), and remote buyers in Tokyo, Seoul, California and New York who meet online only
inside their own local working window. Request popularity is skewed: a few exhibitors are
asked for far more meetings than they have slots. Everything is driven by ``seed``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FAIR_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC_TZ = ZoneInfo("UTC")

# (time zone, share of remote buyers, local window start hour, possible local end hours)
REMOTE_ZONES: tuple[tuple[str, float, float, tuple[float, ...]], ...] = (
    ("Asia/Tokyo", 0.32, 8.0, (17.0, 18.0, 19.0)),
    ("Asia/Seoul", 0.32, 8.0, (17.0, 18.0, 19.0)),
    ("America/Los_Angeles", 0.18, 8.0, (19.0, 20.0, 21.0, 22.0)),
    ("America/New_York", 0.18, 8.0, (19.0, 21.0, 21.5, 22.0, 22.5)),
)


@dataclass(frozen=True)
class FairConfig:
    exhibitors: int = 300
    buyers: int = 1500
    requests: int = 5500
    days: int = 3
    slots_per_day: int = 16
    first_day: date = date(2021, 10, 20)
    day_start: time = time(8, 0)
    slot_minutes: int = 30
    tables: int = 150
    online_rooms: int | None = None
    remote_share: float = 1 / 3
    fixed: int = 20
    seed: int = 2021


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC_TZ).strftime("%Y-%m-%dT%H:%M:%SZ")


def fair_slots(cfg: FairConfig) -> list[dict[str, Any]]:
    slots = []
    for day in range(cfg.days):
        day_date = cfg.first_day + timedelta(days=day)
        start0 = datetime.combine(day_date, cfg.day_start, tzinfo=FAIR_TZ)
        for k in range(cfg.slots_per_day):
            start = start0 + timedelta(minutes=k * cfg.slot_minutes)
            end = start + timedelta(minutes=cfg.slot_minutes)
            slots.append(
                {
                    "id": f"d{day + 1}-{start:%H%M}",
                    "start": _iso(start),
                    "end": _iso(end),
                    "_day": day,
                    "_start": start,
                    "_end": end,
                }
            )
    return slots


def _exhibitor_slots(rng: random.Random, slots: list[dict[str, Any]], cfg: FairConfig) -> list:
    lunch_hours = (time(11, 30), time(12, 0), time(12, 30))
    out = []
    for day in range(cfg.days):
        day_slots = [s for s in slots if s["_day"] == day]
        lunch = rng.choice(lunch_hours) if rng.random() < 0.7 else None
        away = rng.random() < 0.08  # away for half a day
        away_morning = rng.random() < 0.5
        for s in day_slots:
            local = s["_start"].time()
            if lunch is not None and local == lunch:
                continue
            if away and (local < time(12, 0)) == away_morning:
                continue
            out.append(s["id"])
    return out


def _onsite_buyer_slots(rng: random.Random, slots: list[dict[str, Any]], cfg: FairConfig) -> list:
    n_days = rng.choices((1, 2, 3), weights=(0.4, 0.35, 0.25))[0]
    day_weights = [1.6 if d == 0 else 1.0 for d in range(cfg.days)]
    days: set[int] = set()
    while len(days) < min(n_days, cfg.days):
        days.add(rng.choices(range(cfg.days), weights=day_weights)[0])
    out = []
    for day in sorted(days):
        part = rng.choices(("all", "am", "pm"), weights=(0.7, 0.15, 0.15))[0]
        for s in slots:
            if s["_day"] != day:
                continue
            morning = s["_start"].time() < time(12, 0)
            if part == "all" or (part == "am") == morning:
                out.append(s["id"])
    return out


def _remote_buyer_slots(
    rng: random.Random, slots: list[dict[str, Any]], cfg: FairConfig
) -> tuple[list, str]:
    zones = [z[0] for z in REMOTE_ZONES]
    zone_name = rng.choices(zones, weights=[z[1] for z in REMOTE_ZONES])[0]
    _, _, start_h, end_hours = next(z for z in REMOTE_ZONES if z[0] == zone_name)
    end_h = rng.choice(end_hours)
    zone = ZoneInfo(zone_name)
    n_days = rng.choices((1, 2, 3), weights=(0.2, 0.3, 0.5))[0]
    days = set(rng.sample(range(cfg.days), min(n_days, cfg.days)))
    out = []
    for s in slots:
        if s["_day"] not in days:
            continue
        local_start = s["_start"].astimezone(zone)
        local_end = s["_end"].astimezone(zone)
        day0 = datetime.combine(local_start.date(), time(0), tzinfo=zone)
        window_start = day0 + timedelta(hours=start_h)
        window_end = day0 + timedelta(hours=end_h)
        if window_start <= local_start and local_end <= window_end:
            out.append(s["id"])
    return out, zone_name


def fair_instance(cfg: FairConfig | None = None, **overrides: Any) -> dict[str, Any]:
    """A fair-size instance as a JSON-ready dict (deterministic for a given seed)."""
    cfg = cfg or FairConfig()
    if overrides:
        cfg = FairConfig(**{**cfg.__dict__, **overrides})
    rng = random.Random(cfg.seed)
    slots = fair_slots(cfg)
    participants: list[dict[str, Any]] = []
    exhibitors = [f"E{i + 1:03d}" for i in range(cfg.exhibitors)]
    for eid in exhibitors:
        participants.append({"id": eid, "available": _exhibitor_slots(rng, slots, cfg)})
    buyers: list[tuple[str, bool]] = []
    n_remote = round(cfg.buyers * cfg.remote_share)
    for i in range(cfg.buyers):
        bid = f"B{i + 1:04d}"
        remote = i >= cfg.buyers - n_remote
        if remote:
            available, zone = _remote_buyer_slots(rng, slots, cfg)
            participants.append({"id": bid, "available": available, "tz": zone})
        else:
            participants.append({"id": bid, "available": _onsite_buyer_slots(rng, slots, cfg)})
        buyers.append((bid, remote))
    requests = _fair_requests(rng, exhibitors, buyers, cfg)
    instance: dict[str, Any] = {
        "slots": [{k: v for k, v in s.items() if not k.startswith("_")} for s in slots],
        "tables": cfg.tables,
        "online_rooms": cfg.online_rooms,
        "participants": participants,
        "requests": requests,
        "fixed": [],
    }
    instance["fixed"] = _fair_fixed(rng, instance, cfg.fixed)
    return instance


def _fair_requests(
    rng: random.Random, exhibitors: list[str], buyers: list[tuple[str, bool]], cfg: FairConfig
) -> list[dict[str, Any]]:
    exhibitor_pop = [rng.lognormvariate(0.0, 0.6) for _ in exhibitors]
    buyer_act = [rng.lognormvariate(0.0, 0.6) for _ in buyers]
    pairs: set[tuple[int, int]] = set()
    requests: list[dict[str, Any]] = []
    target = min(cfg.requests, len(exhibitors) * len(buyers))
    while len(requests) < target:
        e = rng.choices(range(len(exhibitors)), weights=exhibitor_pop)[0]
        j = rng.choices(range(len(buyers)), weights=buyer_act)[0]
        if (e, j) in pairs:
            continue
        pairs.add((e, j))
        bid, remote = buyers[j]
        if remote:
            mode = "online"
        else:
            mode = rng.choices(("onsite", "either", "online"), weights=(0.55, 0.35, 0.10))[0]
        weight = rng.choices((1, 2, 3), weights=(0.5, 0.35, 0.15))[0]
        first, second = (exhibitors[e], bid) if rng.random() < 0.5 else (bid, exhibitors[e])
        requests.append(
            {
                "id": f"R{len(requests) + 1:05d}",
                "a": first,
                "b": second,
                "weight": weight,
                "mode": mode,
            }
        )
    return requests


def _fair_fixed(rng: random.Random, instance: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Pre-booked VIP meetings: must-meet requests put in a common slot, clash-free."""
    avail = {p["id"]: set(p["available"]) for p in instance["participants"]}
    order = [s["id"] for s in instance["slots"]]
    busy: set[tuple[str, str]] = set()
    used: dict[tuple[str, str], int] = {}
    fixed: list[dict[str, Any]] = []
    candidates = [r for r in instance["requests"] if r["weight"] == 3]
    rng.shuffle(candidates)
    for req in candidates:
        if len(fixed) >= count:
            break
        common = [s for s in order if s in avail[req["a"]] and s in avail[req["b"]]]
        common = [s for s in common if (req["a"], s) not in busy and (req["b"], s) not in busy]
        if not common:
            continue
        slot = rng.choice(common[: max(1, len(common) // 4)])
        mode = "online" if req["mode"] == "online" else "onsite"
        cap = _capacity(instance, mode, slot)
        if cap is not None and used.get((slot, mode), 0) >= cap:
            continue
        used[(slot, mode)] = used.get((slot, mode), 0) + 1
        busy.update({(req["a"], slot), (req["b"], slot)})
        fixed.append({"request": req["id"], "slot": slot, "mode": mode})
    return fixed


def _capacity(instance: dict[str, Any], mode: str, slot: str) -> int | None:
    value = instance["tables"] if mode == "onsite" else instance["online_rooms"]
    if isinstance(value, dict):
        return value.get(slot)
    return value


# --------------------------------------------------------------------------- small instances


def small_instance(
    seed: int,
    *,
    slots: int = 4,
    participants: int = 5,
    requests: int = 6,
    tables: int | None = None,
    online_rooms: int | None = -1,
    fixed: int = 1,
    float_weights: bool = False,
) -> dict[str, Any]:
    """A small random instance (handy for tests and brute-force comparisons).

    ``tables`` / ``online_rooms`` of None pick a random capacity; ``online_rooms=-1`` means
    random between unlimited and a small number.
    """
    rng = random.Random(seed)
    base = datetime(2021, 10, 20, 1, 0, tzinfo=UTC_TZ)
    slot_list = []
    at = base
    for k in range(slots):
        length = rng.choice((30, 30, 45, 60))
        start = at + timedelta(minutes=rng.choice((0, 0, 15)))
        end = start + timedelta(minutes=length)
        slot_list.append({"id": f"s{k}", "start": _iso(start), "end": _iso(end)})
        at = end
    slot_ids = [s["id"] for s in slot_list]
    table_value: Any = rng.randint(0, 2) if tables is None else tables
    if rng.random() < 0.3:
        table_value = {sid: rng.randint(0, 2) for sid in slot_ids}
    rooms: Any = online_rooms
    if online_rooms == -1:
        rooms = rng.choice((None, 1, 2))
    people = [
        {"id": f"p{i}", "available": [sid for sid in slot_ids if rng.random() < 0.7]}
        for i in range(participants)
    ]
    reqs = []
    for i in range(requests):
        a, b = rng.sample(range(participants), 2)
        weight: int | float = rng.randint(1, 3)
        if float_weights:
            weight = round(rng.uniform(0.5, 3.0), 2)
        reqs.append(
            {
                "id": f"r{i}",
                "a": f"p{a}",
                "b": f"p{b}",
                "weight": weight,
                "mode": rng.choice(("onsite", "online", "either")),
            }
        )
    instance = {
        "slots": slot_list,
        "tables": table_value,
        "online_rooms": rooms,
        "participants": people,
        "requests": reqs,
        "fixed": [],
    }
    instance["fixed"] = _fair_fixed(rng, instance, fixed) if fixed else []
    return instance
