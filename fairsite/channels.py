"""Channel-layer group names and event types, in one place.

The database is the truth; the channel layer only announces. Services broadcast with
:func:`broadcast_on_commit` so that a rollback leaks nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """Every socket of one user (notifications, and closing them at logout)."""
    return f"user.{user_id}"


def meeting_group(meeting_id: int) -> str:
    """Everyone in one meeting's room."""
    return f"meeting.{meeting_id}"


def fair_group(fair_id: int) -> str:
    """Fair-wide announcements (a published schedule, live counts)."""
    return f"fair.{fair_id}"


def organisers_group(fair_id: int) -> str:
    return f"organisers.{fair_id}"


def broadcast(group: str, event: dict[str, Any]) -> None:
    """Send now. Prefer :func:`broadcast_on_commit` inside services."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the announcement is best effort; the database already has the truth
        logger.exception("broadcast to %s failed", group)


async def broadcast_async(group: str, event: dict[str, Any]) -> None:
    """:func:`broadcast` from the event loop (sockets, after their worker has committed)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, event)
    except Exception:  # best effort, as in broadcast()
        logger.exception("broadcast to %s failed", group)


async def announce_async(group: str, event: dict[str, Any], *, attempts: int = 3) -> bool:
    """:func:`broadcast_async` retried (0.1 s, then 0.3 s later) when the channel layer fails,
    as it does in the first instants after Redis comes back; ``True`` once sent. Clients still
    notice a lost announcement (``last_id`` in ``ping``, ``resync``), this only makes it rare."""
    layer = get_channel_layer()
    if layer is None:
        return False
    for attempt in range(attempts):
        try:
            await layer.group_send(group, event)
            return True
        except Exception:
            if attempt == attempts - 1:
                logger.exception("broadcast to %s failed after %d attempts", group, attempts)
                return False
            await asyncio.sleep(0.1 * 3**attempt)
    return False


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Announce after the surrounding transaction commits; nothing is sent on rollback."""
    transaction.on_commit(lambda: broadcast(group, event))


# --- Event types (the ``type`` of channel-layer messages; consumers have a handler each) ------
# A notification for one person: {"type": USER_NOTIFY, "event": Notification}, sent only by
# fairsite.notifications.notify (stored first; shapes in fairsite/events.py).
USER_NOTIFY = "user.notify"
# Close every socket of one person (sent at logout): {"type": USER_LOGOUT}
USER_LOGOUT = "user.logout"
# Something about a meeting changed (time, place, status, link): {"type": MEETING_CHANGED, ...}
MEETING_CHANGED = "meeting.changed"
# A schedule was published: one event for the whole fair, clients then fetch over HTTP.
SCHEDULE_PUBLISHED = "schedule.published"
# Sent to a meeting's group by meetings.chat:
CHAT_MESSAGE = "chat.message"  # {"type", "message": Message}
ROOM_PRESENCE = "room.presence"  # {"type", "users": [Person], "version": int}
ROOM_TYPING = "room.typing"  # {"type", "user": Person}


# A person's access changed (a membership withdrawn): every room socket of theirs re-checks it
# at once and closes with 4403 if it is gone: {"type": USER_ACCESS_CHANGED}
USER_ACCESS_CHANGED = "user.access_changed"


def user_access_changed_on_commit(user_id: int) -> None:
    """After commit, make every open room socket of this person, in every process, re-check
    what the person may still see."""
    broadcast_on_commit(user_group(user_id), {"type": USER_ACCESS_CHANGED})


def close_user_sockets(user_id: int) -> None:
    """Ask every socket of this person, in every process, to close (used at logout)."""
    broadcast(user_group(user_id), {"type": USER_LOGOUT})
