"""Publishing a schedule off the request path: the organiser's request only marks the run
publishing and enqueues the booking task (nothing for a rollback); the task books in batches,
each its own transaction, resumes after a lost batch or a killed worker without duplicates or
gaps, then publishes and mails everyone once."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse

from deploy.smtp_sink import SmtpSink
from fairsite import tasks
from fairsite.models import OutgoingEmail
from matchmaking import publishing, services
from meetings.models import Meeting, MeetingAttendee
from tests import factories
from tests.fairsite.test_tasks import start_worker, wait_for, worker_env
from tests.matchmaking.test_scheduler_page import _remote_pairs


def previewed(fair, organiser, pairs: int):
    created = _remote_pairs(fair, pairs)
    run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    assert len(publishing.publication_plan(run=run)) == pairs
    return created, run


def booking_task_jobs(run=None) -> int:
    """The booking task's jobs on the queue (of ``run`` only, if given)."""
    from matchmaking.tasks import scheduler_run_book_task

    sql = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s"
    params: list = [scheduler_run_book_task.name]
    if run is not None:
        sql += " AND args @> %s::jsonb"
        params.append(f'{{"run_id": {run.pk}}}')
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def assert_each_meeting_once(run, pairs) -> None:
    """Exactly the preview's meetings: each pair once, at its previewed slot, nothing else."""
    slots = {s["id"]: datetime.fromisoformat(s["start"]) for s in run.instance["slots"]}
    expected = {
        (run.pairs[a["request"]]["exhibitor"], run.pairs[a["request"]]["buyer"], slots[a["slot"]])
        for a in publishing.publication_plan(run=run)
    }
    booked = [(m.exhibitor_id, m.buyer_id, m.start) for m in Meeting.objects.filter(fair=run.fair)]
    assert sorted(booked) == sorted(expected)
    assert len(booked) == len(pairs)
    assert MeetingAttendee.objects.filter(fair=run.fair).count() == 2 * len(pairs)


@pytest.mark.django_db
def test_the_request_books_nothing_and_enqueues_one_task(
    fair, organiser, login, django_capture_on_commit_callbacks, monkeypatch
):
    from matchmaking.tasks import scheduler_run_book_task

    _pairs, run = previewed(fair, organiser, 3)
    # The captured callback stands for the job a worker has not taken yet.
    monkeypatch.setattr(scheduler_run_book_task, "is_waiting", lambda **kwargs: True)
    other = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    client = login(organiser)
    url = reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "publishing"
    assert not Meeting.objects.exists()
    assert len(callbacks) == 1  # the booking task, nothing else yet
    other.refresh_from_db()
    assert other.status == "discarded"
    # A second click does nothing: no second task.
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(url)
    assert again == []
    page = client.get(reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk}))
    assert page.context["publication"]["done"] == 0
    assert 'data-refresh-every="2"' in page.content.decode()
    # The task, as the worker runs it.
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == ("published", 3)
    assert len(mail.outbox) == 6
    part = client.get(
        reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk}), {"part": "progress"}
    )
    html = part.content.decode()
    assert html.startswith('<section id="run-status"') and "data-refresh-every" not in html


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_enqueues_nothing_inline(fair, organiser):
    _pairs, run = previewed(fair, organiser, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
        raise RuntimeError
    run.refresh_from_db()
    assert run.status == "preview"
    assert not Meeting.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_enqueues_nothing_on_the_queue(postgres_required, settings):
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    fair, organiser = factories.FairFactory(), factories.OrganiserFactory()
    _pairs, run = previewed(fair, organiser, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
        assert booking_task_jobs() == 1  # written inside the transaction
        raise RuntimeError
    assert booking_task_jobs() == 0
    run.refresh_from_db()
    assert run.status == "preview"
    with transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    assert booking_task_jobs() == 1
    assert not Meeting.objects.exists()  # the worker books them, not this process


@pytest.mark.django_db
def test_one_publication_at_a_time_per_fair(fair, organiser, django_capture_on_commit_callbacks):
    _pairs, run = previewed(fair, organiser, 1)
    with django_capture_on_commit_callbacks(execute=False):
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    later = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
    with pytest.raises(ValidationError, match="Another schedule is being published"):
        services.scheduler_run_publish(fair=fair, by=organiser, run=later)
    later.refresh_from_db()
    assert later.status == "preview"


@pytest.mark.django_db(transaction=True)
def test_booking_resumes_after_a_lost_batch_without_duplicates_or_gaps(monkeypatch, settings):
    """The second batch dies (a worker killed, the database gone): the first stays booked,
    the second is rolled back whole; the task run again books the rest once and mails once."""
    settings.SCHEDULER_PUBLISH_BATCH = 2
    fair, organiser = factories.FairFactory(), factories.OrganiserFactory()
    pairs, run = previewed(fair, organiser, 5)
    real = publishing.book_batch
    calls = []

    def dies_on_the_second_batch(**kwargs):
        calls.append(len(kwargs["bookings"]))
        if len(calls) == 2:
            real(**kwargs)  # booked, then the process dies before the commit
            raise ConnectionError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(publishing, "book_batch", dies_on_the_second_batch)
    with transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    # Inline engine: the task ran after the commit, and failed (logged, retried by a worker).
    assert calls == [2, 2]
    assert Meeting.objects.count() == 2  # the first batch only
    assert run.bookings.filter(status="booked").count() == 2
    assert run.bookings.filter(status="pending").count() == 3
    run.refresh_from_db()
    assert run.status == "publishing"
    assert mail.outbox == []  # nobody is mailed before every meeting is booked

    monkeypatch.setattr(publishing, "book_batch", real)
    services.scheduler_run_book(run_id=run.pk)  # the retry
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == ("published", 5)
    assert_each_meeting_once(run, pairs)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.user.email for pair in pairs for u in pair
    )
    services.scheduler_run_book(run_id=run.pk)  # once more: nothing changes
    assert Meeting.objects.count() == 5 and len(mail.outbox) == 10


@pytest.mark.django_db
def test_a_batch_booked_twice_is_refused_by_the_database(
    postgres_required, fair, organiser, monkeypatch, django_capture_on_commit_callbacks
):
    """Negative control of the per-meeting key: with the rows' "booked" marks lost, booking
    the same batch again creates nothing; PostgreSQL's exclusion constraints refuse it."""
    _pairs, run = previewed(fair, organiser, 3)
    with django_capture_on_commit_callbacks(execute=True):
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    assert Meeting.objects.count() == 3
    run.refresh_from_db()
    rows = list(run.bookings.all())
    for row in rows:
        row.status, row.meeting = "pending", None
    # The attendee choice must not spot the clash itself: everyone looks free.
    monkeypatch.setattr(publishing.selectors, "busy_map", lambda **kwargs: {})
    booked, refused = publishing.book_batch(fair=fair, run=run, bookings=rows, by=organiser)
    assert booked == []
    assert set(refused.values()) == {"person_busy"}
    assert Meeting.objects.count() == 3


# --- Real workers (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_publish_then_restarted_books_each_meeting_once(
    postgres_required, settings
):
    """Batches of 3; the worker is killed while its second batch waits on a lock (the first
    is committed); a new worker finishes: exactly the preview's meetings, each once, and each
    person's agenda e-mail once."""
    import psycopg

    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    fair, organiser = factories.FairFactory(), factories.OrganiserFactory()
    pairs, run = previewed(fair, organiser, 9)
    plan = publishing.publication_plan(run=run)
    # The second batch's first exhibitor is locked by another transaction: the worker's
    # insert of that meeting waits on it (the foreign-key check), mid-publish.
    held_company = run.pairs[plan[3]["request"]]["exhibitor"]
    s = connection.settings_dict
    holder = psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s.get("PASSWORD") or None,
        dbname=s["NAME"],
    )
    holder.execute("SELECT id FROM exhibitors_company WHERE id = %s FOR UPDATE", [held_company])

    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    env = {**worker_env(sink.server_address[1]), "FAIRSITE_PUBLISH_BATCH": "3"}
    with transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    first = start_worker(env)
    second = None

    def waiting_on_the_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
                [s["NAME"]],
            )
            return cursor.fetchone()[0] > 0

    try:
        assert wait_for(waiting_on_the_lock, 60), "the worker never reached the second batch"
        assert run.bookings.filter(status="booked").count() == 3  # the first batch only
        assert Meeting.objects.count() == 3
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        holder.rollback()  # the killed worker's transaction can only roll back now
        second = start_worker(env)
        people = sorted(u.user.email for pair in pairs for u in pair)
        assert wait_for(lambda: len(sink.received) >= len(people), 90), sink.received
        time.sleep(1)  # nothing more arrives
        assert sorted(sink.received) == people
        run.refresh_from_db()
        assert (run.status, run.meetings_created) == ("published", 9)
        assert_each_meeting_once(run, pairs)
        assert run.bookings.filter(status="booked", meeting__isnull=False).count() == 9
        assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == len(people)
    finally:
        holder.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
        sink.shutdown()
        sink.server_close()


@pytest.mark.django_db
def test_agenda_e_mails_are_shared_among_jobs_each_person_once(
    fair, organiser, monkeypatch, django_capture_on_commit_callbacks
):
    from matchmaking import notifications
    from matchmaking.tasks import send_agendas

    monkeypatch.setattr(notifications, "AGENDA_CHUNK", 4)
    jobs = []
    monkeypatch.setattr(send_agendas, "defer_on_commit", lambda **kwargs: jobs.append(kwargs))
    pairs, run = previewed(fair, organiser, 5)
    with django_capture_on_commit_callbacks(execute=True):
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    assert [len(job["user_ids"]) for job in jobs] == [4, 4, 2]
    for job in jobs:
        send_agendas(**job)
        send_agendas(**job)  # a retry sends nothing again
    people = sorted(u.user.email for pair in pairs for u in pair)
    assert sorted(m.to[0] for m in mail.outbox) == people


@pytest.mark.django_db
def test_run_page_queries_do_not_grow_with_the_refused_meetings(
    fair, organiser, login, django_capture_on_commit_callbacks
):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    client = login(organiser)

    def page_queries(new_pairs: int, refused: int) -> int:
        fair.online_capacity = None
        fair.save()
        _remote_pairs(fair, new_pairs)
        run = services.scheduler_run_preview(fair=fair, by=organiser, time_limit=1)
        fair.online_capacity = 0  # every meeting is refused at publication
        fair.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.scheduler_run_publish(fair=fair, by=organiser, run=run)
        assert run.bookings.filter(status="refused").count() == refused
        url = reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk})
        with CaptureQueriesContext(db) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["publication"]["refused_rows"]) == refused
        return len(queries)

    assert page_queries(2, 2) == page_queries(4, 6)


# --- A publication that stopped -----------------------------------------------------------------


def run_page(client, run) -> str:
    return client.get(reverse("matchmaking:scheduler_run", kwargs={"pk": run.pk})).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_publication_whose_task_failed_is_shown_stopped_and_resumes(monkeypatch, login):
    """Inline engine: the booking task fails for good after the first batch. The run page says
    so and stops refreshing; "Resume publishing" books the rest once and mails everyone once."""
    fair, organiser = factories.FairFactory(), factories.OrganiserFactory()
    pairs, run = previewed(fair, organiser, 3)
    real = publishing.book_batch

    def database_gone(**kwargs):
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(publishing, "book_batch", database_gone)
    client = login(organiser)
    client.post(reverse("matchmaking:scheduler_publish", kwargs={"pk": run.pk}))
    run.refresh_from_db()
    assert run.status == "publishing"
    html = run_page(client, run)
    assert 'id="publish-stalled"' in html
    assert reverse("matchmaking:scheduler_resume", kwargs={"pk": run.pk}) in html
    assert "data-refresh-every" not in html  # nothing more will happen by itself

    monkeypatch.setattr(publishing, "book_batch", real)
    response = client.post(reverse("matchmaking:scheduler_resume", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.meetings_created) == ("published", 3)
    assert_each_meeting_once(run, pairs)
    assert len(mail.outbox) == 6
    assert 'id="publish-stalled"' not in run_page(client, run)
    # Resuming a published run changes nothing.
    client.post(reverse("matchmaking:scheduler_resume", kwargs={"pk": run.pk}))
    assert Meeting.objects.count() == 3 and len(mail.outbox) == 6


@pytest.mark.django_db
def test_a_publication_still_booking_inline_is_not_stopped(fair, organiser):
    """Negative control of the inline check: while the task runs in this process the run is
    not stopped (another tab's progress poll must not offer to start a second one)."""
    from matchmaking.tasks import scheduler_run_book_task

    _pairs, run = previewed(fair, organiser, 1)
    run.status = "publishing"
    seen = []
    real = scheduler_run_book_task.func
    scheduler_run_book_task.func = lambda **kwargs: seen.append(
        services.scheduler_run_stalled(run=run)
    )
    try:
        scheduler_run_book_task._run({"run_id": run.pk})
    finally:
        scheduler_run_book_task.func = real
    assert seen == [False]
    assert services.scheduler_run_stalled(run=run) is True


@pytest.mark.django_db(transaction=True)
def test_resume_on_the_queue_enqueues_only_for_a_failed_job(postgres_required, settings, login):
    """Queue engine: while the booking job waits (or waits for its retry), the run is not
    stopped and "resume" enqueues nothing; once the job failed for good, one click enqueues
    one job, and a second click none."""
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    fair, organiser = factories.FairFactory(), factories.OrganiserFactory()
    _pairs, run = previewed(fair, organiser, 2)
    with transaction.atomic():
        services.scheduler_run_publish(fair=fair, by=organiser, run=run)
    client = login(organiser)
    resume = reverse("matchmaking:scheduler_resume", kwargs={"pk": run.pk})
    assert 'id="publish-stalled"' not in run_page(client, run)
    client.post(resume)
    assert booking_task_jobs(run) == 1

    with connection.cursor() as cursor:  # every retry spent
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'failed' WHERE args @> %s::jsonb",
            [f'{{"run_id": {run.pk}}}'],
        )
    assert 'id="publish-stalled"' in run_page(client, run)
    client.post(resume)
    client.post(resume)
    assert booking_task_jobs(run) == 2
    assert 'id="publish-stalled"' not in run_page(client, run)
    assert not Meeting.objects.exists()  # the worker books them


@pytest.mark.django_db
def test_another_fairs_run_cannot_be_resumed(fair, organiser, login):
    other_fair = factories.FairFactory(is_current=False)
    _pairs, run = previewed(other_fair, organiser, 1)
    response = login(organiser).post(reverse("matchmaking:scheduler_resume", kwargs={"pk": run.pk}))
    assert response.status_code == 404
