"""WebSocket routes of every app, collected in one list."""

from django.urls import path  # noqa: F401

websocket_urlpatterns: list = []

try:  # each app contributes its own routes
    from meetings.routing import websocket_urlpatterns as meeting_routes
except ImportError:  # pragma: no cover - app without sockets yet
    meeting_routes = []

websocket_urlpatterns += meeting_routes
