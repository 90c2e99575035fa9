"""The waiting list of a full exhibitor: buyers queue, a freed time is offered to the first
waiting buyer who is free then, with a time limit to accept.

Writes and reads of :class:`~matchmaking.models.WaitlistEntry` and
:class:`~matchmaking.models.WaitlistOffer` in one module (the general ``services.py`` and
``selectors.py`` are past their size).

The flow:

- a buyer joins an exhibitor's list when no time is free for both sides
  (:func:`waitlist_join`), sees their position and may leave (:func:`waitlist_leave`);
- a booking path that frees a time (``meetings.booking.meeting_cancel``, the old time of
  ``meeting_reschedule``) calls :func:`waitlist_slot_freed` inside its transaction, which
  enqueues :func:`matchmaking.tasks.waitlist_offer_slot` (after commit);
- that task offers the time to the first waiting entry, in joining order, whose person is free
  then (:func:`waitlist_offer_next`): their availability covers it, they have no other
  meeting and no other open offer overlapping it, and someone of the exhibitor is free. The
  offer is stored, notified live and e-mailed in the person's language;
- the buyer accepts (:func:`waitlist_offer_accept`: the meeting is booked through
  ``meetings.booking.meeting_book_core`` with its locks; a time taken meanwhile is a clear
  refusal) or declines (:func:`waitlist_offer_decline`); a declined, expired
  (:func:`waitlist_offers_expire`, every minute) or no longer free offer passes the time on to
  the next free waiting buyer.

Exactly once, also with concurrent cancellations: at most one open offer per freed time and
one offer per entry and freed time are unique constraints; a waiting person's offers are
written under their waiting-list lock (:func:`_lock_waiting_person`), so two freed times of
the same hour never both go to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exhibitors.enums import CompanyRole
from exhibitors.models import Company
from fairsite.models import Fair, User
from matchmaking import notifications, selectors
from matchmaking.enums import OfferStatus, WaitlistStatus
from matchmaking.models import WaitlistEntry, WaitlistOffer
from meetings import notifications as meeting_notifications
from meetings.booking import SlotTaken, meeting_book_core
from meetings.models import Meeting, MeetingAttendee
from organisers.live import stats_changed_on_commit

#: The first key of the advisory locks under which a waiting person's offers are written.
WAITING_LOCK_CLASS = 0x57414954  # "WAIT"

CLOSED_OFFER = {
    OfferStatus.ACCEPTED: gettext_lazy("You have already accepted this time."),
    OfferStatus.DECLINED: gettext_lazy("You declined this time; it was offered to the next buyer."),
    OfferStatus.EXPIRED: gettext_lazy(
        "The time to answer this offer has run out; it was offered to the next buyer."
    ),
    OfferStatus.GONE: gettext_lazy("This time is no longer free."),
}


def offer_minutes() -> int:
    """How long a waiting buyer has to accept (``settings.WAITLIST_OFFER_MINUTES``)."""
    return max(1, int(getattr(settings, "WAITLIST_OFFER_MINUTES", 120)))


# --- Reads -----------------------------------------------------------------------------------


def _with_position(entries: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    """Annotate ``ahead``: the waiting entries of the same exhibitor that joined earlier (one
    subquery, whatever the number of rows)."""
    ahead = (
        WaitlistEntry.objects.filter(exhibitor=OuterRef("exhibitor"), status=WaitlistStatus.WAITING)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("exhibitor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return entries.annotate(ahead=Coalesce(Subquery(ahead, output_field=IntegerField()), 0))


def waitlist_entry_of(*, fair: Fair, user: User, exhibitor: Company) -> WaitlistEntry | None:
    """The person's waiting entry for ``exhibitor`` (with ``ahead``), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        _with_position(
            WaitlistEntry.objects.filter(
                fair=fair, user=user, exhibitor=exhibitor, status=WaitlistStatus.WAITING
            )
        )
        .select_related("exhibitor")
        .first()
    )


def waitlist_entries_for(*, fair: Fair, user: User) -> list[WaitlistEntry]:
    """The lists the person waits on, oldest first, each with ``ahead`` (constant queries)."""
    return list(
        _with_position(
            WaitlistEntry.objects.filter(fair=fair, user=user, status=WaitlistStatus.WAITING)
        )
        .select_related("exhibitor")
        .order_by("created_at", "pk")
    )


def waitlist_offers_for(*, fair: Fair, user: User, limit: int = 50) -> list[WaitlistOffer]:
    """The person's offers, open ones first, then the newest."""
    return list(
        WaitlistOffer.objects.filter(fair=fair, entry__user=user)
        .select_related("entry__exhibitor", "entry__user", "exhibitor_user", "meeting", "fair")
        .order_by(
            Case(When(status=OfferStatus.OPEN, then=0), default=1, output_field=IntegerField()),
            "-created_at",
            "-pk",
        )[:limit]
    )


def waitlist_of_exhibitor(*, fair: Fair, company: Company) -> list[WaitlistEntry]:
    """The exhibitor's waiting list in order (for its members and the organisers)."""
    return list(
        WaitlistEntry.objects.filter(fair=fair, exhibitor=company, status=WaitlistStatus.WAITING)
        .select_related("buyer", "user")
        .order_by("created_at", "pk")
    )


def entry_for(*, fair: Fair, user: User, entry_id: Any) -> WaitlistEntry | None:
    """One of the person's own entries; anyone else's is ``None`` (a 404)."""
    try:
        pk = int(entry_id)
    except (TypeError, ValueError):
        return None
    return WaitlistEntry.objects.filter(fair=fair, user=user, pk=pk).first()


def offer_for(*, fair: Fair, user: User, offer_id: Any) -> WaitlistOffer | None:
    """One of the person's own offers; anyone else's is ``None`` (a 404)."""
    try:
        pk = int(offer_id)
    except (TypeError, ValueError):
        return None
    return WaitlistOffer.objects.filter(fair=fair, entry__user=user, pk=pk).first()


def exhibitor_is_full(*, fair: Fair, user: User, company: Company, exhibitor: Company) -> bool:
    """No time is free for both ``user`` (of ``company``) and someone of ``exhibitor``: the
    request form would offer nothing."""
    return not selectors.pair_slot_proposals(
        fair=fair, user=user, company=company, other=exhibitor, limit=1
    )


@dataclass(frozen=True)
class WaitState:
    """What the meet controls show about the waiting list to one viewer of one exhibitor."""

    entry: WaitlistEntry | None
    full: bool

    @property
    def position(self) -> int:
        return int(getattr(self.entry, "ahead", 0)) + 1 if self.entry is not None else 0


def wait_state_for(*, fair: Fair, user: User, company: Company, exhibitor: Company) -> WaitState:
    """The viewer's entry and whether the exhibitor is full (for a buyer viewing an
    exhibitor's profile)."""
    entry = waitlist_entry_of(fair=fair, user=user, exhibitor=exhibitor)
    if entry is not None:
        return WaitState(entry=entry, full=True)
    full = exhibitor_is_full(fair=fair, user=user, company=company, exhibitor=exhibitor)
    return WaitState(entry=None, full=full)


# --- Joining and leaving ---------------------------------------------------------------------


def _buyer_company(*, fair: Fair, user: User) -> Company:
    company = selectors.company_for(fair=fair, user=user)
    if company is None or company.role != CompanyRole.BUYER:
        raise PermissionDenied
    return company


@transaction.atomic
def waitlist_join(*, fair: Fair, user: User, exhibitor: Company) -> WaitlistEntry:
    """Put the person's buyer company on ``exhibitor``'s waiting list.

    Only when the exhibitor is full for them (else they are told to request a meeting). One
    waiting entry per buyer company and exhibitor: a conditional unique constraint decides
    between two joins at once; the second is told they are on the list already."""
    company = _buyer_company(fair=fair, user=user)
    if exhibitor.fair_id != fair.pk or exhibitor.role != CompanyRole.EXHIBITOR:
        raise ValidationError(_("Unknown exhibitor."), code="unknown")
    if WaitlistEntry.objects.filter(
        buyer=company, exhibitor=exhibitor, status=WaitlistStatus.WAITING
    ).exists():
        raise ValidationError(_("Your company is already on this waiting list."), code="already")
    if not exhibitor_is_full(fair=fair, user=user, company=company, exhibitor=exhibitor):
        raise ValidationError(
            _("This exhibitor still has times free for you: request a meeting instead."),
            code="not_full",
        )
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                fair=fair, buyer=company, exhibitor=exhibitor, user=user
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Your company is already on this waiting list."), code="already"
        ) from exc


@transaction.atomic
def waitlist_leave(*, fair: Fair, user: User, entry: WaitlistEntry) -> WaitlistEntry:
    """Leave a waiting list (the entry's own person only). An open offer of the entry is
    declined and passed on.

    Locking rule: the entry row is locked (``select_for_update``), then its open offers."""
    locked = WaitlistEntry.objects.select_for_update().filter(pk=entry.pk, fair=fair).first()
    if locked is None or locked.user_id != user.pk:
        raise PermissionDenied
    if locked.status != WaitlistStatus.WAITING:
        raise ValidationError(_("You are no longer on this waiting list."), code="closed")
    locked.status = WaitlistStatus.LEFT
    locked.save(update_fields=["status", "updated_at"])
    now = timezone.now()
    for offer in WaitlistOffer.objects.select_for_update().filter(
        entry=locked, status=OfferStatus.OPEN
    ):
        _close(offer, OfferStatus.DECLINED, now)
        _pass_on(offer)
    return locked


# --- Offering a freed time -------------------------------------------------------------------


def waitlist_slot_freed(*, meeting: Meeting, start: datetime, end: datetime) -> None:
    """A booked time of ``meeting``'s exhibitor became free (cancelled, or moved away from
    ``start``). Call inside the transaction that freed it: the offer is made after commit
    (:func:`matchmaking.tasks.waitlist_offer_slot`), and only if the exhibitor has a waiting
    list at all."""
    if not WaitlistEntry.objects.filter(
        exhibitor_id=meeting.exhibitor_id, status=WaitlistStatus.WAITING
    ).exists():
        return
    from matchmaking.tasks import waitlist_offer_slot

    waitlist_offer_slot.defer_on_commit(
        meeting_id=meeting.pk, start=start.isoformat(), end=end.isoformat()
    )


def _pass_on(offer: WaitlistOffer) -> None:
    """Offer ``offer``'s time to the next waiting buyer, after commit."""
    from matchmaking.tasks import waitlist_offer_slot

    waitlist_offer_slot.defer_on_commit(
        meeting_id=offer.freed_meeting_id, start=offer.start.isoformat(), end=offer.end.isoformat()
    )


def _close(offer: WaitlistOffer, status: str, now: datetime) -> None:
    offer.status = status
    offer.decided_at = now
    offer.save(update_fields=["status", "decided_at"])


def _lock_waiting_person(user_id: int) -> None:
    """The waiting-list lock of one person (PostgreSQL), held until the transaction ends: the
    check for their overlapping open offers and the new offer's insert run under it, so two
    freed times are never both offered to them. SQLite serialises writers already."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [WAITING_LOCK_CLASS, int(user_id) % 2**31]
        )


def _slot_taken(meeting: Meeting, start: datetime) -> bool:
    return WaitlistOffer.objects.filter(
        freed_meeting=meeting, start=start, status__in=[OfferStatus.OPEN, OfferStatus.ACCEPTED]
    ).exists()


def _has_overlapping_offer(user_id: int, start: datetime, end: datetime) -> bool:
    return WaitlistOffer.objects.filter(
        entry__user_id=user_id, status=OfferStatus.OPEN, start__lt=end, end__gt=start
    ).exists()


class _Taken(Exception):
    """Another run opened an offer for this time first."""


def _offer_to(
    *,
    entry: WaitlistEntry,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    prefer: Sequence[int],
    now: datetime,
    expires: datetime,
) -> WaitlistOffer | None:
    """Offer the time to ``entry`` if its person is free then, in one short transaction.

    Locking rule: the person's waiting-list lock first (:func:`_lock_waiting_person`); then,
    read afresh, the time must have no open or accepted offer, the entry must still wait, the
    person must have no open offer overlapping it, and the pair must have the time free
    (:func:`matchmaking.selectors.pair_slot_proposals` at that start). The insert runs in a
    savepoint; the one-open-offer-per-time constraint refusing it raises :class:`_Taken`."""
    fair = meeting.fair
    with transaction.atomic():
        _lock_waiting_person(entry.user_id)
        if _slot_taken(meeting, start):
            raise _Taken
        if not WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).exists():
            return None
        if _has_overlapping_offer(entry.user_id, start, end):
            return None
        if selectors.company_for(fair=fair, user=entry.user) != entry.buyer:
            return None
        fits = selectors.pair_slot_proposals(
            fair=fair,
            user=entry.user,
            company=entry.buyer,
            other=meeting.exhibitor,
            limit=1,
            now=now,
            prefer_user_ids=prefer,
            at=start,
        )
        if not fits or fits[0].end != end:
            return None
        try:
            with transaction.atomic():
                offer = WaitlistOffer.objects.create(
                    fair=fair,
                    entry=entry,
                    freed_meeting=meeting,
                    exhibitor_user_id=fits[0].other_user_id,
                    start=start,
                    end=end,
                    mode=fits[0].mode,
                    expires_at=expires,
                )
        except IntegrityError as exc:
            raise _Taken from exc
        notifications.waitlist_offered(offer=offer)
        return offer


def waitlist_offer_next(
    *, meeting_id: int, start: datetime, end: datetime, now: datetime | None = None
) -> WaitlistOffer | None:
    """Offer the freed time ``[start, end)`` of ``meeting_id``'s exhibitor to the first waiting
    entry, in joining order, not offered it before and whose person is free then
    (:func:`_offer_to`, one transaction per candidate, so no lock is held while moving on).
    Nothing when the time has an open or accepted offer, or starts before an offer could be
    answered. Safe to run twice and concurrently. Returns the new offer, if any."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_related("fair", "exhibitor").filter(pk=meeting_id).first()
    if meeting is None or start <= now:
        return None
    expires = min(now + timedelta(minutes=offer_minutes()), start)
    if _slot_taken(meeting, start):
        return None
    prefer = list(
        MeetingAttendee.objects.filter(meeting=meeting, company_id=meeting.exhibitor_id)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    offered = WaitlistOffer.objects.filter(freed_meeting=meeting, start=start).values("entry_id")
    candidates = (
        WaitlistEntry.objects.filter(
            exhibitor_id=meeting.exhibitor_id, status=WaitlistStatus.WAITING
        )
        .exclude(pk__in=offered)
        .select_related("user", "buyer")
        .order_by("created_at", "pk")
    )
    for entry in candidates:
        try:
            offer = _offer_to(
                entry=entry,
                meeting=meeting,
                start=start,
                end=end,
                prefer=prefer,
                now=now,
                expires=expires,
            )
        except _Taken:
            return None
        if offer is not None:
            return offer
    return None


# --- Answering an offer ----------------------------------------------------------------------


def _lock_offer(*, fair: Fair, user: User, offer: WaitlistOffer) -> WaitlistOffer:
    locked = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__buyer", "entry__exhibitor", "exhibitor_user", "fair")
        .filter(pk=offer.pk, fair=fair)
        .first()
    )
    if locked is None or locked.entry.user_id != user.pk:
        raise PermissionDenied
    if locked.status != OfferStatus.OPEN:
        raise ValidationError(str(CLOSED_OFFER[locked.status]), code=locked.status)
    return locked


def waitlist_offer_accept(*, fair: Fair, user: User, offer: WaitlistOffer) -> Meeting:
    """Accept an open offer: the meeting is booked for the person and the exhibitor's person.

    Expired offers are closed first (their own transaction). Locking rule: the offer row is
    locked (``select_for_update``), so it is accepted at most once; the booking follows
    :func:`meetings.booking.meeting_book_core` (the attendees' booking locks, exclusion
    constraints on PostgreSQL, the serialised write path on SQLite). A time taken meanwhile
    closes the offer as no longer free, passes it on, and is refused with a clear message
    (:class:`ValidationError`, code ``gone``) after that is committed."""
    waitlist_offers_expire(fair=fair)
    meeting, refusal = _accept(fair=fair, user=user, offer=offer)
    if meeting is None:
        raise ValidationError(refusal, code="gone")
    return meeting


@transaction.atomic
def _accept(*, fair: Fair, user: User, offer: WaitlistOffer) -> tuple[Meeting | None, str]:
    locked = _lock_offer(fair=fair, user=user, offer=offer)
    entry = locked.entry
    now = timezone.now()
    if selectors.company_for(fair=fair, user=user) != entry.buyer:
        raise PermissionDenied
    try:
        meeting = meeting_book_core(
            fair=fair,
            exhibitor=entry.exhibitor,
            buyer=entry.buyer,
            attendees=[(locked.exhibitor_user, entry.exhibitor), (user, entry.buyer)],
            start=locked.start,
            end=locked.end,
            mode=locked.mode,
            by=user,
        )
    except SlotTaken as exc:
        _close(locked, OfferStatus.GONE, now)
        _pass_on(locked)
        return None, _("This time is no longer free: %(reason)s") % {"reason": exc.message}
    locked.status = OfferStatus.ACCEPTED
    locked.meeting = meeting
    locked.decided_at = now
    locked.save(update_fields=["status", "meeting", "decided_at"])
    entry.status = WaitlistStatus.BOOKED
    entry.save(update_fields=["status", "updated_at"])
    meeting_notifications.meeting_booked(meeting=meeting)
    stats_changed_on_commit(fair.pk)
    return meeting, ""


@transaction.atomic
def waitlist_offer_decline(*, fair: Fair, user: User, offer: WaitlistOffer) -> WaitlistOffer:
    """Decline an open offer; the time goes to the next free waiting buyer. The person stays
    on the list for other times.

    Locking rule: the offer row is locked (``select_for_update``)."""
    locked = _lock_offer(fair=fair, user=user, offer=offer)
    _close(locked, OfferStatus.DECLINED, timezone.now())
    _pass_on(locked)
    return locked


def waitlist_offers_expire(*, fair: Fair | None = None, now: datetime | None = None) -> int:
    """Close every open offer whose time to answer has run out and pass each time on to the
    next free waiting buyer. Each offer is closed by a conditional ``UPDATE`` in its own
    transaction (only the run that closed it passes it on): safe from cron in several
    processes at once. Returns how many were closed."""
    now = now or timezone.now()
    due = WaitlistOffer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now)
    if fair is not None:
        due = due.filter(fair=fair)
    closed = 0
    for offer in list(due.only("pk", "freed_meeting_id", "start", "end")):
        with transaction.atomic():
            if WaitlistOffer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(
                status=OfferStatus.EXPIRED, decided_at=now
            ):
                _pass_on(offer)
                closed += 1
    return closed
