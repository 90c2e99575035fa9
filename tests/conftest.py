"""Project-wide fixtures. Deeper conftest files add their own."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from fairsite.forms import SUBMISSION_KEY_FIELD, new_submission_key
from tests import factories
from tests.browser import artifacts, browser_context, chromium  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """The in-memory cache outlives a test's database; on SQLite ids repeat between tests, so a
    cached fragment of one test must not be served in the next. (On Redis each run has its own
    key prefix and PostgreSQL ids never repeat.)"""
    from django.core.cache import cache

    from fairsite.current_fair import forget

    forget()  # this process's copy of the current fair: a rolled-back fair must not be served
    if "LocMemCache" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


class FormClient(Client):
    """The test client as a browser posts a form it rendered: a form that creates something
    carries a fresh submission key (``fairsite.forms.CreateForm``). A test that sends its own
    key, or none (``submission_key=None``), says so in its data."""

    def post(self, path, data=None, *args, **kwargs):
        if isinstance(data, dict) and SUBMISSION_KEY_FIELD not in data:
            data = {**data, SUBMISSION_KEY_FIELD: new_submission_key()}
        elif isinstance(data, dict) and data.get(SUBMISSION_KEY_FIELD) is None:
            data = {k: v for k, v in data.items() if k != SUBMISSION_KEY_FIELD}
        return super().post(path, data, *args, **kwargs)


@pytest.fixture
def client():
    return FormClient()


@pytest.fixture
def fair(db):
    return factories.FairFactory()


@pytest.fixture
def organiser(db):
    return factories.OrganiserFactory(full_name="Organiser Nguyễn")


@pytest.fixture
def exhibitor_member(fair):
    return factories.MemberFactory(company__fair=fair)


@pytest.fixture
def buyer_member(fair):
    return factories.BuyerMemberFactory(company__fair=fair)


@pytest.fixture
def other_member(fair):
    """A member of an unrelated company at the same fair: sees none of the others' private
    things."""
    return factories.MemberFactory(company__fair=fair)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def redis_url():
    """The Redis server the production path uses. Unset: the test is skipped (demo machines).
    Set but unreachable: the test fails, so CI cannot silently skip the real path."""
    url = os.environ.get("FAIRSITE_REDIS_URL")
    if not url:
        pytest.skip("FAIRSITE_REDIS_URL is not set")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:  # pragma: no cover - only when the service is down
        pytest.fail(f"Redis at {url} is unreachable: {exc}")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def postgres_required():
    """Tests that exist to prove a PostgreSQL protection: skipped on SQLite demo machines, and
    failing when CI asked for PostgreSQL but does not get it."""
    from django.db import connection

    if not os.environ.get("FAIRSITE_DATABASE_URL"):
        pytest.skip("FAIRSITE_DATABASE_URL is not set")
    assert connection.vendor == "postgresql", "FAIRSITE_DATABASE_URL must point at PostgreSQL"
