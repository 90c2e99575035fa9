"""The Redis pub/sub channel layer, telling this process's sockets to resync when its receiving
connection to Redis comes back.

channels-redis's receive loop survives a lost connection: redis-py reconnects and subscribes
again to every group and channel. Whatever was published in between is gone, and nothing tells
the sockets. Here the moment the receiving connection fails is noted on every socket
(:func:`fairsite.socket_server.layer_lost`: what it had delivered until then), and the pub/sub
object's reconnect callback (run by redis-py after each reconnect,
once the subscriptions are sent again) schedules :func:`fairsite.socket_server.resync_all`, so
every socket of the process receives a ``resync`` event and fetches what it missed from the
database (docs/websocket-protocol.md section 7).
"""

from __future__ import annotations

import logging
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer
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


def _hook(shard: Any) -> None:
    original = shard._ensure_redis

    def ensure_redis() -> None:
        fresh = shard._redis is None
        original()
        if fresh and shard._pubsub is not None:
            shard._pubsub.__class__ = ResyncingPubSub

    shard._ensure_redis = ensure_redis


class PubSubChannelLayer(RedisPubSubChannelLayer):
    """``channels_redis.pubsub.RedisPubSubChannelLayer`` with the resync described above."""

    def _get_layer(self) -> Any:
        layer = super()._get_layer()
        if not getattr(layer, "_fairsite_hooked", False):
            for shard in layer._shards:
                _hook(shard)
            layer._fairsite_hooked = True
        return layer
