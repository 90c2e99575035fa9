"""HTTP requests under ASGI: the middleware chain and the view run in one call on one thread,
and request threads are reused instead of started per request."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler

from fairsite.request_threads import ASGIHandler, RequestExecutor, RequestThreads


def _scope(path: str = "/healthz") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }


async def _get(app, path: str = "/healthz") -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(app, _scope(path))
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    await communicator.wait(10)
    return start["status"], body["body"]


def _thread_of_each_request(app, count: int) -> list[int]:
    """The thread that ran each of ``count`` requests' synchronous code, one after another
    (the thread objects are kept, so that their ids are not reused)."""
    threads: list[threading.Thread] = []

    async def inner(scope, receive, send):
        threads.append(await sync_to_async(threading.current_thread)())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def run() -> None:
        wrapped = app(inner)
        for _ in range(count):
            await _get(wrapped)

    asyncio.run(run())
    return [id(thread) for thread in threads]


def test_requests_reuse_their_threads():
    assert len(set(_thread_of_each_request(RequestThreads, 5))) == 1


def test_without_reuse_every_request_starts_a_thread():
    """Negative control: Django's own per-request context, what the reuse replaces."""

    def per_request_context(inner):
        from asgiref.sync import ThreadSensitiveContext

        async def app(scope, receive, send):
            async with ThreadSensitiveContext():
                await inner(scope, receive, send)

        return app

    assert len(set(_thread_of_each_request(per_request_context, 5))) == 5


def test_requests_at_once_each_get_a_thread_of_their_own():
    started = threading.Barrier(3, timeout=5)

    async def inner(scope, receive, send):
        await sync_to_async(started.wait)()  # all three must be running at the same moment
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = RequestThreads(inner)

    async def run() -> list:
        return await asyncio.gather(*(_get(app) for _ in range(3)))

    assert [status for status, _ in asyncio.run(run())] == [200, 200, 200]
    assert len(app.idle) == 3


def test_a_thread_still_busy_is_not_handed_to_the_next_request():
    app = RequestThreads(None)
    busy = RequestExecutor()
    release = threading.Event()
    busy.submit(release.wait, 5)
    app.give_back(busy)
    assert busy not in app.idle
    release.set()
    free = RequestExecutor()
    app.give_back(free)
    assert app.idle == [free]


def test_idle_threads_kept_are_bounded():
    app = RequestThreads(None, keep_idle=2)
    for _ in range(4):
        app.give_back(RequestExecutor())
    assert len(app.idle) == 2


def test_the_middleware_chain_is_built_synchronously():
    assert not asyncio.iscoroutinefunction(ASGIHandler()._middleware_chain)
    assert asyncio.iscoroutinefunction(DjangoASGIHandler()._middleware_chain)  # control


@pytest.mark.django_db(transaction=True)
def test_the_site_answers_through_the_handler():
    status, body = asyncio.run(_get(RequestThreads(ASGIHandler())))
    assert (status, body) == (200, b'{"ok": true}')


@pytest.mark.django_db(transaction=True)
def test_middleware_and_view_run_on_the_request_thread(settings):
    """One crossing per request: the middleware and the view see the same thread."""
    settings.ROOT_URLCONF = "tests.fairsite.request_threads_urls"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.fairsite.request_threads_urls.record"]
    status, body = asyncio.run(_get(RequestThreads(ASGIHandler()), "/thread/"))
    middleware_thread, view_thread = body.decode().split()
    assert status == 200
    assert middleware_thread == view_thread
    assert int(view_thread) != threading.get_ident()


def test_an_executor_is_a_single_thread():
    assert isinstance(RequestExecutor(), ThreadPoolExecutor)
    assert RequestExecutor()._max_workers == 1
