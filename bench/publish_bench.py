"""Benchmark of publishing a fair-size schedule: the organiser's request, the worker's booking,
every agenda e-mail delivered once.

Builds a demo fair (``fairsite.demo.demo_fair_create(size=…, scale=True)``, default 620
exhibitors and 3,100 buyers with ``matchmaking.demo.seed``'s interests: about 9,300 meetings,
more than 5,000 people get an agenda) once in a template database
(``<name>_template_<exhibitors>_<buyers>``, kept for later runs: building it takes minutes),
copies it into a database of its own, previews the schedule
(``services.scheduler_run_preview``), then measures in the same run:

- **baseline: a trivial request** (``GET /healthz`` through Django's test client, the median of
  20);
- **baseline: the previous synchronous publish**: every meeting booked in one transaction,
  the notifications and the agenda job written in it, which is what the organiser's request
  used to do (``services.scheduler_run_book`` with one batch for the whole run), rolled back;
- **the organiser's request** (``POST …/publish/`` through the test client, as the organiser):
  it marks the run publishing and enqueues the booking task;
- **the workers** (``--workers`` real ``python manage.py worker`` processes): the time until
  every meeting is booked (the run is published), then until every agenda e-mail is delivered
  to a local SMTP sink; the number delivered, counted from the outbox (``OutgoingEmail`` rows
  sent) and from the sink, each person exactly once.

    .venv/bin/python bench/publish_bench.py [--database-url URL] [--keep]
        [--exhibitors 620] [--buyers 3100] [--workers 2] [--time-limit 8] [--batch 250]
        [--timeout 240]

``--database-url`` defaults to ``postgres://postgres@127.0.0.1:5432/fairsite_publish_bench``;
it is copied from the template (refused if it exists) and dropped at the end unless ``--keep``.
Exits non-zero when a meeting is missing or doubled, or an e-mail is missing or doubled.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.smtp_sink import SmtpSink  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fairsite_publish_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--exhibitors", type=int, default=620)
    parser.add_argument("--buyers", type=int, default=3100)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--time-limit", type=float, default=8.0, help="the preview's solver")
    parser.add_argument("--batch", type=int, default=250, help="meetings per transaction")
    parser.add_argument("--timeout", type=float, default=240, help="seconds to wait for the worker")
    parser.add_argument("--build-template", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def _admin_dsn(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def _pg(url: str, statement: str) -> None:
    import psycopg

    admin, _name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


class Sink(SmtpSink):
    """The loopback SMTP server (:mod:`deploy.smtp_sink`), counting the recipients of the
    agenda e-mails (those with a ``meeting-<id>.ics`` attachment) and the other messages."""

    def __init__(self) -> None:
        super().__init__()
        self.agenda_received: Counter[str] = Counter()
        self.other = 0

    def accept(self, recipients: list[str], lines: list[bytes]) -> None:
        if any(b'filename="meeting-' in line and b".ics" in line for line in lines):
            self.agenda_received.update(recipients)
        else:
            self.other += 1


class Rollback(Exception):
    pass


def _exists(url: str, name: str) -> bool:
    import psycopg

    admin, _name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None


def _django(url: str) -> None:
    for key in [k for k in os.environ if k.startswith("FAIRSITE_")]:
        if key != "FAIRSITE_REDIS_URL":
            os.environ.pop(key)
    os.environ.update(
        FAIRSITE_DATABASE_URL=url,
        FAIRSITE_TASKS="queue",
        FAIRSITE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="fairsite.settings",
    )
    import django

    django.setup()


def build_template(args: argparse.Namespace) -> int:
    """Child process: migrate the template database and create the demo fair in it."""
    _django(args.build_template)
    from django.core.management import call_command
    from django.db import connections

    from fairsite.demo import DemoSize, demo_fair_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    size = DemoSize(exhibitors=args.exhibitors, buyers=args.buyers, visitors=100)
    demo_fair_create(size=size, scale=True)
    connections.close_all()
    print(f"template: migrate + demo fair ({size}) in {time.perf_counter() - started:.1f} s")
    return 0


def main() -> int:
    args = parse_args()
    if args.build_template:
        return build_template(args)
    template = f"{_admin_dsn(args.database_url)[1]}_template_{args.exhibitors}_{args.buyers}"
    template_url = urlunsplit(urlsplit(args.database_url)._replace(path=f"/{template}"))
    if not _exists(args.database_url, template):
        _pg(args.database_url, f'CREATE DATABASE "{template}"')
        built = subprocess.run(  # noqa: S603 - this script
            [sys.executable, __file__, *sys.argv[1:], "--build-template", template_url],
            check=False,
        )
        if built.returncode:
            _pg(args.database_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            return built.returncode
        print(f"template database {template} kept for the next runs (drop it by hand)")
    _admin, name = _admin_dsn(args.database_url)
    t0 = time.perf_counter()
    _pg(args.database_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    print(f"database {name} copied from {template} in {time.perf_counter() - t0:.1f} s")
    _django(args.database_url)
    os.environ["FAIRSITE_PUBLISH_BATCH"] = str(args.batch)
    from django.conf import settings

    settings.SCHEDULER_PUBLISH_BATCH = args.batch
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # this process
    settings.ALLOWED_HOSTS = ["*"]
    try:
        return run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _pg(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def uptime() -> str:
    return subprocess.run(  # noqa: S603, S607 - the system's uptime
        ["uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}, check=False
    ).stdout.strip()


def worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "manage.py", "worker", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def run(args: argparse.Namespace) -> int:
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from fairsite.models import Fair, OutgoingEmail, User
    from matchmaking import publishing, services
    from matchmaking.enums import RunStatus
    from matchmaking.models import SchedulerRun
    from meetings.models import Meeting, MeetingAttendee

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, batch {args.batch}")
    fair = Fair.objects.get(is_current=True)
    organiser = next(u for u in User.objects.filter(is_staff=True) if u.is_organiser)
    started = time.perf_counter()
    preview = services.scheduler_run_preview(
        fair=fair, by=organiser, time_limit=args.time_limit, bound_time_limit=args.time_limit
    )
    plan = publishing.publication_plan(run=preview)
    print(f"preview: {len(plan)} new meetings in {time.perf_counter() - started:.1f} s")
    before = set(Meeting.objects.filter(fair=fair).values_list("pk", flat=True))

    client = Client()
    client.force_login(organiser)
    trivial = []
    for _ in range(20):
        t0 = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        trivial.append(time.perf_counter() - t0)

    # The previous synchronous publish, rolled back: everything in one transaction.
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            SchedulerRun.objects.filter(pk=preview.pk).update(
                status=RunStatus.PUBLISHING, published_by=organiser
            )
            old = services.scheduler_run_book(run_id=preview.pk, batch_size=10**9)
            old_meetings = old.meetings_created if old else 0
            raise Rollback
    except Rollback:
        pass
    old_s = time.perf_counter() - t0
    assert Meeting.objects.filter(fair=fair).count() == len(before)

    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    s = connection.settings_dict
    env = {
        **os.environ,
        "FAIRSITE_EMAIL_HOST": "127.0.0.1",
        "FAIRSITE_EMAIL_PORT": str(sink.server_address[1]),
        "FAIRSITE_EMAIL_USE_TLS": "0",
        "FAIRSITE_DATABASE_URL": f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
    }
    print(f"uptime before the publish: {uptime()}")
    processes = [worker(env) for _ in range(args.workers)]
    try:
        time.sleep(3)  # the worker is up and listening before the request
        url = reverse("matchmaking:scheduler_publish", kwargs={"pk": preview.pk})
        t0 = time.perf_counter()
        response = client.post(url)
        request_s = time.perf_counter() - t0
        assert response.status_code == 302, response.status_code
        run = SchedulerRun.objects.get(pk=preview.pk)
        deadline = t0 + args.timeout
        while run.status != RunStatus.PUBLISHED and time.perf_counter() < deadline:
            time.sleep(0.2)
            run.refresh_from_db()
        booked_s = time.perf_counter() - t0
        expected_people = (
            MeetingAttendee.objects.filter(meeting__fair=fair)
            .exclude(meeting_id__in=before)
            .values("user_id")
            .distinct()
            .count()
        )

        def sent() -> int:
            return OutgoingEmail.objects.filter(
                key__startswith=f"agenda:{run.pk}:", sent_at__isnull=False
            ).count()

        while sent() < expected_people and time.perf_counter() < deadline:
            time.sleep(0.5)
        mailed_s = time.perf_counter() - t0
        time.sleep(2)  # nothing more arrives
    finally:
        for process in processes:
            os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
        sink.shutdown()
    print(f"uptime after: {uptime()}")

    new = Meeting.objects.filter(fair=fair).exclude(pk__in=before)
    pairs = Counter(new.values_list("exhibitor_id", "buyer_id"))
    outbox = sent()
    doubled = sum(1 for n in sink.agenda_received.values() if n > 1)
    print()
    print(f"{'':48}{'seconds':>10}")
    print(
        f"{'baseline: trivial request (GET /healthz, median)':48}{statistics.median(trivial):10.3f}"
    )
    print(
        f"{'baseline: previous synchronous publish (rolled back)':48}{old_s:10.1f}"
        f"  {old_meetings} meetings in one transaction"
    )
    print(f"{'the organisers request (target < 1 s)':48}{request_s:10.3f}")
    print(f"{'until every meeting is booked (the worker)':48}{booked_s:10.1f}")
    print(f"{'until every agenda e-mail is delivered':48}{mailed_s:10.1f}")
    print(
        f"\nmeetings: {new.count()} booked of {len(plan)} previewed "
        f"({run.meetings_created} on the run, {sum(n > 1 for n in pairs.values())} pairs doubled, "
        f"{run.bookings.filter(status='refused').count()} refused)"
    )
    print(
        f"agenda e-mails: {outbox} sent in the outbox for {expected_people} people; the SMTP sink "
        f"received {sum(sink.agenda_received.values())} for {len(sink.agenda_received)} addresses "
        f"({doubled} more than once; {sink.other} other e-mails)"
    )
    ok = (
        run.status == RunStatus.PUBLISHED
        and new.count() == len(plan) == run.meetings_created
        and all(n == 1 for n in pairs.values())
        and outbox
        == expected_people
        == len(sink.agenda_received)
        == sum(sink.agenda_received.values())
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
