"""E-mail to one person, written in their language and showing times in their zone.

Every e-mail is HTML with a plain-text part: the app's ``<name>_subject.txt`` and
``<name>_body.txt`` templates, and the HTML part the same text laid out by
``fairsite/email/base.html`` with its one action link (the page that acts on the e-mail) as a
button. Every link is absolute, from ``settings.SITE_URL`` (:func:`absolute`).

E-mails are sent from background tasks, never in a request, and exactly once:
:func:`deliver_once` keys each e-mail by what it is about (an ``OutgoingEmail`` row), locks that
row while sending and marks it sent in the same transaction, so a retried task skips what went
out before it failed.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """``path`` (``/requests/1/``) on the fair's public address (``FAIRSITE_SITE_URL``)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def render_for_user(user: Any, template_name: str, context: dict[str, Any]) -> str:
    """Render a template in ``user``'s language and time zone."""
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", None) or settings.TIME_ZONE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        return render_to_string(template_name, {"recipient": user, **context})


def build_message(
    *,
    user: Any,
    template: str,
    context: dict[str, Any],
    action_url: str = "",
    action_label: str = "",
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
) -> EmailMultiAlternatives:
    """One e-mail to ``user`` from ``<template>_subject.txt`` and ``<template>_body.txt``, in
    their language and zone, with an HTML part around the same text. ``action_url`` (absolute
    or a path) is the page that acts on it; ``action_label`` its button, already translated
    or lazy."""
    url = absolute(action_url) if action_url else ""
    context = {**context, "action_url": url, "site_url": settings.SITE_URL}
    subject = " ".join(render_for_user(user, f"{template}_subject.txt", context).split())
    body = render_for_user(user, f"{template}_body.txt", context)
    html = render_for_user(
        user,
        "fairsite/email/base.html",
        {"subject": subject, "body": body, "action_url": url, "action_label": action_label},
    )
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def outbox_pending(*, recipients: dict[str, Any]) -> set[str]:
    """Of ``recipients`` (key → user), the keys not sent yet. Creates their outbox rows in bulk
    (one ``INSERT … ON CONFLICT DO NOTHING`` per 1,000), so that a task renders only what is
    still to send and :func:`deliver_once` finds its row."""
    from fairsite.models import OutgoingEmail

    if not recipients:
        return set()
    OutgoingEmail.objects.bulk_create(
        [OutgoingEmail(key=key[:200], recipient=u, to=u.email) for key, u in recipients.items()],
        batch_size=1000,
        ignore_conflicts=True,
    )
    sent = set()
    keys = [key[:200] for key in recipients]
    for index in range(0, len(keys), 1000):
        sent.update(
            OutgoingEmail.objects.filter(
                key__in=keys[index : index + 1000], sent_at__isnull=False
            ).values_list("key", flat=True)
        )
    return {key for key in recipients if key[:200] not in sent}


def deliver_once(*, key: str, user: Any, message: EmailMultiAlternatives, connection=None) -> bool:
    """Send ``message`` unless the e-mail ``key`` was already sent. Returns whether it was sent.

    Locking rule: the ``OutgoingEmail`` row of ``key`` is locked (``select_for_update``; created
    first if missing) for the send, and ``sent_at`` is set in that same transaction. Two runs of
    the same task wait for each other and the second sees ``sent_at``. A crash after the mail
    server accepted the message but before the commit can repeat that one message (at least
    once at that boundary); no other path sends twice, and nothing is ever skipped.
    """
    from fairsite.models import OutgoingEmail

    key = key[:200]
    with transaction.atomic():
        row = OutgoingEmail.objects.select_for_update().filter(key=key).first()
        if row is None:
            OutgoingEmail.objects.get_or_create(
                key=key, defaults={"recipient": user, "to": user.email}
            )
            row = OutgoingEmail.objects.select_for_update().get(key=key)
        if row.sent_at is not None:
            return False
        if connection is not None:
            message.connection = connection
        message.send()
        OutgoingEmail.objects.filter(pk=row.pk).update(
            sent_at=timezone.now(), subject=message.subject[:300], attempts=row.attempts + 1
        )
    return True


def send_to_user(
    *,
    user: Any,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    html_template: str | None = None,
) -> EmailMultiAlternatives:
    """Build and send one e-mail to ``user`` in their language now (no outbox). Returns the
    message. Prefer a task with :func:`build_message` and :func:`deliver_once`."""
    subject = " ".join(render_for_user(user, subject_template, context).split())
    body = render_for_user(user, body_template, context)
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    if html_template:
        message.attach_alternative(render_for_user(user, html_template, context), "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
    return message
