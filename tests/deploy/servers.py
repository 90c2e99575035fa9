"""Real servers for the deployment tests: daphne in production mode (on a TCP port or a Unix
socket), PostgreSQL connection counts, and a small concurrent HTTP client over asyncio.

Everything binds to 127.0.0.1 or a socket in a temporary directory and is stopped by process id.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DAPHNE = str(BIN / "daphne")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(*, user: str | None = None) -> str:
    s = connection.settings_dict
    name = user or s["USER"]
    auth = name + (f":{s['PASSWORD']}" if s.get("PASSWORD") and user is None else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def superuser_dsn() -> str:
    s = connection.settings_dict
    password = f" password={s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={s['NAME']} "
        f"user={s['USER']}{password}"
    )


def production_env(**extra: str) -> dict[str, str]:
    """Production mode (debug off, a real secret, explicit hosts) for a process behind a local
    proxy: no TLS here, so the HTTPS redirect is off. The secret key is this process's, so
    sessions created here are valid there."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRSITE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="fairsite.settings",
        FAIRSITE_DEBUG="0",
        FAIRSITE_SECRET_KEY=settings.SECRET_KEY,
        FAIRSITE_ALLOWED_HOSTS="127.0.0.1,localhost",
        FAIRSITE_SECURE_SSL_REDIRECT="0",
        FAIRSITE_LOG_LEVEL="WARNING",
        # A tight per-address limit, so that six failed sign-ins show whose address counted.
        FAIRSITE_SIGNIN_FAILED_PER_ADDRESS="5/5m",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_daphne(
    env: dict[str, str], *, port: int | None = None, unix_socket: Path | None = None, log=None
) -> subprocess.Popen:
    """Start daphne and wait until ``/healthz`` answers."""
    where = ["-u", str(unix_socket)] if unix_socket else ["-b", "127.0.0.1", "-p", str(port)]
    if unix_socket and unix_socket.exists():
        unix_socket.unlink()
    process = subprocess.Popen(  # noqa: S603 - our own server, local only
        [DAPHNE, *where, "fairsite.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}")
        if asyncio.run(_healthy(port=port, unix_socket=unix_socket)):
            return process
        time.sleep(0.1)
    stop(process)
    raise RuntimeError("daphne did not start")


async def _healthy(*, port: int | None, unix_socket: Path | None) -> bool:
    try:
        status, _ = await request("/healthz", port=port, unix_socket=unix_socket, timeout=2)
    except (TimeoutError, OSError, ValueError):
        return False
    return status == 200


def stop(process: subprocess.Popen | None, sig: int = signal.SIGKILL, timeout: float = 15) -> None:
    if process is not None and process.poll() is None:
        os.kill(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def pg_connections(*, dbname: str, user: str | None = None) -> int:
    """Client backends connected to ``dbname`` (optionally as ``user``), this probe excluded."""
    with psycopg.connect(superuser_dsn(), autocommit=True) as probe:
        row = probe.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " AND (%s::text IS NULL OR usename = %s::text)",
            [dbname, user, user],
        ).fetchone()
    return row[0]


async def request(
    path: str,
    *,
    port: int | None = None,
    unix_socket: Path | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes = b"",
    timeout: float = 30,
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a fresh connection; returns the status and the raw response."""

    async def run() -> tuple[int, bytes]:
        if unix_socket:
            reader, writer = await asyncio.open_unix_connection(str(unix_socket))
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
        writer.close()
        status_line = raw.split(b"\r\n", 1)[0].split()
        if len(status_line) < 2:
            raise ValueError(f"no HTTP answer: {raw[:80]!r}")
        return int(status_line[1]), raw

    return await asyncio.wait_for(run(), timeout)


async def load(
    paths: list[str], *, clients: int, each: int, port: int, sample=None
) -> collections.Counter:
    """``clients`` concurrent clients, each making ``each`` requests in turn over ``paths``.
    Returns a count per status (``"error"`` for a connection that got no answer). ``sample`` is
    called about every 50 ms while the load runs (e.g. to count database connections)."""
    statuses: collections.Counter = collections.Counter()
    start = asyncio.Event()

    async def client(n: int) -> None:
        await start.wait()
        for i in range(each):
            try:
                status, _ = await request(paths[(n + i) % len(paths)], port=port, timeout=60)
                statuses[status] += 1
            except (TimeoutError, OSError, ValueError):
                statuses["error"] += 1

    async def sampler(done: asyncio.Event) -> None:
        while not done.is_set():
            await asyncio.to_thread(sample)
            await asyncio.sleep(0.05)

    done = asyncio.Event()
    tasks = [asyncio.create_task(client(n)) for n in range(clients)]
    probe = asyncio.create_task(sampler(done)) if sample else None
    start.set()
    await asyncio.gather(*tasks)
    done.set()
    if probe:
        await probe
    return statuses
