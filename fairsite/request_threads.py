"""How an HTTP request's synchronous code runs under daphne: the middleware and the view in one
call on one thread, and that thread reused instead of a new one per request.

Every middleware and view of the site is synchronous. Django's ASGI handler builds its middleware
chain in asynchronous mode all the same, so a request crossed between the event loop and its
thread four times (into the middleware, back to the loop to resolve the view, into the thread for
the view, back out), each crossing a future, a context copy and a wake-up of the other thread.
:class:`ASGIHandler` builds the chain in synchronous mode, as under WSGI, and runs the whole of it
(middleware, view, error responses) in one ``sync_to_async`` call; what stays on the loop is
reading the body and sending the response. An asynchronous view, should one be added, still
works (Django adapts it) but would pay a crossing of its own.

Django's ASGI handler runs each request in a ``ThreadSensitiveContext`` of its own, and asgiref
gives each such context a new single-thread executor: a thread started for the request's first
synchronous call (the ``request_started`` signal, the middleware, the view) and joined, from yet
another new thread, when the request ends. Under load those thread starts and the join were
a fifth of the process's CPU time on ``/healthz`` (py-spy, ``docs/operations.md``).

:class:`RequestThreads` wraps the HTTP application in a ``ThreadSensitiveContext`` that brings
its own executor (asgiref's public way; Django's context inside it then sets nothing), taken
from a free list of this process's idle request threads and put back when the request ends.
A request still has one thread to itself, so requests still run side by side and whatever is
kept per thread (a database connection, between a query and the end of the request when the
pool takes it back) is one request's at a time. An executor whose thread is still busy when its
request ends (the client went away while a view was running: the view goes on in its thread)
is not put back but shut down once that work is done, so no later request waits behind it.

:class:`ThreadSlots` lets only a few requests of an event loop run their synchronous code at once
(``FAIRSITE_REQUEST_THREADS``, 4 by default); the others wait their turn on the loop, in order.
One process runs Python on one core at a time whatever the number of threads, so twenty request
threads side by side do not answer sooner than four: they take turns on the interpreter lock,
each query's return waiting for the lock behind the others, and the last of them is answered
late; fewer at once shortened every page's tail and raised its throughput (the comparison is
in ``docs/operations.md``, "Cached pages"). A request still running
after :data:`SLOW_SECONDS` (a report, an export) gives its slot up to the next one, so a few slow
requests never hold the others back for longer than that.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.http import HttpRequest, HttpResponseBase

#: Idle request threads a process keeps for the next requests; a burst beyond this many
#: requests at once starts threads that end with their request.
KEEP_IDLE = 64
#: A request running its synchronous code for longer than this gives its slot up.
SLOW_SECONDS = 1.0


class ThreadSlots:
    """At most ``size`` requests of an event loop in their synchronous code at once; the others
    wait in order. A request that still runs after ``slow_seconds`` gives its slot up."""

    def __init__(self, *, size: int, slow_seconds: float = SLOW_SECONDS) -> None:
        self.size = max(1, size)
        self.slow_seconds = slow_seconds
        # One semaphore per event loop (asyncio's belong to the loop that first waits on them).
        self._semaphores: weakref.WeakKeyDictionary[Any, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _semaphore(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.size)
        return semaphore

    async def run(self, work: Callable[[], Awaitable[Any]]) -> Any:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphore(loop)
        await semaphore.acquire()
        held = True

        def give_up() -> None:
            nonlocal held
            if held:
                held = False
                semaphore.release()

        timer = loop.call_later(self.slow_seconds, give_up)
        try:
            return await work()
        finally:
            timer.cancel()
            give_up()


class ASGIHandler(DjangoASGIHandler):
    """Django's ASGI handler with the middleware chain built and run synchronously."""

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


class RequestExecutor(ThreadPoolExecutor):
    """A single-thread executor that knows whether it still has work."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="fairsite-request")
        self._lock = threading.Lock()
        self.pending = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            self.pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future | None) -> None:
        with self._lock:
            self.pending -= 1


class RequestThreads:
    """ASGI middleware: each HTTP request's synchronous code runs on a reused thread, a few
    requests at a time (:class:`ThreadSlots`, ``slots`` of them; ``REQUEST_THREADS`` by
    default). A request's slot covers all of it (the start and end signals, which take and give
    back its database connection, the middleware and view, the response): behind nginx, which
    buffers bodies both ways, that is a few milliseconds of the process's own work."""

    def __init__(self, app: Any, *, keep_idle: int = KEEP_IDLE, slots: int | None = None) -> None:
        if slots is None:
            from django.conf import settings

            slots = settings.REQUEST_THREADS
        self.app = app
        self.keep_idle = keep_idle
        self.idle: list[RequestExecutor] = []
        self.slots = ThreadSlots(size=slots)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.slots.run(lambda: self._in_thread(scope, receive, send))

    async def _in_thread(self, scope: dict, receive: Any, send: Any) -> None:
        executor = self.idle.pop() if self.idle else RequestExecutor()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            self.give_back(executor)

    def give_back(self, executor: RequestExecutor) -> None:
        if executor.pending == 0 and len(self.idle) < self.keep_idle:
            self.idle.append(executor)
        else:
            executor.shutdown(wait=False)  # its thread ends after the work it still has
