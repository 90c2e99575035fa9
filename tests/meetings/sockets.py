"""Socket test fixtures: the people of a meeting, signed-in session cookies, and a small client
over ``WebsocketCommunicator`` through the project's real ASGI routing.

Test modules import what they use (``from tests.meetings.sockets import *``); the ``meeting``
fixture (both sides booked in) comes from ``tests/meetings/conftest.py``.
"""

from __future__ import annotations

import itertools
import json
from importlib import import_module
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache

from tests import factories

__all__ = [
    "ORIGIN",
    "Socket",
    "buyer",
    "colleague",
    "exhibitor",
    "fresh_cache",
    "open_socket",
    "outsider",
    "session_key_for",
]

ORIGIN = "http://127.0.0.1"
TIMEOUT = 5


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    """Rate-limit windows, typing throttles and presence must not leak between tests. On Redis
    only this run's key prefix is removed (never the whole database).

    Services run in a thread pool; with ``CONN_MAX_AGE=0`` each worker closes its database
    connection after every call, so none is left open when the test database is dropped."""
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    if settings.CHANNEL_LAYER_KIND == "core" and settings.REDIS_URL:
        # The core Redis layer binds its locks to the first event loop; each test has its own.
        from channels.layers import channel_layers

        channel_layers.backends.clear()
    clear_cache()
    yield
    clear_cache()


def clear_cache() -> None:
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
    else:
        cache.clear()


@pytest.fixture
def exhibitor(exhibitor_member):
    return exhibitor_member.user


@pytest.fixture
def buyer(buyer_member):
    return buyer_member.user


@pytest.fixture
def colleague(exhibitor_member):
    """A second approved member of the exhibitor's company."""
    return factories.MemberFactory(company=exhibitor_member.company, is_admin=False).user


@pytest.fixture
def outsider(other_member):
    """An approved member of a third company at the same fair."""
    return other_member.user


def session_key_for(user: Any) -> str:
    """A real signed-in session for ``user``, as the login view would create it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


class Socket:
    """A test client speaking the documented protocol over a communicator."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.events: list[dict[str, Any]] = []
        self.hello: dict[str, Any] | None = None
        self.close_code: int | None = None
        self._ids = itertools.count(1)

    async def send(self, kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command; return its reply or error frame (events meanwhile are kept)."""
        request_id = f"r{next(self._ids)}"
        frame: dict[str, Any] = {"id": request_id, "type": kind}
        if data is not None:
            frame["data"] = data
        await self.communicator.send_json_to(frame)
        answer = await self.answer()
        assert answer["id"] == request_id, answer
        return answer

    async def send_raw(self, text: str | None = None, binary: bytes | None = None) -> dict:
        await self.communicator.send_to(text_data=text, bytes_data=binary)
        return await self.answer()

    async def answer(self) -> dict[str, Any]:
        while True:
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            if frame["type"] != "event":
                return frame
            self.events.append(frame)

    async def event(self, name: str) -> dict[str, Any]:
        """The next event called ``name`` (earlier ones of other names are kept)."""
        for index, frame in enumerate(self.events):
            if frame["event"] == name:
                return self.events.pop(index)["data"]
        while True:
            frame = await self.communicator.receive_json_from(timeout=TIMEOUT)
            if frame["type"] == "event" and frame["event"] == name:
                return frame["data"]
            self.events.append(frame)

    async def message(self, message_id: int) -> dict[str, Any]:
        """The ``chat.message`` event of message ``message_id`` (skipping other messages)."""
        while True:
            data = await self.event("chat.message")
            if data["id"] == message_id:
                return data

    async def presence(self, user_ids: set[int]) -> dict[str, Any]:
        """The first ``presence`` event listing exactly ``user_ids``."""
        while True:
            data = await self.event("presence")
            if {person["id"] for person in data["users"]} == user_ids:
                return data

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def closed_with(self) -> int | None:
        while True:
            output = await self.communicator.receive_output(timeout=TIMEOUT)
            if output["type"] == "websocket.close":
                return output.get("code")

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest_asyncio.fixture
async def open_socket():
    """``await open_socket(user, path)`` → a :class:`Socket` (``user=None``: anonymous).

    ``host`` is the handshake's ``Host`` header (the origin check compares the two).
    Accepted: ``socket.hello`` holds the ``hello`` event's data. Refused: ``socket.close_code``
    is the code of the close that came instead (after an accept, or at the handshake).
    """
    from fairsite.asgi import application

    opened: list[Socket] = []

    async def _open(
        user: Any, path: str, *, origin: str | None = ORIGIN, host: str = "127.0.0.1"
    ) -> Socket:
        headers = [(b"host", host.encode())]
        if origin:
            headers.append((b"origin", origin.encode()))
        if user is not None:
            key = await sync_to_async(session_key_for)(user)
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        socket = Socket(communicator)
        opened.append(socket)
        accepted, code = await communicator.connect(timeout=TIMEOUT)
        if not accepted:
            socket.close_code = code
            return socket
        first = await communicator.receive_output(timeout=TIMEOUT)
        if first["type"] == "websocket.close":
            socket.close_code = first.get("code")
            return socket
        frame = json.loads(first["text"])
        assert frame["event"] == "hello", frame
        socket.hello = frame["data"]
        return socket

    yield _open
    for socket in opened:
        try:
            await socket.close()
        except Exception:  # noqa: S110 - the server closed it already
            pass
