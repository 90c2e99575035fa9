""" "The figures changed": the cached figures are stale at once, and one throttled
announcement goes to the organisers' sockets of the fair.

Every service that changes a figure (a check-in or online visit, a meeting request sent,
answered, withdrawn or expired, a meeting booked, moved, cancelled, held or marked, a deal
logged or edited, a feedback answer) calls :func:`stats_changed_on_commit`. After the commit
the fair's *generation* is renewed at once, so the next read of the figures recomputes them
(:mod:`organisers.stats`). Organisers' dashboards then fetch the figures over HTTP, so a burst
of a thousand events must not become a thousand announcements (and a thousand fetches). The
throttle lives in the shared cache (Redis in production), so it holds across every process:

- ``pending`` is added atomically (``cache.add``): the caller that adds it owns the next
  announcement; every other caller returns at once, its change will be in that announcement's
  fetch.
- the owner announces from a timer thread of its process, so the request that made the
  change does not wait for the channel layer: at once when the last announcement is at least
  :func:`interval` seconds old, otherwise after the rest of the interval; it records the time,
  clears ``pending`` and announces.

So at most one announcement per interval per fair goes out, and every change is followed by an
announcement within an interval. The database stays the truth: a process that dies while
holding ``pending`` delays the next announcement by at most ``PENDING_TTL`` seconds.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from fairsite.channels import broadcast, organisers_group

#: Channel-layer event type of the announcement; the organisers' consumer has a handler.
STATS_CHANGED = "stats.changed"


def interval() -> float:
    return float(getattr(settings, "FAIRSITE_STATS_INTERVAL", 1.0))


PENDING_TTL = 5


def _keys(fair_id: int) -> tuple[str, str]:
    return f"stats:{fair_id}:pending", f"stats:{fair_id}:sent"


def generation_key(fair_id: int) -> str:
    """Renewed after every change: the cached figures record the generation they were
    computed under (:mod:`organisers.stats`)."""
    return f"stats:{fair_id}:generation"


def new_generation(fair_id: int) -> None:
    """A clock reading in nanoseconds: it never goes back, even when two changes race."""
    cache.set(generation_key(fair_id), time.time_ns(), None)


def _announce(fair_id: int) -> None:
    pending, sent = _keys(fair_id)
    cache.set(sent, time.time(), 60)
    cache.delete(pending)
    broadcast(organisers_group(fair_id), {"type": STATS_CHANGED})


def _announce_when_due(fair_id: int) -> None:
    _pending, sent = _keys(fair_id)
    last = cache.get(sent) or 0.0
    delay = float(last) + interval() - time.time()
    if delay > 0:
        time.sleep(delay)
    _announce(fair_id)


def stats_changed(fair_id: int) -> None:
    """The figures of ``fair_id`` changed (and are committed): renew the generation, announce
    (throttled, from a timer thread). Prefer the on-commit form."""
    new_generation(fair_id)
    pending, _sent = _keys(fair_id)
    if not cache.add(pending, 1, PENDING_TTL):
        return
    timer = threading.Thread(target=_announce_when_due, args=(fair_id,), daemon=True)
    timer.start()


def stats_changed_on_commit(fair_id: int) -> None:
    """After the surrounding transaction commits; nothing on rollback."""
    transaction.on_commit(lambda: stats_changed(fair_id))
