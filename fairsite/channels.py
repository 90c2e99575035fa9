"""Channel-layer group names and event types, in one place.

The database is the truth; the channel layer only announces. Services broadcast with
:func:`broadcast_on_commit` so that a rollback leaks nothing.
"""

from __future__ import annotations

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


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Announce after the surrounding transaction commits; nothing is sent on rollback."""
    transaction.on_commit(lambda: broadcast(group, event))
