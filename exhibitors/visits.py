"""Visits: badges scanned at the hall entrance, and online visits of signed-in people.

A person counts once per fair day and kind. The day is the date in the fair's time zone (the
venue's), never the server's. The database decides who was first: the unique constraint
``visit_once_per_person_kind_day`` refuses a second row, so two staff scanning one badge at the
same moment record one visit and the second answers "already checked in".
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, TextChoices
from django.utils.translation import gettext_lazy as _

from exhibitors.enums import VisitKind
from exhibitors.models import Badge, Visit
from fairsite.enums import HALL_STAFF_GROUP
from fairsite.models import Fair, User
from organisers.live import stats_changed_on_commit

#: What a badge's QR code carries: ``SIF:<fair slug>:<code>``; staff may also type the code.
PAYLOAD = re.compile(r"SIF:(?P<fair>[-a-zA-Z0-9_]{1,50}):(?P<code>[A-Za-z0-9_-]{1,32})")
BARE_CODE = re.compile(r"[A-Za-z0-9_-]{4,32}")


class CheckinOutcome(TextChoices):
    FIRST = "first", _("Welcome! Checked in.")
    REPEAT = "repeat", _("Already checked in today.")
    UNKNOWN = "unknown", _("Unknown badge.")
    REVOKED = "revoked", _("This badge has been revoked.")
    OTHER_FAIR = "other_fair", _("This badge is for another fair.")
    CLOSED = "closed", _("The fair is not open today.")


#: Outcomes that let the person in.
ADMITTED = {CheckinOutcome.FIRST, CheckinOutcome.REPEAT}


@dataclass
class CheckinResult:
    outcome: CheckinOutcome
    badge: Badge | None = None
    visit: Visit | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def admitted(self) -> bool:
        return self.outcome in ADMITTED


def badge_payload(*, badge: Badge) -> str:
    """The text of a badge's QR code."""
    return f"SIF:{badge.fair.slug}:{badge.code}"


def parse_scan(text: str) -> tuple[str | None, str | None]:
    """(fair slug or None, code or None) from a scanned QR text or a typed code."""
    text = (text or "").strip()
    if len(text) > 100:
        return None, None
    match = PAYLOAD.fullmatch(text)
    if match:
        return match["fair"], match["code"]
    if BARE_CODE.fullmatch(text):
        return None, text
    return None, None


def fair_day(*, fair: Fair, at: datetime) -> date:
    """The fair day of an instant: its date in the venue's time zone."""
    return at.astimezone(fair.tz).date()


def _savepoint_if_in_transaction() -> Any:
    """Where a refused insert must not abort the caller's transaction, a savepoint; in
    autocommit (a hall request) the single ``INSERT`` is its own transaction already, and
    ``BEGIN`` and ``COMMIT`` would be two more round trips on every scan."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


def visit_checkin(*, fair: Fair, staff: User, scanned: str, now: datetime) -> CheckinResult:
    """Record a hall check-in for the badge in ``scanned`` (a QR text or a typed code).

    One query reads the badge, its person and today's visit if there is one, so a repeat scan
    costs nothing more; a first scan inserts. Locking rule: none in Python. The insert runs in
    a savepoint; the unique constraint on (fair, person, kind, day) makes a concurrent second
    insert wait for the first and then fail, and that failure is the "already checked in"
    answer. Nothing is written for an unknown, revoked or other fair's badge, or on a day the
    fair is not open.
    """
    slug, code = parse_scan(scanned)
    if code is None:
        return CheckinResult(CheckinOutcome.UNKNOWN)
    day = fair_day(fair=fair, at=now)
    today = Visit.objects.filter(
        fair=fair, user=OuterRef("user_id"), kind=VisitKind.ONSITE, day=day
    ).order_by()
    badge = (
        Badge.objects.select_related("user")
        .filter(code=code)
        .annotate(
            visit_id=Subquery(today.values("pk")[:1]), visit_at=Subquery(today.values("at")[:1])
        )
        .first()
    )
    if badge is None:
        return CheckinResult(CheckinOutcome.UNKNOWN)
    if badge.fair_id != fair.pk:
        return CheckinResult(CheckinOutcome.OTHER_FAIR)
    if slug is not None and slug != fair.slug:
        return CheckinResult(CheckinOutcome.UNKNOWN)
    if badge.revoked_at is not None:
        return CheckinResult(CheckinOutcome.REVOKED, badge=badge)
    if not fair.start_date <= day <= fair.end_date:
        return CheckinResult(CheckinOutcome.CLOSED, badge=badge)
    if badge.visit_id is not None:
        first = Visit(
            pk=badge.visit_id,
            fair=fair,
            user_id=badge.user_id,
            badge=badge,
            kind=VisitKind.ONSITE,
            day=day,
            at=badge.visit_at,
        )
        return CheckinResult(CheckinOutcome.REPEAT, badge=badge, visit=first)
    try:
        with _savepoint_if_in_transaction():
            visit = Visit.objects.create(
                fair=fair,
                user_id=badge.user_id,
                badge=badge,
                kind=VisitKind.ONSITE,
                day=day,
                at=now,
                checked_in_by=staff,
            )
        stats_changed_on_commit(fair.pk)
    except IntegrityError:  # another scan of the same badge got in first
        visit = Visit.objects.filter(
            fair=fair, user_id=badge.user_id, kind=VisitKind.ONSITE, day=day
        ).first()
        return CheckinResult(CheckinOutcome.REPEAT, badge=badge, visit=visit)
    return CheckinResult(CheckinOutcome.FIRST, badge=badge, visit=visit)


# --- Online visits ------------------------------------------------------------------------------

#: How long "this person was counted online today" is remembered: longer than any day.
ONLINE_SEEN_SECONDS = 36 * 3600


def online_seen_key(*, fair_id: int, user_id: int, day: date) -> str:
    return f"visit:online:{fair_id}:{user_id}:{day.isoformat()}"


def online_visit_record(*, fair: Fair, user: User, now: datetime) -> bool:
    """Count ``user`` as an online visitor of ``fair`` today; True when this call recorded it.

    Called on every signed-in request, it writes at most once per person and day: a cache key
    per person and day (Redis in production, shared by every process) is added first, and only
    the request that adds it inserts, in a savepoint, and the unique constraint turns a second
    insert (after a cache restart lost the key) into "already counted". Organisers and hall
    staff are not visitors.
    """
    day = fair_day(fair=fair, at=now)
    if not fair.start_date <= day <= fair.end_date:
        return False
    if getattr(user, "_can_check_in", False):  # known already: organisers and hall staff
        return False
    if not cache.add(
        online_seen_key(fair_id=fair.pk, user_id=user.pk, day=day), 1, ONLINE_SEEN_SECONDS
    ):
        return False
    from exhibitors.access import can_check_in

    if can_check_in(user):
        return False
    badge_id = Badge.objects.filter(fair=fair, user=user).values_list("pk", flat=True).first()
    try:
        with transaction.atomic():
            Visit.objects.create(
                fair=fair, user=user, badge_id=badge_id, kind=VisitKind.ONLINE, day=day, at=now
            )
            stats_changed_on_commit(fair.pk)
    except IntegrityError:  # already counted today (the cache had forgotten)
        return False
    return True


# --- Badges: revoke, restore, reprint -----------------------------------------------------------


@transaction.atomic
def badge_revoke(*, badge: Badge, staff: User, now: datetime) -> Badge:
    """Refuse this badge at the entrance from now on (its visits so far still count)."""
    Badge.objects.filter(pk=badge.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=staff
    )
    badge.refresh_from_db()
    return badge


@transaction.atomic
def badge_restore(*, badge: Badge, staff: User) -> Badge:
    Badge.objects.filter(pk=badge.pk).update(revoked_at=None, revoked_by=None)
    badge.refresh_from_db()
    return badge


def badge_printed(*, badge: Badge) -> None:
    """Count a print (the staff list shows reprints)."""
    from django.db.models import F

    Badge.objects.filter(pk=badge.pk).update(printed_count=F("printed_count") + 1)


# --- Hall staff ---------------------------------------------------------------------------------


@transaction.atomic
def hall_staff_grant(*, email: str, organiser: User) -> User | None:
    """Put the person with this e-mail address in the hall staff group; None if unknown."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return None
    group, _created = Group.objects.get_or_create(name=HALL_STAFF_GROUP)
    user.groups.add(group)
    return user


@transaction.atomic
def hall_staff_remove(*, user: User, organiser: User) -> None:
    group = Group.objects.filter(name=HALL_STAFF_GROUP).first()
    if group is not None:
        user.groups.remove(group)
