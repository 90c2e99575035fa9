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


def _many_threads_at_once(backend, *, threads: int = 150) -> list[BaseException]:
    """``threads`` threads each holding a connection at the same moment (a slow Redis
    command), the way a burst of timer threads or requests does; the errors they met."""
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def one() -> None:
        try:
            start.wait()
            backend._cache.get_client().execute_command("BLPOP", f"nothing-{uuid.uuid4()}", "0.1")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return errors


def test_a_burst_of_threads_waits_for_a_connection_instead_of_failing(redis_url, settings):
    """The shared pool is bounded and blocking (``settings.CACHES``): more threads than
    connections wait their turn."""
    options = dict(settings.CACHES["default"].get("OPTIONS", {}))
    assert options.get("pool_class") == "redis.BlockingConnectionPool"
    assert _many_threads_at_once(RedisCache(redis_url, {"OPTIONS": options})) == []


def test_redis_pys_default_pool_fails_when_threads_outnumber_it(redis_url):
    """Negative control: redis-py's default pool (100 connections, not blocking) raises
    "Too many connections" for the 101st thread."""
    import redis

    errors = _many_threads_at_once(RedisCache(redis_url, {"OPTIONS": {"socket_timeout": 7}}))
    assert errors and all(isinstance(e, redis.exceptions.ConnectionError) for e in errors)
