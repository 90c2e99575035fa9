"""Counts signed-in people as online visitors, once per fair day (see
:func:`exhibitors.visits.online_visit_record`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from exhibitors.visits import online_visit_record

Handler = Callable[[HttpRequest], HttpResponse]


class OnlineVisitMiddleware:
    """After a signed-in person's successful page or API request, count them online today.

    One cache ``add`` per request; a database write only the first time each day.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and response.status_code < 400
            and not request.path.startswith(("/static/", "/admin/", "/healthz"))
        ):
            fair = getattr(request, "fair", None)
            if fair:
                online_visit_record(fair=fair, user=user, now=timezone.now())
        return response
