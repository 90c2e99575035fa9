"""Background work, enqueued in the same transaction as the change that causes it.

Declare a task with :func:`task` on a keyword-only function in an app's ``tasks.py``; enqueue it
with ``the_task.defer_on_commit(**kwargs)`` from a service. Nothing runs for a rolled-back change.
Arguments must be JSON-serialisable (ids, strings, numbers), never model instances.
:func:`periodic` declares work that runs on a schedule (cron syntax, UTC).

Two engines behind the same interface, chosen by ``settings.TASKS_ENGINE``:

- ``"queue"`` (PostgreSQL, production): procrastinate. The job row is written through Django's
  own connection, inside the surrounding transaction, so a rollback leaves no job and a commit
  makes it visible to the workers (``python manage.py worker``). Failures are retried with
  exponential backoff (``retry`` attempts); a job whose worker died (no heartbeat for
  ``TASKS_STALLED_AFTER`` seconds) is put back in the queue by the workers that are alive.
- ``"inline"`` (the SQLite demo): the task runs in this process right after commit; periodic
  tasks run in ``python manage.py worker``'s simple loop, no queue server needed.

Tasks must be idempotent: a job can run twice (a retry after a crash). E-mails are made
exactly-once by :func:`fairsite.mail.deliver_once`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

REGISTRY: dict[str, Task] = {}
# Inline engine: the (task, arguments) running in this process now (see ``Task.is_waiting``);
# request threads of the demo server run tasks side by side.
_INLINE_RUNNING: Counter[tuple[str, str]] = Counter()
_INLINE_LOCK = threading.Lock()
# Periodic tasks: (task, cron). The queue engine registers them with procrastinate as well.
PERIODIC: list[tuple[Task, str]] = []

ENGINE_QUEUE = "queue"
ENGINE_INLINE = "inline"
# Exponential backoff between attempts: 2, 4, 8, 16… seconds.
BACKOFF_BASE_SECONDS = 2


def engine() -> str:
    return getattr(settings, "TASKS_ENGINE", ENGINE_INLINE)


def queue_installed() -> bool:
    return "procrastinate.contrib.django" in settings.INSTALLED_APPS


def autodiscover() -> None:
    """Import every app's ``tasks`` module, so that every task and schedule is registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


class Task:
    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str,
        retry: int,
        coalesce: Callable[[dict[str, Any]], str] | None = None,
    ) -> None:
        self.func = func
        self.name = name
        self.retry = retry
        self.coalesce = coalesce
        self.queued: Any = None  # the procrastinate task, where the queue is installed

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def defer_on_commit(self, **kwargs: Any) -> None:
        """Enqueue as part of the surrounding transaction (queue engine) or run right after
        it commits (inline engine). Outside a transaction: at once."""
        if engine() == ENGINE_QUEUE and self.queued is not None:
            if self.coalesce is None:
                self.queued.defer(**kwargs)
            else:
                self._defer_coalesced(kwargs)
        else:
            transaction.on_commit(lambda: self._run(kwargs))

    def _defer_coalesced(self, kwargs: dict[str, Any]) -> None:
        """Enqueue unless a job with the same key (``coalesce(kwargs)``) is still waiting: that
        one will see this change. The key is the job's queueing lock (at most one waiting job)
        and its lock (jobs with one key never run at the same time). The insert runs in a
        savepoint, so a refused one leaves the caller's transaction usable."""
        from procrastinate.exceptions import AlreadyEnqueued

        key = self.coalesce(kwargs)
        try:
            with transaction.atomic():
                self.queued.configure(lock=key, queueing_lock=key).defer(**kwargs)
        except AlreadyEnqueued:
            logger.debug("task %s already waiting for %s", self.name, key)

    def is_waiting(self, **kwargs: Any) -> bool:
        """Whether a job of this task with these arguments is still to run or running: on the
        queue, waiting (a retry's backoff included) or taken by a worker; inline, running in
        this process now. ``False`` once it succeeded or failed for good, so a caller can
        offer to start it again (an idempotent task resumes where it stopped)."""
        if engine() == ENGINE_QUEUE and self.queued is not None:
            from procrastinate.contrib.django.models import ProcrastinateJob

            return ProcrastinateJob.objects.filter(
                task_name=self.name, status__in=("todo", "doing"), args__contains=kwargs
            ).exists()
        return _INLINE_RUNNING[_inline_key(self.name, kwargs)] > 0

    def _run(self, kwargs: dict[str, Any]) -> None:
        key = _inline_key(self.name, kwargs)
        with _INLINE_LOCK:
            _INLINE_RUNNING[key] += 1
        try:
            self.func(**kwargs)
        except Exception:
            logger.exception("task %s failed", self.name)
        finally:
            with _INLINE_LOCK:
                _INLINE_RUNNING[key] -= 1
                if not _INLINE_RUNNING[key]:
                    del _INLINE_RUNNING[key]


def _inline_key(name: str, kwargs: dict[str, Any]) -> tuple[str, str]:
    return name, json.dumps(kwargs, sort_keys=True, default=str)


def _register_queued(registered: Task, cron: str | None = None) -> None:
    if not queue_installed():
        return
    from procrastinate import RetryStrategy
    from procrastinate.contrib.django import app

    def run(**kwargs: Any) -> Any:
        kwargs.pop("timestamp", None)  # periodic jobs get the time they were due
        return registered.func(**kwargs)

    run.__name__ = registered.func.__name__
    run.__qualname__ = registered.func.__qualname__
    run.__module__ = registered.func.__module__
    retry = (
        RetryStrategy(max_attempts=registered.retry, exponential_wait=BACKOFF_BASE_SECONDS)
        if registered.retry
        else False
    )
    queued = app.task(name=registered.name, retry=retry)(run)
    if cron:
        queued = app.periodic(cron=cron)(queued)
    registered.queued = queued


def task(
    *, retry: int = 5, coalesce: Callable[[dict[str, Any]], str] | None = None
) -> Callable[[Callable[..., Any]], Task]:
    """Register a keyword-only function as a background task (retried ``retry`` times).

    ``coalesce`` maps a job's arguments to a key: on the queue, a job is not enqueued while
    another with the same key still waits, and jobs with one key run one at a time. The task
    must then itself find what is due (a flag it consumes), as the waiting job stands for
    every change that asked for it."""

    def wrap(func: Callable[..., Any]) -> Task:
        name = f"{func.__module__}.{func.__qualname__}"
        registered = Task(func, name=name, retry=retry, coalesce=coalesce)
        REGISTRY[name] = registered
        _register_queued(registered)
        return registered

    return wrap


def periodic(*, cron: str, retry: int = 0) -> Callable[[Callable[..., Any]], Task]:
    """Register a keyword-only function without arguments to run on a cron schedule (UTC).
    It must be safe to run twice or late: each run does whatever is due by then."""

    def wrap(func: Callable[..., Any]) -> Task:
        name = f"{func.__module__}.{func.__qualname__}"
        registered = Task(func, name=name, retry=retry)
        REGISTRY[name] = registered
        PERIODIC.append((registered, cron))
        _register_queued(registered, cron=cron)
        return registered

    return wrap


@periodic(cron="17 * * * *")
def purge_submission_keys() -> int:
    """Hourly: forget submission keys older than their lifetime (a day: the repeats they guard
    against, double clicks and resends after a lost connection, come within minutes); returns
    how many were deleted."""
    from fairsite.services import submission_keys_purge

    return submission_keys_purge()
