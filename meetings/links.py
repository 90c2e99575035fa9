"""Join links for online and mixed meetings.

By default a Jitsi Meet room with an unguessable name on ``FAIRSITE_VIDEO_BASE_URL`` (so a fair
can run its own server); an exhibitor or organiser may set an external https link instead.
"""

from __future__ import annotations

import secrets

from django.conf import settings


def new_video_url() -> str:
    """A fresh, unguessable room on the configured video server (128 bits of randomness)."""
    base = (settings.VIDEO_BASE_URL or "https://meet.jit.si").rstrip("/")
    return f"{base}/HanoiSIF-{secrets.token_urlsafe(16)}"
