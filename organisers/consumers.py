"""``/ws/organisers/``: the organisers' live dashboard socket.

Only an organiser joins the fair's organisers group; anyone else signed in is refused with
4403, anonymous with 4401 (``docs/websocket-protocol.md``). The socket carries one event,
``stats.changed`` (throttled, see :mod:`organisers.live`); the page then fetches the figures over
HTTP, and after a reconnect fetches once more in case it missed one.
"""

from __future__ import annotations

from typing import Any

from fairsite.channels import organisers_group
from meetings.chat import current_fair_id, db
from meetings.consumers import ProtocolConsumer
from meetings.protocol import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED


def _organiser_fair(user: Any) -> int | None:
    """The current fair's id when ``user`` is an organiser, else None (one or two queries)."""
    if not user.is_organiser:
        return None
    return current_fair_id()


class OrganisersConsumer(ProtocolConsumer):
    group: str | None = None

    async def connect(self) -> None:
        self.group = None
        if not self.authenticate():
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        fair_id = await db(_organiser_fair)(self.user)
        if fair_id is None:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.group = organisers_group(fair_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_event("hello", {"user": {"id": self.user.pk}, "fair": fair_id})

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        self.group = None

    async def stats_changed(self, event: dict[str, Any]) -> None:
        await self.send_event("stats.changed", {})
