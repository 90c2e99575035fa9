"""Every event's shape, declared once.

``NOTIFICATIONS`` maps each notification kind (stored as a ``Notification`` and sent to the
person's sockets as a ``notification`` event, ``docs/websocket-protocol.md``) to the exact set of
keys of its payload. ``ROOM`` does the same for the events a meeting's room hears. The senders
(``fairsite.notifications.payload`` and ``meetings.notifications.room_payload``) refuse a payload
that does not match, and ``tests/fairsite/test_events.py`` emits every declared event and checks
its keys.
"""

from __future__ import annotations

# Keys every notification has: its kind, stored id, creation time (ISO, UTC), the sentence in
# the recipient's language and the absolute address of the page that acts on it.
COMMON = frozenset({"kind", "id", "created", "text", "url"})

_REQUEST = COMMON | {"request_id", "company"}
_MEETING = COMMON | {"meeting_id", "start", "end", "status", "change"}

NOTIFICATIONS: dict[str, frozenset[str]] = {
    "request.received": _REQUEST,
    "request.accepted": _REQUEST | {"meeting_id"},
    "request.declined": _REQUEST,
    "request.countered": _REQUEST,
    "request.cancelled": _REQUEST,
    "meeting.booked": _MEETING,
    "meeting.rescheduled": _MEETING,
    "meeting.changed": _MEETING,
    "meeting.cancelled": _MEETING,
    "meeting.reminder": COMMON | {"meeting_id", "start", "end", "minutes", "join_url"},
    "schedule.published": COMMON | {"run_id", "meetings"},
    "waitlist.offered": COMMON | {"offer_id", "company", "start", "end", "expires"},
    "feedback.asked": COMMON | {"meeting_id", "company"},
}

# The ``meeting.changed`` event on a meeting's room group (and the room socket).
ROOM: dict[str, frozenset[str]] = {
    "meeting.changed": frozenset(
        {
            "change",
            "meeting",
            "meeting_id",
            "status",
            "start",
            "end",
            "mode",
            "table",
            "video_url",
            "sequence",
            "version",
        }
    ),
}


class EventShapeError(ValueError):
    """A payload whose keys are not its event's declared keys (a programming error)."""


def check(declared: dict[str, frozenset[str]], kind: str, payload: dict) -> dict:
    """Return ``payload`` if its keys are exactly those declared for ``kind``."""
    expected = declared.get(kind)
    if expected is None:
        raise EventShapeError(f"undeclared event {kind!r}")
    keys = set(payload)
    if keys != expected:
        raise EventShapeError(
            f"{kind}: missing {sorted(expected - keys)}, unexpected {sorted(keys - expected)}"
        )
    return payload
