"""Socket authentication from the web session (``fairsite.socket_auth``): Django's rules (the
session names an active user of a configured backend, and its auth hash matches), one worker
hop, two queries; and through the real ASGI stack, the close codes a client sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from fairsite import session_auth, socket_auth
from fairsite.socket_auth import (
    resolve_session_user,
    resolve_session_user_async,
    session_key_from_scope,
)
from meetings import protocol
from tests.meetings.sockets import *  # noqa: F403 - people fixtures, fresh cache
from tests.meetings.sockets import ORIGIN, session_key_for

NOTIFICATIONS = "/ws/notifications/"


def cookie_scope(value: str) -> dict:
    return {
        "headers": [
            (b"origin", ORIGIN.encode()),
            (b"host", b"127.0.0.1"),
            (b"cookie", value.encode()),
        ]
    }


def change_password(user) -> None:
    user.set_password("a whole new secret 42")
    user.save(update_fields=["password"])


# --- The resolver ----------------------------------------------------------------------------


@pytest.fixture(params=["worker thread", "event loop"])
def resolve(request):
    """The resolver as the middleware runs it on the event loop (PostgreSQL: its own
    connections, which see committed rows only, hence ``transaction=True``), and the
    synchronous one it falls back to: the same rules either way."""
    if request.param == "worker thread":
        return resolve_session_user
    return async_to_sync(resolve_session_user_async)


def test_cookie_is_read_from_the_handshake_headers():
    name = settings.SESSION_COOKIE_NAME
    assert session_key_from_scope(cookie_scope(f"csrftoken=x; {name}=abc123")) == "abc123"
    assert session_key_from_scope(cookie_scope("csrftoken=x")) is None
    assert session_key_from_scope({"headers": []}) is None


@pytest.mark.django_db(transaction=True)
def test_valid_session_is_its_user_in_two_queries(exhibitor, django_assert_num_queries):
    key = session_key_for(exhibitor)

    with django_assert_num_queries(2):  # the session row, the user with the organiser flag
        session, user = resolve_session_user(key)
    with django_assert_num_queries(0):
        assert user.is_organiser is False

    assert user.pk == exhibitor.pk and user.is_authenticated
    assert session.session_key == key


@pytest.mark.django_db(transaction=True)
def test_organiser_flag_comes_with_the_user(resolve, organiser, django_assert_num_queries):
    _session, user = resolve(session_key_for(organiser))

    with django_assert_num_queries(0):
        assert user.is_organiser is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", [None, "", "no-such-session-key"])
def test_missing_or_unknown_session_is_anonymous(resolve, key):
    _session, user = resolve(key)

    assert isinstance(user, AnonymousUser)


@pytest.mark.django_db(transaction=True)
def test_expired_session_inactive_user_and_foreign_backend_are_anonymous(
    resolve, exhibitor, buyer, colleague
):
    expired = session_key_for(exhibitor)
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    buyer.is_active = False
    buyer.save(update_fields=["is_active"])
    inactive = session_key_for(buyer)
    store, foreign = resolve(session_key_for(colleague))
    store[BACKEND_SESSION_KEY] = "some.other.Backend"
    store.save()

    for key in (expired, inactive, store.session_key):
        assert isinstance(resolve(key)[1], AnonymousUser), key
    assert foreign.pk == colleague.pk  # the same session before its backend was changed


@pytest.mark.django_db(transaction=True)
def test_stale_password_hash_is_anonymous_and_the_session_is_flushed(
    resolve, exhibitor, monkeypatch
):
    stale = session_key_for(exhibitor)
    change_password(exhibitor)  # the session's stored hash is now stale

    # Control: without the hash check this very session would sign the person in.
    with monkeypatch.context() as patched:
        patched.setattr(socket_auth, "session_hash_ok", lambda session, user: True)
        patched.setattr(session_auth, "session_hash_ok", lambda session, user: True)
        assert resolve(stale)[1].pk == exhibitor.pk

    _session, user = resolve(stale)

    assert isinstance(user, AnonymousUser)
    assert not Session.objects.filter(session_key=stale).exists()  # flushed, as Django does
    assert resolve(session_key_for(exhibitor))[1].pk == exhibitor.pk


@pytest.mark.django_db(transaction=True)
def test_hash_made_with_a_fallback_secret_is_accepted(resolve, exhibitor, settings):
    settings.SECRET_KEY = "the-old-secret-" + "x" * 40
    old = session_key_for(exhibitor)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-" + "y" * 40

    assert resolve(old)[1].pk == exhibitor.pk


# --- Through the ASGI application ------------------------------------------------------------


async def connect(cookie: str | None) -> tuple[WebsocketCommunicator, int | None, dict | None]:
    """Open the notifications socket; ``(communicator, close code, hello data)``."""
    from fairsite.asgi import application

    headers = [(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1")]
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, NOTIFICATIONS, headers=headers)
    accepted, code = await communicator.connect(timeout=5)
    if not accepted:
        return communicator, code, None
    first = await communicator.receive_output(timeout=5)
    if first["type"] == "websocket.close":
        return communicator, first.get("code"), None
    return communicator, None, first


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_socket_gets_the_sessions_user_or_closes_4401(exhibitor, buyer):
    valid = await sync_to_async(session_key_for)(exhibitor)
    stale = await sync_to_async(session_key_for)(buyer)
    await sync_to_async(change_password)(buyer)

    opened = [
        await connect(valid),
        await connect(None),
        await connect("garbage"),
        await connect(stale),
    ]
    try:
        (_c, code, hello), *refused = opened
        assert code is None and f'"id":{exhibitor.pk}' in hello["text"]
        assert [code for _c, code, _h in refused] == [protocol.CLOSE_UNAUTHENTICATED] * 3
    finally:
        for communicator, _code, _hello in opened:
            await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_logout_closes_the_socket_and_its_cookie_no_longer_opens_one(exhibitor):
    client = Client()
    await sync_to_async(client.force_login)(exhibitor)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    communicator, code, _hello = await connect(key)
    assert code is None

    await sync_to_async(client.post)("/accounts/logout/")

    while True:
        output = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == protocol.CLOSE_UNAUTHENTICATED
    again, code, _hello = await connect(key)
    assert code == protocol.CLOSE_UNAUTHENTICATED
    await again.disconnect()
