"""WebSocket routes of the meetings app (protocol: docs/websocket-protocol.md)."""

from __future__ import annotations

import os

from django.urls import path

from meetings import consumers

websocket_urlpatterns: list = [
    path("ws/meetings/<int:meeting_id>/", consumers.MeetingRoomConsumer.as_asgi()),
    path("ws/notifications/", consumers.NotificationsConsumer.as_asgi()),
]

if os.environ.get("FAIRSITE_BENCH_ECHO") == "1":  # bench/chat_load.py only: no auth, no DB
    websocket_urlpatterns.append(
        path("ws/bench-echo/<int:room>/", consumers.BenchEchoConsumer.as_asgi())
    )
