"""Reads for meeting rooms and the deal log (the organisers' figures: ``organisers.selectors``).

Every selector is scoped by fair and by who asks. List selectors return querysets whose query
count does not grow with the number of rows (``select_related``/``prefetch_related``); totals
and counts are aggregate queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from exhibitors.enums import MembershipStatus
from exhibitors.models import Member
from meetings import money
from meetings.access import meetings_visible_to
from meetings.enums import DealStage, JoinKind
from meetings.models import Deal, ExchangeRate, Meeting, MeetingAttendee, MeetingJoin


def meetings_for_list(*, fair: Any, user: Any) -> QuerySet[Meeting]:
    """The meetings ``user`` may see (their company's; all of them for organisers), with both
    companies and the people booked in, in three queries whatever the number of rows."""
    attendees = MeetingAttendee.objects.select_related("user").order_by("id")
    return (
        meetings_visible_to(fair=fair, user=user)
        .select_related("exhibitor", "buyer")
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .order_by("start", "id")
    )


#: What the pages say of a person booked into a meeting: their name and time zone.
ATTENDEE_PERSON_FIELDS = ("id", "email", "full_name", "time_zone")


def attendees() -> QuerySet[MeetingAttendee]:
    """Attendees with their people, loading of the person only what the pages show (name and
    zone, :data:`ATTENDEE_PERSON_FIELDS`), not the account's password hash and flags."""
    return MeetingAttendee.objects.select_related("user").only(
        *(f.attname for f in MeetingAttendee._meta.concrete_fields),
        *(f"user__{name}" for name in ATTENDEE_PERSON_FIELDS),
    )


def zones_of_company(*, meeting: Meeting, company_id: int) -> list[str]:
    """Time zones of the people of one side: those booked into the meeting, else the company's
    approved members. Uses prefetched attendees when present."""
    zones: list[str] = []
    for attendee in meeting.attendees.all():
        if attendee.company_id == company_id and attendee.user.time_zone not in zones:
            zones.append(attendee.user.time_zone)
    if not zones:
        zones = list(
            Member.objects.filter(
                fair_id=meeting.fair_id, company_id=company_id, status=MembershipStatus.APPROVED
            )
            .order_by("created_at")
            .values_list("user__time_zone", flat=True)
            .distinct()[:2]
        )
    return zones


def zones_from_attendees(
    *, meeting: Meeting, viewer_zone: str, company_id: int | None
) -> list[str]:
    """Viewer's zone first, then the zones of the other side's people booked in (no query when
    attendees are prefetched). For organisers (no company) every booked person's zone."""
    zones = [viewer_zone]
    for attendee in meeting.attendees.all():
        if attendee.company_id != company_id and attendee.user.time_zone not in zones:
            zones.append(attendee.user.time_zone)
    return zones[:3]


def meeting_sides_present(*, meeting: Meeting) -> set[int]:
    """Companies of the meeting that have shown up (joined the video or checked in)."""
    return set(
        MeetingJoin.objects.filter(
            meeting=meeting,
            kind__in=[JoinKind.ONLINE, JoinKind.TABLE],
            company_id__in=[meeting.exhibitor_id, meeting.buyer_id],
        ).values_list("company_id", flat=True)
    )


# --- Deals -----------------------------------------------------------------------------------


def deals_visible_to(*, fair: Any, user: Any) -> QuerySet[Deal]:
    """A company's own log for its approved members; the whole fair's for organisers."""
    base = Deal.objects.filter(fair=fair)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if user.is_organiser:
        return base
    mine = Member.objects.filter(
        fair=fair, user=user, status=MembershipStatus.APPROVED
    ).values_list("company_id", flat=True)
    return base.filter(company_id__in=mine)


def deals_for_list(*, fair: Any, user: Any) -> QuerySet[Deal]:
    return (
        deals_visible_to(fair=fair, user=user)
        .select_related("company", "counterpart", "meeting", "created_by")
        .order_by("-updated_at", "-id")
    )


def get_deal_for_user(*, fair: Any, user: Any, deal_id: Any) -> Deal | None:
    try:
        deal_id = int(deal_id)
    except (TypeError, ValueError):
        return None
    if fair is None or deal_id <= 0:
        return None
    return (
        deals_visible_to(fair=fair, user=user)
        .select_related("company", "counterpart", "meeting", "created_by", "visitor_badge")
        .filter(pk=deal_id)
        .first()
    )


def deal_counted(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """The deals that count towards the fair's totals: every walk-in contact, and for a meeting
    logged by both sides only the larger value (ties: the first logged), so one deal told by
    its two parties is not counted twice."""
    value = Coalesce("value_usd_cents", Value(0))
    bigger = Deal.objects.filter(meeting_id=OuterRef("meeting_id")).exclude(pk=OuterRef("pk"))
    bigger = bigger.annotate(v=Coalesce("value_usd_cents", Value(0))).filter(
        Q(v__gt=OuterRef("_v")) | Q(v=OuterRef("_v"), pk__lt=OuterRef("pk"))
    )
    return deals.annotate(_v=value).filter(Q(meeting__isnull=True) | ~Exists(bigger))


_DERIVED_LABELS = {
    "units_per_usd": _("Rate (units per US dollar)"),
    "vnd_per_usd": _("Rate (đồng per US dollar)"),
    "value_usd_cents": _("Value in US dollars"),
    "value_vnd": _("Value in đồng"),
    "amount_minor": _("Value"),
}


def _display_change(field_name: str, value: Any, currency: str) -> str:
    if value is None or value == "":
        return ""
    if field_name == "amount_minor":
        return money.format_amount(int(value), currency) if currency else str(value)
    if field_name == "value_usd_cents":
        return money.format_amount(int(value), "USD")
    if field_name == "value_vnd":
        return money.format_amount(int(value), "VND")
    if field_name in ("units_per_usd", "vnd_per_usd"):
        return money.format_rate(Decimal(str(value)))
    if field_name == "stage":
        return str(DealStage(value).label) if value in DealStage.values else str(value)
    return str(value)


def deal_history(*, deal: Deal) -> list[dict[str, Any]]:
    """The deal's revisions, newest first, each change labelled and formatted (one query)."""
    rows = []
    for revision in deal.revisions.select_related("user").order_by("-version"):
        changes = revision.changes or {}
        currency_pair = changes.get("currency") or [deal.currency, deal.currency]
        items = []
        for name, pair in changes.items():
            old, new = (list(pair) + [None, None])[:2]
            label = _DERIVED_LABELS.get(name)
            if label is None:
                try:
                    label = Deal._meta.get_field(name).verbose_name
                except Exception:
                    label = name
            items.append(
                {
                    "field": name,
                    "label": label,
                    "old": _display_change(name, old, currency_pair[0] or currency_pair[1] or ""),
                    "new": _display_change(name, new, currency_pair[1] or ""),
                }
            )
        rows.append(
            {
                "user": revision.user,
                "at": revision.at,
                "version": revision.version,
                "changes": items,
            }
        )
    return rows


@dataclass
class CurrencyTotal:
    currency: str
    count: int
    amount_minor: int

    @property
    def display(self) -> str:
        return money.format_amount(self.amount_minor, self.currency)


@dataclass
class DealTotals:
    count: int = 0
    with_value: int = 0
    usd_cents: int = 0
    vnd: int = 0
    per_currency: list[CurrencyTotal] = field(default_factory=list)

    @property
    def usd_display(self) -> str:
        return money.format_amount(self.usd_cents, "USD")

    @property
    def vnd_display(self) -> str:
        return money.format_amount(self.vnd, "VND")

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "with_value": self.with_value,
            "usd_cents": self.usd_cents,
            "vnd": self.vnd,
            "usd": self.usd_display,
            "vnd_display": self.vnd_display,
            "per_currency": [
                {
                    "currency": t.currency,
                    "count": t.count,
                    "amount_minor": t.amount_minor,
                    "display": t.display,
                }
                for t in self.per_currency
            ],
        }


def deal_totals(*, deals: QuerySet[Deal], dedupe: bool = False) -> DealTotals:
    """Totals in USD and VND (the values frozen when logged) and per currency: two queries.
    ``dedupe`` counts a meeting logged by both sides once (:func:`deal_counted`)."""
    if dedupe:
        deals = deal_counted(deals)
    deals = deals.order_by()
    row = deals.aggregate(
        count=Count("id"),
        with_value=Count("id", filter=Q(amount_minor__isnull=False)),
        usd_cents=Coalesce(Sum("value_usd_cents"), Value(0)),
        vnd=Coalesce(Sum("value_vnd"), Value(0)),
    )
    per_currency = [
        CurrencyTotal(currency=r["currency"], count=r["n"], amount_minor=r["total"] or 0)
        for r in deals.filter(amount_minor__isnull=False)
        .values("currency")
        .annotate(n=Count("id"), total=Sum("amount_minor"))
        .order_by("currency")
    ]
    return DealTotals(per_currency=per_currency, **row)


# --- Exchange rates --------------------------------------------------------------------------


def rates_for_fair(*, fair: Any) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.filter(fair=fair).select_related("created_by")


def rates_in_force(*, fair: Any, at: datetime) -> dict[str, ExchangeRate]:
    """The rate each currency is converted with at ``at`` (one query)."""
    current: dict[str, ExchangeRate] = {}
    for rate in ExchangeRate.objects.filter(fair=fair, valid_from__lte=at).order_by(
        "currency", "-valid_from", "-id"
    ):
        current.setdefault(rate.currency, rate)
    return current
