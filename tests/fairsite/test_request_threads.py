"""HTTP requests under ASGI: the middleware chain and the view run in one call on one thread,
and request threads are reused instead of started per request."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler

from fairsite.request_threads import ASGIHandler, RequestExecutor, RequestThreads, ThreadSlots


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


# --- How many requests run their synchronous code at once -----------------------------------


def _most_at_once(slots: ThreadSlots | None, requests: int) -> int:
    """Start ``requests`` whose synchronous part takes 50 ms, all at once, through ``slots``
    (or straight into their threads when ``None``); how many ran at the same moment."""
    lock = threading.Lock()
    running = [0, 0]  # now, most

    def work(_request):
        with lock:
            running[0] += 1
            running[1] = max(running)
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "done"

    async def one() -> str:
        if slots is None:
            return await sync_to_async(work, thread_sensitive=False)(None)
        return await slots.run(lambda: sync_to_async(work, thread_sensitive=False)(None))

    async def run() -> list[str]:
        return await asyncio.gather(*(one() for _ in range(requests)))

    assert asyncio.run(run()) == ["done"] * requests
    return running[1]


def test_requests_run_their_code_a_few_at_a_time():
    assert _most_at_once(ThreadSlots(size=3, slow_seconds=5), 12) == 3


def test_without_slots_every_request_runs_at_once():
    """Negative control: the twelve requests overlap when nothing holds them back."""
    assert _most_at_once(None, 12) > 3


def test_a_slow_request_gives_its_slot_up():
    """One slot, held by a request that runs for longer than ``slow_seconds``: the next request
    is answered while the slow one still runs, instead of waiting for it."""
    slots = ThreadSlots(size=1, slow_seconds=0.1)
    release = threading.Event()
    order: list[str] = []

    def slow(_request):
        release.wait(5)
        order.append("slow")

    def quick(_request):
        order.append("quick")
        release.set()

    async def run() -> None:
        first = asyncio.ensure_future(
            slots.run(lambda: sync_to_async(slow, thread_sensitive=False)(None))
        )
        await asyncio.sleep(0.02)  # the slow one holds the slot
        await slots.run(lambda: sync_to_async(quick, thread_sensitive=False)(None))
        await first

    asyncio.run(run())
    assert order == ["quick", "slow"]


def test_a_failed_or_cancelled_request_frees_its_slot():
    slots = ThreadSlots(size=1, slow_seconds=5)

    async def fail():
        raise ValueError("view failed")

    async def hang():
        await asyncio.sleep(10)

    async def quick():
        return "ok"

    async def run() -> str:
        with pytest.raises(ValueError):
            await slots.run(fail)
        task = asyncio.ensure_future(slots.run(hang))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await asyncio.wait_for(slots.run(quick), 1)

    assert asyncio.run(run()) == "ok"


def test_the_site_runs_requests_through_slots_of_the_configured_size(settings):
    settings.REQUEST_THREADS = 2
    assert RequestThreads(None).slots.size == 2
    assert RequestThreads(None, slots=5).slots.size == 5
