"""Benchmark of the organiser's scheduler at fair size: preview, then publish.

Builds the scaled demo fair (``fairsite.demo.demo_fair_create(size=SCALED_SIZE, scale=True)``:
300 exhibitors, 1,500 buyers, with ``matchmaking.demo.seed``'s interests) in a database of its
own, migrates it, and times in the same run:

- **preview** (``services.scheduler_run_preview``: build the instance, solve with explicit
  search and bound limits) against the previous call (``solve(with_bound=True)`` with the
  default 20 s bound limit, solver time only);
- **publish** (``services.scheduler_run_publish``: the organiser's request, bulk booking and the
  agenda job enqueued in its transaction; then ``matchmaking.tasks.send_agendas`` as a worker
  runs it, one agenda e-mail per person through one connection, its invitations from one
  ``meetings.calendar.Invitations`` batch, each e-mail once through the outbox; then the task
  again, which must send nothing) against the previous
  per-meeting path (``meeting_book_core`` per meeting, one ``UPDATE`` per request,
  ``send_to_user`` + ``meeting_invitation`` per person) run on a sample of ``--sample``
  meetings in a rolled-back transaction and extrapolated.

    .venv/bin/python bench/publish_bench.py [--database-url URL] [--keep] [--sample 200]
                                            [--time-limit 8] [--skip-old-preview]

The database: ``--database-url`` (default ``postgres://postgres@127.0.0.1:5432/
fairsite_publish_bench``). A PostgreSQL database of that name is created first (refused if it
exists) and dropped at the end unless ``--keep``; ``sqlite`` uses a temporary file. E-mail goes
to Django's locmem backend, so nothing is sent and the count is checked.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fairsite_publish_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--sample", type=int, default=200, help="meetings for the old path")
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--skip-old-preview", action="store_true")
    return parser.parse_args()


def _admin_dsn(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def _pg(url: str, statement: str) -> None:
    import psycopg

    admin, _name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


def setup_database(args: argparse.Namespace) -> tuple[str, Any]:
    """Point Django at a fresh database; returns its URL and a clean-up function."""
    if args.database_url == "sqlite":
        path = Path(tempfile.mkstemp(prefix="publish-bench-", suffix=".sqlite3")[1])
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    _admin, name = _admin_dsn(args.database_url)
    _pg(args.database_url, f'CREATE DATABASE "{name}"')

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _pg(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')

    return args.database_url, drop


class Queries:
    """Counts the queries run on the default connection while active."""

    def __enter__(self) -> Queries:
        from django.db import connection

        self.count = 0
        self._connection = connection

        def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
            self.count += 1
            return execute(sql, params, many, context)

        self._cm = connection.execute_wrapper(wrapper)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


class Rollback(Exception):
    pass


def old_preview_seconds(instance: dict[str, Any], time_limit: float) -> tuple[float, str]:
    from matchmaking.scheduler import load_instance, solve

    started = time.perf_counter()
    schedule = solve(load_instance(instance), time_limit=time_limit, with_bound=True)
    return time.perf_counter() - started, str((schedule.stats or {}).get("bound_kind"))


def old_publish_sample(*, fair: Any, run: Any, by: Any, sample: int) -> dict[str, float]:
    """The previous publication path on the first ``sample`` meetings, rolled back."""
    from django.core import mail
    from django.db import transaction

    from exhibitors.enums import Attendance, MembershipStatus
    from exhibitors.models import Company, Member
    from fairsite.mail import send_to_user
    from matchmaking import selectors
    from matchmaking import slots as grid
    from matchmaking.enums import RequestStatus
    from matchmaking.models import MeetingRequest
    from meetings.booking import meeting_book_core
    from meetings.calendar import meeting_invitation
    from meetings.models import MeetingAttendee

    instance, result, pairs = run.instance, run.result, run.pairs
    fixed = {f["request"] for f in instance.get("fixed", [])}
    slot_times = {s["id"]: (s["start"], s["end"]) for s in instance["slots"]}
    todo = sorted(
        (a for a in result["assignments"] if a["request"] not in fixed),
        key=lambda a: (a["slot"], a["request"]),
    )[:sample]
    out: dict[str, float] = {"meetings": len(todo)}
    with Queries() as booking_q:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                company_ids = {pairs[a["request"]]["exhibitor"] for a in todo} | {
                    pairs[a["request"]]["buyer"] for a in todo
                }
                companies = {c.pk: c for c in Company.objects.filter(pk__in=company_ids)}
                onsite = {k: c.attendance == Attendance.ONSITE for k, c in companies.items()}
                members: dict[int, list[Any]] = defaultdict(list)
                for m in Member.objects.filter(
                    company_id__in=company_ids, status=MembershipStatus.APPROVED
                ).select_related("user"):
                    members[m.company_id].append(m.user)
                people = [(u, onsite[c]) for c, us in members.items() for u in us]
                spec = selectors.grid_spec(fair=fair)
                avail = selectors.availability_map(fair=fair, people=people, spec=spec)
                busy = selectors.busy_map(fair=fair, user_ids=[u.pk for u, _o in people])
                created = []
                for a in todo:
                    pair = pairs[a["request"]]
                    start = datetime.fromisoformat(slot_times[a["slot"]][0])
                    end = datetime.fromisoformat(slot_times[a["slot"]][1])
                    attendees = [
                        (u, companies[cid])
                        for cid in (pair["exhibitor"], pair["buyer"])
                        for u in members[cid]
                        if grid.covers(avail[u.pk], start, end)
                        and not grid.overlaps(busy.get(u.pk, []), start, end)
                    ]
                    meeting = meeting_book_core(
                        fair=fair,
                        exhibitor=companies[pair["exhibitor"]],
                        buyer=companies[pair["buyer"]],
                        attendees=attendees,
                        start=start,
                        end=end,
                        mode=a["mode"],
                        by=by,
                    )
                    for u, _c in attendees:
                        busy.setdefault(u.pk, []).append((start, end))
                    if pair.get("request"):
                        MeetingRequest.objects.filter(
                            pk=pair["request"], status=RequestStatus.PENDING
                        ).update(status=RequestStatus.ACCEPTED, meeting=meeting)
                    created.append(meeting)
                out["booking_seconds"] = time.perf_counter() - started
                out["booking_queries"] = booking_q.count
                # The previous agenda mail: per person, one invitation query per meeting.
                mail.outbox = []
                mail_started, mail_queries = time.perf_counter(), booking_q.count
                by_user: dict[int, list[Any]] = defaultdict(list)
                users = {}
                lookup = {m.pk: m for m in created}
                for att in MeetingAttendee.objects.filter(meeting__in=created).select_related(
                    "user"
                ):
                    by_user[att.user_id].append(lookup[att.meeting_id])
                    users[att.user_id] = att.user
                for user_id, items in by_user.items():
                    user = users[user_id]
                    send_to_user(
                        user=user,
                        subject_template="matchmaking/email/schedule_subject.txt",
                        body_template="matchmaking/email/schedule_body.txt",
                        context={
                            "fair": fair,
                            "meetings": items,
                            "zones": [user.time_zone, fair.time_zone],
                        },
                        attachments=[
                            (
                                f"meeting-{m.pk}.ics",
                                meeting_invitation(meeting=m, method="REQUEST", recipient=user),
                                "text/calendar; method=REQUEST",
                            )
                            for m in items
                        ],
                    )
                out["mail_seconds"] = time.perf_counter() - mail_started
                out["mail_queries"] = booking_q.count - mail_queries
                out["mail_attachments"] = sum(len(v) for v in by_user.values())
                raise Rollback
        except Rollback:
            pass
    mail.outbox = []
    return out


def main() -> int:
    args = parse_args()
    url, cleanup = setup_database(args)
    os.environ["FAIRSITE_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")
    os.environ.pop("EMAIL_HOST", None)
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        return run(args)
    finally:
        cleanup()


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, transaction

    from fairsite.demo import SCALED_SIZE, demo_fair_create
    from fairsite.models import User
    from matchmaking import services
    from meetings.models import Meeting, MeetingAttendee

    mail.outbox = []
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result = demo_fair_create(size=SCALED_SIZE, scale=True)
    fair = result.fair
    print(f"setup: migrate + scaled demo fair in {time.perf_counter() - started:.1f} s")
    organiser = next(u for u in User.objects.filter(is_staff=True) if u.is_organiser)

    # Preview.
    with Queries() as q:
        started = time.perf_counter()
        preview_run = services.scheduler_run_preview(
            fair=fair, by=organiser, time_limit=args.time_limit
        )
        preview_s = time.perf_counter() - started
    stats = preview_run.result.get("stats", {})
    assignments = preview_run.result["assignments"]
    fixed = {f["request"] for f in preview_run.instance.get("fixed", [])}
    new = [a for a in assignments if a["request"] not in fixed]
    print(
        f"\npairs {len(preview_run.pairs)}, new meetings {len(new)}, fixed {len(fixed)}, "
        f"objective {preview_run.result.get('objective')} / bound "
        f"{preview_run.result.get('upper_bound')} ({stats.get('bound_kind')})"
    )
    print(f"{'':30}{'seconds':>10}{'queries':>10}")
    print(f"{'preview (new)':30}{preview_s:10.1f}{q.count:10d}")
    if not args.skip_old_preview:
        old_s, old_kind = old_preview_seconds(preview_run.instance, args.time_limit)
        print(f"{'preview (old, solve only)':30}{old_s:10.1f}{'':>10}  bound: {old_kind}")

    # The previous path on a sample, rolled back.
    old = old_publish_sample(fair=fair, run=preview_run, by=organiser, sample=args.sample)
    per_meeting = old["booking_seconds"] / max(1, old["meetings"])
    per_meeting_q = old["booking_queries"] / max(1, old["meetings"])
    per_invite = old["mail_seconds"] / max(1, old["mail_attachments"])
    per_invite_q = old["mail_queries"] / max(1, old["mail_attachments"])

    # Publish: the organiser's request (bulk booking; the agenda e-mails are one background
    # job, written in the same transaction), then that job as a worker runs it, then once more
    # (a retry after a crash: nothing is sent twice).
    from fairsite.models import OutgoingEmail
    from matchmaking.tasks import send_agendas

    with Queries() as q:
        started = time.perf_counter()
        with transaction.atomic():
            published = services.scheduler_run_publish(fair=fair, by=organiser, run=preview_run)
        db_s = time.perf_counter() - started
        db_q = q.count
    meeting_ids = list(
        Meeting.objects.filter(fair=fair, created_by=organiser).values_list("pk", flat=True)
    )
    with Queries() as mail_q:
        started = time.perf_counter()
        if settings.TASKS_ENGINE == "queue":
            send_agendas(fair_id=fair.pk, run_id=published.pk, meeting_ids=meeting_ids)
        mail_s = time.perf_counter() - started
    started = time.perf_counter()
    again = send_agendas(fair_id=fair.pk, run_id=published.pk, meeting_ids=meeting_ids)
    again_s = time.perf_counter() - started
    publish_s = db_s + mail_s
    created = Meeting.objects.filter(fair=fair, created_by=organiser).count()
    attendances = MeetingAttendee.objects.filter(meeting__created_by=organiser).count()
    people = len(mail.outbox)
    expected_people = (
        MeetingAttendee.objects.filter(meeting__created_by=organiser)
        .values("user_id")
        .distinct()
        .count()
    )
    old_total_s = per_meeting * len(new) + per_invite * attendances
    old_total_q = per_meeting_q * len(new) + per_invite_q * attendances
    print(f"{'publish (new): request':30}{db_s:10.1f}{db_q:10d}  (engine: {settings.TASKS_ENGINE})")
    print(f"{'publish (new): agenda task':30}{mail_s:10.1f}{mail_q.count:10d}")
    print(f"{'publish (new): task again':30}{again_s:10.1f}{'':>10}  sent {again}")
    print(f"{'publish (new): total + mail':30}{publish_s:10.1f}{db_q + mail_q.count:10d}")
    print(
        f"{'publish (old, extrapolated)':30}{old_total_s:10.1f}{old_total_q:10.0f}"
        f"  from {int(old['meetings'])} meetings: {per_meeting * 1000:.1f} ms and "
        f"{per_meeting_q:.1f} queries per meeting, {per_invite * 1000:.1f} ms and "
        f"{per_invite_q:.1f} queries per invitation"
    )
    print(
        f"\nmeetings created {published.meetings_created} ({created} in the database), "
        f"attendances {attendances}, e-mails {people} (people {expected_people}), "
        f"outbox rows sent {OutgoingEmail.objects.filter(sent_at__isnull=False).count()}"
    )
    ok = (
        published.meetings_created == len(new) == created
        and people == expected_people
        and again == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
