""" "The figures changed": one throttled announcement to the organisers' sockets of a fair.

A check-in, a meeting held or a deal logged calls :func:`stats_changed_on_commit`. Organisers'
dashboards then fetch the figures over HTTP, so a burst of a thousand events must not become a
thousand announcements (and a thousand fetches). The throttle lives in the shared cache (Redis
in production), so it holds across every process:

- ``pending`` is added atomically (``cache.add``): the caller that adds it owns the next
  announcement; every other caller returns at once, its change will be in that announcement's
  fetch.
- the owner announces immediately when the last announcement is at least
  :data:`INTERVAL` seconds old, otherwise it waits for the rest of the interval (a timer in its
  process), records the time, clears ``pending`` and announces.

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
    """Changes with every announcement: the cached figures are stored under it."""
    return f"stats:{fair_id}:generation"


def new_generation(fair_id: int) -> None:
    cache.set(generation_key(fair_id), time.time_ns(), None)


def _announce(fair_id: int) -> None:
    pending, sent = _keys(fair_id)
    new_generation(fair_id)
    cache.set(sent, time.time(), 60)
    cache.delete(pending)
    broadcast(organisers_group(fair_id), {"type": STATS_CHANGED})


def stats_changed(fair_id: int) -> None:
    """Announce (throttled) that the figures of ``fair_id`` changed. Prefer the on-commit form."""
    pending, sent = _keys(fair_id)
    if not cache.add(pending, 1, PENDING_TTL):
        return
    last = cache.get(sent) or 0.0
    delay = max(0.0, float(last) + interval() - time.time())
    if delay <= 0:
        _announce(fair_id)
        return
    timer = threading.Timer(delay, _announce, args=(fair_id,))
    timer.daemon = True
    timer.start()


def stats_changed_on_commit(fair_id: int) -> None:
    """After the surrounding transaction commits; nothing on rollback."""
    transaction.on_commit(lambda: stats_changed(fair_id))
