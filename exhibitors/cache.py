"""Cached display of companies: the directory's result cards and the company pages, rendered
once per fair, language and query and kept in the cache (Redis in production).

Invalidation is exact: every cached fragment's key holds the fair's *display version*, and every
change to a company of that fair (its profile, sectors, certifications, logo, members) moves the
version once the change commits (``display_changed``). A fragment of an older version is never
read again and simply expires. Reads outnumber profile edits by far during a fair, so one version
per fair is enough; an edit re-renders that fair's fragments on their next view.

:func:`fragment` caches a rendered fragment under the digest of everything it shows (used for
whole anonymous pages and a company's recommendation rows): exact by construction, with the
viewer's CSRF token put in per request.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

# How long an unread fragment stays; correctness comes from the version, not from this.
FRAGMENT_SECONDS = 3600


def _version_key(fair_id: int) -> str:
    return f"exhibitors:display-version:{fair_id}"


def display_version(*, fair_id: int) -> int:
    """The fair's current display version. A missing key (first use, or evicted) starts at the
    clock in nanoseconds, so a lost version can never bring back a fragment of an old one."""
    key = _version_key(fair_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key)
    return version


def display_bump(*, fair_id: int) -> None:
    """Move the fair's display version now (``display_changed`` does it on commit)."""
    try:
        cache.incr(_version_key(fair_id))
    except ValueError:
        cache.set(_version_key(fair_id), time.time_ns(), timeout=None)


def display_changed(*, fair_id: int) -> None:
    """Call inside the transaction that changes a company: the fair's version moves when it
    commits (not for a rollback), so readers after the commit render the new data."""
    transaction.on_commit(functools.partial(display_bump, fair_id=fair_id))


# Rendered into a cached fragment where the viewer's CSRF token goes; replaced per request.
CSRF_PLACEHOLDER = "csrf-token-placeholder-5f0c2a"


def fragment(*, parts: Sequence[Any], render: Callable[[], str]) -> str:
    """A rendered fragment cached under the digest of everything it shows (``parts``: the
    language, the display version and the rows' own data as read in this request).

    Exact without any invalidation call: a change to anything the fragment shows changes its
    key, so a fragment is never read once its data changed, and old ones expire. ``render``
    runs only on a miss. A fragment with forms renders :data:`CSRF_PLACEHOLDER` as its token
    (``csrf_token`` in its context); the caller puts the viewer's token in its place."""
    key = "fragment:" + hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, FRAGMENT_SECONDS)
    return html
