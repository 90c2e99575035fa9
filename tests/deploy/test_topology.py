"""The production topology, as ``deploy/`` describes it: Debian's nginx with
``deploy/nginx/fairsite.conf`` in front of two daphne processes on Unix sockets, PostgreSQL,
Redis and a task worker. Driven through nginx only: pages, sign-in, a chat across the two
processes over WebSockets, a rolling restart while a client keeps requesting and chatting, a
request step whose e-mail the worker process sends, and a forged ``X-Forwarded-For``."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from deploy.topology import daphne_start, nginx_start
from meetings.models import ChatMessage
from tests.deploy.servers import (
    DAPHNE,
    ROOT,
    database_url,
    free_port,
    production_env,
    request,
    stop,
)
from tests.factories import PASSWORD
from tests.meetings.conftest import meeting  # noqa: F401 - fixture
from tests.meetings.sockets import buyer, exhibitor, fresh_cache, session_key_for  # noqa: F401
from tests.meetings.test_multiprocess import Client, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class Topology:
    def __init__(self, tmp: Path, static_root: Path, redis_url: str) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.sockets = [tmp / "daphne-1.sock", tmp / "daphne-2.sock"]
        self.env = production_env(
            FAIRSITE_DATABASE_URL=database_url(),
            FAIRSITE_REDIS_URL=redis_url,
            FAIRSITE_REDIS_PREFIX=f"deploy-topology-{uuid.uuid4().hex[:10]}",
            FAIRSITE_STATIC_ROOT=str(static_root),
            FAIRSITE_CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{self.port}",
            FAIRSITE_CHAT_RATE_LIMIT="1000/10s",
            FAIRSITE_DB_POOL_MAX="4",
            # nginx is the only trusted peer (read by the trusted-proxy handling).
            FAIRSITE_TRUSTED_PROXIES="127.0.0.1,::1",
        )
        self.daphnes: list[subprocess.Popen | None] = [None, None]
        self.nginx: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.static_root = static_root

    def start(self) -> None:
        for n in range(2):
            self.start_daphne(n)
        media = self.tmp / "media"
        media.mkdir(exist_ok=True)
        self.nginx = nginx_start(
            run_dir=self.tmp / "nginx",
            port=self.port,
            sockets=self.sockets,
            static_root=self.static_root,
            media_root=media,
        )

    def start_daphne(self, n: int) -> None:
        self.daphnes[n] = daphne_start(
            env=self.env, sock=self.sockets[n], cwd=ROOT, log=self.tmp / f"daphne-{n + 1}.log"
        )

    def stop_daphne(self, n: int) -> str:
        """SIGTERM and wait; a process that does not exit in time is killed."""
        process = self.daphnes[n]
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
            return "exited"
        except subprocess.TimeoutExpired:
            stop(process)
            return "killed"

    def close(self) -> None:
        stop(self.nginx, signal.SIGTERM)  # the master stops its workers
        for process in [self.worker, *self.daphnes]:
            stop(process)

    async def get(self, path: str, **headers: str) -> tuple[int, bytes]:
        return await request(path, port=self.port, headers=headers)

    async def post(self, path: str, body: str, **headers: str) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **headers}
        return await request(
            path, port=self.port, headers=headers, method="POST", body=body.encode()
        )


@pytest.fixture
def topology(postgres_required, redis_url, tmp_path, static_root):
    running = Topology(tmp_path, static_root, redis_url)
    try:
        running.start()
        yield running
    finally:
        running.close()


def cookies(raw: bytes) -> dict[str, str]:
    return dict(re.findall(rb"Set-Cookie: ([^=]+)=([^;]*);", raw, flags=re.I)) and {
        k.decode(): v.decode() for k, v in re.findall(rb"Set-Cookie: ([^=]+)=([^;]*);", raw, re.I)
    }


async def sign_in(topology: Topology, email: str, password: str, xff: str | None = None):
    status, raw = await topology.get("/accounts/login/")
    assert status == 200
    jar = cookies(raw)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw).group(1).decode()
    from urllib.parse import urlencode

    headers = {
        "Cookie": f"csrftoken={jar['csrftoken']}; django_language=en",
        "Origin": f"http://127.0.0.1:{topology.port}",
        "Referer": f"http://127.0.0.1:{topology.port}/accounts/login/",
    }
    if xff:
        headers["X-Forwarded-For"] = xff
    body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
    status, raw = await topology.post("/accounts/login/", body, **headers)
    return status, cookies(raw), raw


def test_pages_sign_in_and_chat_through_nginx_survive_a_rolling_restart(
    topology,
    meeting,  # noqa: F811 - fixtures
    exhibitor,  # noqa: F811
    buyer,  # noqa: F811
):
    exhibitor.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt", iterations=1000)
    exhibitor.save(update_fields=["password"])
    path = f"/ws/meetings/{meeting.pk}/"
    origin_port = topology.port
    guest_key = session_key_for(buyer)
    statuses: dict[object, int] = {}

    async def scenario():
        for page in ("/healthz", "/", "/suppliers/", "/accounts/login/"):
            status, raw = await topology.get(page)
            assert status == 200, (page, raw[:300])
        css = re.search(rb'href="(/static/[^"]+\.css)"', (await topology.get("/"))[1]).group(1)
        status, raw = await topology.get(css.decode())
        assert status == 200 and b"immutable" in raw  # served by nginx from collectstatic

        status, jar, _ = await sign_in(topology, exhibitor.email, PASSWORD)
        assert status == 302 and "sessionid" in jar, status
        status, _ = await topology.get("/agenda/", Cookie=f"sessionid={jar['sessionid']}")
        assert status == 200

        ws = f"ws://127.0.0.1:{origin_port}{path}"
        # nginx hands consecutive connections to the two processes in turn.
        seller = Client("seller", ws, jar["sessionid"], origin_port)
        guest = Client("guest", ws, guest_key, origin_port)
        seller.start()
        await asyncio.wait_for(seller.ready.wait(), 10)
        guest.start()
        await asyncio.wait_for(guest.ready.wait(), 10)
        await seller.say("hello through nginx")
        assert await wait_until(lambda: len(guest.transcript) == 1, 5)

        stopping = asyncio.Event()

        async def keep_requesting():
            while not stopping.is_set():
                try:
                    status, _ = await topology.get("/suppliers/" if len(statuses) % 2 else "/")
                except (OSError, TimeoutError, ValueError) as exc:
                    status = type(exc).__name__
                statuses[status] = statuses.get(status, 0) + 1
                await asyncio.sleep(0.02)

        async def keep_chatting():
            n = 0
            while not stopping.is_set():
                await (seller if n % 2 else guest).say(f"message {n}")
                n += 1
                await asyncio.sleep(0.05)

        loop = asyncio.get_running_loop()
        tasks = [asyncio.create_task(keep_requesting()), asyncio.create_task(keep_chatting())]
        outcomes = []
        await asyncio.sleep(1)
        for n in range(2):  # rolling restart: one process at a time
            outcomes.append(await loop.run_in_executor(None, topology.stop_daphne, n))
            await asyncio.sleep(0.5)
            await loop.run_in_executor(None, topology.start_daphne, n)
            await asyncio.sleep(1)
        stopping.set()
        await asyncio.gather(*tasks)
        settled = await wait_until(
            lambda: (
                not seller.pending
                and not guest.pending
                and seller.ready.is_set()
                and guest.ready.is_set()
            ),
            30,
        )
        await asyncio.sleep(1)
        await seller.stop()
        await guest.stop()
        assert settled, (len(seller.pending), len(guest.pending))
        return seller, guest, outcomes

    seller, guest, outcomes = asyncio.run(asyncio.wait_for(scenario(), 150))

    assert statuses.get(200, 0) > 20 and set(statuses) == {200}, statuses
    stored = dict(ChatMessage.objects.filter(meeting=meeting).values_list("client_id", "id"))
    for client in (seller, guest):
        assert set(client.acked) <= set(stored)  # nothing acknowledged was lost
        assert set(client.sent) <= set(stored)  # unacknowledged ones were resent and stored
        assert {client.acked[c] for c in client.acked} == {stored[c] for c in client.acked}
    assert len(stored) == len(seller.sent) + len(guest.sent)  # and none stored twice
    print(f"rolling restart: {statuses}, processes {outcomes}, {len(stored)} messages")


def test_forged_forwarded_for_through_nginx_does_not_escape_the_rate_limit(topology):
    """nginx replaces the client's X-Forwarded-For with the address it saw, so six failed
    sign-ins, each under another forged address and e-mail, still hit the per-address limit
    (5 per 5 minutes: the form refuses the sixth). Negative control: the same requests sent
    straight to a daphne socket, where the header is taken as it comes, are never limited; the
    sockets admit nginx only."""

    async def attempts(send) -> list[str]:
        results = []
        for n in range(6):
            *_, raw = await send(n)
            limited = b"Too many failed login attempts" in raw
            results.append("limited" if limited else raw.split(b" ", 2)[1].decode())
        return results

    async def through_nginx(n):
        return await sign_in(topology, f"nobody{n}@example.com", "wrong", xff=f"203.0.113.{n}")

    async def straight_to_daphne(n):
        status, raw = await request("/accounts/login/", unix_socket=topology.sockets[0])
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw).group(1).decode()
        jar = cookies(raw)
        from urllib.parse import urlencode

        body = urlencode(
            {"csrfmiddlewaretoken": token, "login": f"direct{n}@example.com", "password": "x"}
        ).encode()
        return await request(
            "/accounts/login/",
            unix_socket=topology.sockets[0],
            method="POST",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}; django_language=en",
                "Origin": f"http://127.0.0.1:{topology.port}",
                "X-Forwarded-For": f"198.51.100.{n}",
            },
        )

    via_nginx = asyncio.run(attempts(through_nginx))
    direct = asyncio.run(attempts(straight_to_daphne))
    assert via_nginx == ["200"] * 5 + ["limited"], via_nginx
    assert direct == ["200"] * 6, direct


def test_a_task_enqueued_through_nginx_is_executed_by_the_worker(
    topology,
    exhibitor_member,
    buyer_member,
):
    """The exhibitor declines a meeting request through nginx: the request's daphne writes
    the e-mail job in its transaction, and the worker process sends it. Negative control:
    before the worker starts, the job waits in the queue and nothing is delivered."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from deploy.smtp_sink import SmtpSink
    from fairsite.models import OutgoingEmail
    from matchmaking.models import MeetingRequest, ProposedSlot
    from matchmaking.tasks import send_request_emails
    from tests.fairsite.test_tasks import wait_for

    seller, asker = exhibitor_member.user, buyer_member.user
    seller.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt", iterations=1000)
    seller.save(update_fields=["password"])
    req = MeetingRequest.objects.create(
        fair=exhibitor_member.company.fair,
        requester=buyer_member.company,
        recipient=exhibitor_member.company,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        awaiting=exhibitor_member.company,
        requested_by=asker,
    )
    start = timezone.now() + timedelta(days=2)
    ProposedSlot.objects.create(
        request=req, round=req.round, start=start, end=start + timedelta(minutes=30), mode="online"
    )
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()

    async def decline() -> int:
        status, jar, _ = await sign_in(topology, seller.email, PASSWORD)
        assert status == 302 and "sessionid" in jar, status
        cookie = f"sessionid={jar['sessionid']}; django_language=en"
        status, raw = await topology.get(f"/requests/{req.pk}/", Cookie=cookie)
        assert status == 200, raw[:300]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', raw).group(1).decode()
        csrf = cookies(raw).get("csrftoken") or jar.get("csrftoken")
        from urllib.parse import urlencode

        status, raw = await topology.post(
            f"/requests/{req.pk}/decline/",
            urlencode({"csrfmiddlewaretoken": token, "reason": "Fully booked"}),
            Cookie=f"{cookie}; csrftoken={csrf}",
            Origin=f"http://127.0.0.1:{topology.port}",
            Referer=f"http://127.0.0.1:{topology.port}/requests/{req.pk}/",
        )
        return status

    def job_status() -> str | None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status FROM procrastinate_jobs WHERE task_name = %s",
                [send_request_emails.name],
            )
            row = cursor.fetchone()
        return row[0] if row else None

    try:
        assert asyncio.run(decline()) == 302
        req.refresh_from_db()
        assert req.status == "declined"
        # Without a worker: queued, not delivered.
        assert job_status() == "todo"
        time.sleep(3)
        assert sink.received == []
        assert not OutgoingEmail.objects.filter(sent_at__isnull=False).exists()
        assert job_status() == "todo"

        topology.worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "worker", "--concurrency", "1"],
            cwd=ROOT,
            env={
                **topology.env,
                "FAIRSITE_EMAIL_HOST": "127.0.0.1",
                "FAIRSITE_EMAIL_PORT": str(sink.server_address[1]),
                "FAIRSITE_EMAIL_USE_TLS": "0",
            },
            stdout=open(topology.tmp / "worker.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert wait_for(lambda: job_status() == "succeeded", 60), (
            job_status(),
            (topology.tmp / "worker.log").read_text()[-2000:],
        )
        assert sink.received == [asker.email]
        (sent,) = OutgoingEmail.objects.filter(sent_at__isnull=False)
        assert (sent.to, sent.key) == (asker.email, f"request.declined:{req.pk}:r1:u{asker.pk}")
        assert topology.worker.poll() is None
    finally:
        sink.shutdown()
        sink.server_close()


def test_forwarded_for_from_an_untrusted_peer_is_ignored(postgres_required, redis_url, static_root):
    """A daphne reached directly over TCP, without ``--proxy-headers``, from a peer that is not
    in ``FAIRSITE_TRUSTED_PROXIES``: six failed sign-ins under six forged addresses still count
    against the peer's own address."""
    port = free_port()
    env = production_env(
        FAIRSITE_DATABASE_URL=database_url(),
        FAIRSITE_REDIS_URL=redis_url,
        FAIRSITE_REDIS_PREFIX=f"deploy-xff-{uuid.uuid4().hex[:10]}",
        FAIRSITE_STATIC_ROOT=str(static_root),
        FAIRSITE_CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        FAIRSITE_TRUSTED_PROXIES="192.0.2.1",
    )
    process = subprocess.Popen(  # noqa: S603 - our own server on 127.0.0.1
        [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "fairsite.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    direct = Topology.__new__(Topology)
    direct.port = port

    async def attempts() -> list[str]:
        for _ in range(300):
            try:
                if (await request("/healthz", port=port, timeout=2))[0] == 200:
                    break
            except (OSError, TimeoutError, ValueError):
                await asyncio.sleep(0.1)
        results = []
        for n in range(6):
            *_, raw = await sign_in(direct, f"forged{n}@example.com", "x", xff=f"203.0.113.{n}")
            limited = b"Too many failed login attempts" in raw
            results.append("limited" if limited else raw.split(b" ", 2)[1].decode())
        return results

    try:
        results = asyncio.run(attempts())
    finally:
        stop(process)
    assert results == ["200"] * 5 + ["limited"], results
