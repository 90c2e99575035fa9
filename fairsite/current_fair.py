"""The current fair edition for a request, kept in each process instead of a query per request.

Every page asks for the fair (``request.fair``, :class:`fairsite.middleware.FairMiddleware`), and
it changes a few times a year. Each process keeps the row it last read, under the fair's
*generation*: a number in the shared cache (Redis in production) that a change to any fair
(saved or deleted, from a service, the admin or a script) renews when its transaction commits.
A request reads the generation (one cache ``GET``, instead of the query and its ORM work) and
reuses the row only when it is the one the row was read under, so a changed fair is seen by
every process from its next request on. The generation is read *before* the row, so a row is
never filed under a generation newer than itself. A change also forgets this process's row at
once, before its commit. After :data:`KEEP_SECONDS` a row is read again whatever the cache says
(a safety net for a cache that lost its keys).

Each request gets a new ``Fair`` instance built from the kept values, never a shared object, so
what one request does to ``request.fair`` stays in it.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from fairsite.models import Fair

GENERATION_KEY = "fair:generation"
#: Longest a process keeps a row without reading it again.
KEEP_SECONDS = 60.0

_kept: dict[str | None, tuple[Any, float, list[Any] | None]] = {}
_lock = threading.Lock()


@functools.cache
def _field_names() -> list[str]:
    return [field.attname for field in Fair._meta.concrete_fields]


def current_fair() -> Fair | None:
    """``Fair.objects.current()``, from this process's copy while the generation holds."""
    slug = settings.FAIR_SLUG
    generation = cache.get(GENERATION_KEY)
    kept = _kept.get(slug)
    now = time.monotonic()
    if kept is not None and kept[0] == generation and now - kept[1] < KEEP_SECONDS:
        values = kept[2]
        if values is None:
            return None
        return Fair.from_db(DEFAULT_DB_ALIAS, _field_names(), list(values))
    fair = Fair.objects.current()
    values = None if fair is None else [getattr(fair, name) for name in _field_names()]
    with _lock:
        _kept[slug] = (generation, now, values)
    return fair


def forget() -> None:
    """Drop this process's copy (the next request reads the row)."""
    with _lock:
        _kept.clear()


def fair_changed() -> None:
    """A fair was saved or deleted: forget it here now, and everywhere once it commits."""
    forget()

    def renew() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        forget()

    transaction.on_commit(renew)


@receiver(post_save, sender=Fair, dispatch_uid="fairsite.current_fair.saved")
@receiver(post_delete, sender=Fair, dispatch_uid="fairsite.current_fair.deleted")
def _fair_saved_or_deleted(**_kwargs: Any) -> None:
    fair_changed()
