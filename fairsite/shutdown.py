"""How a daphne process stops (SIGTERM, as systemd and ``deploy/rolling-restart.sh`` send it):
within a known time, answering what it has already started.

1. It stops listening, so the proxy sends new requests and sockets to the other processes.
2. HTTP requests in flight get up to ``SHUTDOWN_HTTP_GRACE`` seconds (8) to be answered (counted by
   :class:`CountRequestsInFlight`), while every socket is drained with 1001
   (:func:`fairsite.socket_server.drain`).
3. The reactor stops. Daphne then cancels what is left and waits for it; a request whose
   thread is stuck (a lock wait, a long query) would keep that wait going until systemd's
   ``TimeoutStopSec`` sends SIGKILL. So :func:`arm_exit_limit`, armed at SIGTERM, ends the
   process itself ``SHUTDOWN_EXIT_LIMIT`` seconds after SIGTERM (15), below
   ``TimeoutStopSec=20`` in ``deploy/systemd/daphne@.service``. PostgreSQL rolls back what
   such a request had open.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

_state = {"http_in_flight": 0, "exit_armed": False}


def http_in_flight() -> int:
    return _state["http_in_flight"]


class CountRequestsInFlight:
    """ASGI middleware: counts the HTTP requests this process is answering."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _state["http_in_flight"] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            _state["http_in_flight"] -= 1


def stop_listening(reactor: Any) -> int:
    """Close this process's listening ports (TCP and Unix); open connections stay. Returns how
    many were closed."""
    from twisted.internet import tcp, unix

    ports = [r for r in list(reactor.getReaders()) if isinstance(r, tcp.Port | unix.Port)]
    for port in ports:
        port.stopListening()
    return len(ports)


async def wait_for_requests(*, timeout: float | None = None) -> int:
    """Wait (bounded) until no HTTP request is in flight; returns how many are still running."""
    if timeout is None:
        timeout = settings.SHUTDOWN_HTTP_GRACE
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while http_in_flight() and loop.time() < deadline:
        await asyncio.sleep(0.02)
    if http_in_flight():
        logger.warning("stopping with %d HTTP requests still running", http_in_flight())
    return http_in_flight()


def arm_exit_limit(*, seconds: float | None = None) -> None:
    """End the process after ``seconds`` whatever is still running (once)."""
    if seconds is None:
        seconds = settings.SHUTDOWN_EXIT_LIMIT
    if _state["exit_armed"]:
        return
    _state["exit_armed"] = True

    def end() -> None:
        logger.warning("still running %.0f s after SIGTERM: exiting now", seconds)
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
