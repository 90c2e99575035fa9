"""The chat rate limit: a fixed window per person, shared by every daphne process (Redis), or the
local cache in the single-process demo. Refusals raise ``chat.rate_limited`` with the seconds
until the window ends."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from meetings.protocol import CHAT_RATE_LIMITED, ProtocolError
from meetings.redis_clients import async_batch, cache_key, sync_redis

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smh]?)\s*")
_UNIT_SECONDS = {"s": 1, "": 1, "m": 60, "h": 3600}


@functools.lru_cache(maxsize=8)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/10s"`` → ``(20, 10)``: at most 20 per 10-second window. Units ``s``, ``m``, ``h``."""
    match = _RATE.fullmatch(rate)
    if not match:
        raise ValueError(f"Bad rate {rate!r}; expected e.g. '20/10s'.")
    count, amount, unit = match.groups()
    return int(count), int(amount or 1) * _UNIT_SECONDS[unit]


@dataclass(frozen=True)
class _RateWindow:
    name: str  # the cache key
    key: str  # the same, as stored in Redis (with the site's prefix)
    limit: int
    period: int
    ends_at: float
    now: float

    def check(self, count: int) -> None:
        if count > self.limit:
            retry_after = max(1, int(self.ends_at - self.now + 0.999))
            raise ProtocolError(CHAT_RATE_LIMITED, retry_after=retry_after)


def _rate_window(user_id: int) -> _RateWindow:
    limit, period = parse_rate(settings.CHAT_RATE_LIMIT)
    now = time.time()
    window = int(now // period)
    name = f"chat-rate:{user_id}:{window}"
    return _RateWindow(
        name=name,
        key=cache_key(name),
        limit=limit,
        period=period,
        ends_at=(window + 1) * period,
        now=now,
    )


def _local_rate_count(window: _RateWindow) -> int:
    """The counter in the local cache (single-process demo without Redis)."""
    cache.add(window.name, 0, timeout=window.period + 1)
    try:
        return cache.incr(window.name)
    except ValueError:  # expired between add and incr
        cache.set(window.name, 1, timeout=window.period + 1)
        return 1


def chat_rate_check(*, user_id: int) -> None:
    """Count one ``chat.send`` of ``user_id`` in a fixed window shared by every process, or
    raise ``chat.rate_limited`` with the seconds until the window ends. On Redis: ``INCR`` and
    ``EXPIRE`` in one ``MULTI``, one round trip."""
    window = _rate_window(user_id)
    if settings.REDIS_URL:
        pipe = sync_redis(settings.REDIS_URL).pipeline(transaction=True)
        pipe.incr(window.key)
        pipe.expire(window.key, window.period + 1)
        count = pipe.execute()[0]
    else:
        count = _local_rate_count(window)
    window.check(int(count))


async def chat_rate_check_async(*, user_id: int) -> None:
    """:func:`chat_rate_check` from the event loop, on the same counter (no worker thread; the
    ``INCR`` and ``EXPIRE`` go with the other sockets' commands of the same turn)."""
    window = _rate_window(user_id)
    if settings.REDIS_URL:

        def queue(pipe: object) -> None:
            pipe.incr(window.key)  # type: ignore[attr-defined]
            pipe.expire(window.key, window.period + 1)  # type: ignore[attr-defined]

        count = (await async_batch(settings.REDIS_URL).execute(queue))[0]
        if isinstance(count, Exception):
            raise count
    else:
        count = _local_rate_count(window)  # in-process memory: no I/O
    window.check(int(count))
