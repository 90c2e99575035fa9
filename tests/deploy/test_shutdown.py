"""Stopping a daphne process (SIGTERM): a request in flight is still answered, and a stuck one
does not hold the process past its own limit, so systemd's ``TimeoutStopSec`` never has to
SIGKILL it (fairsite/shutdown.py)."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests import factories
from tests.deploy.servers import (
    database_url,
    free_port,
    production_env,
    request,
    start_daphne,
    stop,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXIT_LIMIT = 6


def _server(static_root):
    factories.FairFactory()
    env = production_env(
        DJANGO_SETTINGS_MODULE="tests.deploy.shutdown_settings",
        FAIRSITE_DATABASE_URL=database_url(),
        FAIRSITE_STATIC_ROOT=str(static_root),
        FAIRSITE_SHUTDOWN_HTTP_GRACE="4",
        FAIRSITE_SHUTDOWN_EXIT_LIMIT=str(EXIT_LIMIT),
    )
    port = free_port()
    return start_daphne(env, port=port), port


async def _term_during(path: str, *, port: int, process, after: float = 0.5):
    """Send ``path``, SIGTERM the server while it is being answered; the answer (or the error)
    and how long the process took to end after the signal."""
    pending = asyncio.ensure_future(request(path, port=port, timeout=40))
    await asyncio.sleep(after)
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    try:
        answer = await pending
    except (OSError, TimeoutError, ValueError) as exc:
        answer = exc
    while process.poll() is None and time.monotonic() - signalled < 40:
        await asyncio.sleep(0.05)
    return answer, time.monotonic() - signalled


def test_a_request_in_flight_at_sigterm_is_still_answered(static_root):
    process, port = _server(static_root)
    try:
        answer, took = asyncio.run(_term_during("/_test/sleep/2/", port=port, process=process))
        assert not isinstance(answer, Exception), answer
        status, raw = answer
        assert status == 200 and b"slept 2" in raw
        assert process.poll() is not None and took < EXIT_LIMIT
    finally:
        stop(process)


def test_a_stuck_request_does_not_hold_the_process_past_its_limit(static_root):
    process, port = _server(static_root)
    try:
        _answer, took = asyncio.run(_term_during("/_test/sleep/30/", port=port, process=process))
        assert process.poll() is not None, "still running after 40 s"
        assert took < EXIT_LIMIT + 2, took
    finally:
        stop(process)


def test_a_stopping_process_takes_no_new_connection(static_root):
    process, port = _server(static_root)
    try:

        async def scenario():
            slow = asyncio.ensure_future(request("/_test/sleep/3/", port=port, timeout=40))
            await asyncio.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            try:
                await request("/healthz", port=port, timeout=5)
            except OSError as exc:
                refused = exc
            else:
                refused = None
            return refused, await slow

        refused, (status, _raw) = asyncio.run(scenario())
        assert isinstance(refused, ConnectionRefusedError), refused
        assert status == 200
    finally:
        stop(process)
