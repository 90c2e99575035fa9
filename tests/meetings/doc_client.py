"""A small asyncio client for a meeting room socket, written from ``docs/websocket-protocol.md``
alone (no server code): it connects with the session cookie and an Origin, reads ``hello``,
sends chat messages with client ids and waits for their replies, pages through history, and
after a reconnect resumes with ``chat.since`` and resends unacknowledged messages (section 7).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

#: Close codes after which the document says not to reconnect (section 6).
FINAL_CLOSE_CODES = frozenset({4401, 4403})


class Closed(Exception):
    """The socket closed (or was closed instead of sending ``hello``) with ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(f"socket closed with {code}")
        self.code = code

    @property
    def final(self) -> bool:
        return self.code in FINAL_CLOSE_CODES


class Refused(Exception):
    """The handshake was refused with an HTTP status (wrong or missing Origin: 403)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"handshake refused with HTTP {status}")
        self.status = status


class CommandError(Exception):
    """An ``error`` frame answering a command."""

    def __init__(self, frame: dict[str, Any]) -> None:
        error = frame["error"]
        super().__init__(f"{error['code']}: {error['message']}")
        self.frame = frame
        self.code: str = error["code"]
        self.details: dict[str, Any] = error["details"]


class DocClient:
    """One person's connection to ``/ws/meetings/<id>/``, surviving reconnects.

    ``messages`` holds every message seen, by id (section 7: de-duplicated by ``id``, ordered by
    ``id``); ``pending`` holds sent but unacknowledged messages by ``client_id``.
    """

    def __init__(
        self,
        url: str,
        session_key: str | None,
        origin: str | None,
        *,
        cookie_name: str = "sessionid",
        since_limit: int | None = None,
        timeout: float = 10.0,
        max_wait: float = 10.0,
    ) -> None:
        self.url = url
        self.session_key = session_key
        self.origin = origin
        self.cookie_name = cookie_name
        self.since_limit = since_limit
        self.timeout = timeout
        self.max_wait = max_wait
        self.messages: dict[int, dict[str, Any]] = {}
        self.pending: dict[str, str] = {}
        self.events: list[dict[str, Any]] = []
        self.unexpected: list[dict[str, Any]] = []
        self.last_resume: dict[str, list[dict[str, Any]]] = {"since": [], "resent": []}
        self.since_pages = 0
        self.hello: dict[str, Any] | None = None
        self.presence: dict[str, Any] | None = None
        self.close_code: int | None = None
        self._presence_version = -1
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._waiting: collections.deque[tuple[Any, asyncio.Future]] = collections.deque()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)

    # -- state ---------------------------------------------------------------------------

    @property
    def last_id(self) -> int | None:
        return max(self.messages) if self.messages else None

    @property
    def transcript(self) -> list[dict[str, Any]]:
        return [self.messages[key] for key in sorted(self.messages)]

    @property
    def connected(self) -> bool:
        return self._ws is not None and self.close_code is None

    def _keep(self, message: dict[str, Any]) -> None:
        self.messages[message["id"]] = message
        self._changed.set()

    # -- connection ----------------------------------------------------------------------

    async def connect(self) -> dict[str, Any]:
        """Open the socket and wait for ``hello``; raise :class:`Closed` if the server closes
        it instead (4401, 4403) and :class:`Refused` if the handshake is refused."""
        headers = {}
        if self.session_key:
            headers["Cookie"] = f"{self.cookie_name}={self.session_key}"
        try:
            ws = await connect(
                self.url,
                origin=self.origin,
                additional_headers=headers,
                open_timeout=self.timeout,
                max_size=2**22,
            )
        except InvalidStatus as exc:
            raise Refused(exc.response.status_code) from exc
        try:
            first = json.loads(await asyncio.wait_for(ws.recv(), self.timeout))
        except ConnectionClosed as exc:
            self.close_code = _close_code(exc)
            raise Closed(self.close_code) from exc
        except TimeoutError:
            await ws.close()
            raise
        if first.get("type") != "event" or first.get("event") != "hello":
            await ws.close()
            raise AssertionError(f"the first frame is not hello: {first}")
        self._ws = ws
        self.close_code = None
        self._apply_hello(first["data"])
        self._reader = asyncio.create_task(self._read(ws))
        return first["data"]

    def _apply_hello(self, data: dict[str, Any]) -> None:
        self.hello = data
        for message in data.get("messages", []):  # the notifications socket has none
            self._keep(message)
        if "presence" in data:
            # A new connection's snapshot replaces the old one, whatever its version.
            self.presence = data["presence"]
            self._presence_version = data["presence"]["version"]

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                self._dispatch(json.loads(raw))
            code = _close_code_of(ws)
        except ConnectionClosed as exc:
            code = _close_code(exc)
        self.close_code = code
        while self._waiting:
            _, future = self._waiting.popleft()
            if not future.done():
                future.set_exception(Closed(code))
        self._changed.set()

    def _dispatch(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "event":
            self.events.append(frame)
            name, data = frame["event"], frame["data"]
            if name == "chat.message":
                self._keep(data)
            elif name == "presence" and data["version"] > self._presence_version:
                self.presence = data
                self._presence_version = data["version"]
            self._changed.set()
            return
        # A reply or an error: answers come in the order the commands were sent.
        if not self._waiting:
            self.unexpected.append(frame)
            return
        request_id, future = self._waiting.popleft()
        if frame["id"] is not None and frame["id"] != request_id:
            future.set_exception(AssertionError(f"answer {frame} for request {request_id}"))
        elif not future.done():
            future.set_result(frame)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader

    async def reconnect(self, attempts: int = 8, cap: float = 30.0) -> dict[str, Any]:
        """Section 7: back off (50–100 % of ``min(cap, 0.5 s × 2^attempt)``) until a ``hello``,
        then catch up with ``chat.since`` and resend every pending message."""
        last_id = self.last_id
        for attempt in range(attempts):
            try:
                hello = await self.connect()
            except (Closed, OSError, TimeoutError, Refused) as exc:
                if isinstance(exc, Closed) and exc.final:
                    raise
                if isinstance(exc, Refused) and exc.status == 403:
                    raise  # a refused Origin: retrying cannot help
                delay = min(cap, 0.5 * 2**attempt)
                await asyncio.sleep(random.uniform(delay / 2, delay))  # noqa: S311
                continue
            await self.resume(last_id)
            return hello
        raise Closed(self.close_code or 1006)

    async def resume(self, last_id: int | None) -> None:
        """Section 7, step 4: ``chat.since`` from ``last_id`` (the greatest id held *before*
        the new ``hello``), then resend every pending message with the same client id.
        ``last_resume`` keeps what it found and the replies to the resends."""
        found = await self.since(last_id) if last_id is not None else []
        self.last_resume = {"since": found, "resent": await self.resend_pending()}

    # -- commands ------------------------------------------------------------------------

    async def command(self, kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command; return its answer frame (``reply`` or ``error``)."""
        frame: dict[str, Any] = {"id": f"r{next(self._ids)}", "type": kind}
        if data is not None:
            frame["data"] = data
        return await self.raw(json.dumps(frame, ensure_ascii=False), request_id=frame["id"])

    async def raw(self, payload: str | bytes, request_id: Any = None) -> dict[str, Any]:
        """Send one frame as is; return the answer (``id`` null when it was unreadable)."""
        if not self.connected:
            raise Closed(self.close_code or 1006)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._waiting.append((request_id, future))
        try:
            await self._ws.send(payload)
        except ConnectionClosed as exc:
            raise Closed(_close_code(exc)) from exc
        return await asyncio.wait_for(future, self.timeout)

    async def request(self, kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command; return the reply's ``data`` or raise :class:`CommandError`."""
        answer = await self.command(kind, data)
        if answer["type"] == "error":
            raise CommandError(answer)
        assert answer["ok"] is True, answer
        return answer["data"]

    async def send_message(self, text: str, client_id: str | None = None) -> dict[str, Any]:
        """Keep ``text`` as pending under a new (or the given) client id, send it and return
        the reply's data. On a lost socket it stays pending (resent by :meth:`resume`)."""
        client_id = client_id or str(uuid.uuid4())
        self.pending[client_id] = text
        return await self._send_pending(client_id)

    async def _send_pending(self, client_id: str) -> dict[str, Any]:
        """Send one pending message. ``chat.rate_limited`` is retried after ``retry_after``
        when that is at most ``max_wait`` seconds; it and ``server.error`` keep the message
        pending; any other error can never succeed and drops it."""
        while True:
            answer = await self.command(
                "chat.send", {"client_id": client_id, "text": self.pending[client_id]}
            )
            if answer["type"] == "reply":
                self.pending.pop(client_id, None)
                self._keep(answer["data"]["message"])
                return answer["data"]
            error = CommandError(answer)
            if error.code == "chat.rate_limited":
                wait = error.details["retry_after"]
                if wait <= self.max_wait:
                    await asyncio.sleep(wait)
                    continue
            elif error.code != "server.error":
                self.pending.pop(client_id, None)
            raise error

    async def resend_pending(self) -> list[dict[str, Any]]:
        return [await self._send_pending(client_id) for client_id in list(self.pending)]

    async def since(self, after: int) -> list[dict[str, Any]]:
        """Every message after ``after``, following ``more``."""
        found: list[dict[str, Any]] = []
        while True:
            data = {"after": after}
            if self.since_limit:
                data["limit"] = self.since_limit
            reply = await self.request("chat.since", data)
            self.since_pages += 1
            for message in reply["messages"]:
                self._keep(message)
            found.extend(reply["messages"])
            if not reply["more"] or not reply["messages"]:
                return found
            after = reply["messages"][-1]["id"]

    async def history(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The whole history, paging back from the newest with ``before``; oldest first."""
        pages: list[list[dict[str, Any]]] = []
        before: int | None = None
        while True:
            data: dict[str, Any] = {}
            if before is not None:
                data["before"] = before
            if limit is not None:
                data["limit"] = limit
            reply = await self.request("chat.history", data)
            pages.insert(0, reply["messages"])
            for message in reply["messages"]:
                self._keep(message)
            if not reply["more"] or not reply["messages"]:
                return [message for page in pages for message in page]
            before = reply["messages"][0]["id"]

    # -- waiting for events --------------------------------------------------------------

    async def wait_for(self, condition: Callable[[], Any], timeout: float | None = None) -> Any:
        """Wait until ``condition()`` is truthy (checked after every frame); return it."""
        async with asyncio.timeout(timeout or self.timeout):
            while True:
                result = condition()
                if result:
                    return result
                if self.close_code is not None and self._reader and self._reader.done():
                    raise Closed(self.close_code)
                self._changed.clear()
                await self._changed.wait()

    async def event(self, name: str, match: Callable[[dict], bool] = lambda data: True) -> dict:
        """Remove and return the first kept event ``name`` whose data matches."""

        def find() -> dict | None:
            for index, frame in enumerate(self.events):
                if frame["event"] == name and match(frame["data"]):
                    return self.events.pop(index)["data"]
            return None

        return await self.wait_for(find)

    async def closed(self) -> int:
        """Wait for the server to close the socket; return the close code."""
        await asyncio.wait_for(asyncio.shield(self._reader), self.timeout)
        return self.close_code


def _close_code(exc: ConnectionClosed) -> int:
    """The code the server sent; 1006 when the connection dropped without a close frame."""
    return exc.rcvd.code if exc.rcvd is not None else 1006


def _close_code_of(ws: ClientConnection) -> int:
    return ws.close_code if ws.close_code is not None else 1006
