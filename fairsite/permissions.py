"""Who may do what, for views. Reuse these in every app.

- :func:`verified_required`: signed in with a verified e-mail address. Anonymous people are sent
  to the sign-in page; unverified accounts may browse but are sent to the page that re-sends the
  confirmation e-mail when they try to act.
- :func:`verified_member_required`: as above, and an approved member of a company at the current
  fair; ``request.member`` and ``request.company`` are set for the view. A person without an
  approved membership is sent to onboarding (a pending one sees the onboarding page too).
- :func:`organiser_required`: verified and in the organisers group; anyone else gets a 404.
- :func:`fair_or_404`: the current fair, or 404 when there is none.
- :func:`get_object_or_404_for`: fetch an object through a queryset already scoped to the
  person; foreign objects answer 404 rather than 403, so their existence does not leak.

Class-based views use the mixins of the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from exhibitors.access import access_flags_load
from exhibitors.selectors import approved_member_for, user_is_verified

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


def fair_or_404(request: HttpRequest) -> Any:
    """The current fair (``request.fair``); 404 when there is none."""
    fair = getattr(request, "fair", None)
    if not fair:
        raise Http404
    return fair


def _verification_check(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_is_verified(user=request.user):
        return redirect("account_email")
    return None


def verified_required(view: View) -> View:
    """Signed in with a verified e-mail address."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        denied = _verification_check(request)
        if denied is not None:
            return denied
        return view(request, *args, **kwargs)

    return wrapper


def verified_member_required(view: View) -> View:
    """An approved member of a company at the current fair (sets ``request.member`` and
    ``request.company``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        denied = _verification_check(request)
        if denied is not None:
            return denied
        fair = fair_or_404(request)
        member = approved_member_for(user=request.user, fair=fair)
        if member is None:
            return redirect("exhibitors:onboarding")
        request.member = member
        request.company = member.company
        return view(request, *args, **kwargs)

    return wrapper


def organiser_required(view: View) -> View:
    """An organiser (staff in the organisers group); everyone else signed in gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access_flags_load(request.user)  # verified and organiser: one query
        denied = _verification_check(request)
        if denied is not None:
            return denied
        if not request.user.is_organiser:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def get_object_or_404_for(queryset: QuerySet[M], **lookup: Any) -> M:
    """``get_object_or_404`` on a queryset that the caller has already scoped to the fair and
    the person. Named so that reviewers can spot unscoped lookups."""
    return get_object_or_404(queryset, **lookup)


class _DecoratedDispatchMixin:
    decorator: Callable[[View], View]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent = super().dispatch  # type: ignore[misc]
        return type(self).decorator(lambda req, *a, **kw: parent(req, *a, **kw))(
            request, *args, **kwargs
        )


class VerifiedRequiredMixin(_DecoratedDispatchMixin):
    decorator = staticmethod(verified_required)


class VerifiedMemberRequiredMixin(_DecoratedDispatchMixin):
    decorator = staticmethod(verified_member_required)


class OrganiserRequiredMixin(_DecoratedDispatchMixin):
    decorator = staticmethod(organiser_required)
