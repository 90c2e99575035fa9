"""Who may see a meeting: the members (approved) of its two companies, and organisers.

Every view, socket and service that takes a meeting id from a client goes through these, scoped
by fair and by who asks; anything else answers 404 (or a documented close code on a socket).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
from fairsite.models import Fair
from meetings.models import Meeting


def meetings_visible_to(*, fair: Any, user: Any) -> QuerySet[Meeting]:
    """Meetings of ``fair`` that ``user`` may see."""
    base = Meeting.objects.filter(fair=fair)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if user.is_organiser:
        return base
    approved = Member.objects.filter(fair=fair, user=user, status=MembershipStatus.APPROVED).filter(
        Q(company=OuterRef("exhibitor")) | Q(company=OuterRef("buyer"))
    )
    return base.filter(Exists(approved))


def get_meeting_for_user(*, fair: Any, user: Any, meeting_id: Any) -> Meeting | None:
    """The meeting if ``user`` may see it, else ``None`` (callers answer 404)."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if meeting_id <= 0 or fair is None:
        return None
    return (
        meetings_visible_to(fair=fair, user=user)
        .select_related("exhibitor", "buyer", "fair")
        .filter(pk=meeting_id)
        .first()
    )


def user_company_id(*, fair: Any, user: Any) -> int | None:
    """The approved company of ``user`` at ``fair``, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.filter(fair=fair, user=user, status=MembershipStatus.APPROVED)
        .values_list("company_id", flat=True)
        .first()
    )


def current_fair_id_expression() -> Any:
    """``Fair.objects.current()``'s id as a subquery, to resolve it inside another query."""
    if settings.FAIR_SLUG:
        return Subquery(Fair.objects.filter(slug=settings.FAIR_SLUG).values("pk")[:1])
    return Coalesce(
        Subquery(Fair.objects.filter(is_current=True).values("pk")[:1]),
        Subquery(Fair.objects.order_by("-start_date").values("pk")[:1]),
    )


def room_meeting_for_user(*, user: Any, meeting_id: Any) -> tuple[Meeting, int | None] | None:
    """In one query: the meeting of the current fair if ``user`` may see it (the rules of
    :func:`get_meeting_for_user`), with its companies, and the user's approved company at that
    fair (:func:`user_company_id`); ``None`` when the user may not see it or it does not exist.

    ``user.is_organiser`` must be known without a query (cached on the user, as the socket
    middleware does, or a superuser); otherwise it costs one more."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if meeting_id <= 0:
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    approved = Member.objects.filter(
        fair=OuterRef("fair"), user=user, status=MembershipStatus.APPROVED
    )
    names = ("name_en", "name_vi", "name_native")  # Company.display_name
    rows = (
        Meeting.objects.filter(pk=meeting_id)
        .select_related("exhibitor", "buyer")
        .only(
            "fair",
            "start",
            "end",
            "mode",
            "status",
            *(f"{side}__{name}" for side in ("exhibitor", "buyer") for name in names),
        )
        .order_by()
        .annotate(
            # Compared here rather than filtered: PostgreSQL then always finds the meeting by
            # its primary key (a filter on the fair can steer it to the fair's index).
            _current_fair_id=current_fair_id_expression(),
            _user_company_id=Subquery(approved.values("company_id")[:1]),
            _user_is_participant=Exists(
                approved.filter(Q(company=OuterRef("exhibitor")) | Q(company=OuterRef("buyer")))
            ),
        )[:1]
    )
    meeting = next(iter(rows), None)
    if meeting is None or meeting.fair_id != meeting._current_fair_id:
        return None
    if not (meeting._user_is_participant or user.is_organiser):
        return None
    return meeting, meeting._user_company_id
