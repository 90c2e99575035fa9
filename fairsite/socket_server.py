"""The sockets of this server process: a registry of the open ones, so that the process can tell
all of them something that did not come through the channel layer.

* :func:`resync_all` after the channel layer's receiving connection to Redis came back: events
  published while it was away are lost, so every socket is told to fetch what it missed
  (a ``resync`` event, docs/websocket-protocol.md section 7).
* :func:`recheck_all` while sockets are open (and after a resync): each socket class re-reads, in
  one query for all the sockets given, whether their people may still be there, and closes those
  who may not. Access withdrawn is announced at once (``user.access_changed``); this sweep ends
  the ones whose announcement was lost, without a query per command. Every socket is re-checked
  every ``RECHECK_SECONDS``, in ``RECHECK_SLICES`` slices spread over that time (a tenth of the
  sockets every second), so that no one pass holds the event loop for all of them.
* :func:`drain` when the process is asked to stop (SIGTERM): commands in flight finish, then every
  socket is closed with 1001 ("going away") and the process waits for the close frames to go out,
  so clients see a clean close and reconnect to another process.
* :class:`NotFoundConsumer` answers a handshake to a path no route matches.

The registry holds only this process's own sockets (they live on its event loop); nothing in it
needs to be shared between processes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
import weakref
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_GOING_AWAY = 1001
COMMANDS_GRACE_SECONDS = 3.0  # at shutdown: how long commands in flight may take to finish
CLOSE_GRACE_SECONDS = 2.0  # then: how long the close handshakes may take
RECHECK_SECONDS = 10.0  # how often every open socket's access is read again (one query a class)
RECHECK_SLICES = 10  # ... a slice of the sockets at a time, every RECHECK_SECONDS / RECHECK_SLICES

# Each open socket: its event loop and its slice of the re-check.
_open: weakref.WeakKeyDictionary[Any, tuple[asyncio.AbstractEventLoop, int]] = (
    weakref.WeakKeyDictionary()
)
_slices = itertools.count()
_state = {"draining": False}
_sweeps: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


def register(consumer: Any) -> None:
    loop = asyncio.get_running_loop()
    _open[consumer] = (loop, next(_slices) % RECHECK_SLICES)
    if loop not in _sweeps:
        _sweeps[loop] = loop.call_later(RECHECK_SECONDS / RECHECK_SLICES, _sweep, loop, 0)


def unregister(consumer: Any) -> None:
    _open.pop(consumer, None)


def open_sockets() -> list[Any]:
    """This process's open sockets (on the running event loop, when one runs)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return list(_open)
    return [consumer for consumer, (its_loop, _) in list(_open.items()) if its_loop is loop]


def is_draining() -> bool:
    return _state["draining"]


async def resync_all(*, reason: str) -> int:
    """Send every open socket of this process a ``resync`` event; returns how many.

    Consumers are grouped by class; each class's ``resync_many(consumers, reason=...)`` sends
    the event (so a room consumer can read every room's last message id in one query)."""
    by_class = _by_class(open_sockets())
    for cls, consumers in by_class.items():
        try:
            await cls.resync_many(consumers, reason=reason)
        except Exception:  # one class failing must not keep the others out of sync
            logger.exception("resync of %s sockets failed", cls.__name__)
    return sum(len(c) for c in by_class.values())


def _by_class(consumers: list[Any]) -> dict[type, list[Any]]:
    by_class: dict[type, list[Any]] = {}
    for consumer in consumers:
        by_class.setdefault(type(consumer), []).append(consumer)
    return by_class


async def recheck_all(consumers: list[Any] | None = None) -> int:
    """Read again what every open socket of this process (or each of ``consumers``) may see;
    returns how many were closed.

    Consumers are grouped by class; each class's ``recheck_many(consumers)`` reads its sockets'
    access in one query and closes (with 4403) those whose person may no longer be there."""
    closed = 0
    for cls, of_class in _by_class(open_sockets() if consumers is None else consumers).items():
        recheck = getattr(cls, "recheck_many", None)
        if recheck is None:
            continue
        try:
            closed += await recheck(of_class)
        except Exception:  # one class failing must not keep the others from being checked
            logger.exception("access re-check of %s sockets failed", cls.__name__)
    return closed


def _sweep(loop: asyncio.AbstractEventLoop, tick: int) -> None:
    """Every ``RECHECK_SECONDS / RECHECK_SLICES`` while this loop has open sockets:
    :func:`recheck_all` of the sockets of slice ``tick``, the next slice the next time (a timer,
    not a sleeping task, so nothing is left pending when the loop closes)."""
    _sweeps.pop(loop, None)
    sockets = open_sockets()
    if not sockets:
        return
    due = [c for c in sockets if _open.get(c, (None, None))[1] == tick % RECHECK_SLICES]
    pause = RECHECK_SECONDS / RECHECK_SLICES

    def again(task: asyncio.Task[int]) -> None:
        if not task.cancelled() and task.exception() is None and open_sockets():
            _sweeps.setdefault(loop, loop.call_later(pause, _sweep, loop, tick + 1))

    task = loop.create_task(recheck_all(due))
    _sweeps[loop] = task  # held until done (the loop keeps only weak references to tasks)
    task.add_done_callback(lambda done: (_sweeps.pop(loop, None), again(done)))


def layer_lost() -> None:
    """The channel layer's receiving connection failed: each socket notes what it had delivered
    until now (``layer_lost()``, once per outage), so that its ``resync`` can say from where
    events may be missing."""
    for consumer in open_sockets():
        mark = getattr(consumer, "layer_lost", None)
        if mark is not None:
            mark()


def schedule_resync(*, reason: str) -> None:
    """:func:`resync_all`, then :func:`recheck_all` (an access announcement may have been lost
    with the events), as a task on the running loop (from a callback that cannot await)."""

    async def resync_then_recheck() -> None:
        await resync_all(reason=reason)
        await recheck_all()

    asyncio.get_running_loop().create_task(resync_then_recheck())


async def drain(*, timeout: float = COMMANDS_GRACE_SECONDS + CLOSE_GRACE_SECONDS) -> None:
    """Refuse new sockets, let commands in flight finish, close every socket with 1001, and wait
    (bounded by ``timeout``) until their close handshakes are done."""
    _state["draining"] = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    commands_deadline = min(deadline, loop.time() + COMMANDS_GRACE_SECONDS)
    while any(getattr(c, "busy", 0) for c in open_sockets()) and loop.time() < commands_deadline:
        await asyncio.sleep(0.02)
    consumers = open_sockets()
    for consumer in consumers:
        try:
            await consumer.close(code=CLOSE_GOING_AWAY)
        except Exception:  # noqa: S110 - already gone
            pass
    while open_sockets() and loop.time() < deadline:
        await asyncio.sleep(0.02)
    logger.info("drained %d sockets", len(consumers))


def install_shutdown_drain() -> None:
    """Under daphne (Twisted's reactor): on SIGTERM, :func:`drain` before the reactor stops.

    Twisted's own SIGTERM handler stops the reactor at once, and daphne then cancels every
    application, so clients see 1006. This handler, installed once the reactor runs (after
    Twisted's), drains first and then stops the reactor. Outside a running reactor (tests,
    management commands) nothing happens."""
    try:
        from twisted.internet import reactor
    except ImportError:  # pragma: no cover - daphne is a dependency
        return

    def on_term(signum: int, frame: Any) -> None:
        reactor.callFromThread(_start_drain, reactor)

    def install() -> None:
        signal.signal(signal.SIGTERM, on_term)
        _allow_going_away()
        _close_instead_of_dropping()

    reactor.callWhenRunning(install)


def _allow_going_away() -> None:
    """Let daphne send close code 1001. RFC 6455 (7.4.1) defines 1001 for a server going down,
    but autobahn's ``sendClose``, which daphne's ``websocket.close`` uses, accepts only 1000
    and 3000–4999; its ``sendCloseFrame`` (what ``sendClose`` calls after that check) sends
    any code."""
    from daphne.ws_protocol import WebSocketProtocol

    original = WebSocketProtocol.serverClose
    if getattr(original, "_allows_going_away", False):
        return

    def server_close(self: Any, code: int | None = None) -> None:
        if code == CLOSE_GOING_AWAY:
            self.sendCloseFrame(code=code, isReply=False)
        else:
            original(self, code)

    server_close._allows_going_away = True  # type: ignore[attr-defined]
    WebSocketProtocol.serverClose = server_close


def _close_instead_of_dropping() -> None:
    """A client that breaks the WebSocket protocol (a text frame that is not UTF-8, a message
    over the size limit) gets a close frame with the RFC 6455 code (1007, 1009, 1002) instead of
    a dropped TCP connection (which it would see as 1006): autobahn drops by default on the
    server side (``failByDrop``); daphne does not change it."""
    from daphne.ws_protocol import WebSocketProtocol

    original = WebSocketProtocol.onConnect
    if getattr(original, "_closes_on_failure", False):
        return

    def on_connect(self: Any, request: Any) -> Any:
        self.failByDrop = False
        return original(self, request)

    on_connect._closes_on_failure = True  # type: ignore[attr-defined]
    WebSocketProtocol.onConnect = on_connect


def _start_drain(reactor: Any) -> None:
    if _state["draining"]:
        return

    from fairsite import shutdown

    async def drain_then_stop() -> None:
        try:
            shutdown.arm_exit_limit()
            shutdown.stop_listening(reactor)
            await asyncio.gather(shutdown.wait_for_requests(), drain())
        finally:
            if reactor.running:
                reactor.stop()

    asyncio.ensure_future(drain_then_stop())


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Any path without a socket: accepted, then closed at once with 4404, nothing else sent
    (a refusal before accepting would answer the handshake with HTTP 403, as for a wrong
    origin, and a client could not tell the two apart)."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)
