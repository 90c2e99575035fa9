"""Who is behind a session: Django's rules, with the queries compiled once per process.

Every signed-in page request and every socket handshake asks the same two questions: the session
row, then the user it names. Django answers them through the ORM, which builds and compiles both
queries afresh each time (about as much Python as the rest of a small request). Here each is a
:class:`fairsite.async_db.CompiledQuery`, run with the request's own values:

* the session row (:data:`SESSION_ROWS`), read by the session engine of the site
  (:mod:`fairsite.sessions`) and by the socket handshake on the event loop;
* the user by primary key, every column, with what the request asks about the viewer in the same
  statement: the organisers group for a socket (:data:`USER_ROWS`); for a page
  (:data:`VIEWER_ROWS`) also a verified address, the hall staff group and the unread
  notifications, which the permission checks and every page's header read
  (:func:`exhibitors.selectors.viewer_flags_load` reads the same four on its own).

The user id is inside the signed session data, so the two cannot be joined in SQL. The rules are
``django.contrib.auth.get_user``'s: the session names a user and a configured backend, the
backend lets the user authenticate (active), and the session's auth hash matches the user's (a
changed password signs every session out); a backend that loads users differently from
``ModelBackend`` is asked itself.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth import get_user as django_get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from fairsite.async_db import CompiledQuery, concrete_columns, instances_from_row
from fairsite.enums import HALL_STAFF_GROUP, ORGANISERS_GROUP

#: What the viewer query adds after the user's columns, in this order.
VIEWER_FLAGS = ("_is_organiser", "_is_verified", "_can_check_in", "_unread_notifications")


def model_backend_loads(backend: Any) -> bool:
    """Whether ``backend`` loads users as ``ModelBackend`` does (ours: Django's and allauth's),
    so the user can come with the viewer's flags in the same query."""
    return type(backend).get_user is ModelBackend.get_user


@functools.cache
def _user_columns() -> list[str]:
    return concrete_columns(get_user_model())


def _user_rows(*, user_id: Any, viewer: bool) -> Any:
    """The user by primary key, every column, with the organiser flag; with ``viewer``, also
    a verified address, the hall staff group (or organisers) and the unread count."""
    from fairsite.models import Notification

    groups = Group.objects.filter(user=OuterRef("pk"))
    flags: dict[str, Any] = {"_q_organiser": Exists(groups.filter(name=ORGANISERS_GROUP))}
    if viewer:
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(count=Count("pk"))
            .values("count")
        )
        flags |= {
            "_q_verified": Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            "_q_staff": Exists(groups.filter(name__in=[ORGANISERS_GROUP, HALL_STAFF_GROUP])),
            "_q_unread": Coalesce(Subquery(unread), Value(0), output_field=IntegerField()),
        }
    return (
        get_user_model()
        ._default_manager.annotate(**flags)
        .filter(pk=user_id)
        .values_list(*_user_columns(), *flags)
    )


def _session_rows(*, session_key: str, now: datetime) -> Any:
    """What ``django.contrib.sessions.backends.db.SessionStore.load`` reads."""
    return (
        DbSessionStore.get_model_class()
        .objects.filter(session_key=session_key, expire_date__gt=now)
        .values_list("session_data")
    )


# Compiled once per process; every request runs them with its own values (fairsite.async_db).
_NO_USER = -(2**41) - 11
USER_ROWS = CompiledQuery(
    lambda user_id: _user_rows(user_id=user_id, viewer=False), user_id=_NO_USER
)
VIEWER_ROWS = CompiledQuery(
    lambda user_id: _user_rows(user_id=user_id, viewer=True), user_id=_NO_USER
)
SESSION_ROWS = CompiledQuery(
    _session_rows, session_key="\x00session-key", now=datetime(1970, 1, 2, tzinfo=UTC)
)


def user_from_rows(backend: Any, rows: list[Any]) -> Any:
    """The user of a :data:`USER_ROWS` or :data:`VIEWER_ROWS` row, its flags where their readers
    look first (``User.is_organiser``, :func:`exhibitors.selectors.user_is_verified`,
    :func:`exhibitors.access.can_check_in`, the header's unread count), or ``None`` when there is
    no such user or the backend would not let them authenticate."""
    if not rows:
        return None
    columns = _user_columns()
    (user,) = instances_from_row(rows[0], (get_user_model(), columns))
    set_viewer_flags(user, rows[0][len(columns) :])
    return user if backend.user_can_authenticate(user) else None


def set_viewer_flags(user: Any, values: Any) -> None:
    """Put the flags of a row (in :data:`VIEWER_FLAGS` order; a socket's row has the first
    only) on ``user``, where their readers look first."""
    for name, value in zip(VIEWER_FLAGS, values, strict=False):
        setattr(user, name, value)


def viewer_flags_read(user: Any) -> None:
    """The four flags of :data:`VIEWER_ROWS` for a user already loaded (another backend's):
    the same statement, its user columns unused."""
    rows = VIEWER_ROWS.fetch_sync(user_id=user.pk)
    set_viewer_flags(user, rows[0][len(_user_columns()) :] if rows else (False, False, False, 0))


def load_user(backend: Any, user_id: Any, *, viewer: bool = False) -> Any:
    """``backend.get_user(user_id)``, with the flags in the same query for backends that load
    users like ``ModelBackend``."""
    if not model_backend_loads(backend):
        return backend.get_user(user_id)
    return user_from_rows(
        backend, (VIEWER_ROWS if viewer else USER_ROWS).fetch_sync(user_id=user_id)
    )


def session_hash_ok(session: Any, user: Any) -> bool:
    """Django's session verification: the stored auth hash matches the user's (current secret
    or one of ``SECRET_KEY_FALLBACKS``)."""
    if not hasattr(user, "get_session_auth_hash"):
        return True
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash:
        return False
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


def session_claim(session: Any) -> tuple[Any, Any] | None:
    """``(user id, backend)`` the session names, if the backend is configured; else ``None``.
    The first read of a session store loads it."""
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    return user_id, load_backend(backend_path)


def resolve_session_user(session_key: str | None) -> tuple[Any, Any]:
    """``(session, user)`` for a session key; the user is ``AnonymousUser`` when the session is
    missing, expired, names no usable user, or its auth hash does not match (then the session
    is flushed, as ``django.contrib.auth.get_user`` does)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    session = store_class(session_key)
    if not session_key:
        return session, AnonymousUser()
    claim = session_claim(session)  # the session: one query (database sessions)
    if claim is None:
        return session, AnonymousUser()
    user = load_user(claim[1], claim[0])  # one query
    if user is None:
        return session, AnonymousUser()
    if not session_hash_ok(session, user):
        session.flush()
        return session, AnonymousUser()
    return session, user


def request_user(request: HttpRequest) -> Any:
    """``django.contrib.auth.get_user(request)`` for a page request, the user coming with the
    viewer's flags in one compiled query (:data:`VIEWER_ROWS`). A session verified only by one
    of ``SECRET_KEY_FALLBACKS`` gets a new key and the current hash, as Django does."""
    session = request.session
    claim = session_claim(session)
    if claim is None:
        return AnonymousUser()
    user_id, backend = claim
    if not model_backend_loads(backend):
        return django_get_user(request)
    user = load_user(backend, user_id, viewer=True)
    if user is None:
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and session_hash_ok(session, user):  # one of the fallback secrets
        session.cycle_key()
        session[HASH_SESSION_KEY] = current
        return user
    session.flush()
    return AnonymousUser()
