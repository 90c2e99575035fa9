"""PostgreSQL from the event loop, for the statements a socket runs per message and per handshake.

Services run in worker threads (``database_sync_to_async``), which is right for everything a
socket does now and then. A chat message is different: sent hundreds of times a second, it
would cross to a worker thread and back each time, and every crossing waits for the GIL while
the event loop is busy (up to the interpreter's 5 ms switch interval each way, more on a
crowded machine). :func:`execute_one` runs a statement on an asyncio psycopg connection instead,
from a small pool per event loop (at most ``POOL_SIZE`` connections, with Django's own
connection settings, in autocommit mode: the statement has committed when it returns).

The handshake's queries (session, user, room access, the first history page) run here too, as
:class:`CompiledQuery`: the ORM builds and compiles each once per process, and every handshake
runs the compiled SQL with its own values, instead of building the query afresh (several
milliseconds of Python each, against well under one in PostgreSQL).

Budget PostgreSQL connections per process as ``FAIRSITE_DB_POOL_MAX`` (Django's pool) plus
``POOL_SIZE`` (docs/operations.md). A broken connection (a database restart) fails its statement
(the caller answers ``server.error``; clients resend with the same ``client_id``) and is replaced.
"""

from __future__ import annotations

import asyncio
import collections
import threading
import types
import weakref
from collections.abc import Callable, Hashable
from typing import Any

POOL_SIZE = 4  # asyncio connections per daphne process
WAIT_SECONDS = 10.0  # how long a statement waits for a free connection before failing

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Pool] = weakref.WeakKeyDictionary()


def _connect_kwargs() -> dict[str, Any]:
    from django.db import connections

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)  # Django's synchronous cursor classes
    params["autocommit"] = True
    return params


class _Pool:
    """At most ``POOL_SIZE`` connections of one event loop: idle ones are reused, a broken one
    is dropped and replaced on demand. Nothing runs in the background, so a closing loop can
    close the idle connections without awaiting anything."""

    def __init__(self) -> None:
        self.idle: list[Any] = []
        self.opened = 0
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def get(self) -> Any:
        import psycopg

        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                if self.idle:
                    return self.idle.pop()
                if self.opened < POOL_SIZE:
                    self.opened += 1
                    try:
                        return await psycopg.AsyncConnection.connect(**_connect_kwargs())
                    except BaseException:
                        self.opened -= 1
                        self._wake()
                        raise
                waiter = asyncio.get_running_loop().create_future()
                self.waiters.append(waiter)
                try:
                    await waiter
                finally:
                    if not waiter.done():
                        waiter.cancel()

    def put(self, conn: Any) -> None:
        from psycopg.pq import TransactionStatus

        if conn.closed or conn.broken or conn.info.transaction_status != TransactionStatus.IDLE:
            self.opened -= 1
            conn.pgconn.finish()
        else:
            self.idle.append(conn)
        self._wake()

    def _wake(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def close_idle(self) -> None:
        for conn in self.idle:
            conn.pgconn.finish()
        self.opened -= len(self.idle)
        self.idle = []


def _pool() -> _Pool:
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        pool = _Pool()
        _pools[loop] = pool
        _close_with_loop(loop, pool)
    return pool


def _close_with_loop(loop: asyncio.AbstractEventLoop, pool: _Pool) -> None:
    """Close the idle connections when the event loop closes (test loops come and go)."""
    original = loop.close

    def close(self: asyncio.AbstractEventLoop) -> None:
        pool.close_idle()
        self.close = original  # type: ignore[method-assign]
        original()

    loop.close = types.MethodType(close, loop)  # type: ignore[method-assign]


async def execute_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """Run one statement in autocommit mode and return its first row (``None`` if none)."""
    pool = _pool()
    conn = await pool.get()
    try:
        cursor = await conn.execute(sql, params)
        return await cursor.fetchone() if cursor.description else None
    finally:
        pool.put(conn)


async def fetch_all(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run one statement in autocommit mode and return all its rows."""
    pool = _pool()
    conn = await pool.get()
    try:
        cursor = await conn.execute(sql, params)
        return await cursor.fetchall() if cursor.description else []
    finally:
        pool.put(conn)


def on_postgresql() -> bool:
    """Whether the default database is PostgreSQL (this module's pool needs it)."""
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class CompiledQuery:
    """A ``values_list`` queryset compiled to SQL once per process, run with new values.

    ``build(**values)`` returns the queryset. It is called once (per ``variant()``, for queries
    that depend on a setting) with the placeholder given for each name, and each placeholder is
    found again among the compiled parameters, so a value takes exactly the place the ORM gave
    it; a placeholder the ORM changed or dropped is an error at compile time, not a wrong query.
    Rows come back through the ORM's own converters, as the queryset itself would return them.
    :meth:`fetch` runs on this module's pool (PostgreSQL), :meth:`fetch_sync` on Django's
    connection (any database)."""

    def __init__(
        self,
        build: Callable[..., Any],
        *,
        variant: Callable[[], Hashable] = lambda: None,
        **placeholders: Any,
    ) -> None:
        self.build = build
        self.variant = variant
        self.placeholders = placeholders
        self._compiled: dict[Hashable, tuple[str, list[Any], Any]] = {}
        self._lock = threading.Lock()

    def _compile(self) -> tuple[str, list[Any], Any]:
        key = self.variant()
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with self._lock:
            queryset = self.build(**self.placeholders)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            slots: list[Any] = []
            found: set[str] = set()
            for param in params:
                name = next(
                    (
                        n
                        for n, p in self.placeholders.items()
                        if type(param) is type(p) and param == p
                    ),
                    None,
                )
                slots.append(param if name is None else _Slot(name))
                if name is not None:
                    found.add(name)
            missing = set(self.placeholders) - found
            if missing:
                raise ValueError(f"placeholders not among the compiled parameters: {missing}")
            compiled = (sql, slots, compiler)
            self._compiled[key] = compiled
        return compiled

    def sql_params(self, **values: Any) -> tuple[str, list[Any]]:
        sql, slots, _compiler = self._compile()
        return sql, [values[s.name] if isinstance(s, _Slot) else s for s in slots]

    def _rows(self, raw: list[Any]) -> list[Any]:
        _sql, _slots, compiler = self._compile()
        return list(compiler.results_iter(results=[raw], tuple_expected=True))

    async def fetch(self, **values: Any) -> list[Any]:
        sql, params = self.sql_params(**values)
        return self._rows(await fetch_all(sql, params))

    def fetch_sync(self, **values: Any) -> list[Any]:
        from django.db import connection

        sql, params = self.sql_params(**values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
        return self._rows(raw)


def concrete_columns(model: Any) -> list[str]:
    """Every column of ``model``, in the order ``Model.from_db`` takes them."""
    return [field.attname for field in model._meta.concrete_fields]


def instances_from_row(row: Any, *parts: tuple[Any, list[str]]) -> list[Any]:
    """The model instances of one row whose columns lie side by side, ``(model, columns)`` for
    each in turn (a :class:`CompiledQuery` row of a model and the related models it joins)."""
    from django.db import DEFAULT_DB_ALIAS

    instances, start = [], 0
    for model, columns in parts:
        values = list(row[start : start + len(columns)])
        instances.append(model.from_db(DEFAULT_DB_ALIAS, columns, values))
        start += len(columns)
    return instances
