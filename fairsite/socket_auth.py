"""Session authentication for WebSockets: the web session's user in ``scope["user"]``.

Replaces Channels' ``AuthMiddlewareStack`` for our sockets. The rules are Django's
(``django.contrib.auth.get_user``): the session names a user and a configured backend, the
backend must let the user authenticate (active), and the session's auth hash must match the
user's (a changed password signs out every session, sockets included); a session that fails the
check is flushed, as Django does. What differs is where and how the work runs:

* on the event loop (PostgreSQL, database sessions): two primary-key queries (the session row;
  the user with the organiser flag annotated, so ``user.is_organiser`` needs no query later),
  each compiled once per process and run on the loop's own connections
  (:class:`fairsite.async_db.CompiledQuery`), no worker thread. The user id is inside the signed
  session data, so the two cannot be joined in SQL. Other set-ups, and the rare paths (no such
  session, a session to flush), run in a worker thread of the pool (``thread_sensitive=False``),
  never in the process's single thread-sensitive thread that Channels' middleware queues every
  handshake behind;
* a handshake without a session cookie touches no database.

``scope["session"]`` is the loaded session store (read-only use; nothing is saved from a socket).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import timezone

from fairsite.async_db import on_postgresql
from fairsite.session_auth import (
    SESSION_ROWS,
    USER_ROWS,
    model_backend_loads,
    resolve_session_user,
    session_claim,
    session_hash_ok,
    user_from_rows,
)

__all__ = ["SameOriginValidator", "SessionAuthMiddleware", "resolve_session_user"]


def session_key_from_scope(scope: dict[str, Any]) -> str | None:
    """The session cookie of the handshake (the first ``Cookie`` header, as Channels reads it)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME) or None
    return None


class _ReadSession(DbSessionStore):
    """A database session whose row was read on the event loop: ``load`` decodes that row
    instead of reading it again (``load`` is the session backends' own extension point)."""

    @property
    def key_salt(self) -> str:
        """The database store's: the salt names the store's class, and this one reads what the
        database store signed."""
        return "django.contrib.sessions." + DbSessionStore.__qualname__

    def __init__(self, session_key: str, session_data: str) -> None:
        super().__init__(session_key)
        self._read_data = session_data

    def load(self) -> dict[str, Any]:
        return self.decode(self._read_data)


async def resolve_session_user_async(session_key: str | None) -> tuple[Any, Any]:
    """:func:`resolve_session_user` from the event loop, with the same rules and queries: on
    PostgreSQL with database sessions, the session row and the user (with the organiser flag)
    are read on the loop's own connections (:mod:`fairsite.async_db`), each query compiled once
    per process. Whatever is rarer (no such session, another session engine or backend, a
    session to flush, SQLite) goes to a worker thread."""
    in_thread = database_sync_to_async(resolve_session_user, thread_sensitive=False)
    if not session_key:
        return resolve_session_user(None)  # no I/O
    if not on_postgresql() or not issubclass(
        import_module(settings.SESSION_ENGINE).SessionStore, DbSessionStore
    ):
        return await in_thread(session_key)
    rows = await SESSION_ROWS.fetch(session_key=session_key, now=timezone.now())
    if not rows:  # missing or expired: the store's own handling
        return await in_thread(session_key)
    session = _ReadSession(session_key, rows[0][0])
    claim = session_claim(session)
    if claim is None:
        return session, AnonymousUser()
    user_id, backend = claim
    if model_backend_loads(backend):
        user = user_from_rows(backend, await USER_ROWS.fetch(user_id=user_id))
    else:
        user = await database_sync_to_async(backend.get_user, thread_sensitive=False)(user_id)
    if user is None:
        return session, AnonymousUser()
    if not session_hash_ok(session, user):
        await database_sync_to_async(session.flush, thread_sensitive=False)()
        return session, AnonymousUser()
    return session, user


class SessionAuthMiddleware:
    """Put the session's user (or ``AnonymousUser``) in ``scope["user"]`` before the inner
    application runs. Wrap it in :class:`SameOriginValidator`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        session, user = await resolve_session_user_async(session_key_from_scope(scope))
        scope = dict(scope, session=session, user=user)
        return await self.inner(scope, receive, send)


# --- Origin ------------------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_tuple(value: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an origin such as ``https://fair.example.vn:8443``, the port
    filled in from the scheme; ``None`` for anything that is not an http(s) origin."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin1")
    return None


def trusted_origin(origin: tuple[str, str, int]) -> bool:
    """Is ``origin`` one the site names: ``SITE_URL`` or an entry of ``CSRF_TRUSTED_ORIGINS``
    (``https://*.example.vn`` allows that domain's subdomains, as for Django's CSRF check)?"""
    scheme, host, port = origin
    for entry in [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]:
        wildcard = "://*." in entry
        allowed = _origin_tuple(entry.replace("://*.", "://", 1) if wildcard else entry)
        if allowed is None or (allowed[0], allowed[2]) != (scheme, port):
            continue
        if host == allowed[1] or (wildcard and host.endswith("." + allowed[1])):
            return True
    return False


def handshake_origin_allowed(scope: dict[str, Any]) -> bool:
    """The origin rule of every socket (docs/websocket-protocol.md section 1): the ``Origin``
    header, compared as scheme, host and port, is the page's own origin (``ws`` ↔ ``http``,
    ``wss`` ↔ ``https``, the handshake's ``Host``, which must be one of ``ALLOWED_HOSTS``), or
    one the site names (:func:`trusted_origin`). No ``Origin`` (or ``null``): refused."""
    raw = _header(scope, b"origin")
    origin = _origin_tuple(raw) if raw else None
    if origin is None:
        return False
    if trusted_origin(origin):
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    try:
        own_port = int(port) if port else _DEFAULT_PORTS[scheme]
    except ValueError:
        return False
    return origin == (scheme, domain.lower().strip("[]"), own_port)


class SameOriginValidator:
    """Refuse a handshake whose origin is not allowed by :func:`handshake_origin_allowed`, before
    any WebSocket is opened (the client sees HTTP 403), as Channels'
    ``AllowedHostsOriginValidator`` does but comparing scheme, host and port, not only the
    host name."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not handshake_origin_allowed(scope):
            from channels.security.websocket import WebsocketDenier

            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)
