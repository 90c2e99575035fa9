"""Who may check visitors in at the hall: organisers, and the people they put in the hall staff
group. Views, services and templates ask :func:`can_check_in`; everyone else gets a 404."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from fairsite.enums import HALL_STAFF_GROUP, ORGANISERS_GROUP


def can_check_in(user: Any) -> bool:
    """Organisers and hall staff (one query, then cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_can_check_in", None)
    if cached is None:
        # One query answers both questions; ``is_organiser`` reads the same cache.
        names = set(
            user.groups.filter(name__in=[ORGANISERS_GROUP, HALL_STAFF_GROUP]).values_list(
                "name", flat=True
            )
        )
        if getattr(user, "_is_organiser", None) is None:
            user._is_organiser = ORGANISERS_GROUP in names
        cached = bool(names)
        user._can_check_in = cached
    return cached


def access_flags_load(user: Any) -> None:
    """Read at once, in one query, what the permission checks of a request ask about the
    person (a verified e-mail address, the organisers group, the hall staff group), unless
    ``fairsite.middleware.ViewerMiddleware`` already did for this request: the query is
    :func:`exhibitors.selectors.viewer_flags_load`, which keeps the answers on the user object
    where :func:`exhibitors.selectors.user_is_verified`, ``User.is_organiser`` and
    :func:`can_check_in` look first."""
    if not getattr(user, "is_authenticated", False) or hasattr(user, "_can_check_in"):
        return
    from exhibitors.selectors import viewer_flags_load

    viewer_flags_load(user=user)


def hall_staff_required(view: Any) -> Any:
    """Signed in and verified, and organiser or hall staff; anyone else signed in gets a 404.
    The flags are read in one query before the checks (:func:`access_flags_load`)."""
    from fairsite.permissions import verified_required

    @wraps(view)
    def allowed(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_check_in(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    checked = verified_required(allowed)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_flags_load(request.user)
        return checked(request, *args, **kwargs)

    return wrapper
