"""Benchmark of the organisers' dashboard data endpoint and of hall check-in, on PostgreSQL and
Redis, through a real daphne, each beside a baseline measured in the same run.

1. ``GET /organiser/stats.json`` (an organiser's session) against the trivial view
   ``GET /healthz`` (one ``SELECT 1``), both with ``wrk`` (Debian) at ``--clients`` concurrent
   connections for ``--seconds`` each, alternated: throughput and p99 latency. Targets: the
   endpoint at >= 1/2 of the trivial view's throughput, p99 <= 100 ms. The endpoint's data is
   also timed uncached (one ``dashboard_data`` call, and its query count).
2. ``--clients`` hall staff scanning at once (``POST /hall/``, JSON answer), each its own
   session and its own stream of badges (first visits, then repeats), as fast as the answers
   come, and then at a staff member's pace (``--pace``, one scan per second each by default),
   each beside the same clients fetching ``/healthz`` the same way in the same run:
   throughput, median and p99 latency. Target: < 100 ms p99.

    python bench/dashboard.py [--grow] [--clients 20] [--seconds 10] [--processes 1] [--pace 1]

The database is the one the environment names (``FAIRSITE_DATABASE_URL``, seeded with
``python manage.py seed_demo``); ``--grow`` first grows its current fair to the issue's size
with ``bench/grow.py`` (3,500 more visitors, so that 20,000 visits fit at one per person,
kind and day; 20,000 visits, 5,500 meetings, 3,000 deals, 100,000 chat messages) unless it
is already that big.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Servers:
    """``count`` daphne processes accepting on one listening socket (the kernel spreads the
    connections), as several processes behind a proxy would share the load."""

    def __init__(self, count: int, threads: int) -> None:
        self.count = count
        self.threads = threads
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.listener.set_inheritable(True)
        self.port = self.listener.getsockname()[1]
        self.processes: list[subprocess.Popen] = []
        self.log = open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab")  # noqa: SIM115

    def start(self, **extra: str) -> None:
        # Each worker thread keeps its own database connection: the pool size bounds both.
        env = dict(
            os.environ,
            FAIRSITE_LOG_LEVEL="WARNING",
            ASGI_THREADS=str(self.threads),
            DJANGO_SETTINGS_MODULE="fairsite.settings",
            **extra,
        )
        fd = self.listener.fileno()
        for _ in range(self.count):
            self.processes.append(
                subprocess.Popen(  # noqa: S603 - our own servers on 127.0.0.1
                    [
                        str(Path(sys.executable).with_name("daphne")),
                        "--fd",
                        str(fd),
                        "fairsite.asgi:application",
                    ],
                    cwd=ROOT,
                    env=env,
                    pass_fds=(fd,),
                    stdout=subprocess.DEVNULL,
                    stderr=self.log,
                    start_new_session=True,
                )
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=1):  # noqa: S310
                    time.sleep(1.0)  # the others come up at the same pace
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("daphne did not start")

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.wait(timeout=10)
        self.processes = []


def session_for(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def wrk(url: str, *, cookie: str, clients: int, seconds: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def grow_if_needed() -> None:
    from bench.grow import grow
    from exhibitors.models import Visit
    from fairsite.models import Fair
    from meetings.models import Deal, Meeting

    fair = Fair.objects.current()
    have = {
        "visits": Visit.objects.filter(fair=fair).count(),
        "meetings": Meeting.objects.filter(fair=fair).count(),
        "deals": Deal.objects.filter(fair=fair).count(),
    }
    if have["visits"] >= 20000 and have["meetings"] >= 5500 and have["deals"] >= 3000:
        print(f"already grown: {have}")
        return
    started = time.monotonic()
    # 3,500 visitors: 20,000 visits fit at one per person, kind (on site, online) and day.
    added = grow(fair=fair, visitors=3500, visits=20000, meetings=5500, deals=3000, messages=100000)
    print(f"grown in {time.monotonic() - started:.1f} s: {added}")


def checkin_run(
    base: str,
    staff: list,
    badges: list[str],
    seconds: int,
    *,
    trivial: bool = False,
    pace: float = 0.0,
) -> list[float]:
    """Each staff member scans their own share of badges in a loop (first visits, then
    repeats) as fast as the answers come, or with ``pace`` one scan every ``pace`` seconds
    (staggered); returns every latency in ms. With ``trivial``, the same clients fetch
    ``/healthz`` instead (the baseline)."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(staff))
    stop_at = [0.0]

    def run(index: int, session: str) -> None:
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={session}")]
        page = opener.open(f"{base}/hall/", timeout=10)
        csrf = next(
            c.split("=", 1)[1].split(";")[0]
            for c in page.headers.get_all("Set-Cookie") or []
            if c.startswith("csrftoken=")
        )
        token = TOKEN.search(page.read().decode()).group(1)
        mine = badges[index :: len(staff)] or badges
        mine_times: list[float] = []
        start.wait()
        if index == 0:
            stop_at[0] = time.monotonic() + seconds
        time.sleep(0.01 + (pace * index / len(staff)))
        n = 0
        next_at = time.monotonic()
        while time.monotonic() < stop_at[0]:
            if pace:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += pace
            code = mine[n % len(mine)]
            n += 1
            body = urllib.parse.urlencode({"code": code, "csrfmiddlewaretoken": token}).encode()
            request = urllib.request.Request(  # noqa: S310
                f"{base}/healthz" if trivial else f"{base}/hall/",
                data=None if trivial else body,
                headers={
                    "Accept": "application/json",
                    "Cookie": f"sessionid={session}; csrftoken={csrf}",
                    "Referer": f"{base}/hall/",
                },
            )
            began = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                json.loads(response.read())
            mine_times.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine_times)

    threads = [threading.Thread(target=run, args=(i, session)) for i, session in enumerate(staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grow", action="store_true")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--processes", type=int, default=1, help="daphne processes")
    parser.add_argument("--threads", type=int, default=4, help="worker threads per process")
    parser.add_argument(
        "--pace", type=float, default=1.0, help="seconds between two scans of one staff member"
    )
    args = parser.parse_args()
    if not os.environ.get("FAIRSITE_DATABASE_URL") or not os.environ.get("FAIRSITE_REDIS_URL"):
        raise SystemExit("Set FAIRSITE_DATABASE_URL (PostgreSQL) and FAIRSITE_REDIS_URL.")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from exhibitors.models import Badge, Visit
    from fairsite.models import Fair
    from organisers.selectors import dashboard_data
    from tests import factories

    if args.grow:
        grow_if_needed()
    fair = Fair.objects.current()
    counts = {
        "visits": Visit.objects.filter(fair=fair).count(),
        "badges": Badge.objects.filter(fair=fair).count(),
    }
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        dashboard_data(fair=fair, now=timezone.now())
        uncached = (time.perf_counter() - began) * 1000
    print(
        f"fair {fair.slug}: {counts}; {args.processes} daphne process(es) x {args.threads} threads"
    )
    print(f"dashboard_data uncached: {uncached:.1f} ms, {len(queries.captured_queries)} queries")

    organiser = factories.OrganiserFactory(email=f"bench-{time.time_ns()}@organisers.example")
    staff = [
        factories.OrganiserFactory(email=f"bench-{time.time_ns()}-{i}@organisers.example")
        for i in range(args.clients)
    ]
    organiser_session = session_for(organiser)
    staff_sessions = [session_for(user) for user in staff]
    # Check-in needs a fair that is open today: a fair of its own, served by its own daphne.
    today = timezone.now().astimezone(fair.tz).date()
    hall_fair = factories.FairFactory(
        slug=f"bench-hall-{time.time_ns()}",
        is_current=False,
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    people = get_user_model().objects.bulk_create(
        [
            get_user_model()(email=f"bench-hall-{hall_fair.pk}-{i}@visitors.example", password="!")
            for i in range(args.clients * 100)
        ]
    )
    badges = [
        b.code
        for b in Badge.objects.bulk_create(
            [Badge(fair=hall_fair, user=u, code=f"h{hall_fair.pk}x{u.pk}") for u in people]
        )
    ]
    connection.close()

    servers = Servers(args.processes, args.threads)
    base = f"http://127.0.0.1:{servers.port}"
    servers.start()
    try:
        for url in (f"{base}/healthz", f"{base}/organiser/stats.json"):  # warm up
            wrk(url, cookie=organiser_session, clients=2, seconds=1)
        rounds = {"trivial": [], "dashboard": []}
        for _ in range(2):
            rounds["trivial"].append(
                wrk(
                    f"{base}/healthz",
                    cookie=organiser_session,
                    clients=args.clients,
                    seconds=args.seconds,
                )
            )
            rounds["dashboard"].append(
                wrk(
                    f"{base}/organiser/stats.json",
                    cookie=organiser_session,
                    clients=args.clients,
                    seconds=args.seconds,
                )
            )
        for name, runs in rounds.items():
            rps = statistics.mean(r["rps"] for r in runs)
            worst = max(r["p99_ms"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            print(
                f"{name:>9}: {rps:8.1f} req/s, p99 {worst:6.1f} ms, errors {errors} "
                f"({args.clients} clients)"
            )
        trivial = statistics.mean(r["rps"] for r in rounds["trivial"])
        dashboard = statistics.mean(r["rps"] for r in rounds["dashboard"])
        worst = max(r["p99_ms"] for r in rounds["dashboard"])
        print(
            f"dashboard/trivial throughput {dashboard / trivial:.2f} (target >= 0.5); "
            f"p99 {worst:.1f} ms (target <= 100)"
        )

        servers.stop()
        servers.start(FAIRSITE_FAIR_SLUG=hall_fair.slug)
        checkin_run(base, staff_sessions[:2], badges[-10:], 1)  # warm up
        runs = []
        for pace in (0.0, args.pace):
            label = "flat out" if not pace else f"one scan per {pace:g} s each"
            runs.append(
                (
                    f"healthz, {label}",
                    checkin_run(
                        base, staff_sessions, badges, args.seconds, trivial=True, pace=pace
                    ),
                )
            )
            runs.append(
                (
                    f"check-in, {label}",
                    checkin_run(base, staff_sessions, badges, args.seconds, pace=pace),
                )
            )
        firsts = Visit.objects.filter(fair=hall_fair).count()
        for name, values in runs:
            print(
                f"{name:>34}: {len(values) / args.seconds:6.1f} req/s, median "
                f"{statistics.median(values):6.1f} ms, p99 {p99(values):6.1f} ms "
                f"({args.clients} staff at once)"
            )
        print(f"check-in: {firsts} first visits recorded, the rest repeats (target p99 < 100 ms)")
    finally:
        servers.stop()
        get_user_model().objects.filter(pk__in=[organiser.pk, *[s.pk for s in staff]]).delete()
        get_user_model().objects.filter(pk__in=[p.pk for p in people]).delete()
        hall_fair.delete()


if __name__ == "__main__":
    main()
