"""Fixtures for the deployment tests: collected static files for production mode and a
PostgreSQL role whose connection limit keeps a misbehaving server from starving the others."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from tests.deploy.servers import ROOT, production_env, superuser_dsn

LIMITED_ROLE = "deploy_limited"
LIMITED_ROLE_CONNECTIONS = 15


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """``collectstatic`` once, as production runs it (hashed names and a manifest)."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production_env(FAIRSITE_STATIC_ROOT=str(root)),
        check=True,
    )
    return root


@pytest.fixture
def limited_role(postgres_required, django_db_blocker):
    """A login role that may hold at most ``LIMITED_ROLE_CONNECTIONS`` connections: "too many
    connections" shows up at that limit instead of at the server's ``max_connections``."""
    with django_db_blocker.unblock(), psycopg.connect(superuser_dsn(), autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [LIMITED_ROLE]).fetchone()
        if not exists:
            db.execute(f"CREATE ROLE {LIMITED_ROLE} LOGIN")
        db.execute(f"ALTER ROLE {LIMITED_ROLE} CONNECTION LIMIT {LIMITED_ROLE_CONNECTIONS}")
        db.execute(f"GRANT pg_read_all_data, pg_write_all_data TO {LIMITED_ROLE}")
    return LIMITED_ROLE
