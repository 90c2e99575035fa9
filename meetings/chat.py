"""Chat services and selectors of a meeting's room: messages, history, presence, typing, limits.

Synchronous, keyword-only and typed; consumers call them with ``database_sync_to_async``. The
database is the truth: a message is committed first and announced from ``on_commit``. Presence and
the rate and typing limits live in the cache (Redis in production), so every daphne process sees
the same state. Refusals raise :class:`meetings.protocol.ProtocolError` with a stable code.
"""

from __future__ import annotations

import functools
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from fairsite.channels import broadcast, broadcast_on_commit, meeting_group
from fairsite.models import Fair
from meetings.access import get_meeting_for_user, user_company_id
from meetings.models import ChatMessage, Meeting
from meetings.protocol import (
    CHAT_EMPTY,
    CHAT_FORBIDDEN,
    CHAT_NOT_FOUND,
    CHAT_RATE_LIMITED,
    CHAT_TOO_LONG,
    ProtocolError,
)

# Channel-layer message types sent to a meeting's group (consumers have a handler each).
CHAT_MESSAGE = "chat.message"  # {"type", "message": Message}
ROOM_PRESENCE = "room.presence"  # {"type", "users": [Person], "version": int}
ROOM_TYPING = "room.typing"  # {"type", "user": Person}

HISTORY_PAGE = 50
HISTORY_MAX = 100
SINCE_PAGE = 200
SINCE_MAX = 500
TYPING_INTERVAL = 3  # seconds between two forwarded typing hints of one person in one room
PRESENCE_TTL = 60  # seconds a socket stays present without a ping


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Room:
    """What a socket may do in one meeting's room, decided once at the handshake."""

    meeting_id: int
    fair_id: int
    user_id: int
    person: dict[str, Any]
    can_write: bool
    summary: dict[str, Any]


# --- Selectors -----------------------------------------------------------------------------


def current_fair_id() -> int | None:
    fair = Fair.objects.current()
    return fair.pk if fair else None


def _role(*, meeting: Meeting, company_id: int | None) -> str:
    if company_id == meeting.exhibitor_id:
        return "exhibitor"
    if company_id == meeting.buyer_id:
        return "buyer"
    return "organiser"


def meeting_summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "exhibitor": {"id": meeting.exhibitor_id, "name": meeting.exhibitor.display_name},
        "buyer": {"id": meeting.buyer_id, "name": meeting.buyer.display_name},
        "start": iso_utc(meeting.start),
        "end": iso_utc(meeting.end),
        "mode": meeting.mode,
        "status": meeting.status,
    }


def room_open(*, user: Any, meeting_id: Any) -> Room | None:
    """The room of ``meeting_id`` for ``user`` at the current fair, or ``None`` when the user
    may not see it (or it does not exist: the caller answers both the same way)."""
    fair = Fair.objects.current()
    meeting = get_meeting_for_user(fair=fair, user=user, meeting_id=meeting_id)
    if meeting is None:
        return None
    role = _role(meeting=meeting, company_id=user_company_id(fair=fair, user=user))
    return Room(
        meeting_id=meeting.pk,
        fair_id=meeting.fair_id,
        user_id=user.pk,
        person={"id": user.pk, "name": user.get_full_name(), "role": role},
        can_write=role != "organiser",
        summary=meeting_summary(meeting),
    )


def message_data(message: ChatMessage) -> dict[str, Any]:
    """A message as the protocol shows it (``sender`` must be loaded)."""
    return {
        "id": message.pk,
        "client_id": message.client_id,
        "meeting": message.meeting_id,
        "sender": {"id": message.sender_id, "name": message.sender.get_full_name()},
        "text": message.text,
        "created_at": iso_utc(message.created_at),
    }


def _ensure_cursor(*, meeting_id: int, message_id: int) -> None:
    if not ChatMessage.objects.filter(meeting_id=meeting_id, pk=message_id).exists():
        raise ProtocolError(CHAT_NOT_FOUND)


def chat_history(
    *, room: Room, before: int | None = None, limit: int = HISTORY_PAGE
) -> dict[str, Any]:
    """Up to ``limit`` messages older than ``before`` (the newest when ``None``), oldest first,
    and whether older ones exist. Two queries at most, whatever the page size."""
    queryset = ChatMessage.objects.filter(meeting_id=room.meeting_id)
    if before is not None:
        _ensure_cursor(meeting_id=room.meeting_id, message_id=before)
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset.select_related("sender").order_by("-id")[: limit + 1])
    return {
        "messages": [message_data(m) for m in reversed(rows[:limit])],
        "more": len(rows) > limit,
    }


def chat_messages_after(*, room: Room, after: int, limit: int = SINCE_PAGE) -> dict[str, Any]:
    """Up to ``limit`` messages with an id above ``after``, oldest first, and whether more
    follow. ``after`` is 0 or a message of this meeting."""
    if after:
        _ensure_cursor(meeting_id=room.meeting_id, message_id=after)
    rows = list(
        ChatMessage.objects.filter(meeting_id=room.meeting_id, pk__gt=after)
        .select_related("sender")
        .order_by("id")[: limit + 1]
    )
    return {"messages": [message_data(m) for m in rows[:limit]], "more": len(rows) > limit}


# --- Services --------------------------------------------------------------------------------


def chat_message_create(
    *, room: Room, sender: Any, client_id: str, text: str
) -> tuple[ChatMessage, bool]:
    """Store a message once per ``client_id`` and announce it after commit.

    Returns ``(message, created)``; a resend of a known ``client_id`` returns the stored message
    with ``created=False`` and stores nothing. Checks, in order: may write, not empty, not too
    long, the person's rate limit (every checked send counts, resends included).

    Locking: the meeting's row is locked (``SELECT … FOR NO KEY UPDATE``) for the insert, so
    within one meeting messages commit in increasing id order (a reader who has seen id *n*
    never later finds a smaller id appear, which ``chat.since`` relies on), and two concurrent
    sends of one ``client_id`` are serialised: the second hits the unique constraint
    ``chat_message_idempotent`` and returns the first. SQLite serialises writers at ``BEGIN``.
    """
    if not room.can_write or sender.pk != room.user_id:
        raise ProtocolError(CHAT_FORBIDDEN)
    if not text.strip():
        raise ProtocolError(CHAT_EMPTY)
    max_chars = settings.CHAT_MAX_MESSAGE_CHARS
    if len(text) > max_chars:
        raise ProtocolError(CHAT_TOO_LONG, max=max_chars)
    chat_rate_check(user_id=sender.pk)
    try:
        with transaction.atomic():
            list(
                Meeting.objects.select_for_update(no_key=True)
                .filter(pk=room.meeting_id)
                .values_list("pk")
            )
            message = ChatMessage.objects.create(
                meeting_id=room.meeting_id, sender=sender, client_id=client_id, text=text
            )
            broadcast_on_commit(
                meeting_group(room.meeting_id),
                {"type": CHAT_MESSAGE, "message": message_data(message)},
            )
    except IntegrityError:
        existing = (
            ChatMessage.objects.select_related("sender")
            .filter(meeting_id=room.meeting_id, sender=sender, client_id=client_id)
            .first()
        )
        if existing is None:  # a different integrity failure: not ours to hide
            raise
        return existing, False
    return message, True


# --- Rate limit and typing (cache, shared by every process) ----------------------------------

_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([smh]?)\s*")
_UNIT_SECONDS = {"s": 1, "": 1, "m": 60, "h": 3600}


@functools.lru_cache(maxsize=8)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/10s"`` → ``(20, 10)``: at most 20 per 10-second window. Units ``s``, ``m``, ``h``."""
    match = _RATE.fullmatch(rate)
    if not match:
        raise ValueError(f"Bad rate {rate!r}; expected e.g. '20/10s'.")
    count, amount, unit = match.groups()
    return int(count), int(amount or 1) * _UNIT_SECONDS[unit]


def chat_rate_check(*, user_id: int) -> None:
    """Count one ``chat.send`` of ``user_id`` in a fixed window shared through the cache, or
    raise ``chat.rate_limited`` with the seconds until the window ends."""
    limit, period = parse_rate(settings.CHAT_RATE_LIMIT)
    now = time.time()
    window = int(now // period)
    key = f"chat-rate:{user_id}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * period - now + 0.999))
        raise ProtocolError(CHAT_RATE_LIMITED, retry_after=retry_after)


def typing_notify(*, room: Room) -> bool:
    """Forward a typing hint to the room, at most once per ``TYPING_INTERVAL`` per person."""
    if not room.can_write:
        raise ProtocolError(CHAT_FORBIDDEN)
    if not cache.add(f"chat-typing:{room.meeting_id}:{room.user_id}", 1, timeout=TYPING_INTERVAL):
        return False
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_TYPING, "user": room.person})
    return True


# --- Presence --------------------------------------------------------------------------------
#
# One entry per socket (so two tabs of one person count once and closing one keeps the other),
# each with an expiry refreshed by ``ping``. On Redis: a sorted set scored by expiry and a
# version counter, changed and read in one MULTI so that a higher version never shows less.
# Without Redis (the single-process demo) the same in the local cache.


@functools.lru_cache(maxsize=4)
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _presence_member(*, room: Room, channel_name: str) -> str:
    return json.dumps([channel_name, room.person], sort_keys=True, ensure_ascii=False)


def _people(members: list[Any]) -> list[dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for raw in members:
        _channel, person = json.loads(raw)
        people.setdefault(person["id"], person)
    return sorted(people.values(), key=lambda p: (p["name"], p["id"]))


def _presence_change(*, room: Room, channel_name: str, present: bool) -> dict[str, Any]:
    member = _presence_member(room=room, channel_name=channel_name)
    now = time.time()
    key = cache.make_key(f"presence:{room.meeting_id}")
    version_key = cache.make_key(f"presence-v:{room.meeting_id}")
    if settings.REDIS_URL:
        pipe = _redis(settings.REDIS_URL).pipeline(transaction=True)
        pipe.zremrangebyscore(key, "-inf", now)
        if present:
            pipe.zadd(key, {member: now + PRESENCE_TTL})
        else:
            pipe.zrem(key, member)
        pipe.expire(key, PRESENCE_TTL * 2)
        pipe.incr(version_key)
        pipe.expire(version_key, 86_400)
        pipe.zrangebyscore(key, now, "+inf")
        result = pipe.execute()
        version, members = result[-3], result[-1]
    else:
        state = cache.get(key) or {"version": 0, "members": {}}
        alive = {m: exp for m, exp in state["members"].items() if exp > now}
        if present:
            alive[member] = now + PRESENCE_TTL
        else:
            alive.pop(member, None)
        version = state["version"] + 1
        cache.set(key, {"version": version, "members": alive}, timeout=86_400)
        members = list(alive)
    return {"users": _people(members), "version": int(version)}


def room_enter(*, room: Room, channel_name: str) -> dict[str, Any]:
    """Mark this socket present, announce the new presence list, and return the ``hello``."""
    presence = _presence_change(room=room, channel_name=channel_name, present=True)
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})
    history = chat_history(room=room)
    return {
        "user": room.person,
        "meeting": room.summary,
        "can_write": room.can_write,
        "messages": history["messages"],
        "more": history["more"],
        "presence": presence,
        "limits": {
            "max_chars": settings.CHAT_MAX_MESSAGE_CHARS,
            "history_page": HISTORY_PAGE,
            "since_page": SINCE_PAGE,
            "typing_interval": TYPING_INTERVAL,
        },
    }


def room_leave(*, room: Room, channel_name: str) -> None:
    """Remove this socket from presence and announce the new list."""
    presence = _presence_change(room=room, channel_name=channel_name, present=False)
    broadcast(meeting_group(room.meeting_id), {"type": ROOM_PRESENCE, **presence})


def presence_refresh(*, room: Room, channel_name: str) -> None:
    """Extend this socket's presence (on ``ping``); no announcement."""
    member = _presence_member(room=room, channel_name=channel_name)
    key = cache.make_key(f"presence:{room.meeting_id}")
    expiry = time.time() + PRESENCE_TTL
    if settings.REDIS_URL:
        pipe = _redis(settings.REDIS_URL).pipeline(transaction=True)
        pipe.zadd(key, {member: expiry})
        pipe.expire(key, PRESENCE_TTL * 2)
        pipe.execute()
    else:
        state = cache.get(key)
        if state is not None:
            state["members"][member] = expiry
            cache.set(key, state, timeout=86_400)
