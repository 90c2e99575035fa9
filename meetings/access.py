"""Who may see a meeting: the members (approved) of its two companies, and organisers.

Every view, socket and service that takes a meeting id from a client goes through these, scoped
by fair and by who asks; anything else answers 404 (or a documented close code on a socket).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
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
