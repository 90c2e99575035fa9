"""Chat load: many two-person rooms on a real daphne with Redis and PostgreSQL.

Creates a fresh database, fills it (users, companies, meetings, sessions), starts daphne, opens
the sockets, sends chat messages at a fixed rate and measures the delivery latency from send to
receipt at the other participant; then does the same through a bare echo consumer (the baseline)
in the same run; counts sent, delivered and stored; stops daphne and drops the database.

    .venv/bin/python bench/chat_load.py                      # the full target: 2,000 sockets,
                                                             # 200 msg/s for 60 s, pubsub layer,
                                                             # one daphne process
    .venv/bin/python bench/chat_load.py --processes 2        # production topology: 2 daphnes
    .venv/bin/python bench/chat_load.py --layer core --duration 20 --sockets 400

With ``--processes N`` every socket goes to one of N daphne processes (ports ``--port`` …
``--port + N - 1``) at random (seeded), so most rooms have their two participants on different
processes and every message of those rooms crosses processes through Redis.

Only 127.0.0.1. Every loop is bounded in count and time; daphne is killed by pid at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "bench-chat-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456"  # noqa: S105


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=2000, help="sockets, two per room")
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--layer", choices=["pubsub", "core"], default="pubsub")
    parser.add_argument("--threads", type=int, default=0, help="ASGI_THREADS (0: default)")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument("--seed", type=int, default=7, help="socket → process assignment")
    parser.add_argument("--skip-echo", action="store_true", help="no echo baseline")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--db-name", default="fairsite_bench")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--port", type=int, default=8765)
    return parser.parse_args()


# --- Database ----------------------------------------------------------------------------


def create_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db_name}"')


def drop_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def populate(rooms: int) -> list[tuple[int, str, str]]:
    """``rooms`` meetings, each between one exhibitor and one buyer, with a session each.
    Returns ``(meeting id, exhibitor session key, buyer session key)``."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from exhibitors.enums import Attendance, CompanyRole, MembershipStatus
    from exhibitors.models import Company, Member
    from fairsite.enums import AccountKind
    from fairsite.models import Fair, User
    from meetings.enums import MeetingMode
    from meetings.models import Meeting

    call_command("migrate", verbosity=0)
    fair = Fair.objects.create(
        slug="bench",
        name="Bench fair",
        start_date=datetime(2021, 10, 20, tzinfo=UTC).date(),
        end_date=datetime(2021, 10, 22, tzinfo=UTC).date(),
        is_current=True,
    )
    companies = Company.objects.bulk_create(
        [
            Company(
                fair=fair,
                role=CompanyRole.EXHIBITOR if side == 0 else CompanyRole.BUYER,
                slug=f"c{n}-{side}",
                name_en=f"Company {n}-{side}",
                country="VN" if side == 0 else "JP",
                attendance=Attendance.ONSITE,
            )
            for n in range(rooms)
            for side in (0, 1)
        ]
    )
    users = []
    for n in range(rooms * 2):
        user = User(email=f"bench{n}@example.com", full_name=f"Bench {n}", language="en")
        user.set_unusable_password()
        user.kind = AccountKind.EXHIBITOR if n % 2 == 0 else AccountKind.BUYER
        users.append(user)
    users = User.objects.bulk_create(users)
    Member.objects.bulk_create(
        [
            Member(fair=fair, company=company, user=user, status=MembershipStatus.APPROVED)
            for company, user in zip(companies, users, strict=True)
        ]
    )
    start = datetime(2021, 10, 20, 2, 0, tzinfo=UTC)
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(
                fair=fair,
                exhibitor=companies[2 * n],
                buyer=companies[2 * n + 1],
                start=start,
                end=start + timedelta(minutes=30),
                mode=MeetingMode.ONLINE,
            )
            for n in range(rooms)
        ]
    )
    store = SessionStore()
    sessions, keys = [], []
    expire = timezone.now() + timedelta(days=1)
    for user in users:
        key = uuid.uuid4().hex
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=expire)
        )
        keys.append(key)
    Session.objects.bulk_create(sessions)
    return [(m.pk, keys[2 * n], keys[2 * n + 1]) for n, m in enumerate(meetings)]


def stored_messages() -> int:
    from meetings.models import ChatMessage

    return ChatMessage.objects.count()


# --- daphne --------------------------------------------------------------------------------


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        # As a server binds (daphne sets it too): connections of an earlier run still in
        # TIME_WAIT on this port do not count, only a socket listening there does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_daphne(port: int, env: dict[str, str]) -> subprocess.Popen:
    if not port_free(port):  # another server there would answer the health check and the sockets
        raise RuntimeError(f"port {port} is in use; choose another with --port")
    daphne = str(Path(sys.executable).with_name("daphne"))
    process = subprocess.Popen(  # noqa: S603 - our own server on 127.0.0.1
        [daphne, "-b", "127.0.0.1", "-p", str(port), "fairsite.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("daphne exited")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    raise RuntimeError("daphne did not start")


def stop_daphne(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- Load ----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    sent: int = 0
    acked: int = 0
    delivered: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # ms, send → other participant
    ack_latencies: list[float] = field(default_factory=list)
    sent_at: dict[str, float] = field(default_factory=dict)
    connect_seconds: float = 0.0
    load: str = ""
    connect_cpu: float = 0.0  # CPU seconds of the daphne processes while connecting
    send_cpu: float = 0.0  # ... while sending and delivering


async def open_sockets(urls: list[tuple[str, dict[str, str]]], concurrency: int = 16) -> list:
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(concurrency)

    async def one(url: str, headers: dict[str, str]) -> Any:
        async with gate:
            for attempt in range(5):
                try:
                    return await connect(
                        url,
                        origin="http://" + url.split("/")[2],  # the page's own origin
                        additional_headers=headers,
                        open_timeout=30,
                        ping_interval=None,
                        max_queue=None,
                    )
                except Exception:  # refused or timed out handshake under load: retry
                    await asyncio.sleep(0.5 * (attempt + 1))
            raise RuntimeError(f"cannot connect {url}")

    return await asyncio.gather(*(one(url, headers) for url, headers in urls))


async def pace(rate: float, duration: float, send: Any) -> None:
    """Call ``send(n)`` at ``rate`` per second for ``duration`` seconds (never skipping)."""
    total = int(rate * duration)
    start = time.perf_counter()
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(n)


def assign_ports(args: argparse.Namespace, sockets: int) -> list[int]:
    """The daphne port of every socket (``2 * room + participant``)."""
    chooser = random.Random(args.seed)
    return [args.port + chooser.randrange(args.processes) for _ in range(sockets)]


def split_rooms(ports: list[int]) -> int:
    """Rooms whose two participants are on different processes."""
    return sum(ports[2 * r] != ports[2 * r + 1] for r in range(len(ports) // 2))


async def run_echo(
    args: argparse.Namespace, rooms: int, ports: list[int], pids: list[int]
) -> Phase:
    phase = Phase("echo")
    t0, cpu0 = time.perf_counter(), cpu_seconds(pids)
    sockets = await open_sockets(
        [(f"ws://127.0.0.1:{ports[n]}/ws/bench-echo/{n // 2}/", {}) for n in range(rooms * 2)]
    )
    phase.connect_seconds = time.perf_counter() - t0
    cpu1 = cpu_seconds(pids)
    phase.connect_cpu = cpu1 - cpu0

    async def read(index: int, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame["from"] != index:
                phase.latencies.append((time.perf_counter() - frame["t"]) * 1000)
                phase.delivered += 1

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]

    async def send(n: int) -> None:
        room = n % rooms
        index = 2 * room + (n // rooms) % 2
        await sockets[index].send(json.dumps({"from": index, "t": time.perf_counter(), "n": n}))
        phase.sent += 1

    await pace(args.rate, args.duration, send)
    deadline = time.monotonic() + 10
    while phase.delivered < phase.sent and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    phase.send_cpu = cpu_seconds(pids) - cpu1
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return phase


async def run_chat(
    args: argparse.Namespace, rooms: list[tuple[int, str, str]], ports: list[int], pids: list[int]
) -> Phase:
    phase = Phase("chat")
    urls = []
    for meeting_id, seller_key, guest_key in rooms:
        for key in (seller_key, guest_key):
            port = ports[len(urls)]
            urls.append(
                (f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/", {"Cookie": f"sessionid={key}"})
            )
    t0, cpu0 = time.perf_counter(), cpu_seconds(pids)
    sockets = await open_sockets(urls)
    hellos = await asyncio.gather(*(ws.recv() for ws in sockets))
    phase.connect_seconds = time.perf_counter() - t0
    cpu1 = cpu_seconds(pids)
    phase.connect_cpu = cpu1 - cpu0
    print(f"chat: {len(sockets)} sockets connected in {phase.connect_seconds:.1f} s", flush=True)
    user_of = [json.loads(h)["data"]["user"]["id"] for h in hellos]
    ids = itertools.count()

    async def read(index: int, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "event" and frame["event"] == "chat.message":
                if frame["data"]["sender"]["id"] != user_of[index]:
                    sent = phase.sent_at.get(frame["data"]["client_id"])
                    if sent is not None:
                        phase.latencies.append((time.perf_counter() - sent) * 1000)
                    phase.delivered += 1
            elif frame["type"] == "reply":
                sent = phase.sent_at.get(frame["data"]["message"]["client_id"])
                if sent is not None:
                    phase.ack_latencies.append((time.perf_counter() - sent) * 1000)
                phase.acked += 1
            elif frame["type"] == "error":
                phase.errors += 1

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(sockets)]
    count = len(rooms)

    async def send(n: int) -> None:
        room = n % count
        index = 2 * room + (n // count) % 2
        client_id = f"b{next(ids)}"
        phase.sent_at[client_id] = time.perf_counter()
        frame = {
            "id": client_id,
            "type": "chat.send",
            "data": {"client_id": client_id, "text": f"Báo giá lô {n}: 10.000 vỏ nhôm ADC12"},
        }
        await sockets[index].send(json.dumps(frame, ensure_ascii=False))
        phase.sent += 1

    await pace(args.rate, args.duration, send)
    deadline = time.monotonic() + 15
    while (
        phase.delivered < phase.sent or phase.acked < phase.sent
    ) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    phase.send_cpu = cpu_seconds(pids) - cpu1
    for task in readers:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return phase


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds the daphne processes have used so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # pragma: no cover - not Linux
            return 0.0
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "?"


HEADER = (
    f"{'phase':<6} {'layer':<6} {'procs':>5} {'rate':>6} {'sent':>7} {'delivered':>9} "
    f"{'stored':>7} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
    f"{'connect s':>9}  load (1/5/15 min, at start)"
)


def row(phase: Phase, args: argparse.Namespace, stored: int | str) -> str:
    if phase.latencies:
        q = statistics.quantiles(phase.latencies, n=100, method="inclusive")
        figures = f"{q[49]:8.1f} {q[94]:8.1f} {q[98]:8.1f} {max(phase.latencies):8.1f}"
    else:
        figures = f"{'-':>8} {'-':>8} {'-':>8} {'-':>8}"
    return (
        f"{phase.name:<6} {args.layer:<6} {args.processes:>5} {args.rate:>4g}/s "
        f"{phase.sent:>7} {phase.delivered:>9} {str(stored):>7} {phase.errors:>6} {figures} "
        f"{phase.connect_seconds:>9.1f}  {phase.load}"
    )


def main() -> None:
    args = parse_args()
    rooms = args.sockets // 2
    prefix = f"fairsite-bench-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRSITE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="fairsite.settings",
        # Production mode, as deployed (no query log, no debug cursor).
        FAIRSITE_DEBUG="0",
        FAIRSITE_SECRET_KEY=SECRET,
        FAIRSITE_ALLOWED_HOSTS="127.0.0.1",
        FAIRSITE_SECURE_SSL_REDIRECT="0",
        FAIRSITE_DATABASE_URL=f"{args.pg}/{args.db_name}",
        FAIRSITE_REDIS_URL=args.redis,
        FAIRSITE_REDIS_PREFIX=prefix,
        FAIRSITE_CHANNEL_LAYER=args.layer,
        FAIRSITE_CHAT_RATE_LIMIT="10000/10s",
        FAIRSITE_LOG_LEVEL="WARNING",
        FAIRSITE_BENCH_ECHO="1",
    )
    if args.threads:
        env["ASGI_THREADS"] = str(args.threads)
    ports = assign_ports(args, rooms * 2)
    processes: list[subprocess.Popen] = []
    # SIGTERM (a wrapper's timeout) unwinds like Ctrl-C: daphne stopped, the database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
    create_database(args)
    try:
        setup_django(env)
        t0 = time.perf_counter()
        room_list = populate(rooms)
        print(f"populated {rooms} rooms in {time.perf_counter() - t0:.1f} s", flush=True)
        for n in range(args.processes):
            processes.append(start_daphne(args.port + n, env))
        pids = [p.pid for p in processes]
        print("daphne pids: " + " ".join(str(p) for p in pids), flush=True)
        echo = None
        if not args.skip_echo:
            load = loadavg()
            echo = asyncio.run(run_echo(args, rooms, ports, pids))
            echo.load = load
            print(f"echo done: {echo.delivered}/{echo.sent}", flush=True)
        load = loadavg()
        chat = asyncio.run(run_chat(args, room_list, ports, pids))
        chat.load = load
        stored = stored_messages()
    finally:
        for process in processes:
            stop_daphne(process)
        from django.db import connections

        connections.close_all()
        drop_database(args)

    print()
    print(
        f"sockets={rooms * 2} rooms={rooms} (split across processes: {split_rooms(ports)}) "
        f"duration={args.duration:g}s ASGI_THREADS={args.threads or 'default'} "
        f"cpus={os.cpu_count()} load at end: {loadavg()}"
    )
    print(HEADER)
    if echo is not None:
        print(row(echo, args, "-"))
    print(row(chat, args, stored))
    if chat.ack_latencies:
        q = statistics.quantiles(chat.ack_latencies, n=100, method="inclusive")
        print(
            f"chat acks (send → own reply): {chat.acked}/{chat.sent}, p50 {q[49]:.1f} ms, "
            f"p99 {q[98]:.1f} ms, max {max(chat.ack_latencies):.1f} ms"
        )
    print("daphne CPU (all processes):")
    for phase in (p for p in (echo, chat) if p is not None):
        print(
            f"  {phase.name}: connect {phase.connect_cpu:.1f} s "
            f"({1000 * phase.connect_cpu / max(1, rooms * 2):.2f} ms a socket), "
            f"sending {phase.send_cpu:.1f} s "
            f"({1000 * phase.send_cpu / max(1, phase.sent):.2f} ms a message)"
        )
    ok = chat.delivered == chat.sent == chat.acked == stored and chat.errors == 0
    print("all delivered and stored" if ok else "LOSS: not all delivered/stored")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
