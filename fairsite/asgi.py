"""ASGI entry: HTTP through Django, WebSockets through Channels' routing.

``get_asgi_application()`` runs first so the app registry is ready before consumers import models.
Sockets are authenticated from the web session by :mod:`fairsite.socket_auth`, behind its
same-origin check (scheme, host and port). Under daphne, SIGTERM stops listening, lets HTTP
requests in flight finish, drains every socket with 1001 and ends the process within a known
time (:mod:`fairsite.shutdown`, :mod:`fairsite.socket_server`). HTTP requests go through Django's
handler with the middleware chain run synchronously in one call, on a reused thread of its own
(:mod:`fairsite.request_threads`).
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()  # sets Django up; HTTP goes to the handler below

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from fairsite.request_threads import ASGIHandler, RequestThreads  # noqa: E402
from fairsite.routing import websocket_urlpatterns  # noqa: E402
from fairsite.shutdown import CountRequestsInFlight  # noqa: E402
from fairsite.socket_auth import SameOriginValidator, SessionAuthMiddleware  # noqa: E402
from fairsite.socket_server import install_shutdown_drain  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": CountRequestsInFlight(RequestThreads(ASGIHandler())),
        "websocket": SameOriginValidator(SessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

install_shutdown_drain()

# Everything made so far (Django, the apps, the URL conf, the routing) lives as long as the
# process: out of the garbage collector's full passes, which would otherwise scan it again each
# time (a third of what a pass scans with 2,000 sockets open, docs/realtime.md).
gc.freeze()
