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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.http import HttpRequest, HttpResponseBase

#: Idle request threads a process keeps for the next requests; a burst beyond this many
#: requests at once starts threads that end with their request.
KEEP_IDLE = 64


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
    """ASGI middleware: each HTTP request's synchronous code runs on a reused thread."""

    def __init__(self, app: Any, *, keep_idle: int = KEEP_IDLE) -> None:
        self.app = app
        self.keep_idle = keep_idle
        self.idle: list[RequestExecutor] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
