"""``python manage.py worker``: run background tasks (see ``fairsite/tasks.py``).

On the queue engine (PostgreSQL) this is a procrastinate worker: it runs deferred jobs and the
periodic schedule, retries failures with backoff, and puts back in the queue the jobs of
workers that died (no heartbeat for ``TASKS_STALLED_AFTER`` seconds). Stop it with SIGTERM or
SIGINT: the running jobs finish first. On the inline engine (the SQLite demo) deferred tasks
already run inside the web process; this command only runs the periodic tasks on their
schedule.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fairsite import tasks

logger = logging.getLogger("fairsite.worker")


async def recover_stalled(app: Any, *, after: float) -> None:
    """Every ``after / 2`` seconds, retry the jobs whose worker stopped sending heartbeats."""
    while True:
        for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=after):
            logger.warning("retrying job %s (%s) of a stalled worker", job.id, job.task_name)
            await app.job_manager.retry_job(job)
        await asyncio.sleep(after / 2)


class Command(BaseCommand):
    help = "Run background tasks: the procrastinate worker (PostgreSQL) or the periodic loop."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=settings.TASKS_CONCURRENCY)
        parser.add_argument("--queues", default="", help="comma-separated; default all")

    def handle(self, *args: Any, **options: Any) -> None:
        tasks.autodiscover()
        if tasks.engine() == tasks.ENGINE_QUEUE:
            if not tasks.queue_installed():
                raise CommandError("The queue engine needs PostgreSQL (FAIRSITE_DATABASE_URL).")
            self.run_queue(options)
        else:
            self.run_periodic_inline()

    def run_queue(self, options: dict[str, Any]) -> None:
        from procrastinate.contrib.django import app

        after = float(settings.TASKS_STALLED_AFTER)
        worker_options: dict[str, Any] = {
            "concurrency": max(1, options["concurrency"]),
            "update_heartbeat_interval": max(0.5, after / 4),
            "stalled_worker_timeout": after,
        }
        if options["queues"]:
            worker_options["queues"] = [q for q in options["queues"].split(",") if q]

        async def main() -> None:
            async with app.open_async():
                recovery = asyncio.create_task(recover_stalled(app, after=after))
                try:
                    await app.run_worker_async(**worker_options)
                finally:
                    recovery.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await recovery

        with app.replace_connector(app.connector.get_worker_connector()):
            asyncio.run(main())

    def run_periodic_inline(self) -> None:
        from croniter import croniter

        now = datetime.now(UTC)
        schedule = [(task, croniter(cron, now)) for task, cron in tasks.PERIODIC]
        due = {task.name: it.get_next(datetime) for task, it in schedule}
        self.stdout.write(f"Running {len(schedule)} periodic tasks in this process.")
        try:
            while True:
                now = datetime.now(UTC)
                for task, it in schedule:
                    if due[task.name] <= now:
                        task._run({})
                        due[task.name] = it.get_next(datetime)
                time.sleep(1)
        except KeyboardInterrupt:
            return
