"""Reads for matchmaking, always scoped by fair and by who asks."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from exhibitors.enums import (
    CERTIFICATIONS,
    LANGUAGES_SPOKEN,
    SECTORS,
    Attendance,
    CompanyRole,
    MembershipStatus,
)
from exhibitors.models import Company, Member
from fairsite import timefmt
from fairsite.models import Fair, User
from matchmaking import slots as grid
from matchmaking.enums import InterestLevel, RequestStatus
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
)
from meetings import selectors as meeting_selectors
from meetings.booking import ONLINE_MODES
from meetings.enums import ACTIVE_STATUSES
from meetings.models import Meeting, MeetingAttendee

# --- The grid ---------------------------------------------------------------------------------


def grid_settings_for(*, fair: Fair) -> GridSettings:
    """The fair's grid settings (unsaved defaults when the organisers have set nothing)."""
    found = GridSettings.objects.filter(fair=fair).first()
    return found if found is not None else GridSettings(fair=fair)


def grid_spec(*, fair: Fair) -> grid.GridSpec:
    settings_ = grid_settings_for(fair=fair)
    breaks = tuple(FairBreak.objects.filter(fair=fair).values_list("start", "end"))
    return grid.GridSpec(
        zone=fair.time_zone,
        days=tuple(fair.days()),
        day_start=fair.day_start,
        day_end=fair.day_end,
        slot_minutes=fair.slot_minutes,
        online_start=settings_.online_start,
        online_end=settings_.online_end,
        breaks=breaks,
    )


def fair_grid(*, fair: Fair, spec: grid.GridSpec | None = None) -> list[grid.GridSlot]:
    """Every meeting slot of the fair, in UTC (generated from venue-local settings)."""
    return grid.build_grid(spec or grid_spec(fair=fair))


# --- People, companies, availability ----------------------------------------------------------


def company_for(*, fair: Fair, user: User) -> Company | None:
    """The approved company of ``user`` at ``fair``."""
    if not getattr(user, "is_authenticated", False):
        return None
    member = (
        Member.objects.select_related("company")
        .filter(fair=fair, user=user, status=MembershipStatus.APPROVED)
        .first()
    )
    return member.company if member else None


def approved_members(*, company: Company) -> list[Member]:
    return list(
        Member.objects.filter(company=company, status=MembershipStatus.APPROVED)
        .select_related("user")
        .order_by("created_at", "id")
    )


def availability_map(
    *, fair: Fair, people: Sequence[tuple[User, bool]], spec: grid.GridSpec
) -> dict[int, list[grid.Interval]]:
    """Merged UTC availability of each ``(user, on_site)``: what they entered, else the
    defaults (hall hours on site; local 08:00–19:00 within the online window remote)."""
    rows: dict[int, list[grid.Interval]] = defaultdict(list)
    ids = [user.pk for user, _onsite in people]
    for user_id, start, end in Availability.objects.filter(fair=fair, user_id__in=ids).values_list(
        "user_id", "start", "end"
    ):
        rows[user_id].append((start, end))
    out: dict[int, list[grid.Interval]] = {}
    for user, onsite in people:
        if rows.get(user.pk):
            out[user.pk] = grid.merge(rows[user.pk])
        else:
            out[user.pk] = grid.default_availability(spec, zone=user.time_zone, onsite=onsite)
    return out


def has_own_availability(*, fair: Fair, user: User) -> bool:
    return Availability.objects.filter(fair=fair, user=user).exists()


def busy_map(*, fair: Fair, user_ids: Iterable[int]) -> dict[int, list[grid.Interval]]:
    """Each person's active meetings at ``fair`` as UTC intervals."""
    out: dict[int, list[grid.Interval]] = defaultdict(list)
    for user_id, start, end in MeetingAttendee.objects.filter(
        fair=fair, user_id__in=list(user_ids), active=True
    ).values_list("user_id", "start", "end"):
        out[user_id].append((start, end))
    return out


@dataclass
class SlotUsage:
    """Active meetings per slot: tables taken and online rooms taken."""

    tables: dict[str, int] = field(default_factory=dict)
    online: dict[str, int] = field(default_factory=dict)


def slot_usage(*, fair: Fair, slots: Sequence[grid.GridSlot]) -> SlotUsage:
    usage = SlotUsage()
    if not slots:
        return usage
    meetings = list(
        Meeting.objects.filter(
            fair=fair,
            status__in=ACTIVE_STATUSES,
            start__lt=max(s.end for s in slots),
            end__gt=min(s.start for s in slots),
        ).values_list("start", "end", "mode", "table_number")
    )
    if not meetings:
        return usage
    for slot in slots:
        for start, end, mode, table in meetings:
            if start < slot.end and slot.start < end:
                if table is not None:
                    usage.tables[slot.id] = usage.tables.get(slot.id, 0) + 1
                if mode in ONLINE_MODES:
                    usage.online[slot.id] = usage.online.get(slot.id, 0) + 1
    return usage


@dataclass(frozen=True)
class SlotProposal:
    slot_id: str
    start: datetime
    end: datetime
    mode: str
    penalty: float
    other_user_id: int
    zones: tuple[str, ...]
    #: The fair's zone: it leads the label of a slot at a table.
    venue: str = ""

    @property
    def label(self) -> str:
        return timefmt.meeting_when(
            self.start, self.end, list(self.zones), mode=self.mode, venue=self.venue
        )

    @property
    def time_label(self) -> str:
        """The time in both zones without the date (for lists grouped by day)."""
        return timefmt.both_zones(self.start, list(self.zones))


def pair_slot_proposals(
    *,
    fair: Fair,
    user: User,
    company: Company,
    other: Company,
    limit: int | None = 12,
    now: datetime | None = None,
    prefer_user_ids: Sequence[int] = (),
    at: datetime | None = None,
) -> list[SlotProposal]:
    """The slots when ``user`` and someone of ``other`` are both free, most comfortable first
    (with ``at``: only the slot starting then, for the waiting list).

    Never outside anyone's availability, never before 07:00 or after 22:00 local time for
    either person; on site only when both companies are on site, the slot lies in hall hours
    and a table is free; else online when the slot lies in the online window and a room is
    free. Ranked by the summed distance from 10:00–16:00 in both local times, then by time.
    """
    now = now or timezone.now()
    spec = grid_spec(fair=fair)
    slots = [s for s in grid.build_grid(spec) if s.start > now and at in (None, s.start)]
    members = [m for m in approved_members(company=other) if m.user_id != user.pk]
    if not slots or not members:
        return []
    order = {uid: i for i, uid in enumerate(prefer_user_ids)}
    members.sort(key=lambda m: (order.get(m.user_id, len(order)), m.created_at, m.pk))
    people = [(user, company.attendance == Attendance.ONSITE)] + [
        (m.user, other.attendance == Attendance.ONSITE) for m in members
    ]
    avail = availability_map(fair=fair, people=people, spec=spec)
    busy = busy_map(fair=fair, user_ids=[p.pk for p, _o in people])
    usage = slot_usage(fair=fair, slots=slots)
    both_onsite = company.attendance == Attendance.ONSITE and other.attendance == Attendance.ONSITE
    out: list[SlotProposal] = []
    for slot in slots:
        if not grid.covers(avail[user.pk], slot.start, slot.end):
            continue
        if grid.overlaps(busy.get(user.pk, []), slot.start, slot.end):
            continue
        mode = ""
        if both_onsite and slot.onsite and usage.tables.get(slot.id, 0) < fair.tables:
            mode = "onsite"
        elif slot.online and (
            fair.online_capacity is None or usage.online.get(slot.id, 0) < fair.online_capacity
        ):
            mode = "online"
        if not mode:
            continue
        for member in members:
            if not grid.covers(avail[member.user_id], slot.start, slot.end):
                continue
            if grid.overlaps(busy.get(member.user_id, []), slot.start, slot.end):
                continue
            zones = tuple(dict.fromkeys([user.time_zone, member.user.time_zone]))
            penalty = grid.comfort_penalty(slot.start, slot.end, zones)
            if penalty is None:
                continue
            out.append(
                SlotProposal(
                    slot.id,
                    slot.start,
                    slot.end,
                    mode,
                    penalty,
                    member.user_id,
                    zones,
                    fair.time_zone,
                )
            )
            break
    out.sort(key=lambda p: (p.penalty, p.start))
    return out if limit is None else out[:limit]


def my_availability_grid(*, fair: Fair, user: User, company: Company) -> dict[str, Any]:
    """The slots of the fair grouped by the person's local date, with what is ticked now."""
    spec = grid_spec(fair=fair)
    slots = grid.build_grid(spec)
    avail = availability_map(
        fair=fair, people=[(user, company.attendance == Attendance.ONSITE)], spec=spec
    )[user.pk]
    days = []
    for day, day_slots in grid.local_day_slots(slots, user.time_zone):
        rows = []
        for slot in day_slots:
            penalty = grid.comfort_penalty(slot.start, slot.end, [user.time_zone])
            rows.append(
                {
                    "slot": slot,
                    "checked": grid.covers(avail, slot.start, slot.end),
                    "local": timefmt.hm(slot.start, user.time_zone),
                    "local_end": timefmt.hm(slot.end, user.time_zone),
                    "venue": timefmt.in_zone(slot.start, fair.time_zone),
                    "unsocial": penalty is None,
                }
            )
        days.append({"date": day, "slots": rows})
    return {"days": days, "own": has_own_availability(fair=fair, user=user)}


#: What a link to a company shows (``display_name`` and ``profile_url``): the columns to load
#: when a page names companies and no more (a company row has two dozen, most of them long
#: texts).
COMPANY_LINK_FIELDS = ("id", "fair_id", "role", "slug", "name_en", "name_vi", "name_native")


def _company_link_fields(*relations: str) -> list[str]:
    return [f"{relation}__{name}" for relation in relations for name in COMPANY_LINK_FIELDS]


# --- Requests ------------------------------------------------------------------------------------


def _requests_base(*, fair: Fair) -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.filter(fair=fair).select_related(
        "requester", "recipient", "requested_by", "answered_by", "awaiting"
    )


def requests_of(
    *, fair: Fair, company: Company, now: datetime | None = None
) -> dict[str, list[MeetingRequest]]:
    """A company's requests: ``incoming`` and ``outgoing``, newest first, each with the slots
    of its current round (``current_slots``), in two queries whatever the number of rows.

    A pending request whose current times have all started is read as expired (its
    ``status`` in memory, not stored): the periodic task stores the expiry within a minute,
    and every action on a request expires stale ones first."""
    now = now or timezone.now()
    current = Prefetch(
        "slots",
        queryset=ProposedSlot.objects.filter(round=F("request__round")).order_by("start"),
        to_attr="current_slots",
    )
    # Only what the list shows: the two companies as links and the two people's zones.
    rows = list(
        MeetingRequest.objects.filter(Q(recipient=company) | Q(requester=company), fair=fair)
        .select_related("requester", "recipient", "requested_by", "answered_by")
        .only(
            *(f.attname for f in MeetingRequest._meta.concrete_fields),
            *_company_link_fields("requester", "recipient"),
            "requested_by__id",
            "requested_by__time_zone",
            "answered_by__id",
            "answered_by__time_zone",
        )
        .prefetch_related(current)
    )
    for req in rows:
        if req.status == RequestStatus.PENDING and not any(
            slot.start > now for slot in req.current_slots
        ):
            req.status = RequestStatus.EXPIRED
    return {
        "incoming": [req for req in rows if req.recipient_id == company.pk],
        "outgoing": [req for req in rows if req.requester_id == company.pk],
    }


def request_for(*, fair: Fair, user: User, request_id: Any) -> MeetingRequest | None:
    """The request if ``user`` is an approved member of one of its two companies, else
    ``None`` (callers answer 404)."""
    try:
        pk = int(request_id)
    except (TypeError, ValueError):
        return None
    company = company_for(fair=fair, user=user)
    if company is None:
        return None
    return (
        _requests_base(fair=fair)
        .filter(Q(requester=company) | Q(recipient=company), pk=pk)
        .select_related("meeting")
        .first()
    )


def contact_ids(*, request: MeetingRequest, other: Company) -> list[int]:
    """The person to propose times with on the ``other`` side: the requester's person, or
    the recipient's once one has answered (else nobody in particular)."""
    if other.pk == request.requester_id:
        return [request.requested_by_id]
    if other.pk == request.recipient_id and request.answered_by_id:
        return [request.answered_by_id]
    return []


def current_slots(*, request: MeetingRequest) -> list[ProposedSlot]:
    return list(request.slots.filter(round=request.round).order_by("start"))


def pending_outgoing_count(*, fair: Fair, user: User) -> int:
    return MeetingRequest.objects.filter(
        fair=fair, requested_by=user, status=RequestStatus.PENDING
    ).count()


def open_request_between(*, fair: Fair, a: Company, b: Company) -> MeetingRequest | None:
    return (
        MeetingRequest.objects.filter(fair=fair, status=RequestStatus.PENDING)
        .filter(Q(requester=a, recipient=b) | Q(requester=b, recipient=a))
        .first()
    )


# --- Recommendations ----------------------------------------------------------------------------

SECTOR_LABELS = dict(SECTORS)
CERT_LABELS = dict(CERTIFICATIONS)
LANGUAGE_LABELS = dict(LANGUAGES_SPOKEN)


def _language() -> str:
    return (translation.get_language() or "en")[:2]


def _same_words(a: str, b: str) -> bool:
    from exhibitors.text import fold

    return fold(a) == fold(b)


def _concept_text(reason: dict[str, Any], viewer_role: str) -> str:
    labels = reason.get("labels") or {}
    label = labels.get(_language()) or labels.get("en") or reason.get("concept", "")
    words = reason.get("need" if viewer_role == CompanyRole.EXHIBITOR else "offer") or ""
    if viewer_role == CompanyRole.EXHIBITOR:
        if words and not _same_words(words, label):
            return _("Needs %(concept)s — “%(words)s”") % {"concept": label, "words": words}
        return _("Needs %(concept)s") % {"concept": label}
    if not reason.get("exact", True):
        return _("Related to %(concept)s — “%(words)s”") % {"concept": label, "words": words}
    if words and not _same_words(words, label):
        return _("Does %(concept)s — “%(words)s”") % {"concept": label, "words": words}
    return _("Does %(concept)s") % {"concept": label}


SIMILAR_TEXT = {
    "must": gettext_lazy("Like %(name)s, whom you marked “must meet”"),
    "maybe": gettext_lazy("Like %(name)s, whom you marked “maybe”"),
    "accepted": gettext_lazy("Like %(name)s, whom you are meeting"),
    "deal": gettext_lazy("Like %(name)s, with whom you logged a deal"),
    "useful": gettext_lazy("Like %(name)s, whose meeting you found useful"),
}


def reason_text(reason: dict[str, Any], viewer_role: str = "buyer") -> tuple[str, bool | None]:
    """One reason in the active language, and whether it is good (✓), bad (✗) or neutral.
    ``viewer_role`` is the role of the company that reads it: a buyer reads what the supplier
    does in the supplier's words, a supplier what the buyer needs in the buyer's words."""
    code = reason.get("code")
    if code == "concept":
        return _concept_text(reason, viewer_role), True
    if code == "key_product":
        values = {"name": reason.get("name", ""), "year": reason.get("year") or ""}
        return _("Hanoi key industrial product %(year)s: %(name)s") % values, True
    if code == "sector":
        names = ", ".join(str(SECTOR_LABELS.get(c, c)) for c in reason.get("sectors", []))
        return names, None
    if code == "cert":
        label = CERT_LABELS.get(reason.get("cert"), reason.get("cert"))
        if reason.get("held"):
            return _("%(cert)s required ✓") % {"cert": label}, True
        return _("%(cert)s required ✗") % {"cert": label}, False
    if code == "cert_held":
        names = ", ".join(str(CERT_LABELS.get(c, c)) for c in reason.get("certs", []))
        return _("Certified: %(certs)s") % {"certs": names}, None
    if code == "text":
        terms = ", ".join(reason.get("terms", []))
        return _("%(terms)s matches “%(needs)s”") % {
            "terms": terms,
            "needs": reason.get("needs", ""),
        }, True
    if code == "language":
        names = ", ".join(str(LANGUAGE_LABELS.get(c, c)) for c in reason.get("languages", []))
        return _("speaks %(languages)s") % {"languages": names}, None
    if code == "hours":
        hours = int(reason.get("hours", 0))
        return ngettext(
            "%(hours)d working hour in common", "%(hours)d working hours in common", hours
        ) % {"hours": hours}, None
    if code == "interest_in":
        level = reason.get("level")
        if level == InterestLevel.MUST:
            return _("They marked you “must meet”"), True
        return _("They marked you “maybe”"), True
    if code == "interest_out":
        level = reason.get("level")
        if level == InterestLevel.MUST:
            return _("You marked them “must meet”"), True
        return _("You marked them “maybe”"), True
    if code == "similar":
        template = SIMILAR_TEXT.get(reason.get("why", ""), SIMILAR_TEXT["accepted"])
        return str(template) % {"name": reason.get("name", "")}, True
    if code == "declined":
        return _("A meeting request between you was declined"), False
    return str(code), None


FIT_REASONS = frozenset({"concept", "text"})


def reason_texts(
    reasons: Iterable[dict[str, Any]], viewer_role: str = "buyer"
) -> list[dict[str, Any]]:
    out = []
    for reason in reasons:
        text, good = reason_text(reason, viewer_role)
        if text:
            out.append({"text": text, "good": good, "fit": reason.get("code") in FIT_REASONS})
    return out


def recommendations_stored(
    *, fair: Fair, company: Company, limit: int = 50
) -> tuple[list[Recommendation], dict[int, str]]:
    """The company's stored recommendations (with the recommended company) in rank order and
    its own interest in each: two queries whatever the number of rows."""
    rows = list(
        Recommendation.objects.filter(fair=fair, company=company)
        .select_related("other")
        .order_by("rank")[:limit]
    )
    mine = dict(
        Interest.objects.filter(
            from_company=company, to_company__in=[r.other_id for r in rows]
        ).values_list("to_company_id", "level")
    )
    return rows, mine


#: The recommended company's columns that the recommendation rows show, in the model's order
#: (as ``Model.from_db`` takes them).
RECOMMENDED_COMPANY_FIELDS = tuple(
    f.attname
    for f in Company._meta.concrete_fields
    if f.attname in {*COMPANY_LINK_FIELDS, "country"}
)


@dataclass
class StoredRow:
    """A stored recommendation as the page reads it: its reasons as the stored JSON text
    (decoded only when the rows are rendered, :attr:`reasons`), the recommended company with
    the columns the rows show, and the viewer's company's own interest in it."""

    other_id: int
    rank: int
    score: float
    reasons_json: str
    interest: str
    other: Company

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return json.loads(self.reasons_json)

    def key(self) -> tuple[Any, ...]:
        """Everything of the row its display shows but the company (the fair's display
        version stands for that)."""
        return (self.other_id, self.rank, self.score, self.reasons_json, self.interest)


def recommendations_page(*, fair: Fair, company: Company, limit: int = 50) -> list[StoredRow]:
    """The company's stored recommendations in rank order for its recommendations page, in one
    query whatever the number of rows: each with the recommended company's shown columns and
    the company's own interest in it (at most one per pair, ``interest_once_per_pair``).

    Cheaper than :func:`recommendations_stored` where the rows are mostly served from a cache:
    no model rows and no JSON decoding, only the values that key the cached display."""
    mine = Interest.objects.filter(from_company=company, to_company=OuterRef("other_id"))
    names = [f"other__{name}" for name in RECOMMENDED_COMPANY_FIELDS]
    values = (
        Recommendation.objects.filter(fair=fair, company=company)
        .annotate(
            reasons_text=Cast("reasons", TextField()),
            interest=Coalesce(Subquery(mine.values("level")[:1]), Value("")),
        )
        .order_by("rank")
        .values_list("other_id", "rank", "score", "reasons_text", "interest", *names)[:limit]
    )
    db = Recommendation.objects.db
    return [
        StoredRow(
            other_id=other_id,
            rank=rank,
            score=score,
            reasons_json=reasons_json,
            interest=interest,
            other=Company.from_db(db, RECOMMENDED_COMPANY_FIELDS, shown),
        )
        for other_id, rank, score, reasons_json, interest, *shown in values
    ]


def recommendations_for(*, fair: Fair, company: Company, limit: int = 50) -> list[dict[str, Any]]:
    """The company's stored recommendations with reasons in the active language and its own
    interest in each (two queries whatever the number of rows). Each row says whether a reason
    explains the fit (``explained``: a matched concept or matched words), not only context
    such as sector, language or hours."""
    rows, mine = recommendations_stored(fair=fair, company=company, limit=limit)
    return recommendation_rows(rows=rows, mine=mine, company=company)


def recommendation_rows(
    *, rows: Sequence[Recommendation | StoredRow], mine: dict[int, str], company: Company
) -> list[dict[str, Any]]:
    """Display rows of :func:`recommendations_stored` or :func:`recommendations_page` (no
    query)."""
    out = []
    for r in rows:
        reasons = reason_texts(r.reasons, company.role)
        out.append(
            {
                "recommendation": r,
                "company": r.other,
                "score": r.score,
                "reasons": reasons,
                "explained": any(x["fit"] for x in reasons),
                "interest": mine.get(r.other_id, ""),
            }
        )
    return out


def interests_of(*, fair: Fair, company: Company) -> dict[int, str]:
    return dict(
        Interest.objects.filter(fair=fair, from_company=company).values_list(
            "to_company_id", "level"
        )
    )


# --- Agenda and calendar -------------------------------------------------------------------------


def agenda_for(*, fair: Fair, user: User) -> list[Meeting]:
    """The person's active meetings at ``fair`` in time order, each with its two companies
    (what a link to them needs), its attendees and their people (name and zone): two queries.

    A person is booked once per meeting (``attendee_once_per_meeting``), so the join to their
    booking needs no ``DISTINCT`` over every column; ``meeting.fair`` is ``fair`` itself."""
    meetings = list(
        Meeting.objects.filter(
            fair=fair, status__in=ACTIVE_STATUSES, attendees__user=user, attendees__active=True
        )
        .select_related("exhibitor", "buyer")
        .only(
            *(f.attname for f in Meeting._meta.concrete_fields),
            *_company_link_fields("exhibitor", "buyer"),
        )
        .prefetch_related(Prefetch("attendees", queryset=meeting_selectors.attendees()))
        .order_by("start", "id")
    )
    for meeting in meetings:
        meeting.fair = fair
    return meetings


def feed_owner(*, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    found = CalendarToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user


def feed_meetings(*, user: User) -> list[Meeting]:
    """Every active meeting of the person, at every fair (the calendar feed)."""
    return list(
        Meeting.objects.filter(
            status__in=ACTIVE_STATUSES, attendees__user=user, attendees__active=True
        )
        .select_related("exhibitor", "buyer", "fair")
        .prefetch_related(
            Prefetch("attendees", queryset=MeetingAttendee.objects.select_related("user"))
        )
        .order_by("start", "id")
        .distinct()
    )


# --- Scheduler runs ------------------------------------------------------------------------------


def scheduler_runs(*, fair: Fair, limit: int = 20) -> list[SchedulerRun]:
    return list(SchedulerRun.objects.filter(fair=fair).defer("instance", "result")[:limit])


def scheduler_run_for(*, fair: Fair, run_id: Any, light: bool = False) -> SchedulerRun | None:
    """The fair's run ``run_id`` (``None`` for another fair's or a bad id). ``light``: without
    its instance, result and pairs (megabytes at fair size), for the publish request."""
    try:
        pk = int(run_id)
    except (TypeError, ValueError):
        return None
    runs = SchedulerRun.objects.filter(fair=fair, pk=pk)
    if light:
        runs = runs.defer("instance", "result", "pairs")
    return runs.first()


# --- Meeting controls on profiles and directory cards ------------------------------------------


@dataclass
class MeetState:
    """What the person looking at company pages may do there: their own approved company
    (``None`` for anyone else) and the marks it has set, read once per request."""

    company: Company | None
    marks: dict[int, str]


def meet_state_for(*, fair: Fair | None, user: User) -> MeetState:
    """The viewer's company and its interest marks (at most two queries, whatever the number
    of cards on the page)."""
    if fair is None or not getattr(user, "is_authenticated", False):
        return MeetState(company=None, marks={})
    from exhibitors.selectors import approved_member_for

    member = approved_member_for(user=user, fair=fair)
    if member is None:
        return MeetState(company=None, marks={})
    company = member.company
    return MeetState(company=company, marks=interests_of(fair=fair, company=company))


def can_request_meeting(*, viewer: Company | None, target: Company) -> bool:
    """A company may ask a company of the other role at the same fair (never itself or a
    company of its own role). The request views enforce the same rule with a 404."""
    return (
        viewer is not None
        and viewer.fair_id == target.fair_id
        and viewer.pk != target.pk
        and viewer.role != target.role
    )


@dataclass(frozen=True)
class SlotChoices:
    """Every proposed time, offered two ways without repeating one: the ``best`` few for both
    sides, then all the others grouped by the viewer's local day (``days``: date and times)."""

    best: list[SlotProposal]
    days: list[tuple[Any, list[SlotProposal]]]

    def __bool__(self) -> bool:
        return bool(self.best or self.days)


def slot_choices(*, proposals: Sequence[SlotProposal], zone: str, best: int = 6) -> SlotChoices:
    """Group ``proposals`` (ranked most comfortable first) for a form: the top ``best``, then
    every other one by local day in ``zone`` and in time order."""
    top = list(proposals[:best])
    rest = sorted(proposals[best:], key=lambda p: p.start)
    groups: dict[Any, list[SlotProposal]] = {}
    for proposal in rest:
        groups.setdefault(timefmt.local(proposal.start, zone).date(), []).append(proposal)
    return SlotChoices(best=top, days=sorted(groups.items()))


# --- A person's overview (the home page) ---------------------------------------------------------


def profile_gaps(*, company: Company) -> tuple[int, list[str]]:
    """How complete a company's profile is (0–100) and the labels of what is missing, for the
    parts that recommendations and the other side read."""
    checks: list[tuple[bool, Any]] = [
        (bool(company.description), _("About the company")),
        (
            bool(company.capabilities if company.is_exhibitor else company.sourcing_needs),
            _("Products and capabilities") if company.is_exhibitor else _("Sourcing needs"),
        ),
        (company.sectors.exists(), _("Sectors")),
        (bool(company.languages), _("Languages")),
        (bool(company.logo), _("Logo")),
        (bool(company.website), _("Website")),
    ]
    if company.is_exhibitor:
        checks.append((company.certifications.exists(), _("Certifications")))
    done = sum(1 for ok, _label in checks if ok)
    return round(100 * done / len(checks)), [str(label) for ok, label in checks if not ok]


def home_overview(
    *, fair: Fair, user: User, company: Company, now: datetime | None = None, limit: int = 5
) -> dict[str, Any]:
    """What a member sees first: the next meetings (with both zones and whether Join is open),
    the requests waiting for their company's answer, the top recommendations and how complete
    the profile is. A fixed number of queries whatever the number of rows."""
    from meetings.services import join_window

    now = now or timezone.now()
    upcoming = []
    for meeting in agenda_for(fair=fair, user=user):
        if meeting.end <= now:
            continue
        others = [
            a.user for a in meeting.attendees.all() if a.active and a.company_id != company.pk
        ]
        opens, closes = join_window(meeting=meeting)
        zones = [user.time_zone] + [u.time_zone for u in others] + [fair.time_zone]
        upcoming.append(
            {
                "meeting": meeting,
                "other": meeting.buyer if meeting.exhibitor_id == company.pk else meeting.exhibitor,
                "zones": ",".join(dict.fromkeys(zones)),
                "joinable": meeting.is_online and bool(meeting.video_url),
                "join_open": opens <= now < closes,
                "join_opens": opens,
                "join_closes": closes,
            }
        )
        if len(upcoming) >= limit:
            break
    waiting = list(
        _requests_base(fair=fair)
        .filter(awaiting=company, status=RequestStatus.PENDING)
        .prefetch_related(
            Prefetch(
                "slots",
                queryset=ProposedSlot.objects.order_by("round", "start"),
                to_attr="all_slots",
            )
        )
        .order_by("-updated_at", "-id")[:limit]
    )
    for req in waiting:
        other_person = req.requested_by if req.requester_id != company.pk else req.answered_by
        req.zones = ",".join(
            dict.fromkeys(
                [user.time_zone, other_person.time_zone if other_person else fair.time_zone]
            )
        )
        req.other = req.requester if req.requester_id != company.pk else req.recipient
    completeness, missing = profile_gaps(company=company)
    return {
        "upcoming": upcoming,
        "waiting": waiting,
        "recommendations": recommendations_for(fair=fair, company=company, limit=limit),
        "completeness": completeness,
        "missing": missing,
    }
