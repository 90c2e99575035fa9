from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def close_sockets_at_logout(
    sender: Any, request: Any = None, user: Any = None, **kwargs: Any
) -> None:
    """Signing out closes every open socket of that person, in every process."""
    from fairsite.channels import close_user_sockets

    if user is not None and user.pk is not None:
        close_user_sockets(user.pk)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(close_sockets_at_logout, dispatch_uid="meetings.close_sockets")
