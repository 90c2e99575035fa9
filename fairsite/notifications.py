"""Stored notifications: written in the same transaction as the event, announced after commit.

Apps tell people through their own ``notifications.py`` (one function per event); those call
:func:`notify`, which stores one :class:`~fairsite.models.Notification` per recipient (the text
in the recipient's language) and, after commit, sends each to that person's sockets as a
``notification`` event. :func:`event` is the one payload builder: the socket event, the page and
the catch-up feed (``feed.json?after=<id>``, what a reconnecting page missed) all use it, and
its keys are those declared in ``fairsite/events.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from fairsite import events
from fairsite.channels import USER_NOTIFY, broadcast, user_group
from fairsite.models import Notification, User

FEED_LIMIT = 50
PAGE_SIZE = 50

Fields = dict[str, Any] | Callable[[Any], dict[str, Any]]


def event(notification: Notification) -> dict[str, Any]:
    """The notification as clients see it: ``kind``, ``id``, ``created`` and its payload."""
    return events.check(
        events.NOTIFICATIONS,
        notification.kind,
        {
            "kind": notification.kind,
            "id": notification.pk,
            "created": notification.created_at.isoformat(),
            **notification.payload,
        },
    )


def _build(
    user: Any, *, kind: str, text: Callable[[Any], str], url: str, fields: Fields, now: datetime
) -> Notification:
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        sentence = str(text(user))
    extra = fields(user) if callable(fields) else fields
    return Notification(
        recipient=user,
        kind=kind,
        payload={"text": sentence, "url": url, **extra},
        created_at=now,
    )


def notify(
    *,
    kind: str,
    recipients: Iterable[Any],
    text: Callable[[Any], str],
    url: str,
    fields: Fields,
    key: str = "",
    live: bool = True,
) -> list[Notification]:
    """Store ``kind`` for each of ``recipients`` and announce it on their sockets after commit.

    ``text(user)`` is called in the user's language; ``url`` is absolute; ``fields`` (a dict, or
    a function of the user) are the kind's own keys. With ``key``, a person gets the
    notification at most once (``notification_key_once``): a repeated call stores and
    announces nothing for them. ``live=False`` stores only (a bulk change announces itself
    with one fair-wide event). Returns the notifications stored.
    """
    now = timezone.now()
    people: dict[int, Any] = {u.pk: u for u in recipients}
    built = [
        _build(u, kind=kind, text=text, url=url, fields=fields, now=now) for u in people.values()
    ]
    for row in built:  # a wrong shape is refused before anything is written
        events.check(
            events.NOTIFICATIONS, kind, {"kind": kind, "id": 0, "created": "", **row.payload}
        )
    if key:
        stored = []
        for row in built:
            row.key = key
            with transaction.atomic():
                obj, created = Notification.objects.get_or_create(
                    recipient_id=row.recipient_id,
                    key=key,
                    defaults={"kind": kind, "payload": row.payload, "created_at": now},
                )
            if created:
                stored.append(obj)
    else:
        stored = Notification.objects.bulk_create(built, batch_size=1000)
    if live and stored:
        frames = [(row.recipient_id, event(row)) for row in stored]
        transaction.on_commit(lambda: _announce(frames))
    return stored


def _announce(frames: Sequence[tuple[int, dict[str, Any]]]) -> None:
    for user_id, frame in frames:
        broadcast(user_group(user_id), {"type": USER_NOTIFY, "event": frame})


# --- Reads ---------------------------------------------------------------------------------------


def notifications_for(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-id")


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def feed(*, user: Any, after: int = 0) -> dict[str, Any]:
    """What a page needs after (re)connecting: the unread count and the notifications newer
    than ``after`` (oldest first, at most :data:`FEED_LIMIT`)."""
    rows = list(
        Notification.objects.filter(recipient=user, pk__gt=after).order_by("-id")[:FEED_LIMIT]
    )
    rows.reverse()
    return {"unread": unread_count(user=user), "notifications": [event(n) for n in rows]}


# --- Writes --------------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, user: Any, notification_id: int) -> bool:
    """Mark one of ``user``'s notifications read (someone else's: nothing, returns False)."""
    return (
        bool(
            Notification.objects.filter(
                recipient=user, pk=notification_id, read_at__isnull=True
            ).update(read_at=timezone.now())
        )
        or Notification.objects.filter(recipient=user, pk=notification_id).exists()
    )


@transaction.atomic
def notifications_mark_all_read(*, user: Any) -> int:
    """One conditional ``UPDATE`` of the person's unread notifications."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def user_reminder_set(*, user: Any, minutes: int) -> None:
    """How long before each meeting ``user`` is reminded (0: never; at most a day)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not 0 <= int(minutes) <= 24 * 60:
        raise ValidationError(_("Choose between 0 and 1440 minutes."))
    User.objects.filter(pk=user.pk).update(reminder_minutes=int(minutes))
    user.reminder_minutes = int(minutes)
