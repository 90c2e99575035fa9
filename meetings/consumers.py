"""WebSocket consumers: authenticate, validate the frame, call one service, reply.

The protocol is in ``docs/websocket-protocol.md``; frames and error codes in
:mod:`meetings.protocol`; the work in :mod:`meetings.chat`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, ClassVar

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation

from fairsite import socket_server
from fairsite.channels import fair_group, meeting_group, user_group
from meetings import chat, presence
from meetings.chat import db
from meetings.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_GOING_AWAY,
    CLOSE_UNAUTHENTICATED,
    ROOM_FORBIDDEN,
    SERVER_ERROR,
    UNKNOWN_COMMAND,
    CommandSpec,
    Int,
    ProtocolError,
    Str,
    clean_data,
    collect_commands,
    command,
    error_frame,
    event_frame,
    parse_frame,
    reply_frame,
)

logger = logging.getLogger(__name__)

CLIENT_ID = Str(pattern=re.compile(r"[A-Za-z0-9_.:-]{1,64}"))


async def dispatch_without_db_cleanup(consumer: Any, message: dict[str, Any]) -> None:
    handler = getattr(consumer, get_handler_name(message), None)
    if handler is None:
        raise ValueError(f"No handler for message type {message['type']}")
    await handler(message)


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class ProtocolConsumer(AsyncWebsocketConsumer):
    """Frame handling shared by every socket: parse, dispatch to an ``@command`` method, answer.

    An error answers with an error frame and keeps the socket open. An accepted socket is in
    this process's registry (:mod:`fairsite.socket_server`) until it disconnects, so a shutdown
    can close it with 1001 and a channel-layer reconnect can tell it to resync; ``busy`` counts
    its commands in flight.
    """

    commands: ClassVar[dict[str, tuple[str, CommandSpec]]] = {}
    user: Any = None
    language: str = settings.LANGUAGE_CODE
    busy: int = 0
    close_after_error: int | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.commands = collect_commands(cls)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its per-event ``close_old_connections`` hop.

        Channels runs ``close_old_connections`` through the process's single thread-sensitive
        thread before *every* event and frame. These consumers never touch the database on the
        event loop: services run in worker threads through :func:`meetings.chat.db`, which
        closes stale connections of its own thread before and after each call. The hop would
        only serialise every socket of the process behind one thread (three hops per chat
        message: the frame and two events).
        """
        await dispatch_without_db_cleanup(self, message)

    async def refuse(self, code: int) -> None:
        """Accept, then close with a documented code, sending nothing else."""
        await self.accept()
        await self.close(code=code)

    async def open(self) -> None:
        """Accept and join the registry (a process that is shutting down refuses with 1001)."""
        await self.accept()
        socket_server.register(self)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        socket_server.unregister(self)
        await super().websocket_disconnect(message)

    @classmethod
    async def resync_many(cls, consumers: list[Any], *, reason: str) -> None:
        """Tell these sockets that events may have been lost (see docs section 7)."""
        for consumer in consumers:
            await consumer.send_event("resync", {"reason": reason})

    def authenticate(self) -> bool:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        self.user = user
        self.language = user.language or settings.LANGUAGE_CODE
        return True

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=dumps(frame))

    async def send_event(self, event: str, data: Any) -> None:
        await self.send_frame(event_frame(event, data))

    async def send_error(self, request_id: str | int | None, error: ProtocolError) -> None:
        with translation.override(self.language):
            frame = error_frame(request_id, error)
        await self.send_frame(frame)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        request_id: str | int | None = None
        try:
            frame = parse_frame(text_data, bytes_data)
            request_id = frame.id
            entry = self.commands.get(frame.type)
            if entry is None:
                raise ProtocolError(UNKNOWN_COMMAND, type=frame.type[:64])
            method_name, spec = entry
            arguments = clean_data(frame.data, spec.schema)
            self.busy += 1
            try:
                await self.before_command()
                result = await getattr(self, method_name)(**arguments)
            finally:
                self.busy -= 1
        except ProtocolError as error:
            await self.send_error(error.details.get("request_id", request_id), error)
            if self.close_after_error is not None:
                await self.close(code=self.close_after_error)
            return
        except Exception:
            logger.exception("socket command failed")
            await self.send_error(request_id, ProtocolError(SERVER_ERROR))
            return
        await self.send_frame(reply_frame(request_id, result))

    async def before_command(self) -> None:
        """Run before every command (a room socket re-checks its access here)."""

    @command("ping")
    async def ping(self) -> dict[str, Any]:
        return {"time": chat.iso_utc(timezone.now())}

    # Channel-layer events every socket of a person may get through the person's group.

    async def user_logout(self, event: dict[str, Any]) -> None:
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def user_notify(self, event: dict[str, Any]) -> None:
        """Personal notifications go to the notifications socket only."""

    async def user_access_changed(self, event: dict[str, Any]) -> None:
        """Only room sockets depend on a membership."""

    async def meeting_changed(self, event: dict[str, Any]) -> None:
        await self.send_event("meeting.changed", {k: v for k, v in event.items() if k != "type"})


class MeetingRoomConsumer(ProtocolConsumer):
    """``/ws/meetings/<meeting_id>/``: one meeting's chat, presence and typing."""

    room: chat.Room | None = None
    access_lost: bool = False  # set when a re-check found the access gone
    delivered_id: int = 0  # the greatest message id this socket has sent (hello, events)
    resync_after: int | None = None  # delivered_id when the channel layer was lost

    async def connect(self) -> None:
        if socket_server.is_draining():
            await self.refuse(CLOSE_GOING_AWAY)
            return
        if not self.authenticate():
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        meeting_id = self.scope["url_route"]["kwargs"]["meeting_id"]
        room = await chat.room_open_async(user=self.user, meeting_id=meeting_id)
        if room is None:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.room = room
        # Join before reading the history, so nothing falls between the two.
        await asyncio.gather(
            self.channel_layer.group_add(meeting_group(room.meeting_id), self.channel_name),
            self.channel_layer.group_add(user_group(room.user_id), self.channel_name),
        )
        await self.open()
        hello = await presence.room_enter_async(room=room, channel_name=self.channel_name)
        self.delivered_id = max(self.delivered_id, hello["last_id"])
        await self.send_event("hello", hello)

    def layer_lost(self) -> None:
        if self.resync_after is None:
            self.resync_after = self.delivered_id

    async def check_access(self) -> bool:
        """Read again what this person may do in the room (:func:`chat.room_open`, one query);
        ``False`` when they may no longer see it, and the socket closes with 4403."""
        room = self.room
        if room is None:
            return False
        fresh = await chat.room_open_async(user=self.user, meeting_id=room.meeting_id)
        if fresh is None:
            await self.lose_access()
            return False
        self.room = fresh
        return True

    async def lose_access(self) -> None:
        self.access_lost = True
        await self.close(code=CLOSE_FORBIDDEN)

    async def before_command(self) -> None:
        """Access is decided at the handshake, checked again in full at once when the person's
        access changes (:meth:`user_access_changed`, sent when a membership is withdrawn), and,
        in case that announcement was lost, for every room socket of the process within every
        ``socket_server.RECHECK_SECONDS``, a slice of them at a time (:meth:`recheck_many`). A
        command costs no query for it; ``chat.send`` reads the right to write in its own
        statement."""
        if self.access_lost:
            self.close_after_error = CLOSE_FORBIDDEN
            raise ProtocolError(ROOM_FORBIDDEN)

    async def user_access_changed(self, event: dict[str, Any]) -> None:
        await self.check_access()

    @classmethod
    async def recheck_many(cls, consumers: list[Any]) -> int:
        """Whether the people of these sockets may still be in their rooms, in one query
        (:func:`chat.rooms_access_kept_async`, on the event loop); the others are closed with
        4403. Returns how many."""
        open_rooms = [(c, c.room) for c in consumers if c.room is not None and not c.access_lost]
        if not open_rooms:
            return 0
        kept = await chat.rooms_access_kept_async(rooms=[room for _, room in open_rooms])
        lost = [consumer for (consumer, _), ok in zip(open_rooms, kept, strict=True) if not ok]
        for consumer in lost:
            await consumer.lose_access()
        return len(lost)

    @classmethod
    async def resync_many(cls, consumers: list[Any], *, reason: str) -> None:
        """One query for the last message id of every room these sockets are in."""
        rooms = [c for c in consumers if c.room is not None]
        meeting_ids = sorted({c.room.meeting_id for c in rooms})
        last = await db(chat.last_message_ids)(meeting_ids=meeting_ids)
        for consumer in rooms:
            room = consumer.room
            if room is None:
                continue
            after = consumer.resync_after
            consumer.resync_after = None
            if after is None:
                after = consumer.delivered_id
            await consumer.send_event(
                "resync",
                {"reason": reason, "after": after, "last_id": last.get(room.meeting_id, 0)},
            )

    async def disconnect(self, code: int) -> None:
        socket_server.unregister(self)
        room = self.room
        if room is None:
            return
        self.room = None
        await self.channel_layer.group_discard(meeting_group(room.meeting_id), self.channel_name)
        await self.channel_layer.group_discard(user_group(room.user_id), self.channel_name)
        await presence.room_leave_async(room=room, channel_name=self.channel_name)

    @property
    def current_room(self) -> chat.Room:
        if self.room is None:  # pragma: no cover - commands only arrive on an open room
            raise ProtocolError(SERVER_ERROR)
        return self.room

    # --- Commands ------------------------------------------------------------------------

    @command("chat.send", client_id=CLIENT_ID, text=Str())
    async def chat_send(self, client_id: str, text: str) -> dict[str, Any]:
        try:
            return await chat.chat_message_send(
                room=self.current_room, sender=self.user, client_id=client_id, text=text
            )
        except ProtocolError as error:
            if error.code == ROOM_FORBIDDEN:  # the store found the membership withdrawn
                self.access_lost = True
                self.close_after_error = CLOSE_FORBIDDEN
            raise

    @command(
        "chat.history",
        before=Int(required=False, min=1),
        limit=Int(required=False, min=1, max=chat.HISTORY_MAX),
    )
    async def chat_history(
        self, before: int | None = None, limit: int = chat.HISTORY_PAGE
    ) -> dict[str, Any]:
        return await db(chat.chat_history)(room=self.current_room, before=before, limit=limit)

    @command("chat.since", after=Int(min=0), limit=Int(required=False, min=1, max=chat.SINCE_MAX))
    async def chat_since(self, after: int, limit: int = chat.SINCE_PAGE) -> dict[str, Any]:
        return await db(chat.chat_messages_after)(room=self.current_room, after=after, limit=limit)

    @command("typing")
    async def typing(self) -> dict[str, Any]:
        return {"sent": await presence.typing_notify_async(room=self.current_room)}

    @command("ping")
    async def ping(self) -> dict[str, Any]:
        room = self.current_room
        _, last_id = await asyncio.gather(
            presence.presence_refresh_async(room=room, channel_name=self.channel_name),
            db(chat.last_message_id)(meeting_id=room.meeting_id),
        )
        return {"time": chat.iso_utc(timezone.now()), "last_id": last_id}

    # --- Channel-layer events ----------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        self.delivered_id = max(self.delivered_id, event["message"]["id"])
        await self.send_event("chat.message", event["message"])

    async def room_presence(self, event: dict[str, Any]) -> None:
        await self.send_event("presence", {"users": event["users"], "version": event["version"]})

    async def room_typing(self, event: dict[str, Any]) -> None:
        await self.send_event("typing", {"user": event["user"]})

    async def meeting_changed(self, event: dict[str, Any]) -> None:
        data = {k: v for k, v in event.items() if k != "type"}
        data.setdefault("meeting", self.current_room.meeting_id)
        await self.send_event("meeting.changed", data)


class NotificationsConsumer(ProtocolConsumer):
    """``/ws/notifications/``: the person's own events and fair-wide announcements."""

    joined: list[str]

    async def connect(self) -> None:
        self.joined = []
        if socket_server.is_draining():
            await self.refuse(CLOSE_GOING_AWAY)
            return
        if not self.authenticate():
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        fair_id = await db(chat.current_fair_id)()
        self.joined = [user_group(self.user.pk)] + ([fair_group(fair_id)] if fair_id else [])
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.open()
        await self.send_event(
            "hello", {"user": {"id": self.user.pk, "name": self.user.get_full_name()}}
        )

    async def disconnect(self, code: int) -> None:
        socket_server.unregister(self)
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []

    async def user_notify(self, event: dict[str, Any]) -> None:
        await self.send_event("notification", event.get("event", {}))

    async def schedule_published(self, event: dict[str, Any]) -> None:
        await self.send_event("schedule.published", {k: v for k, v in event.items() if k != "type"})


class BenchEchoConsumer(AsyncWebsocketConsumer):
    """A bare echo through the channel layer, the baseline of ``bench/chat_load.py``. Routed
    only when ``FAIRSITE_BENCH_ECHO=1``; no authentication, no database."""

    group: str = ""

    async def dispatch(self, message: dict[str, Any]) -> None:  # as ProtocolConsumer.dispatch
        await dispatch_without_db_cleanup(self, message)

    async def connect(self) -> None:
        self.group = f"bench.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is not None:
            await self.channel_layer.group_send(
                self.group, {"type": "bench.echo", "text": text_data}
            )

    async def bench_echo(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])
