"""Who is in a meeting's room and who is typing: entering and leaving (with the ``hello``),
presence kept alive by ``ping``, typing hints throttled per person. Nothing here is stored in the
database; on Redis every process sees the same state, in the local cache in the demo."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from fairsite.channels import (
    ROOM_PRESENCE,
    ROOM_TYPING,
    broadcast,
    broadcast_async,
    meeting_group,
)
from meetings.chat import HISTORY_PAGE, SINCE_PAGE, Room, room_snapshot, room_snapshot_async
from meetings.protocol import CHAT_FORBIDDEN, ProtocolError
from meetings.redis_clients import async_batch, cache_key, sync_redis

TYPING_INTERVAL = 3  # seconds between two forwarded typing hints of one person in one room
PRESENCE_TTL = 60  # seconds a socket stays present without a ping


# --- Typing --------------------------------------------------------------------------------


def _typing_name(room: Room) -> str:
    return f"chat-typing:{room.meeting_id}:{room.user_id}"


def typing_notify(*, room: Room) -> bool:
    """Forward a typing hint to the room, at most once per ``TYPING_INTERVAL`` per person."""
    if not room.can_write:
        raise ProtocolError(CHAT_FORBIDDEN)
    if not cache.add(_typing_name(room), 1, timeout=TYPING_INTERVAL):
        return False
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_TYPING, "user": room.person})
    return True


async def typing_notify_async(*, room: Room) -> bool:
    """:func:`typing_notify` from the event loop (the same throttle key as ``cache.add``)."""
    if not room.can_write:
        raise ProtocolError(CHAT_FORBIDDEN)
    if settings.REDIS_URL:
        key = cache_key(_typing_name(room))
        (fresh,) = await async_batch(settings.REDIS_URL).execute(
            lambda pipe: pipe.set(key, 1, nx=True, ex=TYPING_INTERVAL)
        )
        if isinstance(fresh, Exception):
            raise fresh
    else:
        fresh = cache.add(_typing_name(room), 1, timeout=TYPING_INTERVAL)
    if not fresh:
        return False
    await broadcast_async(
        meeting_group(room.meeting_id), {"type": ROOM_TYPING, "user": room.person}
    )
    return True


# --- Presence --------------------------------------------------------------------------------
#
# One entry per socket (so two tabs of one person count once and closing one keeps the other),
# each with an expiry refreshed by ``ping``. On Redis: a sorted set scored by expiry and a
# version counter, changed and read in one MULTI so that a higher version never shows less.
# Without Redis (the single-process demo) the same in the local cache. Sockets use the ``async``
# functions (the event loop's Redis client, no worker thread); the synchronous ones do the same
# for synchronous callers.


def _presence_key(room: Room) -> str:
    return cache_key(f"presence:{room.meeting_id}")


def _presence_member(*, room: Room, channel_name: str) -> str:
    return json.dumps([channel_name, room.person], sort_keys=True, ensure_ascii=False)


def _people(members: list[Any]) -> list[dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for raw in members:
        _channel, person = json.loads(raw)
        people.setdefault(person["id"], person)
    return sorted(people.values(), key=lambda p: (p["name"], p["id"]))


@dataclass(frozen=True)
class _PresenceChange:
    key: str
    version_key: str
    member: str
    now: float
    present: bool

    @classmethod
    def of(cls, *, room: Room, channel_name: str, present: bool) -> _PresenceChange:
        return cls(
            key=_presence_key(room),
            version_key=cache_key(f"presence-v:{room.meeting_id}"),
            member=_presence_member(room=room, channel_name=channel_name),
            now=time.time(),
            present=present,
        )

    def queue(self, pipe: Any) -> None:
        """The MULTI, on a sync or async pipeline (their queueing calls are the same)."""
        pipe.zremrangebyscore(self.key, "-inf", self.now)
        if self.present:
            pipe.zadd(self.key, {self.member: self.now + PRESENCE_TTL})
        else:
            pipe.zrem(self.key, self.member)
        pipe.expire(self.key, PRESENCE_TTL * 2)
        pipe.incr(self.version_key)
        pipe.expire(self.version_key, 86_400)
        pipe.zrangebyscore(self.key, self.now, "+inf")

    @staticmethod
    def result(result: list[Any]) -> dict[str, Any]:
        failed = next((r for r in result if isinstance(r, Exception)), None)
        if failed is not None:
            raise failed
        version, members = result[-3], result[-1]
        return {"users": _people(members), "version": int(version)}

    def local(self) -> dict[str, Any]:
        state = cache.get(self.key) or {"version": 0, "members": {}}
        alive = {m: exp for m, exp in state["members"].items() if exp > self.now}
        if self.present:
            alive[self.member] = self.now + PRESENCE_TTL
        else:
            alive.pop(self.member, None)
        version = state["version"] + 1
        cache.set(self.key, {"version": version, "members": alive}, timeout=86_400)
        return {"users": _people(list(alive)), "version": version}


def _presence_change(*, room: Room, channel_name: str, present: bool) -> dict[str, Any]:
    change = _PresenceChange.of(room=room, channel_name=channel_name, present=present)
    if not settings.REDIS_URL:
        return change.local()
    pipe = sync_redis(settings.REDIS_URL).pipeline(transaction=True)
    change.queue(pipe)
    return change.result(pipe.execute())


async def _presence_change_async(*, room: Room, channel_name: str, present: bool) -> dict[str, Any]:
    change = _PresenceChange.of(room=room, channel_name=channel_name, present=present)
    if not settings.REDIS_URL:
        return change.local()
    return change.result(await async_batch(settings.REDIS_URL).execute(change.queue))


def _hello(*, room: Room, presence: dict[str, Any], history: dict[str, Any]) -> dict[str, Any]:
    return {
        "user": room.person,
        "meeting": room.summary,
        "can_write": room.can_write,
        "messages": history["messages"],
        "more": history["more"],
        "last_id": history["last_id"],
        "presence": presence,
        "limits": {
            "max_chars": settings.CHAT_MAX_MESSAGE_CHARS,
            "history_page": HISTORY_PAGE,
            "since_page": SINCE_PAGE,
            "typing_interval": TYPING_INTERVAL,
        },
    }


def room_enter(*, room: Room, channel_name: str) -> dict[str, Any]:
    """Mark this socket present, announce the new presence list, and return the ``hello``."""
    presence = _presence_change(room=room, channel_name=channel_name, present=True)
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})
    return _hello(room=room, presence=presence, history=room_snapshot(room=room))


async def room_enter_async(*, room: Room, channel_name: str) -> dict[str, Any]:
    """:func:`room_enter` for a socket: presence and its announcement from the event loop, the
    history page in a worker thread, both at once. The socket must already be in the room's
    group, so that no message falls between the history and the events."""

    async def present() -> dict[str, Any]:
        presence = await _presence_change_async(room=room, channel_name=channel_name, present=True)
        await broadcast_async(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})
        return presence

    presence, history = await asyncio.gather(present(), room_snapshot_async(room=room))
    return _hello(room=room, presence=presence, history=history)


def room_leave(*, room: Room, channel_name: str) -> None:
    """Remove this socket from presence and announce the new list."""
    presence = _presence_change(room=room, channel_name=channel_name, present=False)
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})


async def room_leave_async(*, room: Room, channel_name: str) -> None:
    """:func:`room_leave` from the event loop."""
    presence = await _presence_change_async(room=room, channel_name=channel_name, present=False)
    await broadcast_async(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})


async def presence_refresh_async(*, room: Room, channel_name: str) -> None:
    """Extend this socket's presence (on ``ping``); no announcement."""
    member = _presence_member(room=room, channel_name=channel_name)
    key = _presence_key(room)
    expiry = time.time() + PRESENCE_TTL
    if settings.REDIS_URL:

        def queue(pipe: Any) -> None:
            pipe.zadd(key, {member: expiry})
            pipe.expire(key, PRESENCE_TTL * 2)

        for result in await async_batch(settings.REDIS_URL).execute(queue):
            if isinstance(result, Exception):
                raise result
        return
    state = cache.get(key)
    if state is not None:
        state["members"][member] = expiry
        cache.set(key, state, timeout=86_400)
