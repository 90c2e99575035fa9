"""The site's session engine (``SESSION_ENGINE``): Django's database sessions, the row read with
a query compiled once per process (:data:`fairsite.session_auth.SESSION_ROWS`) instead of one the
ORM builds on every request. Everything else (saving, expiry, the signed data and its salt) is
Django's own, so sessions written before stay valid and the socket handshake reads the same rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.utils import timezone

from fairsite.async_db import on_postgresql


class SessionStore(DbSessionStore):
    def _get_session_from_db(self) -> Any:
        if not on_postgresql():  # the compiled statement binds PostgreSQL's parameters
            return super()._get_session_from_db()
        from fairsite.session_auth import SESSION_ROWS

        rows = SESSION_ROWS.fetch_sync(session_key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0][0])
