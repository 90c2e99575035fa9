"""WebSocket routes of the organisers app."""

from django.urls import path

from organisers import consumers

websocket_urlpatterns = [
    path("ws/organisers/", consumers.OrganisersConsumer.as_asgi()),
]
