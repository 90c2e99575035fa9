"""The organisers' live figures (dashboard and ``stats.json``), computed once per change however
many organisers watch.

On PostgreSQL the figures are cached under a *fingerprint* of what they are computed from: for
visits, meetings and deals of the fair, the row count and the newest row version (``xmin``, the
id of the transaction that last wrote the row). Any insert, update or delete, by any code path
(services, bulk ``UPDATE``, the admin), changes the fingerprint, so a cached figure is never
served after a change: one indexed query replaces six aggregates. Figures that move with the
clock (a meeting in progress past its end counts as held) are recomputed at least every
``CLOCK_SECONDS``, the dashboard's own refresh period. Elsewhere (SQLite) they are computed on
every request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection

from exhibitors.models import Visit
from meetings import selectors
from meetings.models import Deal, Meeting

CLOCK_SECONDS = 10
FIGURES_SECONDS = 300

_TABLES = (Visit, Meeting, Deal)


def _fingerprint(*, fair_id: int) -> str:
    parts = ", ".join(
        f'(SELECT count(*) FROM "{model._meta.db_table}" WHERE fair_id = %s), '
        f'(SELECT max(xmin::text::bigint) FROM "{model._meta.db_table}" WHERE fair_id = %s)'
        for model in _TABLES
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}", [fair_id] * (2 * len(_TABLES)))  # noqa: S608
        return ":".join(str(value) for value in cursor.fetchone())


def dashboard_stats(*, fair: Any, now: datetime) -> dict[str, Any]:
    """``selectors.dashboard_stats``, cached until the fair's visits, meetings or deals change
    (or ``CLOCK_SECONDS`` pass)."""
    if connection.vendor != "postgresql":
        return selectors.dashboard_stats(fair=fair, now=now)
    clock = int(now.timestamp()) // CLOCK_SECONDS
    key = f"meetings:dashboard:{fair.pk}:{clock}:{_fingerprint(fair_id=fair.pk)}"
    stats = cache.get(key)
    if stats is None:
        stats = selectors.dashboard_stats(fair=fair, now=now)
        cache.set(key, stats, FIGURES_SECONDS)
    return stats
