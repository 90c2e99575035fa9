"""The Redis clients of the chat's own keys (rate limit, presence, typing): one synchronous client
per URL, and one asyncio client per running event loop (a client is bound to the loop it was
made on)."""

from __future__ import annotations

import asyncio
import functools
import weakref
from typing import Any

ASYNC_REDIS_CONNECTIONS = 64  # per process and event loop: rate limit, presence, typing


@functools.lru_cache(maxsize=4)
def sync_redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
    weakref.WeakKeyDictionary()
)


def async_redis(url: str) -> Any:
    """The running event loop's Redis client (a client is bound to the loop it was made on)."""
    import redis.asyncio

    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            url, max_connections=ASYNC_REDIS_CONNECTIONS, timeout=10
        )
        client = redis.asyncio.Redis(connection_pool=pool)
        _async_clients[loop] = client
    return client
