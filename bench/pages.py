"""Hot pages under load, through nginx, beside a trivial view measured in the same run.

    python bench/pages.py [--clients 20,100] [--processes 1,2] [--duration 10] [--pages …]

Production mode (``FAIRSITE_DEBUG=0``), the scaled demo (``seed_demo --scale``, seeded when
missing) on PostgreSQL and Redis (``FAIRSITE_DATABASE_URL``, ``FAIRSITE_REDIS_URL`` must be set),
Debian's nginx with ``deploy/nginx/fairsite.conf`` in front of one or more daphne processes on
Unix sockets, driven by Debian's ``wrk``. For each page: requests per second, p50 and p99
latency, errors (non-2xx/3xx and socket errors), the ratio to ``/healthz`` in the same run, the
page's database queries (one warm request, in-process) and the peak of PostgreSQL connections to
the database during the run. Each measured run follows ``--warmup`` seconds of the same load,
whose p99 is printed apart ("cold p99": the processes' first requests of that page). Signed-in
pages use sessions created for seeded users.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.topology import daphne_start, nginx_start  # noqa: E402

SECRET = "bench-pages-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123"  # noqa: S105


def production_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="fairsite.settings",
        FAIRSITE_DEBUG="0",
        FAIRSITE_SECRET_KEY=env.get("FAIRSITE_SECRET_KEY") or SECRET,
        FAIRSITE_ALLOWED_HOSTS="127.0.0.1,localhost",
        FAIRSITE_SECURE_SSL_REDIRECT="0",
        FAIRSITE_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def setup_django(static_root: Path) -> None:
    # One plain connection here, so that the counts are the servers' connections only.
    os.environ.update(production_env(FAIRSITE_STATIC_ROOT=str(static_root), FAIRSITE_DB_POOL="0"))
    import django

    django.setup()


def targets() -> tuple[list[tuple[str, str, str | None]], str]:
    """(name, path, session key or None) for every hot page, and the database name."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db.models import Count, Min

    from exhibitors.enums import CompanyRole
    from exhibitors.models import Company
    from fairsite.demo import DEMO_SLUG, demo_fair_exists
    from fairsite.enums import AccountKind
    from fairsite.models import Fair, User
    from meetings.models import MeetingAttendee

    if not demo_fair_exists():
        call_command("seed_demo", "--scale")
    fair = Fair.objects.get(slug=DEMO_SLUG)

    def session_for(email: str) -> str:
        user = User.objects.get(email=email)
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    # The signed-in pages are a buyer's with meetings (so that the agenda has rows and a
    # meeting room exists): the buyer booked into the most meetings, else the demo's buyer.
    attendance = (
        MeetingAttendee.objects.filter(
            meeting__fair=fair, user__kind=AccountKind.BUYER, active=True
        )
        .values("user__email")
        .annotate(meetings=Count("meeting"), first=Min("meeting_id"))
        .order_by("-meetings", "user__email")
        .first()
    )
    buyer_email = (
        attendance["user__email"] if attendance else "miho.ito@hokutogomu.sif-demo.example"
    )
    buyer, organiser = session_for(buyer_email), session_for("organiser@sif-demo.example")
    company = Company.objects.filter(fair=fair, role=CompanyRole.EXHIBITOR).order_by("pk").first()
    pages = [
        ("healthz", "/healthz", None),
        ("directory", "/suppliers/", None),
        ("search", "/suppliers/?q=co+khi+chinh+xac", None),
        ("company", f"/suppliers/{company.slug}/", None),
        ("recommendations", "/recommendations/", buyer),
        ("requests", "/requests/", buyer),
        ("agenda", "/agenda/", buyer),
    ]
    if attendance is not None:
        pages.append(("room", f"/meetings/{attendance['first']}/", buyer))
    pages += [
        ("dashboard", "/organiser/", organiser),
        ("stats.json", "/organiser/stats.json", organiser),
    ]
    return pages, settings.DATABASES["default"]["NAME"]


def query_count(path: str, session: str | None) -> tuple[int, int]:
    """Status and queries of one warm request (the second), in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if session:
        client.cookies["sessionid"] = session
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries)


def pg_connections(dbname: str) -> int:
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            [dbname],
        )
        return cursor.fetchone()[0]


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, *, clients: int, duration: int, session: str | None) -> dict[str, float]:
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{duration}s", "--latency"]
    command += ["--timeout", "10s"]
    if session:
        command += ["-H", f"Cookie: sessionid={session}"]
    out = subprocess.run(  # noqa: S603 - Debian's wrk against our own nginx
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non2xx.group(1)) if non2xx else 0
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": errors,
        "total": total,
    }


def measure(url: str, *, clients: int, duration: int, session: str | None, dbname: str):
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        from django.db import OperationalError

        while not done.is_set():
            try:
                peak[0] = max(peak[0], pg_connections(dbname))
            except OperationalError:  # the server is full: the run's errors will say so
                peak[0] = max(peak[0], -1)
            done.wait(0.2)
        from django.db import connection

        connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = wrk(url, clients=clients, duration=duration, session=session)
    finally:
        done.set()
        sampler.join()
    result["pg_peak"] = peak[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="20,100")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--pages", default="", help="comma-separated names (default: all)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="seconds of the same load before each measured run, reported apart (cold p99)",
    )
    args = parser.parse_args()
    if not (os.environ.get("FAIRSITE_DATABASE_URL") and os.environ.get("FAIRSITE_REDIS_URL")):
        sys.exit("Set FAIRSITE_DATABASE_URL (PostgreSQL) and FAIRSITE_REDIS_URL (Redis).")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"Debian's {tool} is needed (apt-get install {tool}).")

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    static_root, media_root = work / "static", work / "media"
    media_root.mkdir()
    env = production_env(FAIRSITE_STATIC_ROOT=str(static_root))
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    setup_django(static_root)
    pages, dbname = targets()
    wanted = {name for name in args.pages.split(",") if name}
    pages = [p for p in pages if not wanted or p[0] in wanted or p[0] == "healthz"]
    queries = {name: query_count(path, session) for name, path, session in pages}
    from django.db import connections

    connections.close_all()
    print(f"pages: {', '.join(f'{n} {p}' for n, p, _ in pages)}")
    print(f"database {dbname}: {pg_connections(dbname)} connections before\n")

    header = (
        f"{'procs':>5} {'clients':>7} {'page':<16} {'req/s':>8} {'ratio':>6} {'p50 ms':>8}"
        f" {'p99 ms':>8} {'errors':>7} {'queries':>7} {'pg peak':>7} {'cold p99':>8}"
    )
    for processes in [int(n) for n in args.processes.split(",")]:
        sockets = [work / f"daphne-{n}.sock" for n in range(1, processes + 1)]
        port = free_port()
        daphnes = [daphne_start(env=env, sock=sock, cwd=ROOT) for sock in sockets]
        nginx = nginx_start(
            run_dir=work / f"nginx-{processes}",
            port=port,
            sockets=sockets,
            static_root=static_root,
            media_root=media_root,
        )
        try:
            for clients in [int(n) for n in args.clients.split(",")]:
                print(header)
                baseline = None
                for name, path, session in pages:
                    url = f"http://127.0.0.1:{port}{path}"
                    # A process's first requests of a page load its templates and fill its
                    # caches and pooled connections: the same load for --warmup seconds first,
                    # its p99 printed apart, its errors counted with the run's.
                    cold = (
                        wrk(url, clients=clients, duration=args.warmup, session=session)
                        if args.warmup
                        else {"p99": float("nan"), "errors": 0}
                    )
                    result = measure(
                        url,
                        clients=clients,
                        duration=args.duration,
                        session=session,
                        dbname=dbname,
                    )
                    baseline = baseline or result["rps"]
                    status, count = queries[name]
                    print(
                        f"{processes:>5} {clients:>7} {name:<16} {result['rps']:>8.1f}"
                        f" {result['rps'] / baseline:>6.2f} {result['p50']:>8.1f}"
                        f" {result['p99']:>8.1f} {result['errors'] + cold['errors']:>7}"
                        f" {count if status == 200 else status:>7} {result['pg_peak']:>7}"
                        f" {cold['p99']:>8.1f}",
                        flush=True,
                    )
                print()
        finally:
            for process in [nginx, *daphnes]:
                process.terminate()
            for process in [nginx, *daphnes]:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # daphne does not exit while a request it had accepted waits for the event
                    # loop it has just stopped.
                    process.kill()
                    process.wait(timeout=10)
        time.sleep(0.5)
        print(f"after {processes} process(es) stopped: {pg_connections(dbname)} connections\n")
    shutil.rmtree(work, ignore_errors=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
