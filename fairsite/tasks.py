"""Background work, enqueued in the same transaction as the change that causes it.

Declare a task with :func:`task` on a keyword-only function in an app's ``tasks.py``; enqueue it
with ``the_task.defer_on_commit(**kwargs)`` from a service. Nothing runs for a rolled-back change.
Arguments must be JSON-serialisable (ids, strings, numbers), never model instances.

This first version runs the work in-process right after commit (the embedded demo's behaviour);
the production engine keeps the same interface.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

REGISTRY: dict[str, Task] = {}


class Task:
    def __init__(self, func: Callable[..., Any], *, name: str, retry: int) -> None:
        self.func = func
        self.name = name
        self.retry = retry

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def defer_on_commit(self, **kwargs: Any) -> None:
        """Enqueue after the surrounding transaction commits (at once outside a transaction)."""
        transaction.on_commit(lambda: self._run(kwargs))

    def _run(self, kwargs: dict[str, Any]) -> None:
        try:
            self.func(**kwargs)
        except Exception:
            logger.exception("task %s failed", self.name)


def task(*, retry: int = 5) -> Callable[[Callable[..., Any]], Task]:
    """Register a keyword-only function as a background task."""

    def wrap(func: Callable[..., Any]) -> Task:
        name = f"{func.__module__}.{func.__qualname__}"
        registered = Task(func, name=name, retry=retry)
        REGISTRY[name] = registered
        return registered

    return wrap
