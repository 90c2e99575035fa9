"""WebSocket routes of every app, collected in one list."""

from meetings.routing import websocket_urlpatterns as meeting_routes
from organisers.routing import websocket_urlpatterns as organiser_routes

websocket_urlpatterns = [*meeting_routes, *organiser_routes]
