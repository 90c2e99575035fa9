"""Who may see a meeting: the members (approved) of its two companies, and organisers.

Every view, socket and service that takes a meeting id from a client goes through these, scoped
by fair and by who asks; anything else answers 404 (or a documented close code on a socket).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from exhibitors.enums import MembershipStatus
from exhibitors.models import Company, Member
from exhibitors.selectors import approved_member_for
from fairsite.async_db import CompiledQuery, concrete_columns, instances_from_row, on_postgresql
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
    """The meeting if ``user`` may see it, with its two companies and its fair, else ``None``
    (callers answer 404). For a page: the rule of :func:`meetings_visible_to` read through the
    person's membership as the request has loaded it (one per person and fair,
    ``member_one_company_per_fair``), so the meeting is one plain query by its key."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if meeting_id <= 0 or fair is None:
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_organiser:
        rows = _MEETING_ANY.fetch_sync(fair_id=fair.pk, meeting_id=meeting_id)
    else:
        member = approved_member_for(user=user, fair=fair)
        if member is None:
            return None
        rows = _MEETING_OF.fetch_sync(
            fair_id=fair.pk, meeting_id=meeting_id, company_id=member.company_id
        )
    if not rows:
        return None
    columns, companies = _meeting_columns()
    meeting, meeting.exhibitor, meeting.buyer = instances_from_row(
        rows[0], (Meeting, columns), (Company, companies), (Company, companies)
    )
    # The meeting's fair is ``fair`` itself (the filter says so), not a join.
    meeting.fair = meeting.exhibitor.fair = meeting.buyer.fair = fair
    return meeting


@functools.cache
def _meeting_columns() -> tuple[list[str], list[str]]:
    return concrete_columns(Meeting), concrete_columns(Company)


def _meeting_rows(*, fair_id: int, meeting_id: int, company_id: int | None = None) -> QuerySet:
    """The meeting by its key with its two companies; of ``company_id``'s when given. No
    ordering: Django would compile an ORDER BY over every selected column."""
    meetings = Meeting.objects.filter(fair_id=fair_id, pk=meeting_id)
    if company_id is not None:
        meetings = meetings.filter(Q(exhibitor_id=company_id) | Q(buyer_id=company_id))
    columns, companies = _meeting_columns()
    return meetings.order_by().values_list(
        *columns,
        *(f"exhibitor__{name}" for name in companies),
        *(f"buyer__{name}" for name in companies),
    )[:1]


# Every room, calendar file and feedback page asks it: compiled once per process.
_MEETING_ANY = CompiledQuery(_meeting_rows, fair_id=-(2**41) - 23, meeting_id=-(2**41) - 29)
_MEETING_OF = CompiledQuery(
    _meeting_rows, fair_id=-(2**41) - 23, meeting_id=-(2**41) - 29, company_id=-(2**41) - 31
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


def _room_access_rows(*, meeting_id: int, user_id: int) -> QuerySet[Meeting, tuple[Any, ...]]:
    """The query of :func:`room_meeting_for_user`: the meeting by its primary key, with its
    companies' ids and names, the current fair's id, the user's approved company at the
    meeting's fair and whether it is one of the meeting's two."""
    approved = Member.objects.filter(
        fair=OuterRef("fair"), user_id=user_id, status=MembershipStatus.APPROVED
    )
    return (
        Meeting.objects.filter(pk=meeting_id)
        .order_by()
        .annotate(
            # Compared here rather than filtered: PostgreSQL then always finds the meeting by
            # its primary key (a filter on the fair can steer it to the fair's index).
            _current_fair_id=current_fair_id_expression(),
            _user_company_id=Subquery(approved.values("company_id")[:1]),
            _user_is_participant=Exists(
                approved.filter(Q(company=OuterRef("exhibitor")) | Q(company=OuterRef("buyer")))
            ),
        )
        .values_list(*ROOM_ACCESS_COLUMNS)[:1]
    )


_COMPANY_NAMES = ("name_vi", "name_en", "name_native")  # Company.display_name, in field order
ROOM_ACCESS_COLUMNS = (
    "id",
    "fair_id",
    "start",
    "end",
    "mode",
    "status",
    "exhibitor_id",
    *(f"exhibitor__{name}" for name in _COMPANY_NAMES),
    "buyer_id",
    *(f"buyer__{name}" for name in _COMPANY_NAMES),
    "_current_fair_id",
    "_user_company_id",
    "_user_is_participant",
)

# Compiled once per process (and per FAIR_SLUG, which the current fair depends on): a socket's
# handshake runs it with its own meeting and user, without building the query again.
_ROOM_ACCESS = CompiledQuery(
    _room_access_rows,
    variant=lambda: settings.FAIR_SLUG,
    meeting_id=-(2**41) - 1,
    user_id=-(2**41) - 2,
)


@dataclass(frozen=True)
class RoomAccess:
    """A meeting the user may see, as :func:`room_meeting_for_user` read it."""

    meeting_id: int
    fair_id: int
    start: datetime
    end: datetime
    mode: str
    status: str
    exhibitor: Company
    buyer: Company
    user_company_id: int | None  # the user's approved company at the meeting's fair


def _company(values: tuple[Any, ...]) -> Company:
    return Company.from_db(None, ["id", *_COMPANY_NAMES], values)


def _room_access_args(*, user: Any, meeting_id: Any) -> int | None:
    """The meeting id to read, or ``None`` when no query is needed to refuse."""
    try:
        meeting_id = int(meeting_id)
    except (TypeError, ValueError):
        return None
    if meeting_id <= 0 or meeting_id > 2**63 - 1:  # a bigint key
        return None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return meeting_id


def _room_access_decide(rows: list[Any], *, is_organiser: Callable[[], bool]) -> RoomAccess | None:
    if not rows:
        return None
    row = rows[0]
    fair_id, current_fair_id, user_company_id, participant = row[1], *row[-3:]
    if fair_id != current_fair_id:
        return None
    if not (participant or is_organiser()):
        return None
    return RoomAccess(
        meeting_id=row[0],
        fair_id=fair_id,
        start=row[2],
        end=row[3],
        mode=row[4],
        status=row[5],
        exhibitor=_company(row[6:10]),
        buyer=_company(row[10:14]),
        user_company_id=user_company_id,
    )


def room_meeting_for_user(*, user: Any, meeting_id: Any) -> RoomAccess | None:
    """In one query: the meeting of the current fair if ``user`` may see it (the rules of
    :func:`get_meeting_for_user`), with its companies, and the user's approved company at that
    fair (:func:`user_company_id`); ``None`` when the user may not see it or it does not exist.

    ``user.is_organiser`` must be known without a query (cached on the user, as the socket
    middleware does, or a superuser); otherwise it costs one more."""
    checked = _room_access_args(user=user, meeting_id=meeting_id)
    if checked is None:
        return None
    rows = _ROOM_ACCESS.fetch_sync(meeting_id=checked, user_id=user.pk)
    return _room_access_decide(rows, is_organiser=lambda: user.is_organiser)


async def room_meeting_for_user_async(*, user: Any, meeting_id: Any) -> RoomAccess | None:
    """:func:`room_meeting_for_user` from the event loop: the same compiled query on the loop's
    own PostgreSQL connections (:mod:`fairsite.async_db`), no worker thread. Elsewhere (SQLite),
    or for a user whose organiser flag is not known yet, in a worker thread."""
    organiser = (
        True if getattr(user, "is_superuser", False) else getattr(user, "_is_organiser", None)
    )
    if not on_postgresql() or organiser is None:
        return await database_sync_to_async(room_meeting_for_user, thread_sensitive=False)(
            user=user, meeting_id=meeting_id
        )
    checked = _room_access_args(user=user, meeting_id=meeting_id)
    if checked is None:
        return None
    rows = await _ROOM_ACCESS.fetch(meeting_id=checked, user_id=user.pk)
    return _room_access_decide(rows, is_organiser=lambda: bool(organiser))
