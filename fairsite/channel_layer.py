"""The Redis pub/sub channel layer: channels-redis's ``RedisPubSubChannelLayer`` with batched
Redis commands, telling this process's sockets to resync when its receiving connection to Redis
comes back.

**Batching.** channels-redis sends every ``PUBLISH``, ``SUBSCRIBE`` and ``UNSUBSCRIBE`` of a
process through one ``asyncio.Lock``, one command at a time, and holds the lock for a publish's
whole round trip. Under load that is a queue served at one publish per round trip of a busy
event loop: a process with 2,000 sockets fell behind at 200 chat messages per second. Here
publishes are pipelined instead: the publishes made while one batch is on its way go out
together in the next, one round trip for all of them, in the order they were made (one batch in
flight at a time). Subscription changes made in the same turn of the event loop go out as one
``SUBSCRIBE`` (or ``UNSUBSCRIBE``) with every name, in order, under the lock that guards the
pub/sub connection.

**Resync.** channels-redis's receive loop survives a lost connection: redis-py reconnects and
subscribes again to every group and channel. Whatever was published in between is gone, and
nothing tells the sockets. Here the moment the receiving connection fails is noted on every
socket (:func:`fairsite.socket_server.layer_lost`: what it had delivered until then), and the
pub/sub object's reconnect callback (run by redis-py after each reconnect, once the
subscriptions are sent again) schedules :func:`fairsite.socket_server.resync_all`, so every
socket of the process receives a ``resync`` event and fetches what it missed from the database
(docs/websocket-protocol.md section 7).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError

from fairsite import socket_server

logger = logging.getLogger(__name__)


class ResyncingPubSub(PubSub):
    async def get_message(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().get_message(*args, **kwargs)
        except (RedisConnectionError, OSError):  # the receive loop logs it and tries again
            socket_server.layer_lost()
            raise

    async def on_connect(self, connection: Any) -> None:
        resubscribing = bool(self.channels or self.patterns)
        await super().on_connect(connection)
        if resubscribing:  # a reconnect: events published meanwhile were lost
            logger.warning("channel layer reconnected to Redis; resyncing this process's sockets")
            socket_server.schedule_resync(reason="channel_layer")


def _settle(waiters: list[asyncio.Future[Any]], results: list[Any]) -> None:
    for waiter, result in zip(waiters, results, strict=True):
        if waiter.done():  # its caller was cancelled
            continue
        if isinstance(result, BaseException):
            waiter.set_exception(result)
        else:
            waiter.set_result(result)


def _fail(waiters: list[asyncio.Future[Any]]) -> None:
    _settle(waiters, [RedisConnectionError("channel layer closed")] * len(waiters))


class BatchingShard(RedisSingleShardConnection):
    """One Redis server of the layer, its commands batched (see the module's docstring)."""

    def __init__(self, host: dict[str, Any], channel_layer: Any) -> None:
        super().__init__(host, channel_layer)
        self._outbox: list[tuple[str, bytes, asyncio.Future[Any]]] = []
        self._publisher: asyncio.Task[None] | None = None
        self._changes: list[tuple[bool, str, asyncio.Future[Any]]] = []
        self._subscriber: asyncio.Task[None] | None = None

    def _ensure_redis(self) -> None:
        fresh = self._redis is None
        super()._ensure_redis()
        if fresh and self._pubsub is not None:
            self._pubsub.__class__ = ResyncingPubSub

    # --- Publishing ----------------------------------------------------------------------

    async def publish(self, channel: str, message: bytes) -> None:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._outbox.append((channel, message, waiter))
        if self._publisher is None:
            self._publisher = loop.create_task(self._publish_batches())
        await waiter

    async def _publish_batches(self) -> None:
        batch: list[tuple[str, bytes, asyncio.Future[Any]]] = []
        try:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                try:
                    self._ensure_redis()
                    pipe = self._redis.pipeline(transaction=False)
                    for channel, message, _ in batch:
                        pipe.publish(channel, message)
                    results = await pipe.execute(raise_on_error=False)
                except Exception as error:  # the connection failed: every publish of the batch
                    results = [error] * len(batch)
                _settle([waiter for *_, waiter in batch], results)
                batch = []
        except asyncio.CancelledError:  # the loop is closing
            failed = [*batch, *self._outbox]
            self._outbox = []
            _fail([waiter for *_, waiter in failed])
            raise
        finally:
            self._publisher = None

    # --- Subscriptions ---------------------------------------------------------------------

    async def subscribe(self, channel: str) -> None:
        await self._change(channel, subscribe=True)

    async def unsubscribe(self, channel: str) -> None:
        await self._change(channel, subscribe=False)

    async def _change(self, channel: str, *, subscribe: bool) -> None:
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._changes.append((subscribe, channel, waiter))
        if self._subscriber is None:
            self._subscriber = loop.create_task(self._apply_changes())
        await waiter

    async def _apply_changes(self) -> None:
        batch: list[tuple[bool, str, asyncio.Future[Any]]] = []
        try:
            while self._changes:
                async with self._lock:
                    batch, self._changes = self._changes, []
                    # Runs of one kind, in order: a subscribe and a later unsubscribe of one
                    # name stay in that order.
                    for subscribe, run in itertools.groupby(batch, key=lambda change: change[0]):
                        await self._send_change(subscribe, list(run))
                    batch = []
        except asyncio.CancelledError:  # the loop is closing
            failed = [*batch, *self._changes]
            self._changes = []
            _fail([waiter for *_, waiter in failed])
            raise
        finally:
            self._subscriber = None

    async def _send_change(
        self, subscribe: bool, changes: list[tuple[bool, str, asyncio.Future[Any]]]
    ) -> None:
        names = list(
            dict.fromkeys(
                name for _, name, _ in changes if (name not in self._subscribed_to) == subscribe
            )
        )
        waiters = [waiter for *_, waiter in changes]
        try:
            if names:
                self._ensure_redis()
                self._ensure_receiver()
                if subscribe:
                    await self._pubsub.subscribe(*names)
                    self._subscribed_to.update(names)
                else:
                    await self._pubsub.unsubscribe(*names)
                    self._subscribed_to.difference_update(names)
        except Exception as error:
            _settle(waiters, [error] * len(waiters))
        else:
            _settle(waiters, [None] * len(waiters))


class BatchingLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(hosts, *args, **kwargs)
        self._shards = [BatchingShard(host, self) for host in decode_hosts(hosts)]


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """``channels_redis.pubsub.RedisPubSubChannelLayer`` with the batching and the resync
    described above."""

    def _get_layer(self) -> Any:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = BatchingLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
