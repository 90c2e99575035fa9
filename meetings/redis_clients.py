"""The Redis clients of the chat's own keys (rate limit, presence, typing): one synchronous client
per URL, and for sockets one batch per running event loop (a client is bound to the loop it was
made on), which sends the commands of every socket of the process made in the same turn of the
loop as one ``MULTI`` … ``EXEC``: one round trip and one connection for all of them."""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable
from typing import Any

from django.conf import settings

ASYNC_REDIS_CONNECTIONS = 8  # per process and event loop (one batch in flight at a time)


@functools.lru_cache(maxsize=4)
def sync_redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
    weakref.WeakKeyDictionary()
)
_batches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CommandBatch] = (
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


class CommandBatch:
    """Commands queued by many callers in one turn of the event loop, sent together.

    ``await batch.execute(queue)``: ``queue(pipe)`` adds the caller's commands to a transaction
    pipeline; the caller gets the results of its own commands, in order (a command's error is
    in its place in the list; a failed round trip raises for every caller of the batch). One
    batch is in flight at a time; what is queued meanwhile goes in the next."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._pending: list[tuple[Callable[[Any], None], asyncio.Future[list[Any]]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def execute(self, queue: Callable[[Any], None]) -> list[Any]:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[list[Any]] = loop.create_future()
        self._pending.append((queue, waiter))
        if self._sender is None:
            self._sender = loop.create_task(self._send())
        return await waiter

    async def _send(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                await self._send_one(batch)
        finally:
            self._sender = None

    async def _send_one(
        self, batch: list[tuple[Callable[[Any], None], asyncio.Future[list[Any]]]]
    ) -> None:
        spans: list[tuple[int, int]] = []
        try:
            pipe = self.client.pipeline(transaction=True)
            for queue, _ in batch:
                start = len(pipe.command_stack)
                queue(pipe)
                spans.append((start, len(pipe.command_stack)))
            results = await pipe.execute(raise_on_error=False)
        except asyncio.CancelledError:
            for _, waiter in batch:
                if not waiter.done():
                    waiter.cancel()
            raise
        except Exception as error:
            for _, waiter in batch:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        for (_, waiter), (start, end) in zip(batch, spans, strict=True):
            if not waiter.done():
                waiter.set_result(results[start:end])


def async_batch(url: str) -> CommandBatch:
    """The running event loop's :class:`CommandBatch` on ``url``."""
    loop = asyncio.get_running_loop()
    batch = _batches.get(loop)
    if batch is None:
        batch = CommandBatch(async_redis(url))
        _batches[loop] = batch
    return batch


def cache_key(name: str) -> str:
    """``cache.make_key(name)`` (the key the Django cache would use, so the synchronous and the
    asynchronous paths share their keys) without the cache handler's per-context lookup, which
    costs more than the Redis command itself on a busy event loop."""
    config = settings.CACHES["default"]
    return _key_maker(
        config.get("KEY_PREFIX", ""), config.get("VERSION", 1), config.get("KEY_FUNCTION")
    )(name)


@functools.lru_cache(maxsize=8)
def _key_maker(prefix: str, version: int, function: Any) -> Callable[[str], str]:
    from django.core.cache.backends.base import get_key_func

    key_func = get_key_func(function)
    return lambda name: key_func(name, prefix, version)
