"""Two real daphne processes sharing PostgreSQL and Redis: a message sent through one reaches a
participant on the other, and killing one (KILL or TERM) or restarting Redis mid-conversation
loses and duplicates nothing for clients that follow docs/websocket-protocol.md section 7."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from meetings.models import ChatMessage
from tests.meetings.sockets import *  # noqa: F403 - people fixtures, fresh cache
from tests.meetings.sockets import session_key_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DAPHNE = str(Path(sys.executable).with_name("daphne"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def daphne_env(redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRSITE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="fairsite.settings",
        FAIRSITE_DEBUG="1",
        FAIRSITE_DATABASE_URL=database_url(),
        FAIRSITE_REDIS_URL=redis_url,
        FAIRSITE_REDIS_PREFIX=f"fairsite-mp-{uuid.uuid4().hex[:12]}",
        FAIRSITE_CHAT_RATE_LIMIT="1000/10s",
        FAIRSITE_LOG_LEVEL="WARNING",
    )
    if os.environ.get("FAIRSITE_SECRET_KEY"):
        env["FAIRSITE_SECRET_KEY"] = os.environ["FAIRSITE_SECRET_KEY"]
    return env


def start_daphne(port: int, env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603 - our own server on 127.0.0.1
        [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "fairsite.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne on {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne on {port} did not start")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_redis(port: int, directory: Path) -> subprocess.Popen:
    """A private redis-server on 127.0.0.1:``port`` without persistence (a restart loses
    everything, as the worst case of a real one)."""
    process = subprocess.Popen(  # noqa: S603 - our own server on 127.0.0.1
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def terminate(process: subprocess.Popen | None, timeout: float = 15) -> int | None:
    """SIGTERM, and wait for the process to end by itself; its exit status."""
    if process is None or process.poll() is not None:
        return None if process is None else process.returncode
    os.kill(process.pid, signal.SIGTERM)
    return process.wait(timeout=timeout)


class Client:
    """A client following docs/websocket-protocol.md section 7: de-duplicates by id, resumes
    with ``chat.since`` after reconnecting, after a ``resync`` event and when a ``ping`` reply's
    ``last_id`` is ahead of what it holds; resends unacknowledged messages by ``client_id``
    (after reconnecting, and a while after ``server.error``)."""

    ping_every = 1.0  # seconds (the protocol asks for at least every 30 s)

    def __init__(self, name: str, url: str, session_key: str, port: int) -> None:
        self.name = name
        self.url = url
        self.headers = {"Cookie": f"sessionid={session_key}"}
        self.origin = f"http://127.0.0.1:{port}"
        self.transcript: dict[int, dict[str, Any]] = {}
        self.pending: dict[str, str] = {}  # client_id -> text
        self.sent: list[str] = []
        self.acked: dict[str, int] = {}
        self.reconnects = 0
        self.resends = 0
        self.ws: Any = None
        self.ready = asyncio.Event()
        self.waiting: dict[str, asyncio.Future] = {}
        self.ids = itertools.count(1)
        self.task: asyncio.Task | None = None
        self.stopping = False
        self.close_codes: list[int | None] = []
        self.errors: list[str] = []
        self.resyncs = 0
        self.catch_ups = 0
        self.server_errors = 0
        self.catching_up: asyncio.Task | None = None
        self.sending: dict[str, str] = {}  # request id -> client_id of a chat.send in flight

    @property
    def last_id(self) -> int:
        return max(self.transcript, default=0)

    def start(self) -> None:
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        from websockets.asyncio.client import connect

        attempt = 0
        while not self.stopping and attempt < 40:
            try:
                async with connect(
                    self.url, origin=self.origin, additional_headers=self.headers, open_timeout=3
                ) as ws:
                    self.ws = ws
                    attempt = 0
                    await self.serve(ws)
            except Exception as exc:
                if self.stopping:
                    return
                received = getattr(exc, "rcvd", None)
                self.close_codes.append(received.code if received else None)
                self.errors.append(repr(exc))
                if received and received.code in (4401, 4403, 4404):
                    raise
            self.ready.clear()
            self.ws = None
            for future in self.waiting.values():
                future.cancel()
            self.waiting.clear()
            if self.stopping:
                return
            self.reconnects += 1
            attempt += 1
            await asyncio.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + 0.5 * os.urandom(1)[0] / 255))

    async def serve(self, ws: Any) -> None:
        hello = json.loads(await ws.recv())
        assert hello["event"] == "hello"
        had = self.last_id
        for message in hello["data"]["messages"]:
            self.keep(message)
        reader = asyncio.create_task(self.read(ws))
        pinger = asyncio.create_task(self.pings())
        try:
            if had:
                await self.catch_up(had)
            for client_id, text in list(self.pending.items()):
                self.resends += 1
                await self.push(client_id, text)
            self.ready.set()
            await reader
        finally:
            reader.cancel()
            pinger.cancel()
            if ws.close_code is not None:
                self.close_codes.append(ws.close_code)

    async def catch_up(self, after: int) -> None:
        """``chat.since`` from ``after`` until ``more`` is false."""
        self.catch_ups += 1
        for _ in range(100):
            reply = await self.request("chat.since", {"after": after})
            if reply["type"] != "reply":
                return
            for message in reply["data"]["messages"]:
                self.keep(message)
            if not reply["data"]["more"]:
                break
            after = reply["data"]["messages"][-1]["id"]

    def catch_up_soon(self, after: int | None = None) -> None:
        """Fetch from ``after`` (a ``resync``'s), else from the greatest id held."""
        start = self.last_id if after is None else min(after, self.last_id)
        if after is not None or self.catching_up is None or self.catching_up.done():
            self.catching_up = asyncio.create_task(self.catch_up(start))

    async def pings(self) -> None:
        while True:
            await asyncio.sleep(self.ping_every)
            try:
                reply = await self.request("ping", {})
            except Exception:  # noqa: S112 - offline or timed out: the next ping tries again
                continue
            if reply["type"] == "reply" and reply["data"].get("last_id", 0) > self.last_id:
                self.catch_up_soon()

    async def resend_later(self, client_id: str, delay: float = 0.5) -> None:
        await asyncio.sleep(delay)
        if client_id in self.pending and self.ws is not None:
            self.resends += 1
            await self.push(client_id, self.pending[client_id])

    async def read(self, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "event":
                if frame["event"] == "chat.message":
                    self.keep(frame["data"])
                elif frame["event"] == "resync":
                    self.resyncs += 1
                    self.catch_up_soon(frame["data"].get("after"))
            elif frame["type"] == "reply" and "message" in (frame.get("data") or {}):
                message = frame["data"]["message"]
                self.acked[message["client_id"]] = message["id"]
                self.pending.pop(message["client_id"], None)
                self.sending.pop(frame["id"], None)
                self.keep(message)
                future = self.waiting.pop(frame["id"], None)
                if future and not future.done():
                    future.set_result(frame)
            else:
                future = self.waiting.pop(frame["id"], None)
                if future and not future.done():
                    future.set_result(frame)
                client_id = self.sending.pop(frame.get("id"), None)
                if frame["type"] == "error" and client_id is not None:
                    code = frame["error"]["code"]
                    if code in ("server.error", "chat.rate_limited"):
                        self.server_errors += 1
                        asyncio.create_task(self.resend_later(client_id))
                    else:  # can never be stored
                        self.pending.pop(client_id, None)

    def keep(self, message: dict[str, Any]) -> None:
        self.transcript.setdefault(message["id"], message)

    async def request(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        request_id = f"{self.name}-{next(self.ids)}"
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiting[request_id] = future
        await self.ws.send(json.dumps({"id": request_id, "type": kind, "data": data}))
        return await asyncio.wait_for(future, 10)

    async def push(self, client_id: str, text: str) -> None:
        request_id = f"{self.name}-{next(self.ids)}"
        self.sending[request_id] = client_id
        try:
            await self.ws.send(
                json.dumps(
                    {
                        "id": request_id,
                        "type": "chat.send",
                        "data": {"client_id": client_id, "text": text},
                    }
                )
            )
        except Exception:  # noqa: S110 - offline: stays pending, resent after reconnecting
            pass

    async def say(self, text: str) -> None:
        client_id = f"{self.name}-{uuid.uuid4().hex}"
        self.sent.append(client_id)
        self.pending[client_id] = text
        if self.ws is not None and self.ready.is_set():
            await self.push(client_id, text)

    async def stop(self) -> None:
        self.stopping = True
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()


async def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def test_chat_across_processes_survives_a_killed_daphne(
    postgres_required, redis_url, meeting, exhibitor, buyer
):
    env = daphne_env(redis_url)
    port_a, port_b = free_port(), free_port()
    seller_key, guest_key = session_key_for(exhibitor), session_key_for(buyer)
    processes: dict[str, subprocess.Popen | None] = {"a": None, "b": None}
    path = f"/ws/meetings/{meeting.pk}/"

    async def scenario() -> tuple[Client, Client]:
        seller = Client("seller", f"ws://127.0.0.1:{port_a}{path}", seller_key, port_a)
        guest = Client("guest", f"ws://127.0.0.1:{port_b}{path}", guest_key, port_b)
        seller.start()
        guest.start()
        await asyncio.wait_for(seller.ready.wait(), 10)
        await asyncio.wait_for(guest.ready.wait(), 10)

        await seller.say("hello from process A")
        assert await wait_until(lambda: len(guest.transcript) == 1, 5), "not across processes"
        first = next(iter(guest.transcript.values()))
        assert first["text"] == "hello from process A"

        loop = asyncio.get_running_loop()
        restarted = None
        for n in range(60):
            await (seller if n % 2 else guest).say(f"message {n}")
            if n == 20:
                stop(processes["a"])  # SIGKILL mid-conversation
                restarted = loop.run_in_executor(None, start_daphne, port_a, env)
            await asyncio.sleep(0.03)
        processes["a"] = await restarted

        settled = await wait_until(
            lambda: (
                not seller.pending
                and not guest.pending
                and seller.ready.is_set()
                and len(seller.transcript) == len(guest.transcript) == 61
            ),
            30,
        )
        await seller.stop()
        await guest.stop()
        assert settled, (len(seller.pending), len(guest.pending), len(seller.transcript))
        return seller, guest

    try:
        processes["a"] = start_daphne(port_a, env)
        processes["b"] = start_daphne(port_b, env)
        seller, guest = asyncio.run(asyncio.wait_for(scenario(), 90))
    finally:
        for process in processes.values():
            stop(process)

    rows = list(
        ChatMessage.objects.filter(meeting=meeting)
        .order_by("id")
        .values_list("id", "sender_id", "client_id", "text")
    )
    stored_ids = [row[0] for row in rows]
    assert seller.reconnects >= 1 and seller.resends >= 1
    assert len(rows) == 61
    assert sorted(row[2] for row in rows) == sorted(seller.sent + guest.sent)
    for client in (seller, guest):
        assert sorted(client.transcript) == stored_ids
        assert [client.transcript[i]["text"] for i in stored_ids] == [row[3] for row in rows]
        assert all(client.acked[cid] in client.transcript for cid in client.sent)


def assert_transcripts_equal_the_database(meeting, clients) -> None:
    rows = list(
        ChatMessage.objects.filter(meeting=meeting)
        .order_by("id")
        .values_list("id", "sender_id", "client_id", "text")
    )
    stored_ids = [row[0] for row in rows]
    sent = sorted(cid for client in clients for cid in client.sent)
    assert sorted(row[2] for row in rows) == sent  # every message stored exactly once
    for client in clients:
        assert sorted(client.transcript) == stored_ids, client.name
        assert [client.transcript[i]["text"] for i in stored_ids] == [row[3] for row in rows]
        assert all(client.acked[cid] in client.transcript for cid in client.sent)


RECONNECTED = "channel layer reconnected to Redis"


def test_chat_survives_a_redis_restart_a_sigterm_and_a_sigkill(
    postgres_required, meeting, exhibitor, buyer, tmp_path
):
    """A private Redis is restarted mid-conversation (losing everything), then daphne A gets
    SIGTERM, then daphne B gets SIGKILL; both are started again. Every acknowledged message
    reaches both members exactly once, and both transcripts equal the database. The processes
    that lost Redis tell their sockets to resync; SIGTERM closes sockets with 1001."""
    redis_port = free_port()
    redis_process = start_redis(redis_port, tmp_path)
    env = daphne_env(f"redis://127.0.0.1:{redis_port}/0")
    port_a, port_b = free_port(), free_port()
    logs = {"a": tmp_path / "daphne-a.log", "b": tmp_path / "daphne-b.log"}
    seller_key, guest_key = session_key_for(exhibitor), session_key_for(buyer)
    processes: dict[str, subprocess.Popen | None] = {"a": None, "b": None}
    path = f"/ws/meetings/{meeting.pk}/"
    total = 60

    async def scenario() -> tuple[Client, Client]:
        nonlocal redis_process
        seller = Client("seller", f"ws://127.0.0.1:{port_a}{path}", seller_key, port_a)
        guest = Client("guest", f"ws://127.0.0.1:{port_b}{path}", guest_key, port_b)
        seller.start()
        guest.start()
        await asyncio.wait_for(seller.ready.wait(), 10)
        await asyncio.wait_for(guest.ready.wait(), 10)
        loop = asyncio.get_running_loop()

        for n in range(total):
            await (seller if n % 2 else guest).say(f"message {n}")
            if n == 10:  # Redis goes away for a second and comes back empty
                redis_process.kill()
                redis_process.wait(5)
                await asyncio.sleep(1.0)
                redis_process = await loop.run_in_executor(None, start_redis, redis_port, tmp_path)
            if n == 25:
                # Both processes noticed that their channel layer reconnected (and resynced).
                assert await wait_until(
                    lambda: all(RECONNECTED in log.read_text() for log in logs.values()), 15
                )
                assert await loop.run_in_executor(None, terminate, processes["a"]) == 0
                processes["a"] = await loop.run_in_executor(
                    None, start_daphne, port_a, env, logs["a"]
                )
            if n == 40:
                stop(processes["b"])
                processes["b"] = await loop.run_in_executor(
                    None, start_daphne, port_b, env, logs["b"]
                )
            await asyncio.sleep(0.05)

        settled = await wait_until(
            lambda: (
                not seller.pending
                and not guest.pending
                and len(seller.transcript) == len(guest.transcript) == total
            ),
            40,
        )
        await seller.stop()
        await guest.stop()
        assert settled, (
            len(seller.pending),
            len(guest.pending),
            len(seller.transcript),
            len(guest.transcript),
        )
        return seller, guest

    try:
        processes["a"] = start_daphne(port_a, env, logs["a"])
        processes["b"] = start_daphne(port_b, env, logs["b"])
        seller, guest = asyncio.run(asyncio.wait_for(scenario(), 120))
    finally:
        for process in processes.values():
            stop(process)
        redis_process.kill()
        redis_process.wait(5)

    assert_transcripts_equal_the_database(meeting, [seller, guest])
    assert 1001 in seller.close_codes, seller.close_codes  # SIGTERM drained A's sockets
    assert 1006 not in seller.close_codes[: seller.close_codes.index(1001) + 1]
    assert guest.resyncs >= 1 and seller.resyncs >= 1, (seller.close_codes, seller.errors)


def test_redis_restart_loses_nothing_for_clients_that_stay_connected(
    postgres_required, meeting, exhibitor, buyer, tmp_path
):
    """Redis (private, no persistence) restarts mid-conversation; the sockets stay open. Messages
    acknowledged during the outage and in the first instants after it reach the other member
    (through the ``resync`` event or a ``ping``'s ``last_id``) without any reconnect."""
    redis_port = free_port()
    redis_process = start_redis(redis_port, tmp_path)
    env = daphne_env(f"redis://127.0.0.1:{redis_port}/0")
    port_a, port_b = free_port(), free_port()
    logs = {"a": tmp_path / "daphne-a.log", "b": tmp_path / "daphne-b.log"}
    seller_key, guest_key = session_key_for(exhibitor), session_key_for(buyer)
    processes: list[subprocess.Popen] = []
    path = f"/ws/meetings/{meeting.pk}/"
    total = 40

    async def scenario() -> tuple[Client, Client]:
        nonlocal redis_process
        seller = Client("seller", f"ws://127.0.0.1:{port_a}{path}", seller_key, port_a)
        guest = Client("guest", f"ws://127.0.0.1:{port_b}{path}", guest_key, port_b)
        seller.start()
        guest.start()
        await asyncio.wait_for(seller.ready.wait(), 10)
        await asyncio.wait_for(guest.ready.wait(), 10)
        loop = asyncio.get_running_loop()
        for n in range(total):
            await (seller if n % 2 else guest).say(f"message {n}")
            if n == 10:
                redis_process.kill()
                redis_process.wait(5)
                await asyncio.sleep(0.5)
                redis_process = await loop.run_in_executor(None, start_redis, redis_port, tmp_path)
            await asyncio.sleep(0.05)
        settled = await wait_until(
            lambda: (
                not seller.pending
                and not guest.pending
                and len(seller.transcript) == len(guest.transcript) == total
            ),
            20,
        )
        await seller.stop()
        await guest.stop()
        assert settled, (len(seller.transcript), len(guest.transcript), seller.pending)
        return seller, guest

    try:
        processes.append(start_daphne(port_a, env, logs["a"]))
        processes.append(start_daphne(port_b, env, logs["b"]))
        seller, guest = asyncio.run(asyncio.wait_for(scenario(), 90))
    finally:
        for process in processes:
            stop(process)
        redis_process.kill()
        redis_process.wait(5)

    assert seller.reconnects == guest.reconnects == 0
    assert_transcripts_equal_the_database(meeting, [seller, guest])


def test_rate_limit_is_shared_across_processes(
    postgres_required, redis_url, meeting, exhibitor, buyer
):
    """One person's allowance holds across two daphne processes (the counter is in Redis).
    Negative control: another person, on the same processes, keeps their own allowance."""
    if time.time() % 3600 > 3570:  # fixed hourly windows: never straddle two
        time.sleep(3600 - time.time() % 3600 + 0.5)
    env = daphne_env(redis_url) | {"FAIRSITE_CHAT_RATE_LIMIT": "3/h"}
    port_a, port_b = free_port(), free_port()
    seller_key, guest_key = session_key_for(exhibitor), session_key_for(buyer)
    path = f"/ws/meetings/{meeting.pk}/"

    async def answers(port: int, key: str, client_ids: list[str]) -> list[str]:
        from websockets.asyncio.client import connect

        async with connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={key}"},
            open_timeout=5,
        ) as ws:
            assert json.loads(await ws.recv())["event"] == "hello"
            results = []
            for client_id in client_ids:
                await ws.send(
                    json.dumps(
                        {
                            "id": client_id,
                            "type": "chat.send",
                            "data": {"client_id": client_id, "text": client_id},
                        }
                    )
                )
                while True:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame["type"] != "event":
                        break
                assert frame["id"] == client_id
                results.append("ok" if frame["type"] == "reply" else frame["error"]["code"])
            return results

    async def scenario() -> list[list[str]]:
        return [
            await answers(port_a, seller_key, ["a-1", "a-2"]),
            await answers(port_b, seller_key, ["b-1", "b-2"]),
            await answers(port_b, guest_key, ["g-1", "g-2", "g-3"]),
        ]

    processes: list[subprocess.Popen] = []
    try:
        processes.append(start_daphne(port_a, env))
        processes.append(start_daphne(port_b, env))
        on_a, on_b, guest = asyncio.run(asyncio.wait_for(scenario(), 60))
    finally:
        for process in processes:
            stop(process)

    assert on_a == ["ok", "ok"]
    assert on_b == ["ok", "chat.rate_limited"]
    assert guest == ["ok", "ok", "ok"]
    assert ChatMessage.objects.filter(meeting=meeting).count() == 6


def test_sigterm_closes_every_socket_with_1001(
    postgres_required, redis_url, meeting, exhibitor, buyer, tmp_path
):
    """daphne asked to stop (SIGTERM) closes its sockets with 1001 ("going away"), not 1006,
    and exits by itself."""
    env = daphne_env(redis_url) | {"FAIRSITE_LOG_LEVEL": "INFO"}
    port = free_port()
    log = tmp_path / "daphne.log"
    path = f"/ws/meetings/{meeting.pk}/"
    process = start_daphne(port, env, log)
    keys = [session_key_for(exhibitor), session_key_for(buyer)]

    async def scenario() -> tuple[list[int | None], list[str]]:
        from websockets.asyncio.client import connect

        sockets = []
        for key in keys:
            ws = await connect(
                f"ws://127.0.0.1:{port}{path}",
                origin=f"http://127.0.0.1:{port}",
                additional_headers={"Cookie": f"sessionid={key}"},
            )
            assert json.loads(await ws.recv())["event"] == "hello"
            sockets.append(ws)
        await sockets[0].send(
            json.dumps({"id": 1, "type": "chat.send", "data": {"client_id": "t", "text": "x"}})
        )
        os.kill(process.pid, signal.SIGTERM)
        kinds: list[str] = []
        for ws in sockets:
            try:
                async for raw in ws:
                    frame = json.loads(raw)
                    kinds.append(frame.get("event") or frame["type"])
            except Exception:  # noqa: S110 - the close code is what is checked
                pass
        return [ws.close_code for ws in sockets], kinds

    try:
        codes, kinds = asyncio.run(asyncio.wait_for(scenario(), 30))
        assert process.wait(timeout=15) == 0
    finally:
        stop(process)

    assert codes == [1001, 1001], log.read_text()[-3000:]
    assert "hello" not in kinds  # nothing but the room's events after the greeting


def test_protocol_violations_get_their_close_code_not_a_dropped_connection(
    postgres_required, redis_url, meeting, exhibitor
):
    """A text frame that is not UTF-8 closes with 1007; a message over 1 MiB with 1009."""
    env = daphne_env(redis_url)
    port = free_port()
    path = f"/ws/meetings/{meeting.pk}/"
    key = session_key_for(exhibitor)
    process = start_daphne(port, env)

    def raw_frame(opcode: int, payload: bytes) -> bytes:
        """One masked client frame (mask 0: the payload goes as it is)."""
        size = len(payload)
        if size < 126:
            header = bytes([0x80 | opcode, 0x80 | size])
        elif size < 65536:
            header = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
        else:
            header = bytes([0x80 | opcode, 0x80 | 127]) + size.to_bytes(8, "big")
        return header + b"\0\0\0\0" + payload

    async def close_code_after(frame: bytes) -> int | None:
        from websockets.asyncio.client import connect

        async with connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": f"sessionid={key}"},
            max_size=None,
        ) as ws:
            assert json.loads(await ws.recv())["event"] == "hello"
            ws.transport.write(frame)
            try:
                async for _ in ws:
                    pass
            except Exception:  # noqa: S110 - the close code is what is checked
                pass
            return ws.close_code

    async def scenario() -> tuple[int | None, int | None]:
        invalid = await close_code_after(raw_frame(0x1, b'{"id":1,"type":"\xff\xfe"}'))
        oversized = await close_code_after(raw_frame(0x1, b"a" * (1024 * 1024 + 1)))
        return invalid, oversized

    try:
        invalid, oversized = asyncio.run(asyncio.wait_for(scenario(), 30))
    finally:
        stop(process)

    assert invalid == 1007
    assert oversized == 1009
