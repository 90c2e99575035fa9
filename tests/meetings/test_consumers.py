"""The room and notification sockets through the project's real ASGI routing (origin check,
session auth, URL routing), with the configured channel layer (in-memory, or Redis in CI)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django.utils.translation import gettext_lazy

from fairsite.channels import (
    MEETING_CHANGED,
    SCHEDULE_PUBLISHED,
    broadcast,
    fair_group,
    meeting_group,
)
from meetings import protocol
from meetings.models import ChatMessage
from tests import factories
from tests.meetings.sockets import *  # noqa: F403 - socket fixtures

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def room(meeting) -> str:
    return f"/ws/meetings/{meeting.pk}/"


def send_data(client_id: str, text: str = "Xin chào") -> dict:
    return {"client_id": client_id, "text": text}


@sync_to_async
def stored(meeting) -> list[tuple[int, int, str, str]]:
    return list(
        ChatMessage.objects.filter(meeting=meeting)
        .order_by("id")
        .values_list("id", "sender_id", "client_id", "text")
    )


# --- Who may connect -----------------------------------------------------------------------


async def test_two_participants_chat(open_socket, meeting, exhibitor, buyer):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    answer = await seller.send("chat.send", send_data("c-1", "Báo giá khuôn nhôm?"))

    assert answer["type"] == "reply" and answer["ok"] is True
    message = answer["data"]["message"]
    assert answer["data"]["created"] is True
    assert message["text"] == "Báo giá khuôn nhôm?"
    assert message["sender"] == {"id": exhibitor.pk, "name": exhibitor.get_full_name()}
    assert message["created_at"].endswith("Z")
    assert await guest.event("chat.message") == message
    assert await stored(meeting) == [(message["id"], exhibitor.pk, "c-1", "Báo giá khuôn nhôm?")]

    html = '<img src=x onerror="alert(1)"> & <b>はい</b>'
    reply = await guest.send("chat.send", send_data("g-1", html))
    assert await seller.message(reply["data"]["message"]["id"]) == reply["data"]["message"]
    assert reply["data"]["message"]["text"] == html  # stored and sent raw; shown as text


async def test_hello_has_user_meeting_history_and_presence(open_socket, meeting, exhibitor, buyer):
    await sync_to_async(factories_message)(meeting, exhibitor, "earlier")
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    hello = guest.hello
    assert hello["user"] == {"id": buyer.pk, "name": buyer.get_full_name(), "role": "buyer"}
    assert hello["meeting"]["id"] == meeting.pk
    assert hello["meeting"]["buyer"]["id"] == meeting.buyer_id
    assert hello["can_write"] is True
    assert [m["text"] for m in hello["messages"]] == ["earlier"]
    assert hello["more"] is False
    assert {p["id"] for p in hello["presence"]["users"]} == {exhibitor.pk, buyer.pk}
    assert seller.hello["presence"]["version"] < hello["presence"]["version"]


def factories_message(meeting, sender, text: str, client_id: str | None = None) -> ChatMessage:
    return ChatMessage.objects.create(
        meeting=meeting, sender=sender, text=text, client_id=client_id or f"seed-{text}"
    )


async def test_outsider_is_refused_and_receives_nothing(
    open_socket, meeting, exhibitor, buyer, outsider
):
    seller = await open_socket(exhibitor, room(meeting))
    intruder = await open_socket(outsider, room(meeting))

    missing = await open_socket(outsider, f"/ws/meetings/{meeting.pk + 1000}/")

    assert intruder.close_code == missing.close_code == protocol.CLOSE_FORBIDDEN
    assert intruder.hello is None
    await seller.send("chat.send", send_data("c-1", "private price"))
    await seller.send("typing")
    assert await intruder.nothing()


async def test_pending_member_is_refused(open_socket, meeting, exhibitor_member):
    from exhibitors.enums import MembershipStatus

    pending = await sync_to_async(factories.MemberFactory)(
        company=exhibitor_member.company, status=MembershipStatus.PENDING
    )
    socket = await open_socket(pending.user, room(meeting))

    assert socket.close_code == protocol.CLOSE_FORBIDDEN


async def test_organiser_may_watch_but_not_write(open_socket, meeting, exhibitor, organiser):
    watcher = await open_socket(organiser, room(meeting))
    seller = await open_socket(exhibitor, room(meeting))

    assert watcher.hello["can_write"] is False
    assert watcher.hello["user"]["role"] == "organiser"
    sent = await seller.send("chat.send", send_data("c-1", "hello"))
    assert (await watcher.event("chat.message"))["id"] == sent["data"]["message"]["id"]
    refused = await watcher.send("chat.send", send_data("o-1", "I am the organiser"))
    assert refused["error"]["code"] == protocol.CHAT_FORBIDDEN
    assert len(await stored(meeting)) == 1


async def test_anonymous_and_foreign_origin_are_refused(open_socket, meeting, exhibitor):
    socket = await open_socket(None, room(meeting))
    notifications = await open_socket(None, "/ws/notifications/")

    foreign = await open_socket(exhibitor, room(meeting), origin="https://evil.example")
    no_origin = await open_socket(exhibitor, room(meeting), origin=None)

    assert socket.close_code == notifications.close_code == protocol.CLOSE_UNAUTHENTICATED
    assert await socket.nothing() and await notifications.nothing()
    # A foreign or missing origin is refused at the handshake itself (HTTP 403).
    assert foreign.hello is None and foreign.close_code is not None
    assert no_origin.hello is None and no_origin.close_code is not None


async def test_logout_closes_every_socket_of_that_person(open_socket, meeting, exhibitor, buyer):
    seller_room = await open_socket(exhibitor, room(meeting))
    seller_feed = await open_socket(exhibitor, "/ws/notifications/")
    guest = await open_socket(buyer, room(meeting))

    def sign_out() -> None:
        client = Client()
        client.force_login(exhibitor)
        client.post("/accounts/logout/")

    await sync_to_async(sign_out)()

    assert await seller_room.closed_with() == protocol.CLOSE_UNAUTHENTICATED
    assert await seller_feed.closed_with() == protocol.CLOSE_UNAUTHENTICATED
    assert (await guest.send("ping"))["ok"] is True


# --- Chat semantics ------------------------------------------------------------------------


async def test_resend_with_same_client_id_stores_once_and_acks_same_message(
    open_socket, meeting, exhibitor, buyer
):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    first = await seller.send("chat.send", send_data("same-id", "once"))
    second = await seller.send("chat.send", send_data("same-id", "once"))

    assert first["data"]["created"] is True and second["data"]["created"] is False
    assert first["data"]["message"] == second["data"]["message"]
    assert len(await stored(meeting)) == 1
    # The resend is announced again (the first announcement may have been lost); the same
    # message, which clients de-duplicate by id.
    assert await guest.event("chat.message") == first["data"]["message"]
    assert await guest.event("chat.message") == first["data"]["message"]


async def test_since_returns_exactly_the_missed_messages(open_socket, meeting, exhibitor, buyer):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    seen = (await seller.send("chat.send", send_data("c-0", "seen")))["data"]["message"]["id"]
    await guest.event("chat.message")
    await guest.close()

    missed = []
    for n in range(3):
        answer = await seller.send("chat.send", send_data(f"c-{n + 1}", f"missed {n}"))
        missed.append(answer["data"]["message"]["id"])
    back = await open_socket(buyer, room(meeting))
    answer = await back.send("chat.since", {"after": seen})

    assert [m["id"] for m in answer["data"]["messages"]] == missed
    assert answer["data"]["more"] is False


async def test_presence_follows_joins_and_leaves(open_socket, meeting, exhibitor, buyer):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    joined = await seller.presence({exhibitor.pk, buyer.pk})
    second_tab = await open_socket(buyer, room(meeting))
    await second_tab.close()
    await guest.send("ping")
    await guest.close()
    left = await seller.presence({exhibitor.pk})

    versions = [joined["version"]]
    while seller.events:  # the tab's arrival and departure, in order, the buyer still present
        frame = seller.events.pop(0)
        if frame["event"] == "presence":
            versions.append(frame["data"]["version"])
            if frame["data"]["version"] < left["version"]:
                assert {p["id"] for p in frame["data"]["users"]} == {exhibitor.pk, buyer.pk}
    assert versions == sorted(versions)
    assert joined["version"] < left["version"]
    assert [p["name"] for p in left["users"]] == [exhibitor.get_full_name()]


async def test_typing_is_throttled_and_meeting_changes_are_forwarded(
    open_socket, meeting, exhibitor, buyer
):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    await seller.presence({exhibitor.pk, buyer.pk})

    first = await seller.send("typing")
    second = await seller.send("typing")

    assert first["data"] == {"sent": True} and second["data"] == {"sent": False}
    assert (await guest.event("typing"))["user"]["id"] == exhibitor.pk
    assert await guest.nothing()
    assert await sync_to_async(ChatMessage.objects.count)() == 0

    await sync_to_async(broadcast)(
        meeting_group(meeting.pk), {"type": MEETING_CHANGED, "meeting": meeting.pk}
    )
    assert await guest.event("meeting.changed") == {"meeting": meeting.pk}


# --- Hostile frames ------------------------------------------------------------------------

HOSTILE = [
    ("not json", None, protocol.INVALID_JSON),
    (None, b"\x00\x01binary", protocol.BINARY_FRAME),
    ("x" * (protocol.MAX_FRAME_CHARS + 1), None, protocol.FRAME_TOO_LARGE),
    ("[" * 5000 + "]" * 5000, None, protocol.TOO_DEEP),
    (
        json.dumps({"id": "d", "type": "ping", "data": {"a": {"b": {"c": {"d": {"e": {}}}}}}}),
        None,
        protocol.TOO_DEEP,
    ),
    ("[1, 2]", None, protocol.INVALID_FRAME),
    (json.dumps({"type": "ping"}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": True, "type": "ping"}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": "x" * 65, "type": "ping"}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": "a", "type": 7}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": "a", "type": "ping", "data": []}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": "a", "type": "ping", "extra": 1}), None, protocol.INVALID_FRAME),
    (json.dumps({"id": "a", "type": "chat.delete_all"}), None, protocol.UNKNOWN_COMMAND),
    (json.dumps({"id": "a", "type": "chat_message"}), None, protocol.UNKNOWN_COMMAND),
    (json.dumps({"id": "a", "type": "user.logout"}), None, protocol.UNKNOWN_COMMAND),
    (
        json.dumps({"id": "a", "type": "chat.send", "data": {"text": "hi"}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.send", "data": {"client_id": 5, "text": "hi"}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.send", "data": {"client_id": "a b", "text": "x"}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.send", "data": {"client_id": "c", "text": ["x"]}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps(
            {"id": "a", "type": "chat.send", "data": {"client_id": "c", "text": "x", "meeting": 1}}
        ),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.send", "data": {"client_id": "c", "text": "  "}}),
        None,
        protocol.CHAT_EMPTY,
    ),
    (
        json.dumps(
            {"id": "a", "type": "chat.send", "data": {"client_id": "c", "text": "é" * 2001}}
        ),
        None,
        protocol.CHAT_TOO_LONG,
    ),
    (
        json.dumps({"id": "a", "type": "chat.since", "data": {"after": "1"}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.since", "data": {"after": -1}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.since", "data": {"after": 1.5}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.history", "data": {"limit": 10_000}}),
        None,
        protocol.INVALID_DATA,
    ),
    (
        json.dumps({"id": "a", "type": "chat.history", "data": {"before": True}}),
        None,
        protocol.INVALID_DATA,
    ),
]


async def test_hostile_frames_get_their_error_and_the_socket_keeps_serving(
    open_socket, meeting, exhibitor, buyer
):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    codes = []
    for text, binary, _expected in HOSTILE:
        frame = await seller.send_raw(text=text, binary=binary)
        assert frame["type"] == "error", frame
        assert frame["error"]["message"]
        codes.append(frame["error"]["code"])

    unknown = await seller.send_raw(json.dumps({"id": 41, "type": "nope"}))
    unreadable = await seller.send_raw("{")
    answer = await seller.send("chat.send", send_data("after-the-storm", "still here"))

    assert codes == [expected for _t, _b, expected in HOSTILE]
    assert unknown["id"] == 41 and unknown["error"]["details"] == {"type": "nope"}
    assert unreadable["id"] is None
    assert answer["ok"] is True
    assert [row[3] for row in await stored(meeting)] == ["still here"]
    assert (await guest.event("chat.message"))["text"] == "still here"


async def test_other_meetings_message_ids_are_not_found(
    open_socket, meeting, exhibitor, fair, buyer_member
):
    elsewhere = await sync_to_async(factories.MeetingFactory)(fair=fair)
    theirs = await sync_to_async(factories_message)(elsewhere, buyer_member.user, "theirs")
    seller = await open_socket(exhibitor, room(meeting))

    since = await seller.send("chat.since", {"after": theirs.pk})
    history = await seller.send("chat.history", {"before": theirs.pk})

    assert since["error"]["code"] == history["error"]["code"] == protocol.CHAT_NOT_FOUND
    assert "theirs" not in json.dumps([since, history])


async def test_flood_over_rate_limit_is_refused_then_serves_again(
    open_socket, meeting, exhibitor, settings, rate_clock
):
    settings.CHAT_RATE_LIMIT = "5/2s"
    seller = await open_socket(exhibitor, room(meeting))

    answers = [await seller.send("chat.send", send_data(f"f-{n}", f"flood {n}")) for n in range(8)]
    ok = [a for a in answers if a["type"] == "reply"]
    limited = [a for a in answers if a["type"] == "error"]
    assert (len(ok), len(limited)) == (5, 3)
    assert {a["error"]["code"] for a in limited} == {protocol.CHAT_RATE_LIMITED}
    retry_after = limited[-1]["error"]["details"]["retry_after"]
    assert retry_after == 2
    assert (await seller.send("ping"))["ok"] is True
    assert len(await stored(meeting)) == len(ok)
    other_tab = await open_socket(exhibitor, room(meeting))  # the limit is the person's
    refused = await other_tab.send("chat.send", send_data("tab-2", "from another tab"))
    assert refused["error"]["code"] == protocol.CHAT_RATE_LIMITED

    rate_clock.advance(retry_after)
    again = await seller.send("chat.send", send_data("after-wait", "calm now"))
    assert again["ok"] is True


async def test_errors_are_in_the_persons_language(open_socket, meeting, buyer, monkeypatch):
    # A message Django itself translates, so the test needs no catalogue of ours.
    monkeypatch.setitem(
        protocol.ERROR_MESSAGES, protocol.INVALID_JSON, gettext_lazy("This field is required.")
    )
    buyer.language = "ja"
    await sync_to_async(buyer.save)(update_fields=["language"])
    guest = await open_socket(buyer, room(meeting))

    frame = await guest.send_raw("not json")

    assert frame["error"]["message"] == "このフィールドは必須です。"


# --- Who may send which command ------------------------------------------------------------

WRITE = {"chat.send", "typing"}
COMMANDS = {
    "chat.send": lambda n: {"client_id": f"perm-{n}", "text": "hi"},
    "chat.history": lambda n: {},
    "chat.since": lambda n: {"after": 0},
    "typing": lambda n: None,
    "ping": lambda n: None,
}


async def test_command_permissions_by_role(
    open_socket, meeting, exhibitor, colleague, buyer, organiser
):
    results = {}
    for role, user in [
        ("exhibitor", exhibitor),
        ("colleague", colleague),
        ("buyer", buyer),
        ("organiser", organiser),
    ]:
        socket = await open_socket(user, room(meeting))
        for kind, data in COMMANDS.items():
            answer = await socket.send(kind, data(role))
            results[role, kind] = "ok" if answer["type"] == "reply" else answer["error"]["code"]

    assert results == {
        (role, kind): (protocol.CHAT_FORBIDDEN if role == "organiser" and kind in WRITE else "ok")
        for role in ("exhibitor", "colleague", "buyer", "organiser")
        for kind in COMMANDS
    }


# --- Notifications socket ------------------------------------------------------------------


async def test_notifications_reach_only_their_person(open_socket, exhibitor, buyer, fair):
    mine = await open_socket(exhibitor, "/ws/notifications/")
    theirs = await open_socket(buyer, "/ws/notifications/")

    @sync_to_async
    def notify():
        from django.db import transaction

        from fairsite.notifications import event, notify

        with transaction.atomic():
            (stored,) = notify(
                kind="request.received",
                recipients=[exhibitor],
                text=lambda user: "New request",
                url="https://fair.example.org/requests/1/",
                fields={"request_id": 1, "company": "Nippon Buyer"},
            )
        return event(stored)

    sent = await notify()

    assert mine.hello == {"user": {"id": exhibitor.pk, "name": exhibitor.get_full_name()}}
    assert await mine.event("notification") == sent
    assert sent["text"] == "New request"
    assert await theirs.nothing()

    await sync_to_async(broadcast)(fair_group(fair.pk), {"type": SCHEDULE_PUBLISHED, "fair": 1})
    assert await mine.event("schedule.published") == {"fair": 1}
    assert await theirs.event("schedule.published") == {"fair": 1}
    pong = await mine.send("ping")
    chat = await mine.send("chat.send", send_data("c-1"))
    assert pong["ok"] is True and pong["data"]["time"].endswith("Z")
    assert chat["error"]["code"] == protocol.UNKNOWN_COMMAND


# --- What a message and a re-check cost -------------------------------------------------------


@pytest.fixture
def statements(monkeypatch):
    """Every SQL statement run through Django (in any thread) or on the event loop's own
    connections (:mod:`fairsite.async_db`), with the name of the thread that ran it."""
    import threading

    import psycopg
    from django.db.backends import utils

    seen: list[tuple[str, str]] = []
    original = utils.CursorWrapper._execute
    original_async = psycopg.AsyncCursor.execute

    def recording(self, sql, params, *ignored):
        seen.append((sql, threading.current_thread().name))
        return original(self, sql, params, *ignored)

    async def recording_async(self, query, params=None, **kwargs):
        seen.append((str(query), threading.current_thread().name))
        return await original_async(self, query, params, **kwargs)

    monkeypatch.setattr(utils.CursorWrapper, "_execute", recording)
    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording_async)
    return seen


async def test_a_chat_send_is_one_statement_on_the_event_loop(
    open_socket, meeting, exhibitor, buyer, statements, postgres_required
):
    """The right to write, the lock and the insert are one statement, run by the event loop's
    thread (no worker-thread hop); nothing else runs per message (no access re-check before the
    command, however long the socket has been open)."""
    import threading

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    statements.clear()

    replies = [await seller.send("chat.send", send_data(f"c-{n}")) for n in range(3)]
    replies += [await guest.send("chat.send", send_data(f"g-{n}")) for n in range(3)]

    assert [reply["type"] for reply in replies] == ["reply"] * 6
    assert len(statements) == 6, statements
    assert all("INSERT INTO" in sql for sql, _ in statements), statements
    assert {thread for _, thread in statements} == {threading.current_thread().name}


async def test_a_room_handshake_runs_its_queries_on_the_event_loop(
    meeting, exhibitor, statements, postgres_required
):
    """Session, user, room access and the first history page: four statements, each compiled
    once per process and run by the event loop's thread (no worker-thread hop)."""
    import threading

    from channels.testing import WebsocketCommunicator

    from fairsite.asgi import application
    from tests.meetings.sockets import ORIGIN, session_key_for

    key = await sync_to_async(session_key_for)(exhibitor)
    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", ORIGIN.encode()),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
    ]
    statements.clear()
    communicator = WebsocketCommunicator(application, room(meeting), headers=headers)
    try:
        accepted, _code = await communicator.connect(timeout=5)
        hello = json.loads((await communicator.receive_output(timeout=5))["text"])
    finally:
        await communicator.disconnect()

    assert accepted and hello["data"]["user"]["id"] == exhibitor.pk
    names = ("django_session", "fairsite_user", "meetings_meeting", "meetings_chatmessage")
    tables = [[t for t in names if f'FROM "{t}"' in sql] for sql, _ in statements]
    assert tables == [[name] for name in names], statements
    assert {thread for _, thread in statements} == {threading.current_thread().name}


async def test_recheck_costs_the_same_queries_for_few_and_many_sockets(
    open_socket, meeting, exhibitor, buyer, colleague, organiser, statements
):
    from fairsite import socket_server

    for person in (exhibitor, buyer, organiser):
        await open_socket(person, room(meeting))
    statements.clear()
    assert await socket_server.recheck_all() == 0
    few = len(statements)
    for person in (exhibitor, buyer, colleague, colleague, organiser, organiser):
        await open_socket(person, room(meeting))
    statements.clear()

    assert await socket_server.recheck_all() == 0
    assert len(statements) == few == 2  # the memberships, the organisers' group
