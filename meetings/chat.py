"""Chat messages of a meeting's room: who may be in the room, history, storing and announcing.

Presence and typing are in :mod:`meetings.presence`, the rate limit in :mod:`meetings.ratelimit`.
Keyword-only and typed. The database work is synchronous; sockets run it in a worker thread
(:func:`db`), except what every socket runs often (opening the room, its first history page,
the access re-check, storing a message): the ``_async`` functions run those statements on the
event loop's own connections (:mod:`fairsite.async_db`). The database is the truth: a message is
committed first and announced after the commit (from ``on_commit`` for synchronous callers; from
the event loop once its autocommit statement has returned). Refusals raise
:class:`meetings.protocol.ProtocolError` with a stable code.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fairsite import async_db
from fairsite.channels import (
    CHAT_MESSAGE,
    announce_async,
    broadcast_on_commit,
    meeting_group,
)
from fairsite.models import Fair
from meetings.access import RoomAccess, room_meeting_for_user, room_meeting_for_user_async
from meetings.models import ChatMessage, Meeting
from meetings.protocol import (
    CHAT_EMPTY,
    CHAT_FORBIDDEN,
    CHAT_NOT_FOUND,
    CHAT_TOO_LONG,
    ROOM_FORBIDDEN,
    ProtocolError,
)
from meetings.ratelimit import chat_rate_check, chat_rate_check_async

HISTORY_PAGE = 50
HISTORY_MAX = 100
SINCE_PAGE = 200
SINCE_MAX = 500

P = ParamSpec("P")
R = TypeVar("R")


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


def _role(*, access: RoomAccess) -> str:
    if access.user_company_id == access.exhibitor.pk:
        return "exhibitor"
    if access.user_company_id == access.buyer.pk:
        return "buyer"
    return "organiser"


def meeting_summary(access: RoomAccess) -> dict[str, Any]:
    return {
        "id": access.meeting_id,
        "exhibitor": {"id": access.exhibitor.pk, "name": access.exhibitor.display_name},
        "buyer": {"id": access.buyer.pk, "name": access.buyer.display_name},
        "start": iso_utc(access.start),
        "end": iso_utc(access.end),
        "mode": access.mode,
        "status": access.status,
    }


def _room(*, user: Any, access: RoomAccess | None) -> Room | None:
    if access is None:
        return None
    role = _role(access=access)
    return Room(
        meeting_id=access.meeting_id,
        fair_id=access.fair_id,
        user_id=user.pk,
        person={"id": user.pk, "name": user.get_full_name(), "role": role},
        can_write=role != "organiser",
        summary=meeting_summary(access),
    )


def room_open(*, user: Any, meeting_id: Any) -> Room | None:
    """The room of ``meeting_id`` for ``user`` at the current fair, or ``None`` when the user
    may not see it (or it does not exist: the caller answers both the same way). One query
    (current fair, meeting, companies, membership) when ``user.is_organiser`` is already known,
    as it is for a socket's user (:mod:`fairsite.socket_auth`)."""
    return _room(user=user, access=room_meeting_for_user(user=user, meeting_id=meeting_id))


async def room_open_async(*, user: Any, meeting_id: Any) -> Room | None:
    """:func:`room_open` for a socket: the same query, compiled once per process, on the event
    loop's own database connections (:func:`meetings.access.room_meeting_for_user_async`)."""
    access = await room_meeting_for_user_async(user=user, meeting_id=meeting_id)
    return _room(user=user, access=access)


def _side_company_id(room: Room) -> int | None:
    """The company whose member the person of ``room`` is (``None`` for an organiser)."""
    role = room.person["role"]
    return None if role == "organiser" else room.summary[role]["id"]


def _approved_memberships(*, fair_ids: Any, user_ids: Any) -> Any:
    """``(fair, user, company)`` of the approved memberships among these fairs and users (the
    ids as a collection, or as an SQL expression yielding them)."""
    from exhibitors.enums import MembershipStatus
    from exhibitors.models import Member

    return (
        Member.objects.filter(
            fair_id__in=fair_ids, user_id__in=user_ids, status=MembershipStatus.APPROVED
        )
        .order_by()
        .values_list("fair_id", "user_id", "company_id")
    )


def _organisers_among(*, user_ids: Any) -> Any:
    """Which of these users are organisers (ids as for :func:`_approved_memberships`)."""
    from django.contrib.auth.models import Group

    from fairsite.enums import ORGANISERS_GROUP

    return Group.objects.filter(name=ORGANISERS_GROUP, user__in=user_ids).values_list("user")


def _ids_array(placeholder: list[int]) -> Any:
    """A list of ids bound as **one** PostgreSQL array parameter, so the compiled query's text
    is the same however many ids it is run with."""
    from django.db.models.expressions import RawSQL

    return RawSQL("SELECT unnest(%s::bigint[])", [placeholder])


_MEMBERSHIPS = async_db.CompiledQuery(
    lambda *, fair_ids, user_ids: _approved_memberships(
        fair_ids=_ids_array(fair_ids), user_ids=_ids_array(user_ids)
    ),
    fair_ids=[-(2**41) - 31],
    user_ids=[-(2**41) - 32],
)
_ORGANISERS = async_db.CompiledQuery(
    lambda *, user_ids: _organisers_among(user_ids=_ids_array(user_ids)),
    user_ids=[-(2**41) - 33],
)


def _access_wanted(rooms: list[Room]) -> tuple[set[tuple[int, int]], set[int]]:
    members = {(r.fair_id, r.user_id) for r in rooms if _side_company_id(r) is not None}
    organisers = {r.user_id for r in rooms if _side_company_id(r) is None}
    return members, organisers


def _access_kept(
    rooms: list[Room], kept_members: set[tuple[int, int, int]], kept_organisers: set[int]
) -> list[bool]:
    return [
        (r.user_id in kept_organisers)
        if _side_company_id(r) is None
        else ((r.fair_id, r.user_id, _side_company_id(r)) in kept_members)
        for r in rooms
    ]


def rooms_access_kept(*, rooms: list[Room]) -> list[bool]:
    """For each room, whether its person may still be in it: still an approved member of the
    same side's company at the meeting's fair, or still an organiser. Two queries at most,
    however many rooms (the membership by its ``(fair, user)`` key, the organisers' group),
    so a process re-checks its sockets together (:func:`fairsite.socket_server.recheck_all`).
    (The full :func:`room_open` runs when the person's access is announced as changed.)"""
    members, organisers = _access_wanted(rooms)
    kept_members: set[tuple[int, int, int]] = set()
    if members:
        kept_members = set(
            _approved_memberships(
                fair_ids={fair for fair, _ in members}, user_ids={user for _, user in members}
            )
        )
    kept_organisers: set[int] = set()
    if organisers:
        kept_organisers = {row[0] for row in _organisers_among(user_ids=organisers)}
    return _access_kept(rooms, kept_members, kept_organisers)


async def rooms_access_kept_async(*, rooms: list[Room]) -> list[bool]:
    """:func:`rooms_access_kept` from the event loop: on PostgreSQL the same two queries,
    compiled once per process with the ids as one array parameter each, on the loop's own
    connections (no worker thread, whose Python would hold the GIL against the loop for the
    whole re-check); elsewhere in a worker thread."""
    if not async_db.on_postgresql():
        return await db(rooms_access_kept)(rooms=rooms)
    members, organisers = _access_wanted(rooms)
    kept_members: set[tuple[int, int, int]] = set()
    if members:
        rows = await _MEMBERSHIPS.fetch(
            fair_ids=sorted({fair for fair, _ in members}),
            user_ids=sorted({user for _, user in members}),
        )
        kept_members = {tuple(row) for row in rows}
    kept_organisers: set[int] = set()
    if organisers:
        rows = await _ORGANISERS.fetch(user_ids=sorted(organisers))
        kept_organisers = {row[0] for row in rows}
    return _access_kept(rooms, kept_members, kept_organisers)


def room_access_kept(*, room: Room) -> bool:
    """:func:`rooms_access_kept` of one room."""
    return rooms_access_kept(rooms=[room])[0]


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


def last_message_id(*, meeting_id: int) -> int:
    """The greatest message id of the meeting, 0 when it has none (one index lookup)."""
    last = (
        ChatMessage.objects.filter(meeting_id=meeting_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return last or 0


def last_message_ids(*, meeting_ids: list[int]) -> dict[int, int]:
    """:func:`last_message_id` of many meetings in one query (0 for a meeting without any)."""
    from django.db.models import Max

    rows = (
        ChatMessage.objects.filter(meeting_id__in=meeting_ids)
        .values("meeting_id")
        .annotate(last=Max("id"))
        .order_by()
    )
    found = {row["meeting_id"]: row["last"] for row in rows}
    return {meeting_id: found.get(meeting_id, 0) for meeting_id in meeting_ids}


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


def room_snapshot(*, room: Room) -> dict[str, Any]:
    """The newest page and the meeting's last message id, for the ``hello``."""
    history = chat_history(room=room)
    last = history["messages"][-1]["id"] if history["messages"] else 0
    return {**history, "last_id": last}


_MESSAGE_COLUMNS = [f.attname for f in ChatMessage._meta.concrete_fields]
_SENDER_COLUMNS = ["id", "email", "full_name"]  # User.get_full_name, in field order


def _newest_page_rows(*, meeting_id: int) -> Any:
    """:func:`chat_history`'s first page (and one more row, for ``more``) as columns."""
    return (
        ChatMessage.objects.filter(meeting_id=meeting_id)
        .order_by("-id")
        .values_list(*_MESSAGE_COLUMNS, *(f"sender__{name}" for name in _SENDER_COLUMNS))[
            : HISTORY_PAGE + 1
        ]
    )


_NEWEST_PAGE = async_db.CompiledQuery(_newest_page_rows, meeting_id=-(2**41) - 21)


def _message_from_row(row: tuple[Any, ...]) -> ChatMessage:
    from fairsite.models import User

    split = len(_MESSAGE_COLUMNS)
    message = ChatMessage.from_db(None, _MESSAGE_COLUMNS, row[:split])
    message.sender = User.from_db(None, _SENDER_COLUMNS, row[split:])
    return message


async def room_snapshot_async(*, room: Room) -> dict[str, Any]:
    """:func:`room_snapshot` for a socket's ``hello``: on PostgreSQL one query compiled once per
    process, on the event loop's own connections; elsewhere in a worker thread."""
    if not async_db.on_postgresql():
        return await db(room_snapshot)(room=room)
    rows = await _NEWEST_PAGE.fetch(meeting_id=room.meeting_id)
    messages = [message_data(_message_from_row(row)) for row in reversed(rows[:HISTORY_PAGE])]
    last = messages[-1]["id"] if messages else 0
    return {"messages": messages, "more": len(rows) > HISTORY_PAGE, "last_id": last}


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


def db(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run a service in a worker thread with a clean database connection.

    Not thread-sensitive: one daphne process serves many sockets, and the default (one shared
    thread for all of them) would queue every socket's queries behind each other. The pool size
    is ``ASGI_THREADS`` (see docs/realtime.md). Outside an ``atomic`` block (always, in a worker
    thread) a service has committed when it returns.
    """
    return database_sync_to_async(func, thread_sensitive=False)


def chat_message_check(*, room: Room, sender: Any, text: str) -> None:
    """The checks of a send that need neither the database nor the cache: may write, not
    empty, not too long."""
    if not room.can_write or sender.pk != room.user_id:
        raise ProtocolError(CHAT_FORBIDDEN)
    if not text.strip():
        raise ProtocolError(CHAT_EMPTY)
    max_chars = settings.CHAT_MAX_MESSAGE_CHARS
    if len(text) > max_chars:
        raise ProtocolError(CHAT_TOO_LONG, max=max_chars)


@functools.cache
def _insert_sql() -> str:
    """One PostgreSQL statement: check that the sender is still an approved member of the
    company they write for, lock the meeting's row, then insert, idempotent by the unique
    constraint. The lock is taken before the id is drawn from the sequence and held until the
    commit, so within one meeting ids commit in increasing order."""
    from exhibitors.models import Member

    qn = connection.ops.quote_name
    meeting, message = Meeting._meta.db_table, ChatMessage._meta.db_table
    member = Member._meta.db_table
    return (
        f"WITH locked AS (SELECT {qn('id')} FROM {qn(meeting)} WHERE {qn('id')} = %s "
        f"AND EXISTS (SELECT 1 FROM {qn(member)} m WHERE m.{qn('fair_id')} = "
        f"{qn(meeting)}.{qn('fair_id')} AND m.{qn('user_id')} = %s "
        f"AND m.{qn('company_id')} = %s AND m.{qn('status')} = %s) "
        f"FOR NO KEY UPDATE) "
        f"INSERT INTO {qn(message)} "
        f"({qn('meeting_id')}, {qn('sender_id')}, {qn('client_id')}, {qn('text')}, "
        f"{qn('created_at')}) "
        f"SELECT locked.{qn('id')}, %s, %s, %s, %s FROM locked "
        f"ON CONFLICT ON CONSTRAINT {qn('chat_message_idempotent')} DO NOTHING "
        f"RETURNING {qn('id')}, {qn('created_at')}"
    )


def _insert_params(*, room: Room, sender: Any, client_id: str, text: str) -> list[Any]:
    from exhibitors.enums import MembershipStatus

    company_id = _side_company_id(room)
    if company_id is None:
        raise ProtocolError(CHAT_FORBIDDEN)
    return [
        *(room.meeting_id, sender.pk, company_id, MembershipStatus.APPROVED.value),
        *(sender.pk, client_id, text, timezone.now()),
    ]


def _stored(*, room: Room, sender: Any, client_id: str, text: str, row: Any) -> ChatMessage:
    return ChatMessage(
        id=row[0],
        meeting_id=room.meeting_id,
        sender=sender,
        client_id=client_id,
        text=text,
        created_at=row[1],
    )


def chat_message_store(
    *, room: Room, sender: Any, client_id: str, text: str
) -> tuple[ChatMessage, bool]:
    """Insert a (checked) message once per ``client_id``; announce nothing.

    Returns ``(message, created)``; a known ``client_id`` returns the stored message with
    ``created=False``. Outside an ``atomic`` block the message is committed when this returns.
    Raises ``room.forbidden`` when the sender is no longer an approved member of the company
    they write for: the right to write is read in the same statement as the insert, so a
    withdrawn membership stops the very next message, announced or not.

    Locking: the meeting's row is locked (``FOR NO KEY UPDATE``) for the insert, so within one
    meeting messages commit in increasing id order (a reader who has seen id *n* never later finds
    a smaller id appear, which ``chat.since`` relies on), and two concurrent sends of one
    ``client_id`` are serialised: the second finds the first through the unique constraint
    ``chat_message_idempotent``. On PostgreSQL check, lock and insert are one statement (one
    round trip in autocommit); SQLite serialises writers at ``BEGIN``.
    """
    params = _insert_params(room=room, sender=sender, client_id=client_id, text=text)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(), params)
            row = cursor.fetchone()
        if row is not None:
            return _stored(room=room, sender=sender, client_id=client_id, text=text, row=row), True
    else:
        try:
            with transaction.atomic():
                locked = list(
                    Meeting.objects.select_for_update(no_key=True)
                    .filter(pk=room.meeting_id)
                    .values_list("pk")
                )
                if locked and room_access_kept(room=room):
                    message = ChatMessage.objects.create(
                        meeting_id=room.meeting_id, sender=sender, client_id=client_id, text=text
                    )
                    return message, True
        except IntegrityError:
            pass
    return _chat_message_not_inserted(room=room, sender=sender, client_id=client_id), False


def _chat_message_not_inserted(*, room: Room, sender: Any, client_id: str) -> ChatMessage:
    """Why the insert stored nothing: ``room.forbidden`` when the sender may no longer write,
    else the message already stored with this ``client_id``."""
    if not room_access_kept(room=room):
        raise ProtocolError(ROOM_FORBIDDEN)
    existing = (
        ChatMessage.objects.select_related("sender")
        .filter(meeting_id=room.meeting_id, sender=sender, client_id=client_id)
        .first()
    )
    if existing is None:  # the meeting is gone, or a different integrity failure
        raise IntegrityError(f"chat message not stored in meeting {room.meeting_id}")
    return existing


async def _chat_message_store_async(
    *, room: Room, sender: Any, client_id: str, text: str
) -> tuple[ChatMessage, bool]:
    """:func:`chat_message_store` for a socket: on PostgreSQL the statement runs on the event
    loop (:mod:`fairsite.async_db`, autocommit: committed when it returns), no worker thread;
    only a resend or a refusal reads more, in a worker thread."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):  # the demo's SQLite
        return await db(_chat_message_store_committed)(
            room=room, sender=sender, client_id=client_id, text=text
        )
    params = _insert_params(room=room, sender=sender, client_id=client_id, text=text)
    row = await async_db.execute_one(_insert_sql(), params)
    if row is not None:
        return _stored(room=room, sender=sender, client_id=client_id, text=text, row=row), True
    existing = await db(_chat_message_not_inserted)(room=room, sender=sender, client_id=client_id)
    return existing, False


def _chat_message_store_committed(
    *, room: Room, sender: Any, client_id: str, text: str
) -> tuple[ChatMessage, bool]:
    if transaction.get_connection().in_atomic_block:  # pragma: no cover - a misuse
        raise RuntimeError("chat messages from sockets are stored in autocommit mode")
    return chat_message_store(room=room, sender=sender, client_id=client_id, text=text)


def chat_message_create(
    *, room: Room, sender: Any, client_id: str, text: str
) -> tuple[ChatMessage, bool]:
    """Check, count against the rate limit, store once per ``client_id``, and announce after
    commit (synchronous callers; sockets use :func:`chat_message_send`).

    Returns ``(message, created)``; a resend of a known ``client_id`` returns the stored message
    with ``created=False``, stores and announces nothing. Checks, in order: may write, not
    empty, not too long, the person's rate limit (every checked send counts, resends included).
    """
    chat_message_check(room=room, sender=sender, text=text)
    chat_rate_check(user_id=sender.pk)
    message, created = chat_message_store(room=room, sender=sender, client_id=client_id, text=text)
    if created:
        broadcast_on_commit(
            meeting_group(room.meeting_id),
            {"type": CHAT_MESSAGE, "message": message_data(message)},
        )
    return message, created


async def chat_message_send(
    *, room: Room, sender: Any, client_id: str, text: str
) -> dict[str, Any]:
    """``chat.send`` from a socket: the same checks and rate limit as
    :func:`chat_message_create`, all on the event loop: the rate limit counted on Redis (with
    the other sockets' commands of the same turn, one round trip), the message stored in one
    statement in autocommit mode (committed when it returns), then announced. Returns the
    reply's data.

    A resend of a stored ``client_id`` announces the message again: the first attempt may have
    been committed by a process that stopped (or lost Redis) before announcing it, and the
    sender cannot tell. Clients de-duplicate by id, so a repeated event costs nothing."""
    chat_message_check(room=room, sender=sender, text=text)
    await chat_rate_check_async(user_id=sender.pk)
    message, created = await _chat_message_store_async(
        room=room, sender=sender, client_id=client_id, text=text
    )
    data = message_data(message)
    # Committed: the statement ran in autocommit mode, outside any transaction.
    await announce_async(meeting_group(room.meeting_id), {"type": CHAT_MESSAGE, "message": data})
    return {"message": data, "created": created}
