"""The Redis cache keeps one client (and connection pool) per server per process, whatever the
number of backend instances Django makes (one per thread and per asynchronous context, so one
per request under ASGI)."""

from __future__ import annotations

import uuid

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from fairsite.redis_cache import RedisCache

SERVER = "redis://127.0.0.1:6379/15"


def test_backend_instances_share_one_client_and_pool():
    first, second = RedisCache(SERVER, {}), RedisCache(SERVER, {})
    assert first._cache.get_client() is second._cache.get_client()
    assert first._cache.get_client(write=True) is second._cache.get_client()


def test_djangos_backend_makes_a_pool_per_instance():
    """Negative control: what the per-process pool replaces."""
    first, second = DjangoRedisCache(SERVER, {}), DjangoRedisCache(SERVER, {})
    assert first._cache.get_client() is not first._cache.get_client()
    pools = {id(backend._cache.get_client().connection_pool) for backend in (first, second)}
    assert len(pools) == 2


def test_values_written_by_one_instance_are_read_by_another(redis_url):
    key = f"pool-test-{uuid.uuid4()}"
    writer, reader = RedisCache(redis_url, {}), RedisCache(redis_url, {})
    writer.set(key, {"n": 1}, 30)
    assert reader.get(key) == {"n": 1}
    reader.delete(key)
