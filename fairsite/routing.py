"""WebSocket routes of every app, collected in one list; any other path is refused with 4404."""

from django.urls import re_path

from fairsite.socket_server import NotFoundConsumer
from meetings.routing import websocket_urlpatterns as meeting_routes
from organisers.routing import websocket_urlpatterns as organiser_routes

websocket_urlpatterns = [
    *meeting_routes,
    *organiser_routes,
    re_path(r"", NotFoundConsumer.as_asgi()),  # last: every path no route above matches
]
