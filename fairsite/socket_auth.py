"""Session authentication for WebSockets: the web session's user in ``scope["user"]``.

Replaces Channels' ``AuthMiddlewareStack`` for our sockets. The rules are Django's
(``django.contrib.auth.get_user``): the session names a user and a configured backend, the
backend must let the user authenticate (active), and the session's auth hash must match the
user's (a changed password signs out every session, sockets included); a session that fails the
check is flushed, as Django does. What differs is where and how the work runs:

* in a worker thread of the pool (``thread_sensitive=False``), not in the process's single
  thread-sensitive thread that Channels' middleware queues every handshake behind;
* in one hop and two primary-key queries (the session row; the user with the organiser flag
  annotated, so ``user.is_organiser`` needs no query later). The user id is inside the signed
  session data, so the two cannot be joined in SQL;
* a handshake without a session cookie touches no database.

``scope["session"]`` is the loaded session store (read-only use; nothing is saved from a socket).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils.crypto import constant_time_compare

from fairsite.enums import ORGANISERS_GROUP


def session_key_from_scope(scope: dict[str, Any]) -> str | None:
    """The session cookie of the handshake (the first ``Cookie`` header, as Channels reads it)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME) or None
    return None


def _load_user(backend: Any, user_id: Any) -> Any:
    """``backend.get_user(user_id)`` with the organiser flag in the same query, for backends
    that load users like ``ModelBackend`` (ours: Django's and allauth's)."""
    if type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    user_model = get_user_model()
    organiser = Group.objects.filter(name=ORGANISERS_GROUP, user=OuterRef("pk"))
    try:
        user = user_model._default_manager.annotate(_socket_is_organiser=Exists(organiser)).get(
            pk=user_id
        )
    except user_model.DoesNotExist:
        return None
    user._is_organiser = user.__dict__.pop("_socket_is_organiser")
    return user if backend.user_can_authenticate(user) else None


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


def resolve_session_user(session_key: str | None) -> tuple[Any, Any]:
    """``(session, user)`` for a session key; the user is ``AnonymousUser`` when the session is
    missing, expired, names no usable user, or its auth hash does not match (then the session
    is flushed, as ``django.contrib.auth.get_user`` does)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    session = store_class(session_key)
    if not session_key:
        return session, AnonymousUser()
    try:  # the first read loads the session: one query (database sessions)
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return session, AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return session, AnonymousUser()
    user = _load_user(load_backend(backend_path), user_id)  # one query
    if user is None:
        return session, AnonymousUser()
    if not session_hash_ok(session, user):
        session.flush()
        return session, AnonymousUser()
    return session, user


class SessionAuthMiddleware:
    """Put the session's user (or ``AnonymousUser``) in ``scope["user"]`` before the inner
    application runs. Wrap it in :class:`SameOriginValidator`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        key = session_key_from_scope(scope)
        if key:
            session, user = await database_sync_to_async(
                resolve_session_user, thread_sensitive=False
            )(key)
        else:
            session, user = resolve_session_user(None)  # no I/O
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
