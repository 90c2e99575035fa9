"""The dashboard's figures as JSON bytes, computed once per change and shared by every organiser.

Computing :func:`organisers.selectors.dashboard_data` takes hundreds of milliseconds on a grown
fair (its 18 aggregate queries are nearly all of it; Python and JSON are a few milliseconds),
so the data endpoint serves bytes from the shared cache (Redis) and the figures are recomputed
only when something changed:

- **The fair's version** (:func:`organisers.live.generation_key`) is renewed after the commit
  of every change to a figure (:func:`organisers.live.stats_changed_on_commit`: check-ins,
  online visits, requests, meetings booked, moved, cancelled or held, deals, feedback). It is
  a clock reading in nanoseconds, so it never goes back even when two writers race: figures
  stored under version ``v`` were computed from queries that started after ``v`` was read, so
  they include every change whose version is at most ``v``.
- **The figures** are stored per fair and language (labels are translated) as
  ``(version, valid_until, bytes)``. An entry serves while its version is at least the fair's
  and the clock has not passed ``valid_until``: the end of the next meeting in progress (when
  the clock makes it "held"), at most :data:`BODY_SECONDS` ahead.
- **Meetings about to start with nobody checked in** depend on the clock minute by minute;
  they are a separate entry (not translated) that lives :data:`SOON_SECONDS`.
- **Single flight**: when an entry is stale, the request that adds a short lock recomputes it;
  the others answer with the stale copy when only the clock moved, and wait for the new copy
  when the version moved (a fetch that follows an announcement must see the change).

A request that finds both entries fresh costs one ``MGET`` and two byte joins. The data endpoint
serves the bytes as they are; the dashboard page embeds :func:`dashboard_figures`, the same
bytes decoded (dates and times are ISO strings there, as the page has always embedded them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Min

from meetings.enums import MeetingStatus
from meetings.models import Meeting
from organisers.live import generation_key
from organisers.selectors import dashboard_data, starting_soon_unattended

#: Longest an entry of the figures is served without a change (a safety net for changes made
#: outside the services, such as the admin).
BODY_SECONDS = 60
#: How long "about to start with nobody in" is served.
SOON_SECONDS = 10
#: A recomputation taking longer than this lets another request try.
LOCK_SECONDS = 10
#: How long a request waits for another's recomputation of a new version before computing.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02


def body_key(fair_id: int, language: str) -> str:
    return f"stats:{fair_id}:body:{language}"


def soon_key(fair_id: int) -> str:
    return f"stats:{fair_id}:soon"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _body(fair: Any, now: datetime) -> tuple[bytes, float]:
    """The figures but the clock-bound list, and until when they hold (one more query)."""
    data = dashboard_data(fair=fair, now=now, soon=False)
    next_end = (
        Meeting.objects.filter(fair=fair, status=MeetingStatus.IN_PROGRESS, end__gt=now)
        .order_by()
        .aggregate(at=Min("end"))["at"]
    )
    until = now + timedelta(seconds=BODY_SECONDS)
    if next_end is not None and next_end < until:
        until = next_end
    return _dumps(data), until.timestamp()


def _soon(fair: Any, now: datetime) -> tuple[bytes, float]:
    items = starting_soon_unattended(fair=fair, now=now)
    return _dumps(items), now.timestamp() + SOON_SECONDS


def _fresh(entry: Any, version: int, now: float) -> bool:
    return entry is not None and entry[0] >= version and now < entry[1]


def _single_flight(
    key: str,
    *,
    version: int,
    stale: Any,
    compute: Callable[[], tuple[bytes, float]],
) -> bytes:
    """The entry under ``key`` for ``version``, recomputed by one request at a time."""
    lock = f"{key}:lock"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            # The version was read before computing: what is stored under it includes it.
            data, until = compute()
            cache.set(key, (version, until, data), BODY_SECONDS * 10)
            return data
        finally:
            cache.delete(lock)
    if stale is not None and stale[0] >= version:
        return stale[2]  # only the clock moved: the copy is at most one recomputation late
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(key)
        if entry is not None and entry[0] >= version:
            return entry[2]
    return compute()[0]


def dashboard_bytes(*, fair: Any, now: datetime, language: str) -> bytes:
    """The figures of :func:`organisers.selectors.dashboard_data` as JSON bytes, in the reader's
    ``language``, equal to the database's as of the last change."""
    bkey, skey = body_key(fair.pk, language), soon_key(fair.pk)
    gkey = generation_key(fair.pk)
    found = cache.get_many([gkey, bkey, skey])
    version = int(found.get(gkey) or 0)
    clock = now.timestamp()
    body, soon = found.get(bkey), found.get(skey)
    body_bytes = (
        body[2]
        if _fresh(body, version, clock)
        else _single_flight(bkey, version=version, stale=body, compute=lambda: _body(fair, now))
    )
    soon_bytes = (
        soon[2]
        if _fresh(soon, version, clock)
        else _single_flight(skey, version=version, stale=soon, compute=lambda: _soon(fair, now))
    )
    return body_bytes[:-1] + b',"starting_soon_unattended":' + soon_bytes + b"}"


def dashboard_figures(*, fair: Any, now: datetime, language: str) -> dict[str, Any]:
    """:func:`dashboard_bytes` decoded: what the dashboard page embeds for its script."""
    return json.loads(dashboard_bytes(fair=fair, now=now, language=language))
