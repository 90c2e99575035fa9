"""The database settings read from the environment: one pool per process sized by
``FAIRSITE_DB_POOL_*`` with ``CONN_MAX_AGE=0`` (which the pool requires), or no pool at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.deploy.servers import ROOT

PRINT = (
    "import json, django; from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({'age': d['CONN_MAX_AGE'], 'pool': d.get('OPTIONS', {}).get('pool')}))"
)


def database_settings(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("FAIRSITE_")}
    base.update(DJANGO_SETTINGS_MODULE="fairsite.settings", **env)
    out = subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", PRINT], cwd=ROOT, env=base, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_pool_is_sized_from_the_environment():
    found = database_settings(
        FAIRSITE_DATABASE_URL="postgres://fair@db.example:5432/fair",
        FAIRSITE_DB_POOL_MIN="1",
        FAIRSITE_DB_POOL_MAX="7",
        FAIRSITE_DB_POOL_TIMEOUT="3",
    )
    assert found == {
        "age": 0,
        "pool": {"min_size": 1, "max_size": 7, "timeout": 3.0, "max_idle": 300.0},
    }


def test_pool_can_be_turned_off_for_an_external_pooler():
    found = database_settings(
        FAIRSITE_DATABASE_URL="postgres://fair@db.example:5432/fair", FAIRSITE_DB_POOL="0"
    )
    assert found == {"age": 0, "pool": None}
