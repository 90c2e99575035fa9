"""Hostile input and faults on the room socket, through the project's real ASGI routing: text that
cannot be stored, unknown paths, foreign origins, a membership withdrawn while a socket is open,
a resend of a message whose announcement may have been lost."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from exhibitors.models import Member
from fairsite.channels import CHAT_MESSAGE
from meetings import chat, protocol
from meetings.models import ChatMessage
from tests.meetings.sockets import *  # noqa: F403 - socket fixtures
from tests.meetings.sockets import ORIGIN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def room(meeting) -> str:
    return f"/ws/meetings/{meeting.pk}/"


@sync_to_async
def stored_count(meeting) -> int:
    return ChatMessage.objects.filter(meeting=meeting).count()


async def no_chat_message(socket, timeout: float = 0.3) -> bool:
    """Nothing but presence and typing events arrive within ``timeout``."""
    while not await socket.nothing(timeout):
        frame = await socket.communicator.receive_json_from()
        if frame.get("event") == "chat.message":
            return False
    return True


# --- Text that cannot be stored ------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"client_id": "c-1", "text": "a\u0000b"},
        {"client_id": "c-1", "text": "\ud800"},
        {"client_id": "c-1", "text": "ok \udfff end"},
    ],
    ids=["nul", "lone-high-surrogate", "lone-low-surrogate"],
)
async def test_unsafe_text_is_invalid_data_not_a_server_error(
    open_socket, meeting, exhibitor, buyer, data
):
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    answer = await seller.send("chat.send", data)

    assert answer["type"] == "error"
    assert answer["error"]["code"] == protocol.UNSAFE_TEXT
    assert answer["error"]["details"] == {"field": "text"}
    assert await stored_count(meeting) == 0
    assert await no_chat_message(guest)
    # The socket keeps serving, and a good message goes through.
    ok = await seller.send("chat.send", {"client_id": "c-2", "text": "a b"})
    assert ok["type"] == "reply"


async def test_unsafe_text_in_an_unknown_key_or_command_name_is_answered_cleanly(
    open_socket, meeting, exhibitor
):
    seller = await open_socket(exhibitor, room(meeting))

    unknown_key = await seller.send("chat.send", {"client_id": "c", "text": "x", "\ud800": 1})
    unknown_command = await seller.send("chat.\u0000send")

    assert unknown_key["error"]["code"] == protocol.UNSAFE_TEXT
    assert unknown_command["error"]["code"] == protocol.UNSAFE_TEXT
    assert await stored_count(meeting) == 0


# --- Unknown paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/ws/meetings/abc/", "/ws/nothing/", "/ws/meetings/1/extra/", "/"]
)
async def test_unknown_path_is_refused_with_a_documented_code(exhibitor, path):
    from fairsite.asgi import application

    communicator = WebsocketCommunicator(
        application, path, headers=[(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1")]
    )
    accepted, code = await communicator.connect(timeout=5)
    if accepted:
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.close"
        code = output["code"]
    assert code == protocol.CLOSE_NOT_FOUND


# --- Origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",
        "https://127.0.0.1",
        "http://127.0.0.1:8001",
        "http://127.0.0.1",
        "https://127.0.0.1:8000",
        "http://evil.example:8000",
        "null",
    ],
)
async def test_origin_of_another_scheme_host_or_port_is_refused(
    open_socket, meeting, exhibitor, origin
):
    socket = await open_socket(exhibitor, room(meeting), origin=origin, host="127.0.0.1:8000")

    assert socket.hello is None
    assert socket.close_code is not None


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("http://localhost:8000", "localhost:8000"),
        ("http://127.0.0.1", "127.0.0.1"),
    ],
)
async def test_the_sites_own_origin_is_accepted(open_socket, meeting, exhibitor, origin, host):
    """Negative control of the test above: the same handshake from the page's own origin."""
    socket = await open_socket(exhibitor, room(meeting), origin=origin, host=host)

    assert socket.hello is not None


async def test_configured_trusted_origin_is_accepted(open_socket, meeting, exhibitor, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://fair.example.vn"]
    settings.ALLOWED_HOSTS = ["fair.example.vn", "127.0.0.1"]

    trusted = await open_socket(
        exhibitor, room(meeting), origin="https://fair.example.vn", host="127.0.0.1:9000"
    )
    wrong_port = await open_socket(
        exhibitor, room(meeting), origin="https://fair.example.vn:444", host="127.0.0.1:9000"
    )

    assert trusted.hello is not None
    assert wrong_port.hello is None


async def test_host_outside_allowed_hosts_is_refused_even_from_its_own_origin(
    open_socket, meeting, exhibitor
):
    socket = await open_socket(
        exhibitor, room(meeting), origin="http://evil.example", host="evil.example"
    )

    assert socket.hello is None


# --- A membership withdrawn while the socket is open ------------------------------------------


async def test_withdrawn_member_loses_the_open_room_socket(open_socket, meeting, exhibitor, buyer):
    from exhibitors import services

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    colleague_member = await sync_to_async(
        lambda: Member.objects.get(user=exhibitor, fair=meeting.fair)
    )()
    remover = await sync_to_async(_second_member)(colleague_member)

    await sync_to_async(services.member_remove)(member=colleague_member, actor=remover)

    assert await seller.closed_with() == protocol.CLOSE_FORBIDDEN
    assert await guest.event("presence")
    assert await stored_count(meeting) == 0


async def test_withdrawn_member_cannot_post_even_if_the_close_was_lost(
    open_socket, meeting, exhibitor
):
    """The close is an announcement; the right to write is read by the statement that stores the
    message, so even the first message right after the withdrawal is refused."""
    seller = await open_socket(exhibitor, room(meeting))
    await sync_to_async(lambda: Member.objects.filter(user=exhibitor).delete())()

    answer = await seller.send("chat.send", {"client_id": "late", "text": "still here?"})

    assert answer["type"] == "error"
    assert answer["error"]["code"] == protocol.ROOM_FORBIDDEN
    assert await seller.closed_with() == protocol.CLOSE_FORBIDDEN
    assert await stored_count(meeting) == 0


async def test_withdrawn_member_idle_socket_is_closed_by_the_recheck(
    open_socket, meeting, exhibitor, buyer
):
    """The close was lost and the person sends nothing: the process's re-check of all its
    sockets closes theirs (they would otherwise go on reading the room); the other side stays."""
    from fairsite import socket_server

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    await sync_to_async(lambda: Member.objects.filter(user=exhibitor).delete())()

    closed = await socket_server.recheck_all()

    assert closed == 1
    assert await seller.closed_with() == protocol.CLOSE_FORBIDDEN
    answer = await guest.send("chat.send", {"client_id": "g-1", "text": "still here"})
    assert answer["type"] == "reply", answer


async def test_recheck_runs_by_itself_while_sockets_are_open(
    open_socket, meeting, exhibitor, monkeypatch
):
    from fairsite import socket_server

    monkeypatch.setattr(socket_server, "RECHECK_SECONDS", 0.05)
    seller = await open_socket(exhibitor, room(meeting))
    await sync_to_async(lambda: Member.objects.filter(user=exhibitor).delete())()

    assert await seller.closed_with() == protocol.CLOSE_FORBIDDEN


async def test_the_sweep_rechecks_every_socket_a_slice_at_a_time(
    open_socket, meeting, exhibitor, buyer, colleague, monkeypatch
):
    """Each pass reads one slice of the sockets; within RECHECK_SECONDS every socket was read."""
    from fairsite import socket_server
    from meetings.consumers import MeetingRoomConsumer

    passes: list[set[int]] = []
    original = MeetingRoomConsumer.recheck_many.__func__

    async def recording(cls, consumers):
        passes.append({id(c) for c in consumers})
        return await original(cls, consumers)

    monkeypatch.setattr(MeetingRoomConsumer, "recheck_many", classmethod(recording))
    monkeypatch.setattr(socket_server, "RECHECK_SECONDS", 0.4)
    monkeypatch.setattr(socket_server, "RECHECK_SLICES", 2)
    for person in (exhibitor, buyer, colleague, buyer):
        await open_socket(person, room(meeting))
    sockets = {id(c) for c in socket_server.open_sockets()}
    assert len(sockets) == 4

    async with asyncio.timeout(5):
        while set().union(*passes) != sockets:
            await asyncio.sleep(0.05)

    assert all(len(one) <= 2 for one in passes), passes  # a half at a time, never all four


def _second_member(member: Member) -> object:
    from tests import factories

    return factories.MemberFactory(company=member.company, fair=member.fair, is_admin=False).user


# --- A resend announces what may not have been announced -------------------------------------


async def test_resend_of_a_stored_message_announces_it_again(
    open_socket, meeting, exhibitor, buyer, monkeypatch
):
    """The first attempt is stored but its announcement is lost (the process stopped between the
    commit and the publish); the resend must announce it, or the other member never sees it."""
    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    original = chat.announce_async

    async def lost(group, event):
        if event["type"] != CHAT_MESSAGE:
            await original(group, event)

    monkeypatch.setattr(chat, "announce_async", lost)
    first = await seller.send("chat.send", {"client_id": "c-1", "text": "lost announcement"})
    assert first["data"]["created"] is True
    assert await no_chat_message(guest)
    monkeypatch.setattr(chat, "announce_async", original)

    again = await seller.send("chat.send", {"client_id": "c-1", "text": "lost announcement"})

    assert again["data"]["created"] is False
    assert (await guest.message(first["data"]["message"]["id"]))["text"] == "lost announcement"
    assert await stored_count(meeting) == 1


# --- Noticing a gap --------------------------------------------------------------------------


async def test_ping_and_hello_carry_the_last_message_id(open_socket, meeting, exhibitor, buyer):
    seller = await open_socket(exhibitor, room(meeting))
    assert seller.hello["last_id"] == 0

    sent = await seller.send("chat.send", {"client_id": "c-1", "text": "one"})
    ping = await seller.send("ping")
    guest = await open_socket(buyer, room(meeting))

    assert ping["data"]["last_id"] == sent["data"]["message"]["id"]
    assert guest.hello["last_id"] == sent["data"]["message"]["id"]


async def test_layer_reconnect_tells_every_local_socket_to_resync(
    open_socket, meeting, exhibitor, buyer
):
    from fairsite import socket_server

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))

    await socket_server.resync_all(reason="channel_layer")

    for socket in (seller, guest):
        data = await socket.event("resync")
        assert data == {"reason": "channel_layer", "after": 0, "last_id": 0}


async def test_drain_closes_every_open_socket_with_1001(
    open_socket, meeting, exhibitor, buyer, monkeypatch
):
    from fairsite import socket_server

    monkeypatch.setitem(socket_server._state, "draining", False)  # restored after the test

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    notifications = await open_socket(buyer, "/ws/notifications/")

    await asyncio.wait_for(socket_server.drain(timeout=2), 5)

    assert await seller.closed_with() == 1001
    assert await guest.closed_with() == 1001
    assert await notifications.closed_with() == 1001
    late = await open_socket(buyer, room(meeting))  # a process that is stopping takes no more
    assert late.hello is None and late.close_code == 1001


async def test_recheck_keeps_everyone_who_still_may_be_in_the_room(
    open_socket, meeting, exhibitor, buyer, organiser
):
    """Negative control of the withdrawn-member tests: after a re-check, both members and a
    watching organiser keep working."""
    from fairsite import socket_server

    seller = await open_socket(exhibitor, room(meeting))
    guest = await open_socket(buyer, room(meeting))
    watcher = await open_socket(organiser, room(meeting))

    closed = await socket_server.recheck_all()
    sent = await seller.send("chat.send", {"client_id": "c-1", "text": "still here"})
    replied = await guest.send("chat.send", {"client_id": "g-1", "text": "me too"})
    watched = await watcher.send("chat.since", {"after": 0})

    assert closed == 0
    assert sent["type"] == replied["type"] == watched["type"] == "reply", (sent, replied, watched)
    assert [m["text"] for m in watched["data"]["messages"]] == ["still here", "me too"]
