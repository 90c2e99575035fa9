"""Writes for matchmaking: grid settings, availability, interests, recommendations, meeting
requests, calendar tokens and the hosted-buyer scheduler's runs.

Every service is keyword-only, typed and transactional, takes the fair and the acting person,
and checks permissions itself (views check too and answer 404). State changes of a request
lock its row with ``select_for_update``. Follow-ups (e-mail, live events) are sent after
commit, in each recipient's language.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, time
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exhibitors.enums import Attendance, CompanyRole, MembershipStatus
from exhibitors.models import Company, Member
from fairsite.channels import (
    SCHEDULE_PUBLISHED,
    broadcast_on_commit,
    fair_group,
)
from fairsite.models import Fair, User
from matchmaking import notifications, recommend, selectors
from matchmaking import slots as grid
from matchmaking.enums import InterestLevel, RequestStatus, RunStatus
from matchmaking.feedback import feedback_behaviour
from matchmaking.models import (
    Availability,
    CalendarToken,
    FairBreak,
    GridSettings,
    Interest,
    MeetingRequest,
    ProposedSlot,
    Recommendation,
    SchedulerRun,
    new_calendar_token,
)
from meetings import notifications as meeting_notifications
from meetings.booking import meeting_book_core, meeting_cancel
from meetings.enums import MeetingStatus
from meetings.models import Deal, Meeting
from organisers.live import stats_changed_on_commit

logger = logging.getLogger(__name__)

MAX_PROPOSED_SLOTS = 3


def max_pending_requests() -> int:
    """Per-person limit of outgoing requests waiting for an answer
    (``settings.MATCHMAKING_MAX_PENDING_REQUESTS``, default 20)."""
    return int(getattr(settings, "MATCHMAKING_MAX_PENDING_REQUESTS", 20))


def _require_organiser(user: User) -> None:
    if not getattr(user, "is_organiser", False):
        raise PermissionDenied


def _require_company(*, fair: Fair, user: User) -> Company:
    company = selectors.company_for(fair=fair, user=user)
    if company is None:
        raise PermissionDenied
    return company


def _check_counterpart(*, fair: Fair, company: Company, target: Company) -> None:
    if target.fair_id != fair.pk or target.pk == company.pk:
        raise ValidationError(_("Choose another company at this fair."))
    if {company.role, target.role} != {CompanyRole.BUYER, CompanyRole.EXHIBITOR}:
        raise ValidationError(_("Meetings are between buyers and exhibitors."))


# --- Grid settings -------------------------------------------------------------------------------


@transaction.atomic
def grid_settings_update(
    *,
    fair: Fair,
    by: User,
    day_start: time,
    day_end: time,
    slot_minutes: int,
    tables: int,
    online_capacity: int | None,
    online_start: time,
    online_end: time,
    breaks: Sequence[tuple[time, time]] = (),
) -> GridSettings:
    """Set the fair's meeting grid (organisers only). Hours are venue-local times.

    Locking rule: the fair row is locked (``select_for_update``) so two organisers saving at
    once cannot interleave, and online bookings (which lock it too) wait for the new capacity.
    """
    _require_organiser(by)
    errors: dict[str, str] = {}
    if day_end <= day_start:
        errors["day_end"] = _("Meetings must end after they start.")
    if not 15 <= slot_minutes <= 60:
        errors["slot_minutes"] = _("A slot lasts between 15 and 60 minutes.")
    if online_end <= online_start:
        errors["online_end"] = _("The online window must end after it starts.")
    elif online_start > day_start or online_end < day_end:
        errors["online_start"] = _("The online window must include the hall's meeting hours.")
    for start, end in breaks:
        if end <= start:
            errors["breaks"] = _("Each break must end after it starts.")
    if errors:
        raise ValidationError(errors)
    locked = Fair.objects.select_for_update().get(pk=fair.pk)
    locked.day_start, locked.day_end = day_start, day_end
    locked.slot_minutes, locked.tables, locked.online_capacity = (
        slot_minutes,
        tables,
        online_capacity,
    )
    locked.save(update_fields=["day_start", "day_end", "slot_minutes", "tables", "online_capacity"])
    for name in ("day_start", "day_end", "slot_minutes", "tables", "online_capacity"):
        setattr(fair, name, getattr(locked, name))
    settings_, _created = GridSettings.objects.update_or_create(
        fair=locked, defaults={"online_start": online_start, "online_end": online_end}
    )
    FairBreak.objects.filter(fair=locked).delete()
    FairBreak.objects.bulk_create(FairBreak(fair=locked, start=a, end=b) for a, b in breaks)
    return settings_


# --- Availability --------------------------------------------------------------------------------


@transaction.atomic
def availability_set(*, fair: Fair, user: User, slot_ids: Iterable[str]) -> int:
    """Replace the person's availability by the chosen grid slots (stored merged, in UTC).
    Returns the number of stored intervals."""
    _require_company(fair=fair, user=user)
    chosen = set(slot_ids)
    if not chosen:
        raise ValidationError(
            _("Tick at least one time, or reset to the default hours for your attendance.")
        )
    by_id = {s.id: s for s in selectors.fair_grid(fair=fair)}
    unknown = chosen - by_id.keys()
    if unknown:
        raise ValidationError(_("Some of the chosen times are not part of the fair's grid."))
    intervals = grid.merge((by_id[i].start, by_id[i].end) for i in chosen)
    Availability.objects.filter(fair=fair, user=user).delete()
    Availability.objects.bulk_create(
        Availability(fair=fair, user=user, start=a, end=b) for a, b in intervals
    )
    return len(intervals)


@transaction.atomic
def availability_reset(*, fair: Fair, user: User) -> None:
    """Forget what the person entered: the defaults for their attendance apply again."""
    Availability.objects.filter(fair=fair, user=user).delete()


# --- Interests -----------------------------------------------------------------------------------


@transaction.atomic
def interest_set(*, fair: Fair, user: User, target: Company, level: str) -> Interest | None:
    """Mark another company must meet / maybe / not interested ("" clears the mark).
    "Not interested" removes the pair from both companies' recommendations at once."""
    company = _require_company(fair=fair, user=user)
    _check_counterpart(fair=fair, company=company, target=target)
    if level == "":
        Interest.objects.filter(from_company=company, to_company=target).delete()
        return None
    if level not in InterestLevel.values:
        raise ValidationError(_("Unknown choice."))
    interest, _created = Interest.objects.update_or_create(
        from_company=company,
        to_company=target,
        defaults={"fair": fair, "level": level, "set_by": user},
    )
    if level == InterestLevel.NO:
        Recommendation.objects.filter(
            Q(company=company, other=target) | Q(company=target, other=company)
        ).delete()
    return interest


# --- Recommendations -----------------------------------------------------------------------------

# A company without members is assumed to work in its country's main zone.
COUNTRY_ZONES = {
    "VN": "Asia/Ho_Chi_Minh",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "TH": "Asia/Bangkok",
    "US": "America/New_York",
    "CN": "Asia/Shanghai",
    "TW": "Asia/Taipei",
    "SG": "Asia/Singapore",
    "DE": "Europe/Berlin",
}


def _company_hours(
    *,
    fair: Fair,
    companies: Sequence[Company],
    slots: Sequence[grid.GridSlot],
    spec: grid.GridSpec,
) -> dict[int, Any]:
    """Per company, a bool vector over the grid: someone of the company is available."""
    import numpy as np

    members: dict[int, list[tuple[int, str]]] = {}
    for company_id, user_id, zone in Member.objects.filter(
        fair=fair, status=MembershipStatus.APPROVED
    ).values_list("company_id", "user_id", "user__time_zone"):
        members.setdefault(company_id, []).append((user_id, zone))
    own: dict[int, list[grid.Interval]] = {}
    for user_id, start, end in Availability.objects.filter(fair=fair).values_list(
        "user_id", "start", "end"
    ):
        own.setdefault(user_id, []).append((start, end))
    cache: dict[Any, Any] = {}

    def mask(intervals: list[grid.Interval]) -> Any:
        return np.fromiter(
            (grid.covers(intervals, s.start, s.end) for s in slots), dtype=bool, count=len(slots)
        )

    def default(zone: str, onsite: bool) -> Any:
        key = (zone, onsite)
        if key not in cache:
            cache[key] = mask(grid.default_availability(spec, zone=zone, onsite=onsite))
        return cache[key]

    out: dict[int, Any] = {}
    for company in companies:
        onsite = company.attendance == Attendance.ONSITE
        people = members.get(company.pk) or []
        if not people:
            zone = COUNTRY_ZONES.get(str(company.country), fair.time_zone)
            out[company.pk] = default(zone, onsite)
            continue
        vector = np.zeros(len(slots), dtype=bool)
        for user_id, zone in people:
            if own.get(user_id):
                vector |= mask(grid.merge(own[user_id]))
            else:
                vector |= default(zone, onsite)
        out[company.pk] = vector
    return out


def recommendation_records(*, fair: Fair) -> list[recommend.CompanyRecord]:
    """Plain records of every buyer and exhibitor of the fair (a fixed number of queries)."""
    companies = list(
        Company.objects.filter(fair=fair, role__in=[CompanyRole.BUYER, CompanyRole.EXHIBITOR])
    )
    through = Company.sectors.through
    sectors: dict[int, set[str]] = {}
    for cid, code in through.objects.filter(company__fair=fair).values_list(
        "company_id", "sector__code"
    ):
        sectors.setdefault(cid, set()).add(code)
    certs: dict[int, set[str]] = {}
    for cid, code in Company.certifications.through.objects.filter(company__fair=fair).values_list(
        "company_id", "certification__code"
    ):
        certs.setdefault(cid, set()).add(code)
    required: dict[int, set[str]] = {}
    for cid, code in Company.required_certifications.through.objects.filter(
        company__fair=fair
    ).values_list("company_id", "certification__code"):
        required.setdefault(cid, set()).add(code)
    spec = selectors.grid_spec(fair=fair)
    slots = grid.build_grid(spec)
    hours = _company_hours(fair=fair, companies=companies, slots=slots, spec=spec)
    records = []
    for c in companies:
        if c.role == CompanyRole.EXHIBITOR:
            text = " ".join([c.capabilities, c.key_product_name, c.description])
            needs = ""
        else:
            text = c.sourcing_needs or c.description
            needs = " ".join(text.split())
            needs = needs if len(needs) <= 80 else needs[:77].rsplit(" ", 1)[0] + "…"
        records.append(
            recommend.CompanyRecord(
                id=c.pk,
                role=c.role,
                text=text,
                sectors=frozenset(sectors.get(c.pk, ())),
                certs=frozenset(certs.get(c.pk, ())),
                required=frozenset(required.get(c.pk, ())),
                languages=frozenset(c.languages or ()),
                hours=hours[c.pk],
                needs_snippet=needs,
                name=c.display_name,
                key_product=c.key_product_name if c.key_product_year else "",
                key_product_year=c.key_product_year,
            )
        )
    return records


def recommendation_behaviour(*, fair: Fair) -> dict[tuple[int, int], str]:
    """What the companies did, for :mod:`matchmaking.learning`: ``(a, b) → accepted`` for an
    accepted request from a to b or a meeting between them, ``declined`` for a declined
    request from a to b, ``deal`` for a deal a logged with b, ``useful`` / ``not_useful`` for
    a's rating of a meeting with b (four queries)."""
    out: dict[tuple[int, int], str] = {}
    for a, b, status in MeetingRequest.objects.filter(
        fair=fair, status__in=[RequestStatus.ACCEPTED, RequestStatus.DECLINED]
    ).values_list("requester_id", "recipient_id", "status"):
        out[(a, b)] = "accepted" if status == RequestStatus.ACCEPTED else "declined"
    for buyer, exhibitor in (
        Meeting.objects.filter(fair=fair)
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("buyer_id", "exhibitor_id")
    ):
        out.setdefault((buyer, exhibitor), "accepted")
    for a, b in Deal.objects.filter(fair=fair, counterpart__isnull=False).values_list(
        "company_id", "counterpart_id"
    ):
        out[(a, b)] = "deal"
    for pair, kind in feedback_behaviour(fair=fair).items():
        if out.get(pair) != "deal":
            out[pair] = kind
    return out


def recommendation_vocabulary() -> Any:
    """The organisers' vocabulary (``Concept`` rows), or the shipped file when the table is
    empty."""
    from matchmaking.concepts import Vocabulary, default_vocabulary
    from matchmaking.models import Concept

    rows = [c.as_data() for c in Concept.objects.select_related("broader")]
    return Vocabulary.from_data(rows) if rows else default_vocabulary()


def recommendations_compute(*, fair: Fair, top_n: int = 20) -> int:
    """Compute and store the top ``top_n`` recommendations of every buyer and exhibitor.

    The scoring runs outside any transaction (seconds for a fair-size fair); the old rows are
    then replaced in one short transaction, so readers see either the old or the new set.
    Returns the number of stored rows.
    """
    records = recommendation_records(fair=fair)
    interests = {
        (a, b): level
        for a, b, level in Interest.objects.filter(fair=fair).values_list(
            "from_company_id", "to_company_id", "level"
        )
    }
    results = recommend.compute(
        records,
        interests=interests,
        behaviour=recommendation_behaviour(fair=fair),
        top_n=top_n,
        slot_minutes=fair.slot_minutes,
        vocabulary=recommendation_vocabulary(),
    )
    now = timezone.now()
    with transaction.atomic():
        Recommendation.objects.filter(fair=fair).delete()
        Recommendation.objects.bulk_create(
            (
                Recommendation(
                    fair=fair,
                    company_id=r.company_id,
                    other_id=r.other_id,
                    rank=r.rank,
                    score=r.score,
                    reasons=r.reasons,
                    computed_at=now,
                )
                for r in results
            ),
            batch_size=2000,
        )
    return len(results)


def recommendations_recompute_for_company(*, fair: Fair, company: Company) -> int:
    """Recompute after ``company``'s profile changed. A changed profile can move the company
    into or out of every counterpart's list, and the floor and the top-N of each list depend on
    the others, so the fair's recommendations are recomputed as a whole (a few seconds at fair
    size, see ``bench/recommend_bench.py``). Returns the number of stored rows."""
    if company.fair_id != fair.pk:
        raise ValidationError(_("Unknown company."))
    return recommendations_compute(fair=fair)


def recommendations_refresh_request(*, fair: Fair, company: Company) -> None:
    """Mark the fair's recommendations out of date after ``company`` was created or edited and
    enqueue the recompute (after commit; coalesced per fair, so a burst of edits leaves at most
    one run waiting).

    Locking rule: the mark is an ``UPDATE`` of the fair's one ``RecommendationRefresh`` row,
    so it holds that row until this transaction ends; a recompute that claims the marks
    (:func:`recommendations_refresh_claim`) waits for it and then sees this edit. The row is
    created by the fair's first edit."""
    from matchmaking.tasks import recommendations_refresh

    recommendations_refresh_mark(fair_id=fair.pk)
    recommendations_refresh.defer_on_commit(fair_id=fair.pk, company_id=company.pk)


def recommendations_refresh_mark(*, fair_id: int) -> None:
    """Mark the fair's recommendations out of date (``requested`` + 1; the row is created by
    the fair's first mark). Also used by a recompute that failed, so its retry finds the work
    again."""
    from matchmaking.models import RecommendationRefresh

    now = timezone.now()
    marked = RecommendationRefresh.objects.filter(fair_id=fair_id).update(
        requested=F("requested") + 1, requested_at=now
    )
    if not marked:
        try:
            with transaction.atomic():
                RecommendationRefresh.objects.create(fair_id=fair_id, requested=1, requested_at=now)
        except IntegrityError:  # a concurrent first mark created it
            RecommendationRefresh.objects.filter(fair_id=fair_id).update(
                requested=F("requested") + 1, requested_at=now
            )


def recommendations_refresh_claim(*, fair_id: int) -> bool:
    """Claim every edit marked so far for a recompute (one conditional ``UPDATE``, committed at
    once): ``True`` when there was one to claim, ``False`` when an earlier run covered them."""
    from matchmaking.models import RecommendationRefresh

    with transaction.atomic():
        return bool(
            RecommendationRefresh.objects.filter(
                fair_id=fair_id, claimed__lt=F("requested")
            ).update(claimed=F("requested"))
        )


# --- Meeting requests ----------------------------------------------------------------------------


def _people_of(req: MeetingRequest, company_id: int) -> list[User]:
    """Whom to tell on a side: the requester's person, or the recipient's person once one has
    answered (else every approved member of the recipient company)."""
    if company_id == req.requester_id:
        return [req.requested_by]
    if req.answered_by_id:
        return [req.answered_by]
    return [
        m.user
        for m in Member.objects.filter(company_id=company_id, status=MembershipStatus.APPROVED)
        .select_related("user")
        .order_by("id")
    ]


def _notify(
    *,
    req: MeetingRequest,
    kind: str,
    actor_company: Company,
    meeting: Meeting | None = None,
) -> None:
    """Tell the other side's people about this step (``matchmaking.notifications``), and the
    organisers' figures (every step changes the request counts)."""
    stats_changed_on_commit(req.fair_id)
    recipients = _people_of(req, req.other_company_id(actor_company.pk))
    event = {
        "request.received": notifications.request_received,
        "request.declined": notifications.request_declined,
        "request.countered": notifications.request_countered,
        "request.cancelled": notifications.request_cancelled,
    }
    if kind == "request.accepted":
        notifications.request_accepted(
            req=req, actor_company=actor_company, recipients=recipients, meeting=meeting
        )
    else:
        event[kind](req=req, actor_company=actor_company, recipients=recipients)


def meeting_requests_expire(*, fair: Fair, now: datetime | None = None) -> int:
    """Mark expired every pending request whose proposed times have all started.

    One conditional ``UPDATE``: safe to run at every read, from a cron job
    (``manage.py expire_meeting_requests``) or both at once.
    """
    now = now or timezone.now()
    stale = MeetingRequest.objects.filter(fair=fair, status=RequestStatus.PENDING).exclude(
        pk__in=ProposedSlot.objects.filter(
            request__fair=fair, request__status=RequestStatus.PENDING, start__gt=now
        )
        .filter(round=F("request__round"))
        .values("request_id")
    )
    expired = stale.update(status=RequestStatus.EXPIRED, updated_at=now)
    if expired:
        stats_changed_on_commit(fair.pk)
    return expired


def _expire_first(func: Any) -> Any:
    """Expire stale requests in their own short transaction before acting, so that an expiry
    found while acting is stored even though the action itself is refused."""

    @wraps(func)
    def wrapper(*, request: MeetingRequest, **kwargs: Any) -> Any:
        meeting_requests_expire(fair=Fair(pk=request.fair_id))
        return func(request=request, **kwargs)

    return wrapper


def _lock(req: MeetingRequest) -> MeetingRequest:
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("fair", "requester", "recipient", "exhibitor", "buyer", "requested_by")
        .select_related("answered_by")
        .get(pk=req.pk)
    )


def _acting_company(req: MeetingRequest, user: User) -> Company:
    company = selectors.company_for(fair=req.fair, user=user)
    if company is None or company.pk not in (req.requester_id, req.recipient_id):
        raise PermissionDenied
    return company


CLOSED_MESSAGES = {
    RequestStatus.ACCEPTED: gettext_lazy("This request has already been accepted."),
    RequestStatus.DECLINED: gettext_lazy(
        "This request was declined and can no longer be accepted or changed."
    ),
    RequestStatus.CANCELLED: gettext_lazy(
        "This request was cancelled and can no longer be accepted or changed."
    ),
    RequestStatus.EXPIRED: gettext_lazy(
        "This request has expired: all its proposed times have passed."
    ),
}


def _ensure_pending(req: MeetingRequest, now: datetime) -> None:
    if (
        req.status == RequestStatus.PENDING
        and not req.slots.filter(round=req.round, start__gt=now).exists()
    ):
        MeetingRequest.objects.filter(pk=req.pk).update(status=RequestStatus.EXPIRED)
        req.status = RequestStatus.EXPIRED
    if req.status != RequestStatus.PENDING:
        raise ValidationError(str(CLOSED_MESSAGES[req.status]), code=req.status)


def _ensure_turn(req: MeetingRequest, company: Company) -> None:
    if req.awaiting_id != company.pk:
        raise ValidationError(
            _("It is the other side's turn to answer this request."), code="not_your_turn"
        )


def _chosen_proposals(
    *,
    fair: Fair,
    user: User,
    company: Company,
    other: Company,
    slot_ids: Sequence[str],
    prefer: Sequence[int] = (),
) -> list[selectors.SlotProposal]:
    chosen = list(dict.fromkeys(slot_ids))
    if not 1 <= len(chosen) <= MAX_PROPOSED_SLOTS:
        raise ValidationError(
            _("Propose between one and %(count)d times.") % {"count": MAX_PROPOSED_SLOTS}
        )
    offered = {
        p.slot_id: p
        for p in selectors.pair_slot_proposals(
            fair=fair, user=user, company=company, other=other, limit=None, prefer_user_ids=prefer
        )
    }
    missing = [s for s in chosen if s not in offered]
    if missing:
        raise ValidationError(
            _("Some of the chosen times are no longer free for both sides. Please choose again."),
            code="slot_unavailable",
        )
    return [offered[s] for s in chosen]


@transaction.atomic
def meeting_request_create(
    *, fair: Fair, user: User, target: Company, slot_ids: Sequence[str], message: str = ""
) -> MeetingRequest:
    """Ask another company (buyer ↔ exhibitor) for a meeting at one of up to three times.

    Locking rule: the requesting person's user row is locked (``select_for_update``) while
    their pending requests are counted, so parallel submissions cannot pass the limit; one
    open request per pair is a conditional unique constraint.
    """
    company = _require_company(fair=fair, user=user)
    _check_counterpart(fair=fair, company=company, target=target)
    meeting_requests_expire(fair=fair)
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = max_pending_requests()
    if selectors.pending_outgoing_count(fair=fair, user=user) >= limit:
        raise ValidationError(
            _(
                "You already have %(count)d requests waiting for an answer. Wait for answers "
                "or cancel some before sending more."
            )
            % {"count": limit},
            code="limit",
        )
    if selectors.open_request_between(fair=fair, a=company, b=target) is not None:
        raise ValidationError(
            _("There is already an open meeting request between your companies."), code="open"
        )
    proposals = _chosen_proposals(
        fair=fair, user=user, company=company, other=target, slot_ids=slot_ids
    )
    exhibitor, buyer = (company, target) if company.is_exhibitor else (target, company)
    try:
        with transaction.atomic():
            req = MeetingRequest.objects.create(
                fair=fair,
                requester=company,
                recipient=target,
                exhibitor=exhibitor,
                buyer=buyer,
                awaiting=target,
                requested_by=user,
                message=message.strip(),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("There is already an open meeting request between your companies."), code="open"
        ) from exc
    ProposedSlot.objects.bulk_create(
        ProposedSlot(request=req, round=1, start=p.start, end=p.end, mode=p.mode) for p in proposals
    )
    req.fair = fair
    _notify(req=req, kind="request.received", actor_company=company)
    return req


@_expire_first
@transaction.atomic
def meeting_request_accept(*, request: MeetingRequest, user: User, slot_id: int) -> Meeting:
    """Accept one of the proposed times: the meeting is booked and both sides invited.

    Locking rule: the request row is locked (``select_for_update``) so it is accepted at most
    once; the booking itself follows :func:`meetings.booking.meeting_book_core` (database
    exclusion constraints on PostgreSQL, serialised writes on SQLite), raising
    :class:`~meetings.booking.SlotTaken` when the time was taken meanwhile.
    """
    req = _lock(request)
    company = _acting_company(req, user)
    now = timezone.now()
    _ensure_pending(req, now)
    _ensure_turn(req, company)
    try:
        slot = req.slots.get(round=req.round, pk=int(slot_id))
    except (ProposedSlot.DoesNotExist, TypeError, ValueError):
        raise ValidationError(_("Choose one of the proposed times."), code="slot") from None
    if slot.start <= now:
        raise ValidationError(_("This time has already started."), code="slot")
    if company.pk == req.recipient_id:
        requester_person, recipient_person = req.requested_by, user
    else:
        requester_person = user
        recipient_person = req.answered_by or _people_of(req, req.recipient_id)[0]
    meeting = meeting_book_core(
        fair=req.fair,
        exhibitor=req.exhibitor,
        buyer=req.buyer,
        attendees=[(requester_person, req.requester), (recipient_person, req.recipient)],
        start=slot.start,
        end=slot.end,
        mode=slot.mode,
        by=user,
    )
    req.status = RequestStatus.ACCEPTED
    req.meeting = meeting
    if company.pk == req.recipient_id:
        req.answered_by = user
    req.save(update_fields=["status", "meeting", "answered_by", "updated_at"])
    _notify(req=req, kind="request.accepted", actor_company=company, meeting=meeting)
    # The person who accepted gets the calendar invitation too, for their own calendar.
    meeting_notifications.invitation_to(meeting=meeting, user=user)
    return meeting


@_expire_first
@transaction.atomic
def meeting_request_decline(
    *, request: MeetingRequest, user: User, reason: str = ""
) -> MeetingRequest:
    """Decline a request (with a reason for the other side).

    Locking rule: the request row is locked (``select_for_update``)."""
    req = _lock(request)
    company = _acting_company(req, user)
    _ensure_pending(req, timezone.now())
    _ensure_turn(req, company)
    req.status = RequestStatus.DECLINED
    req.decline_reason = reason.strip()
    if company.pk == req.recipient_id:
        req.answered_by = user
    req.save(update_fields=["status", "decline_reason", "answered_by", "updated_at"])
    _notify(req=req, kind="request.declined", actor_company=company)
    return req


@_expire_first
@transaction.atomic
def meeting_request_counter(
    *, request: MeetingRequest, user: User, slot_ids: Sequence[str], message: str = ""
) -> MeetingRequest:
    """Propose other times (up to three); the other side answers next.

    Locking rule: the request row is locked (``select_for_update``)."""
    req = _lock(request)
    company = _acting_company(req, user)
    _ensure_pending(req, timezone.now())
    _ensure_turn(req, company)
    other = req.recipient if company.pk == req.requester_id else req.requester
    prefer = selectors.contact_ids(request=req, other=other)
    proposals = _chosen_proposals(
        fair=req.fair, user=user, company=company, other=other, slot_ids=slot_ids, prefer=prefer
    )
    req.round += 1
    req.awaiting = other
    req.counter_message = message.strip()
    if company.pk == req.recipient_id:
        req.answered_by = user
    req.save(update_fields=["round", "awaiting", "counter_message", "answered_by", "updated_at"])
    ProposedSlot.objects.bulk_create(
        ProposedSlot(request=req, round=req.round, start=p.start, end=p.end, mode=p.mode)
        for p in proposals
    )
    _notify(req=req, kind="request.countered", actor_company=company)
    return req


@_expire_first
@transaction.atomic
def meeting_request_cancel(*, request: MeetingRequest, user: User) -> MeetingRequest:
    """Withdraw a request (either side). An accepted request's meeting is cancelled too.

    Locking rule: the request row is locked (``select_for_update``); the meeting, if any, is
    locked by :func:`meetings.booking.meeting_cancel`."""
    req = _lock(request)
    company = _acting_company(req, user)
    if req.status == RequestStatus.ACCEPTED:
        if req.meeting_id:
            meeting_cancel(meeting=Meeting(pk=req.meeting_id), by=user)
    else:
        _ensure_pending(req, timezone.now())
    req.status = RequestStatus.CANCELLED
    req.save(update_fields=["status", "updated_at"])
    _notify(req=req, kind="request.cancelled", actor_company=company)
    return req


# --- Calendar feed -------------------------------------------------------------------------------


@transaction.atomic
def calendar_token_get(*, user: User) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_rotate(*, user: User) -> CalendarToken:
    """A new secret: the old feed address stops working at once."""
    token, _created = CalendarToken.objects.select_for_update().get_or_create(user=user)
    token.token = new_calendar_token()
    token.save(update_fields=["token", "created_at"])
    return token


# --- Hosted-buyer scheduler ----------------------------------------------------------------------


def scheduler_run_preview(
    *, fair: Fair, by: User, time_limit: float = 8.0, bound_time_limit: float | None = None
) -> SchedulerRun:
    """Build the instance from the fair's data, solve it (time-limited) and store the run as a
    preview. The solve runs outside any transaction; nothing but the run row is written.

    The search (``time_limit``) and the LP bound (``bound_time_limit``, default the same) run
    concurrently, so an organiser waits about ``time_limit`` plus building the instance; the
    page says which bound was proven in that time (``stats["bound_kind"]``)."""
    from matchmaking import hosted

    _require_organiser(by)
    instance, pairs = hosted.build_instance(fair=fair)
    result = hosted.solve_instance(
        instance, time_limit=time_limit, bound_time_limit=bound_time_limit
    )
    with transaction.atomic():
        return SchedulerRun.objects.create(
            fair=fair,
            created_by=by,
            status=RunStatus.PREVIEW,
            instance=instance,
            result=result,
            pairs=pairs,
            time_limit=time_limit,
        )


@transaction.atomic
def scheduler_run_publish(*, fair: Fair, by: User, run: SchedulerRun) -> SchedulerRun:
    """The organiser's publish: mark a previewed run "publishing" and enqueue the task that
    books its meetings (:func:`scheduler_run_book`), in one short transaction whose length does
    not depend on the number of meetings. The other previews of the fair are discarded.

    Locking rule: the run row is locked (``select_for_update``); a run already publishing or
    published is returned unchanged (a second click does nothing, and enqueues nothing). A
    partial unique constraint allows one publishing run per fair: publishing a second while
    the first is still booking is refused with a clear message. The task is written in this
    transaction (``defer_on_commit``): a rollback enqueues nothing.
    """
    from matchmaking.tasks import scheduler_run_book_task

    _require_organiser(by)
    locked = (
        SchedulerRun.objects.select_for_update()
        .defer("instance", "result", "pairs")  # megabytes at fair size, not needed here
        .get(pk=run.pk, fair=fair)
    )
    if locked.status in (RunStatus.PUBLISHING, RunStatus.PUBLISHED):
        return locked
    if locked.status != RunStatus.PREVIEW:
        raise ValidationError(_("This schedule has already been published or discarded."))
    locked.status = RunStatus.PUBLISHING
    locked.published_by = by
    locked.publish_started_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "published_by", "publish_started_at"])
    except IntegrityError as exc:
        raise ValidationError(
            _("Another schedule is being published. Wait until it is done, then run a new preview.")
        ) from exc
    SchedulerRun.objects.filter(fair=fair, status=RunStatus.PREVIEW).exclude(pk=locked.pk).update(
        status=RunStatus.DISCARDED
    )
    scheduler_run_book_task.defer_on_commit(run_id=locked.pk)
    return locked


def scheduler_run_stalled(*, run: SchedulerRun) -> bool:
    """Whether a publishing run has stopped: no booking job waits or runs for it any more
    (its task failed for good, every retry spent, or its job was lost). The run page then
    offers :func:`scheduler_run_resume`."""
    from matchmaking.tasks import scheduler_run_book_task

    return run.status == RunStatus.PUBLISHING and not scheduler_run_book_task.is_waiting(
        run_id=run.pk
    )


def scheduler_run_resume(*, fair: Fair, by: User, run: SchedulerRun) -> bool:
    """The organiser's "resume publishing" for a stalled run: enqueue the booking task again
    (it resumes after the meetings already booked: :func:`scheduler_run_book`). Returns whether
    it was enqueued.

    Locking rule: the run row is locked (``select_for_update``), so two clicks enqueue one job;
    a run that is not publishing, or whose job still waits or runs, is left alone (``False``).
    The job is written in this transaction (``defer_on_commit``)."""
    from matchmaking.tasks import scheduler_run_book_task

    _require_organiser(by)
    locked = SchedulerRun.objects.select_for_update().only("id", "status").get(pk=run.pk, fair=fair)
    if not scheduler_run_stalled(run=locked):
        return False
    scheduler_run_book_task.defer_on_commit(run_id=locked.pk)
    return True


def scheduler_run_book(*, run_id: int, batch_size: int | None = None) -> SchedulerRun | None:
    """Book the meetings of a publishing run in batches, then mark it published and tell
    everyone once (the background task of :func:`scheduler_run_publish`; safe to run again
    and to run concurrently).

    Each step is its own transaction that first locks the run row, so two runs of the task
    take turns, and each re-reads what is left:

    1. the run's meetings become :class:`~matchmaking.models.SchedulerBooking` rows, once
       (unique per run and pair: the meeting's idempotent key);
    2. each batch of ``batch_size`` pending rows (``SCHEDULER_PUBLISH_BATCH``) is booked by
       :func:`matchmaking.publishing.book_batch`, and its rows are marked booked or refused in the
       same transaction. A worker killed mid-batch leaves it pending and unwritten; the
       PostgreSQL exclusion constraints refuse any double booking regardless;
    3. with nothing pending: the run is published (``meetings_created`` = booked), every person
       with a new meeting gets their ``schedule.published`` notification and agenda e-mail
       (:func:`matchmaking.notifications.schedule_published`, each e-mail once) and the fair
       ONE live event after commit. Meetings that no longer fit stay listed as refused.

    Returns the run, or ``None`` if it is gone.
    """
    from matchmaking import publishing
    from matchmaking.enums import BookingStatus
    from matchmaking.models import SchedulerBooking

    size = max(1, batch_size or settings.SCHEDULER_PUBLISH_BATCH)
    with transaction.atomic():
        # The run's instance, result and pairs (megabytes at fair size) are read once here;
        # they do not change after the preview. Each batch below locks the bare row.
        run = (
            SchedulerRun.objects.select_for_update(of=("self",))
            .select_related("fair", "published_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None or run.status != RunStatus.PUBLISHING:
            return run
        if not SchedulerBooking.objects.filter(run=run).exists():
            SchedulerBooking.objects.bulk_create(
                [
                    SchedulerBooking(
                        run=run, request=a["request"], position=n, slot=a["slot"], mode=a["mode"]
                    )
                    for n, a in enumerate(publishing.publication_plan(run=run))
                ],
                batch_size=1000,
            )
    while True:
        with transaction.atomic():
            state = SchedulerRun.objects.select_for_update().only("id", "status").get(pk=run_id)
            if state.status != RunStatus.PUBLISHING:
                run.status = state.status
                return run
            batch = list(
                SchedulerBooking.objects.filter(run=run, status=BookingStatus.PENDING).order_by(
                    "position"
                )[:size]
            )
            if batch:
                publishing.book_batch(fair=run.fair, run=run, bookings=batch, by=run.published_by)
                continue
            meetings = list(
                Meeting.objects.filter(
                    pk__in=SchedulerBooking.objects.filter(
                        run=run, status=BookingStatus.BOOKED, meeting__isnull=False
                    ).values("meeting_id")
                ).order_by("start", "pk")
            )
            run.status = RunStatus.PUBLISHED
            run.meetings_created = len(meetings)
            run.published_at = timezone.now()
            run.save(update_fields=["status", "meetings_created", "published_at"])
            notifications.schedule_published(fair=run.fair, run=run, meetings=meetings)
            broadcast_on_commit(
                fair_group(run.fair_id),
                {"type": SCHEDULE_PUBLISHED, "run_id": run.pk, "meetings": len(meetings)},
            )
            return run
