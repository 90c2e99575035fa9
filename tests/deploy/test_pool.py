"""A real daphne in production mode on PostgreSQL under concurrent clients: the connection pool
bounds the database connections and no request fails. Negative control: the former persistent
per-thread connections exhaust a role's connection limit and answer 500."""

from __future__ import annotations

import asyncio
import signal

import pytest
from django.db import connection

from tests import factories
from tests.deploy.conftest import LIMITED_ROLE_CONNECTIONS
from tests.deploy.servers import (
    database_url,
    free_port,
    load,
    pg_connections,
    production_env,
    start_daphne,
    stop,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POOL_MAX = 6
PATHS = ["/healthz", "/healthz", "/healthz", "/suppliers/"]


def run_load(port: int, *, clients: int, each: int, dbname: str, user: str):
    peak = [0]

    def sample() -> None:
        peak[0] = max(peak[0], pg_connections(dbname=dbname, user=user))

    statuses = asyncio.run(load(PATHS, clients=clients, each=each, port=port, sample=sample))
    return statuses, peak[0]


def test_pool_bounds_connections_under_concurrent_clients(limited_role, static_root):
    factories.FairFactory()
    dbname = connection.settings_dict["NAME"]
    env = production_env(
        FAIRSITE_DATABASE_URL=database_url(user=limited_role),
        FAIRSITE_STATIC_ROOT=str(static_root),
        FAIRSITE_DB_POOL_MIN="2",
        FAIRSITE_DB_POOL_MAX=str(POOL_MAX),
    )
    port = free_port()
    server = start_daphne(env, port=port)
    try:
        for clients, each in ((20, 5), (100, 3), (200, 2)):
            statuses, peak = run_load(
                port, clients=clients, each=each, dbname=dbname, user=limited_role
            )
            assert statuses == {200: clients * each}, (clients, statuses)
            assert 1 <= peak <= POOL_MAX, (clients, peak)
            assert pg_connections(dbname=dbname, user=limited_role) <= POOL_MAX
    finally:
        stop(server, signal.SIGTERM)
    assert pg_connections(dbname=dbname, user=limited_role) == 0


def test_persistent_connections_without_pool_exhaust_the_limit(limited_role, static_root):
    """Negative control: ``CONN_MAX_AGE=60`` under ASGI leaves one connection per request thread
    until the role's limit refuses new ones. As many requests run at once as there are clients
    (``FAIRSITE_REQUEST_THREADS``; with the default few at a time, the few threads would hold
    few connections, but every process would still keep its own and none would be shared)."""
    factories.FairFactory()
    dbname = connection.settings_dict["NAME"]
    env = production_env(
        DJANGO_SETTINGS_MODULE="tests.deploy.persistent_connection_settings",
        FAIRSITE_DATABASE_URL=database_url(user=limited_role),
        FAIRSITE_STATIC_ROOT=str(static_root),
        FAIRSITE_REQUEST_THREADS="64",
    )
    port = free_port()
    server = start_daphne(env, port=port)
    try:
        statuses, peak = run_load(port, clients=20, each=5, dbname=dbname, user=limited_role)
        left = pg_connections(dbname=dbname, user=limited_role)
    finally:
        stop(server)
    assert statuses[500] > 0, statuses
    assert peak == LIMITED_ROLE_CONNECTIONS
    # Held while idle: only the garbage collector gives any back, when a full pass happens to
    # free a finished request's connection object (how many depends on when it runs; the server
    # keeps its start-up objects out of those passes, fairsite/asgi.py, so they come sooner).
    assert left > 0
