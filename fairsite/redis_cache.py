"""Django's Redis cache with one connection pool per process.

Django keeps a cache backend per thread and per asynchronous context, and its Redis backend
builds a connection pool per backend instance. Under ASGI every request runs in a context of its
own, so every request made a new pool and a new TCP connection to Redis (with redis-py's
handshake), and a new ``redis.Redis`` client (hundreds of response callbacks) for every cache
call. Here the pool and the client of each server are made once per process and shared by every
thread; redis-py's pools are thread-safe and re-made after a fork.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class RedisCacheClient(DjangoRedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        ident = (self._servers[index], repr(sorted(self._pool_options.items(), key=str)))
        client = _clients.get(ident)
        if client is None:
            with _lock:
                client = _clients.get(ident)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _clients[ident] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
