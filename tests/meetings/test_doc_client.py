"""docs/websocket-protocol.md is enough to write a working client: ``doc_client.DocClient``
(written from the document alone) against a real daphne process on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from django.conf import settings

from meetings.enums import MeetingMode
from meetings.models import ChatMessage, Meeting
from tests import factories
from tests.meetings.doc_client import Closed, CommandError, DocClient, Refused
from tests.meetings.sockets import *  # noqa: F403 - people fixtures, fresh cache
from tests.meetings.sockets import session_key_for
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RATE_LIMIT = 30  # chat.send per person per minute, for this server


class Server:
    def __init__(self, redis_url: str) -> None:
        self.env = daphne_env(redis_url)
        self.env["FAIRSITE_CHAT_RATE_LIMIT"] = f"{RATE_LIMIT}/m"
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.process = start_daphne(self.port, self.env)

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def room(self, meeting_id: int) -> str:
        return self.url(f"/ws/meetings/{meeting_id}/")

    def client(self, user, meeting_id: int, **kwargs) -> DocClient:
        key = session_key_for(user) if user is not None else None
        kwargs.setdefault("origin", self.origin)
        return DocClient(
            self.room(meeting_id), key, cookie_name=settings.SESSION_COOKIE_NAME, **kwargs
        )

    def restart(self) -> None:
        stop(self.process)
        self.process = start_daphne(self.port, self.env)


@pytest.fixture
def server(postgres_required, redis_url):
    started = Server(redis_url)
    yield started
    stop(started.process)


def other_meeting(meeting: Meeting) -> Meeting:
    """A meeting of the same exhibitor with another buyer."""
    return factories.MeetingFactory(
        fair=meeting.fair,
        exhibitor=meeting.exhibitor,
        buyer=factories.BuyerCompanyFactory(fair=meeting.fair),
        mode=MeetingMode.ONLINE,
        table_number=None,
    )


def database_transcript(meeting: Meeting) -> list[dict]:
    return [
        {"id": m.id, "client_id": m.client_id, "sender": m.sender_id, "text": m.text}
        for m in ChatMessage.objects.filter(meeting=meeting).order_by("id")
    ]


def client_transcript(client: DocClient) -> list[dict]:
    return [
        {"id": m["id"], "client_id": m["client_id"], "sender": m["sender"]["id"], "text": m["text"]}
        for m in client.transcript
    ]


async def expect_error(
    client: DocClient, answer: dict, code: str, details: dict | None = None, request_id="any"
) -> None:
    """``answer`` is the documented error frame; the socket still serves commands."""
    assert answer["type"] == "error", answer
    assert answer["error"]["code"] == code, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"], answer
    assert answer["error"]["details"] == (details or {}), answer
    if request_id != "any":
        assert answer["id"] == request_id, answer
    assert (await client.request("ping"))["time"].endswith("Z")


def nested(depth: int) -> dict:
    """A chat.history frame nested ``depth`` levels deep (the frame object is level 1)."""
    value: dict = {}
    for _ in range(depth - 2):
        value = {"k": value}
    return {"id": "deep", "type": "chat.history", "data": value}


# -- a conversation, and every error a client can cause ---------------------------------------


def test_conversation_and_every_error_code(server, meeting, exhibitor, buyer, colleague):
    elsewhere = other_meeting(meeting)
    a = server.client(exhibitor, meeting.pk)
    b = server.client(buyer, meeting.pk)
    c = server.client(colleague, meeting.pk)
    a_elsewhere = server.client(exhibitor, elsewhere.pk)
    refused_client_ids = ["bad-empty", "bad-space", "bad-long", "bad-rate"]

    async def scenario() -> None:
        hello = await a.connect()
        assert hello["user"] == {
            "id": exhibitor.pk,
            "name": exhibitor.full_name,
            "role": "exhibitor",
        }
        assert hello["can_write"] is True
        assert hello["messages"] == [] and hello["more"] is False
        assert hello["limits"] == {
            "max_chars": 2000,
            "history_page": 50,
            "since_page": 200,
            "typing_interval": 3,
        }
        summary = hello["meeting"]
        assert summary["id"] == meeting.pk
        assert summary["exhibitor"]["id"] == meeting.exhibitor_id
        assert summary["buyer"]["id"] == meeting.buyer_id
        assert summary["start"] == "2021-10-20T02:00:00Z"
        assert summary["end"] == "2021-10-20T02:30:00Z"
        assert (summary["mode"], summary["status"]) == ("online", "scheduled")
        assert exhibitor.pk in {person["id"] for person in hello["presence"]["users"]}

        hello_b = await b.connect()
        assert hello_b["user"]["role"] == "buyer" and hello_b["can_write"] is True
        both = {exhibitor.pk, buyer.pk}
        await a.wait_for(lambda: {p["id"] for p in a.presence["users"]} == both)
        assert len(a.presence["users"]) == 2

        # Chat both ways: a reply after the commit, an event to everyone (the sender too).
        sent = await a.send_message("Xin chào <b>not bold</b>")
        first = sent["message"]
        assert sent["created"] is True and not a.pending
        assert first["text"] == "Xin chào <b>not bold</b>"
        assert first["meeting"] == meeting.pk
        assert first["sender"] == {"id": exhibitor.pk, "name": exhibitor.full_name}
        assert first["created_at"].endswith("Z")
        assert await b.event("chat.message", lambda m: m["id"] == first["id"]) == first
        assert await a.event("chat.message", lambda m: m["id"] == first["id"]) == first
        answer = (await b.send_message("こんにちは、よろしくお願いします"))["message"]
        assert answer["id"] > first["id"]
        assert await a.event("chat.message", lambda m: m["id"] == answer["id"]) == answer

        # The same client_id again stores nothing and answers with the first message.
        again = await a.request("chat.send", {"client_id": first["client_id"], "text": "other"})
        assert again == {"message": first, "created": False}
        # A client_id belongs to its sender: the other person may use the same one.
        theirs = await b.request("chat.send", {"client_id": first["client_id"], "text": "mine"})
        assert theirs["created"] is True and theirs["message"]["id"] > answer["id"]
        await a.wait_for(lambda: theirs["message"]["id"] in a.messages)

        # Text is characters (code points), not bytes: 2,000 emoji fit, 2,001 do not.
        emoji = await a.send_message("🙂" * 2000)
        assert emoji["message"]["text"] == "🙂" * 2000
        await expect_error(
            a,
            await a.command("chat.send", {"client_id": "bad-long", "text": "🙂" * 2001}),
            "chat.too_long",
            {"max": 2000},
        )
        for n in range(4):
            await (a if n % 2 else b).send_message(f"message {n}")

        # Typing: forwarded to the others, at most one hint per 3 seconds.
        assert await a.request("typing") == {"sent": True}
        assert (await b.event("typing"))["user"]["id"] == exhibitor.pk
        assert await a.request("typing", {}) == {"sent": False}
        assert (await b.request("ping"))["time"].endswith("Z")

        # History, paged from the newest; since, paged from 0.
        everything = await b.history(limit=3)
        assert [m["id"] for m in everything] == sorted(a.messages)
        assert everything == a.transcript
        page = await b.request("chat.history", {})
        assert page["more"] is False and page["messages"] == everything
        assert [m["id"] for m in await b.since(0)] == sorted(a.messages)
        first_two = await b.request("chat.since", {"after": 0, "limit": 2})
        assert first_two == {"messages": everything[:2], "more": True}
        assert await b.request("chat.since", {"after": a.last_id}) == {
            "messages": [],
            "more": False,
        }

        # Frames the server cannot read: error with id null.
        await expect_error(a, await a.raw("not json"), "protocol.invalid_json", request_id=None)
        await expect_error(a, await a.raw(b"\x00\x01"), "protocol.binary_frame", request_id=None)
        head, tail = '{"id": "big", "type": "ping"', "}"
        exact = head + " " * (32768 - len(head) - 1) + tail
        assert len(exact) == 32768
        assert (await a.raw(exact, "big"))["type"] == "reply"
        await expect_error(
            a,
            await a.raw(exact[:-1] + " }"),
            "protocol.frame_too_large",
            {"max": 32768},
            request_id=None,
        )
        # 32,768 characters but about 39,000 bytes of UTF-8: accepted (characters count).
        wide = json.dumps(
            {"id": "wide", "type": "chat.send", "data": {"client_id": "wide", "text": "ữ" * 2000}},
            ensure_ascii=False,
        )
        wide = wide[:-1] + " " * (32768 - len(wide)) + "}"
        assert len(wide) == 32768 and len(wide.encode()) > 32768
        assert (await a.raw(wide, "wide"))["data"]["created"] is True
        await expect_error(
            a, await a.raw(json.dumps(nested(7))), "protocol.too_deep", {"max": 6}, None
        )
        # Six levels are allowed (and then refused for the unknown key only).
        await expect_error(
            a, await a.raw(json.dumps(nested(6)), "deep"), "protocol.invalid_data", {"field": "k"}
        )

        # Frames that are JSON but not a command.
        unreadable_ids = ["", True, 1.5, 7.0, "x" * 65]
        for frame in (
            "[1, 2]",
            '"ping"',
            '{"type": "ping"}',
            *(json.dumps({"id": bad, "type": "ping"}) for bad in unreadable_ids),
        ):
            await expect_error(a, await a.raw(frame), "protocol.invalid_frame", request_id=None)
        for frame, request_id in (
            ({"id": "f1"}, "f1"),
            ({"id": "f2", "type": 5}, "f2"),
            ({"id": 7, "type": "ping", "data": []}, 7),
            ({"id": "f3", "type": "ping", "data": None}, "f3"),
            ({"id": "f4", "type": "ping", "extra": 1}, "f4"),
        ):
            await expect_error(
                a,
                await a.raw(json.dumps(frame), request_id),
                "protocol.invalid_frame",
                None,
                request_id,
            )
        assert (await a.raw('{"id": 8, "type": "ping"}', 8))["id"] == 8  # integer ids echo

        await expect_error(
            a, await a.command("chat.delete"), "protocol.unknown_command", {"type": "chat.delete"}
        )
        await expect_error(
            a, await a.command("x" * 100), "protocol.unknown_command", {"type": "x" * 64}
        )

        invalid = [
            ("chat.send", {"text": "no client id"}, "client_id"),
            ("chat.send", {"client_id": "bad-space", "text": "x", "colour": "red"}, "colour"),
            ("chat.send", {"client_id": "has space", "text": "x"}, "client_id"),
            ("chat.send", {"client_id": "x" * 65, "text": "x"}, "client_id"),
            ("chat.send", {"client_id": "", "text": "x"}, "client_id"),
            ("chat.send", {"client_id": "bad-space", "text": 5}, "text"),
            ("chat.send", {"client_id": "bad-space"}, "text"),
            ("chat.history", {"limit": 0}, "limit"),
            ("chat.history", {"limit": 101}, "limit"),
            ("chat.history", {"limit": True}, "limit"),
            ("chat.history", {"before": "5"}, "before"),
            ("chat.since", {}, "after"),
            ("chat.since", {"after": -1}, "after"),
            ("chat.since", {"after": 0, "limit": 501}, "limit"),
            ("ping", {"x": 1}, "x"),
            ("typing", {"x": 1}, "x"),
        ]
        for kind, data, field in invalid:
            await expect_error(
                a, await a.command(kind, data), "protocol.invalid_data", {"field": field}
            )
        for text in ("", "   \n\t "):
            await expect_error(
                a, await a.command("chat.send", {"client_id": "bad-empty", "text": text}),
                "chat.empty",
            )  # fmt: skip

        # Ids of another meeting (or of none) are not found.
        stray = (await a_elsewhere.connect(), await a_elsewhere.send_message("elsewhere"))[1]
        for kind, data in (
            ("chat.history", {"before": stray["message"]["id"]}),
            ("chat.since", {"after": stray["message"]["id"]}),
            ("chat.since", {"after": 10**9}),
            ("chat.history", {"before": 10**9}),
        ):
            await expect_error(a, await a.command(kind, data), "chat.not_found")

        # The rate limit: refused sends do not count; the 31st in a minute is refused and
        # stays pending (retry_after is longer than this client waits).
        await c.connect()
        for data in (
            {"client_id": "bad-empty", "text": " "},
            {"client_id": "bad-long", "text": "x" * 2001},
            {"client_id": "bad space", "text": "x"},
        ):
            assert (await c.command("chat.send", data))["type"] == "error"
        # The limit counts in fixed one-minute windows of the server's clock (this machine's):
        # start the burst early in a window so that it cannot straddle two.
        into_window = time.time() % 60
        if into_window > 40:
            await asyncio.sleep(60 - into_window + 0.5)
        await asyncio.gather(*(c.send_message(f"burst {n}") for n in range(RATE_LIMIT)))
        c.max_wait = 0
        with pytest.raises(CommandError) as limited:
            await c.send_message("too many", client_id="bad-rate")
        assert limited.value.code == "chat.rate_limited"
        retry = limited.value.details["retry_after"]
        assert isinstance(retry, int) and 1 <= retry <= 60, limited.value.frame
        await expect_error(c, limited.value.frame, "chat.rate_limited", {"retry_after": retry})
        assert c.pending == {"bad-rate": "too many"}
        # A resend of a stored message counts too.
        own = [m for m in c.transcript if m["sender"]["id"] == colleague.pk][-1]
        again = await c.command("chat.send", {"client_id": own["client_id"], "text": "x"})
        assert again["error"]["code"] == "chat.rate_limited"

        # Everyone ends with the same transcript.
        ids = sorted(a.messages)
        for client in (b, c):
            await client.wait_for(lambda client=client: sorted(client.messages) == ids)
        assert a.transcript == b.transcript == c.transcript
        assert not (a.unexpected or b.unexpected or c.unexpected)
        for client in (a, b, c, a_elsewhere):
            await client.close()

    asyncio.run(scenario())
    stored = database_transcript(meeting)
    assert client_transcript(a) == stored == client_transcript(b)
    assert not {m["client_id"] for m in stored} & set(refused_client_ids)
    assert len(stored) == 9 + RATE_LIMIT


# -- who may connect ---------------------------------------------------------------------------


def test_who_may_connect_and_watch(server, meeting, exhibitor, outsider, organiser):
    async def refused(client: DocClient) -> int:
        with pytest.raises(Closed) as closed:
            await client.connect()
        assert client.hello is None  # closed before any frame
        return closed.value.code

    outsiders = [server.client(outsider, meeting.pk), server.client(outsider, 10**9)]
    anonymous = [server.client(None, meeting.pk), server.client(None, 10**9)]
    foreign = [server.client(exhibitor, meeting.pk, origin=o) for o in (None, "http://evil.test")]
    member = server.client(exhibitor, meeting.pk)
    watcher = server.client(organiser, meeting.pk)
    notes_url = server.url("/ws/notifications/")
    notes = DocClient(notes_url, session_key_for(exhibitor), server.origin)
    notes_anonymous = DocClient(notes_url, None, server.origin)

    async def scenario() -> None:
        for client in outsiders:
            assert await refused(client) == 4403
        for client in anonymous:
            assert await refused(client) == 4401
        for client in foreign:
            with pytest.raises(Refused) as refusal:
                await client.connect()
            assert refusal.value.status == 403

        await member.connect()
        hello = await watcher.connect()
        assert hello["can_write"] is False
        assert hello["user"] == {
            "id": organiser.pk,
            "name": organiser.full_name,
            "role": "organiser",
        }
        presence = await member.wait_for(
            lambda: organiser.pk in {p["id"] for p in member.presence["users"]} and member.presence
        )
        roles = {p["id"]: p["role"] for p in presence["users"]}
        assert roles == {exhibitor.pk: "exhibitor", organiser.pk: "organiser"}
        await expect_error(
            watcher,
            await watcher.command("chat.send", {"client_id": "watch-1", "text": "hi"}),
            "chat.forbidden",
        )
        await expect_error(watcher, await watcher.command("typing"), "chat.forbidden")
        message = (await member.send_message("Organisers may read this"))["message"]
        assert await watcher.event("chat.message", lambda m: m["id"] == message["id"]) == message
        assert await watcher.history() == [message] == await watcher.since(0)

        # A frame over 1 MiB of UTF-8: the socket is closed with 1009 (message too big).
        with pytest.raises(Closed) as dropped:
            await member.raw("x" * (2**20 + 1))
        assert dropped.value.code == 1009 == member.close_code

        # The notifications socket.
        assert (await notes.connect())["user"] == {"id": exhibitor.pk, "name": exhibitor.full_name}
        assert (await notes.request("ping"))["time"].endswith("Z")
        await expect_error(
            notes, await notes.command("typing"), "protocol.unknown_command", {"type": "typing"}
        )
        assert await refused(notes_anonymous) == 4401
        for client in (watcher, notes):
            await client.close()

    asyncio.run(scenario())
    assert [m["client_id"] for m in database_transcript(meeting)] != ["watch-1"]
    assert ChatMessage.objects.filter(sender=organiser).count() == 0


# -- a killed server: resume with chat.since, resend pending by client_id ----------------------


def test_killed_server_resume_and_resend(server, meeting, exhibitor, buyer):
    a = server.client(exhibitor, meeting.pk, since_limit=2)
    b = server.client(buyer, meeting.pk)
    texts: list[str] = []

    async def say(client: DocClient, text: str):
        texts.append(text)
        return await client.send_message(text)

    async def scenario() -> None:
        await a.connect()
        await b.connect()
        for n in range(3):
            await say(a, f"a{n}")
            await say(b, f"b{n}")
        # A reply that never reached the client: the message stays pending.
        texts.append("a-lost-ack")
        a.pending["lost-ack"] = "a-lost-ack"
        await a.request("chat.send", {"client_id": "lost-ack", "text": "a-lost-ack"})
        # Several sends in flight when the process is killed: some stored, some not.
        in_flight = [
            asyncio.create_task(say(client, f"{'a' if client is a else 'b'}-flight{n}"))
            for n in range(5)
            for client in (a, b)
        ]
        await asyncio.sleep(0.01)
        stop(server.process)
        results = await asyncio.gather(*in_flight, return_exceptions=True)
        assert all(isinstance(r, dict | Closed) for r in results), results
        for client in (a, b):
            await client.wait_for(lambda client=client: client.close_code is not None)
            assert client.close_code == 1006
        # Written while offline: kept as pending.
        for n in range(2):
            texts.append(f"a-offline{n}")
            with pytest.raises(Closed):
                await a.send_message(f"a-offline{n}", client_id=f"offline-{n}")
        assert {"lost-ack", "offline-0", "offline-1"} <= set(a.pending)

        server.process = start_daphne(server.port, server.env)
        await b.reconnect()
        assert not b.pending
        for n in range(3):
            await say(b, f"b-after{n}")  # a is away: it will need chat.since
        before = dict(a.messages)
        pages = a.since_pages
        await a.reconnect()
        assert not a.pending
        resent = {r["message"]["client_id"]: r["created"] for r in a.last_resume["resent"]}
        assert resent["lost-ack"] is False  # stored before the kill: not stored twice
        assert resent["offline-0"] is resent["offline-1"] is True
        assert a.since_pages - pages >= 2  # chat.since followed "more"
        assert {m["text"] for m in a.last_resume["since"]} >= {f"b-after{n}" for n in range(3)}
        assert all(a.messages[key] == value for key, value in before.items())
        ids = sorted(a.messages)
        await b.wait_for(lambda: sorted(b.messages) == ids)
        assert a.transcript == b.transcript
        for client in (a, b):
            await client.close()

    asyncio.run(scenario())
    stored = database_transcript(meeting)
    assert client_transcript(a) == stored == client_transcript(b)
    assert sorted(m["text"] for m in stored) == sorted(texts)  # every one once
    assert [m["id"] for m in stored] == sorted({m["id"] for m in stored})
