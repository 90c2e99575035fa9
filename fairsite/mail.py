"""E-mail to one person, written in their language and showing times in their zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation


def render_for_user(user: Any, template_name: str, context: dict[str, Any]) -> str:
    """Render a template in ``user``'s language and time zone."""
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    zone = getattr(user, "time_zone", None) or settings.TIME_ZONE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        return render_to_string(template_name, {"recipient": user, **context})


def send_to_user(
    *,
    user: Any,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    html_template: str | None = None,
) -> EmailMultiAlternatives:
    """Build and send one e-mail to ``user`` in their language. Returns the message.

    ``attachments`` are ``(filename, content, mimetype)``, e.g. an ``.ics`` invitation.
    """
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


def send_to_user_on_commit(**kwargs: Any) -> None:
    """Send after the surrounding transaction commits: a rolled-back change mails nobody."""
    transaction.on_commit(lambda: send_to_user(**kwargs))
