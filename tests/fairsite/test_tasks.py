"""Background tasks: enqueued with the change's transaction only, e-mails sent exactly once, and a
worker killed mid-task (SIGKILL) whose job another worker finishes without repeating a mail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction

from deploy.smtp_sink import SmtpSink
from fairsite import tasks
from fairsite.mail import deliver_once
from fairsite.models import OutgoingEmail
from meetings import notifications
from meetings.tasks import send_meeting_emails
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def meeting_with(people: int):
    meeting = factories.MeetingFactory()
    users = [factories.MeetingAttendeeFactory(meeting=meeting).user for _ in range(people)]
    return meeting, users


def defer_mails(meeting, users) -> None:
    send_meeting_emails.defer_on_commit(
        meeting_id=meeting.pk,
        change=notifications.CHANGE_BOOKED,
        sequence=meeting.sequence,
        user_ids=[u.pk for u in users],
    )


# --- Inline engine (the demo, and every other test) ----------------------------------------------


@pytest.mark.django_db
def test_inline_task_runs_only_after_commit(django_capture_on_commit_callbacks):
    meeting, users = meeting_with(2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        defer_mails(meeting, users)
        assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.mark.django_db(transaction=True)
def test_inline_task_is_dropped_with_a_rolled_back_change():
    meeting, users = meeting_with(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        defer_mails(meeting, users)
        raise RuntimeError
    assert mail.outbox == []
    assert OutgoingEmail.objects.count() == 0


@pytest.mark.django_db
def test_a_retried_task_sends_each_mail_once():
    meeting, users = meeting_with(3)
    kwargs = dict(
        meeting_id=meeting.pk,
        change=notifications.CHANGE_BOOKED,
        sequence=meeting.sequence,
        user_ids=[u.pk for u in users],
    )
    assert send_meeting_emails(**kwargs) == 3
    assert send_meeting_emails(**kwargs) == 0  # a retry after a crash
    assert len(mail.outbox) == 3
    assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_deliver_once_without_the_outbox_row_would_send_twice():
    """Negative control: the key is what stops the second send."""
    user = factories.UserFactory()
    message = EmailMultiAlternatives(subject="Hello", body="Hello", to=[user.email])
    assert deliver_once(key="k:1", user=user, message=message) is True
    assert deliver_once(key="k:1", user=user, message=message) is False
    OutgoingEmail.objects.all().delete()
    assert deliver_once(key="k:1", user=user, message=message) is True
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_failed_send_is_not_marked_sent(monkeypatch):
    user = factories.UserFactory()
    message = EmailMultiAlternatives(subject="Hello", body="Hello", to=[user.email])

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(message, "send", refuse)
    with pytest.raises(OSError):
        deliver_once(key="k:2", user=user, message=message)
    assert not OutgoingEmail.objects.filter(key="k:2", sent_at__isnull=False).exists()


# --- Queue engine (procrastinate on PostgreSQL) -------------------------------------------------


def queued_jobs(task_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s", [task_name])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_queue_job_is_written_in_the_changes_transaction(postgres_required, settings):
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    meeting, users = meeting_with(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        defer_mails(meeting, users)
        assert queued_jobs(send_meeting_emails.name) == 1  # inside the transaction
        raise RuntimeError
    assert queued_jobs(send_meeting_emails.name) == 0  # rolled back with it
    with transaction.atomic():
        defer_mails(meeting, users)
    assert queued_jobs(send_meeting_emails.name) == 1
    assert mail.outbox == []  # the worker sends it, not this process


def worker_env(smtp_port: int) -> dict[str, str]:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRSITE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="fairsite.settings",
        FAIRSITE_DATABASE_URL=(
            f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        ),
        FAIRSITE_TASKS="queue",
        FAIRSITE_TASKS_STALLED_AFTER="3",
        FAIRSITE_EMAIL_HOST="127.0.0.1",
        FAIRSITE_EMAIL_PORT=str(smtp_port),
        FAIRSITE_EMAIL_USE_TLS="0",
        FAIRSITE_LOG_LEVEL="WARNING",
    )
    return env


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own worker
        [sys.executable, "manage.py", "worker", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("TASKS_WORKER_LOG", os.devnull), "a"),  # noqa: SIM115
        start_new_session=True,
    )


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_task_delivers_each_mail_exactly_once(postgres_required, settings):
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    meeting, users = meeting_with(5)
    sink = SmtpSink(hold_at=3)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    env = worker_env(sink.server_address[1])
    with transaction.atomic():
        defer_mails(meeting, users)
    first = start_worker(env)
    second = None
    try:
        # The worker has sent two e-mails and is in the middle of the third.
        assert sink.holding.wait(60), "the worker never reached the third e-mail"
        assert sorted(sink.received) == sorted(u.email for u in users[:2])
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        second = start_worker(env)
        assert wait_for(lambda: len(sink.received) >= 5, 60), sink.received
        time.sleep(1)  # nothing more arrives
        assert sorted(sink.received) == sorted(u.email for u in users)
        assert OutgoingEmail.objects.filter(sent_at__isnull=False).count() == 5

        def job_status() -> str:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT status FROM procrastinate_jobs WHERE task_name = %s",
                    [send_meeting_emails.name],
                )
                return cursor.fetchone()[0]

        assert wait_for(lambda: job_status() == "succeeded", 30), job_status()
        assert sorted(sink.received) == sorted(u.email for u in users)
    finally:
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
def test_organisers_see_the_jobs_in_the_admin(postgres_required, client, organiser, settings):
    settings.TASKS_ENGINE = tasks.ENGINE_QUEUE
    meeting, users = meeting_with(1)
    defer_mails(meeting, users)
    client.force_login(organiser)
    page = client.get("/admin/procrastinate/procrastinatejob/")
    assert page.status_code == 200
    assert send_meeting_emails.name.rsplit(".", 1)[-1] in page.content.decode()
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get("/admin/procrastinate/procrastinatejob/").status_code == 403
