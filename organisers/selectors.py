"""The organisers' figures for one fair, read in a fixed number of aggregate queries.

:func:`dashboard_data` is what the live dashboard, its JSON endpoint and the tests read. Its
query count does not depend on the number of visits, meetings or deals (``tests/organisers``
checks the same count at 2 and at thousands of rows). Every figure is defined here once:

- a **visit** is a row of :class:`exhibitors.models.Visit` (one per person, kind and fair day);
  hours are the venue's;
- a meeting is a **no-show** when it was marked so, or when one side answered "it didn't
  happen" after it (:mod:`matchmaking.feedback`; that answer marks the other side absent,
  counted per side by :func:`matchmaking.feedback.no_show_counts`), unless it was cancelled;
- a meeting counts as **held** when it is held, or in progress with its end passed, and is not
  a no-show;
- **trade exchanges** are meetings held or with a logged outcome (not cancelled or no-show),
  plus contacts logged at booths (deals without a meeting);
- **deal value** uses the USD and VND values frozen when each deal was logged; a meeting logged
  by both sides counts once (:func:`meetings.selectors.deal_counted`); **signed** means an MoU
  or a contract, everything else with a value is **expected**;
- a deal's **buyer country** is the buyer company's (the logging company when it is a buyer,
  else the meeting's buyer; walk-in contacts have none); its **sectors** are the exhibitor's, so
  a deal of an exhibitor in two sectors counts in both (sector rows do not add up to the total).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractHour, TruncDate
from django_countries import countries

from exhibitors.enums import CompanyRole, MembershipStatus, VisitKind
from exhibitors.models import SECTOR_LABELS, Company, Member, Visit
from fairsite.enums import AccountKind
from matchmaking.enums import RequestStatus
from matchmaking.feedback import no_show_counts
from matchmaking.models import MeetingFeedback, MeetingRequest
from meetings.enums import DealStage, JoinKind, MeetingMode, MeetingStatus
from meetings.models import Deal, Meeting, MeetingJoin
from meetings.selectors import deal_counted, deal_totals

SIGNED_STAGES = (DealStage.MOU, DealStage.CONTRACT)
#: How far ahead "about to start" looks.
SOON = timedelta(minutes=30)
TOP = 10
LIST_LIMIT = 20


def with_feedback(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """``meetings`` annotated with ``said_no_show``: one side answered "it didn't happen".
    :func:`no_show_q`, :func:`held_q` and :func:`effective_status` read it."""
    return meetings.annotate(
        said_no_show=Exists(
            MeetingFeedback.objects.filter(meeting=OuterRef("pk"), took_place=False)
        )
    )


def no_show_q() -> Q:
    """Meetings that did not take place: marked so, or one side said so (not cancelled)."""
    return Q(status=MeetingStatus.NO_SHOW) | (
        Q(said_no_show=True) & ~Q(status=MeetingStatus.CANCELLED)
    )


def held_q(now: datetime) -> Q:
    """Meetings held at ``now``: held, or in progress with their end passed; not no-shows."""
    return (
        Q(status=MeetingStatus.HELD) | Q(status=MeetingStatus.IN_PROGRESS, end__lte=now)
    ) & ~no_show_q()


def effective_status(now: datetime) -> Case:
    """A meeting's status as the figures count it (see the module's docstring)."""
    return Case(
        When(no_show_q(), then=Value(MeetingStatus.NO_SHOW)),
        When(held_q(now), then=Value(MeetingStatus.HELD)),
        default=F("status"),
        output_field=CharField(),
    )


def _country(code: str | None) -> dict[str, str]:
    return {"country": code or "", "label": str(countries.name(code)) if code else "—"}


def _money(row: dict[str, Any]) -> dict[str, int]:
    return {
        "count": row.get("n") or 0,
        "usd_cents": row.get("usd") or 0,
        "vnd": row.get("vnd") or 0,
    }


def _company_name(company: dict[str, Any]) -> str:
    return company["name_en"] or company["name_vi"] or company["name_native"] or ""


def visit_figures(*, fair: Any) -> dict[str, Any]:
    """Visits per day and hour (venue time), unique people, by role and by country: 4 queries."""
    visits = Visit.objects.filter(fair=fair).order_by()
    per_day: dict[str, dict[str, int]] = {
        d.isoformat(): {VisitKind.ONSITE: 0, VisitKind.ONLINE: 0} for d in fair.days()
    }
    per_hour: dict[tuple[str, int], dict[str, int]] = {}
    for row in (
        visits.annotate(hour=ExtractHour("at", tzinfo=fair.tz))
        .values("day", "hour", "kind")
        .annotate(n=Count("id"))
    ):
        day = row["day"].isoformat()
        per_day.setdefault(day, {VisitKind.ONSITE: 0, VisitKind.ONLINE: 0})[row["kind"]] += row["n"]
        per_hour.setdefault((day, row["hour"]), {VisitKind.ONSITE: 0, VisitKind.ONLINE: 0})[
            row["kind"]
        ] += row["n"]
    people = visits.aggregate(
        all=Count("user", distinct=True),
        onsite=Count("user", distinct=True, filter=Q(kind=VisitKind.ONSITE)),
        online=Count("user", distinct=True, filter=Q(kind=VisitKind.ONLINE)),
    )
    # Countries of the people who visited: their approved company's, through a map of the
    # fair's members (two plain queries; a subquery per visit row is much slower).
    country_of = dict(
        Member.objects.filter(fair=fair, status=MembershipStatus.APPROVED).values_list(
            "user_id", "company__country"
        )
    )
    by_role: dict[str, int] = defaultdict(int)
    by_country: dict[str, int] = defaultdict(int)
    for user_id, kind in visits.values_list("user_id", "user__kind").distinct():
        by_role[kind] += 1
        by_country[country_of.get(user_id) or ""] += 1
    roles = dict(AccountKind.choices)
    return {
        "people": people,
        "per_day": [{"day": d, **kinds} for d, kinds in sorted(per_day.items())],
        "per_hour": [{"day": d, "hour": h, **kinds} for (d, h), kinds in sorted(per_hour.items())],
        "by_role": [
            {"role": r, "label": str(roles.get(r, r)), "people": n}
            for r, n in sorted(by_role.items(), key=lambda item: -item[1])
        ],
        "by_country": [
            {**_country(c), "people": n}
            for c, n in sorted(by_country.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def exchange_figures(*, fair: Any, now: datetime) -> dict[str, Any]:
    """Requests, meetings by status and place per day, the absent sides of no-shows, booth
    contacts, trade exchanges: 6 queries."""
    tz = fair.tz
    requests: dict[str, int] = {s: 0 for s in RequestStatus.values}
    requests_per_day: dict[str, int] = defaultdict(int)
    for row in (
        MeetingRequest.objects.filter(fair=fair)
        .order_by()
        .annotate(d=TruncDate("created_at", tzinfo=tz))
        .values("d", "status")
        .annotate(n=Count("id"))
    ):
        requests[row["status"]] = requests.get(row["status"], 0) + row["n"]
        requests_per_day[row["d"].isoformat()] += row["n"]
    statuses = [s.value for s in MeetingStatus]
    meetings = {s: 0 for s in statuses} | {"total": 0, "onsite": 0, "online": 0}
    per_day: dict[str, dict[str, int]] = {}
    for row in (
        with_feedback(Meeting.objects.filter(fair=fair))
        .order_by()
        .annotate(d=TruncDate("start", tzinfo=tz), eff=effective_status(now))
        .values("d", "eff", "mode")
        .annotate(n=Count("id"))
    ):
        day = per_day.setdefault(
            row["d"].isoformat(), {s: 0 for s in statuses} | {"onsite": 0, "online": 0}
        )
        place = "onsite" if row["mode"] == MeetingMode.ONSITE else "online"
        for bucket in (day, meetings):
            bucket[row["eff"]] += row["n"]
            if row["eff"] != MeetingStatus.CANCELLED:
                bucket[place] += row["n"]
        meetings["total"] += row["n"]
    logged = Deal.objects.filter(meeting=OuterRef("pk"))
    exchanged = (
        with_feedback(Meeting.objects.filter(fair=fair))
        .annotate(logged=Exists(logged))
        .aggregate(
            n=Count(
                "id",
                filter=held_q(now)
                | (Q(logged=True) & ~Q(status=MeetingStatus.CANCELLED) & ~no_show_q()),
            )
        )["n"]
    )
    absent = no_show_counts(fair=fair)
    roles = dict(Company.objects.filter(pk__in=list(absent)).values_list("pk", "role"))
    meetings["absent"] = {
        side: sum(n for company_id, n in absent.items() if roles.get(company_id) == role)
        for side, role in (("exhibitor", CompanyRole.EXHIBITOR), ("buyer", CompanyRole.BUYER))
    }
    contacts_per_day: dict[str, int] = {}
    for row in (
        Deal.objects.filter(fair=fair, meeting__isnull=True)
        .order_by()
        .annotate(d=TruncDate("created_at", tzinfo=tz))
        .values("d")
        .annotate(n=Count("id"))
    ):
        contacts_per_day[row["d"].isoformat()] = row["n"]
    booth = sum(contacts_per_day.values())
    days = sorted(set(per_day) | set(requests_per_day) | set(contacts_per_day))
    empty = {s: 0 for s in statuses} | {"onsite": 0, "online": 0}
    return {
        "requests": {
            "sent": sum(requests.values()),
            **requests,
            "per_day": [{"day": d, "sent": requests_per_day.get(d, 0)} for d in days],
        },
        "meetings": {
            **meetings,
            "per_day": [{"day": d, **per_day.get(d, empty)} for d in days],
        },
        "contacts": {
            "booth": booth,
            "per_day": [{"day": d, "booth": contacts_per_day.get(d, 0)} for d in days],
        },
        "trade_exchanges": exchanged + booth,
    }


def deal_figures(*, fair: Any) -> dict[str, Any]:
    """Deal value totals, by stage, buyer country and sector, signed vs expected, and the top
    exhibitors by value: 6 queries."""
    counted = deal_counted(Deal.objects.filter(fair=fair)).order_by()
    totals = deal_totals(deals=Deal.objects.filter(fair=fair), dedupe=True).as_dict()
    sums = {"n": Count("id"), "usd": Sum("value_usd_cents"), "vnd": Sum("value_vnd")}
    stages = dict(DealStage.choices)
    by_stage = {r["stage"]: r for r in counted.values("stage").annotate(**sums)}
    signed = {"n": 0, "usd": 0, "vnd": 0}
    expected = {"n": 0, "usd": 0, "vnd": 0}
    for stage, row in by_stage.items():
        if row["usd"] is None and row["vnd"] is None:
            continue
        bucket = signed if stage in SIGNED_STAGES else expected
        for key in bucket:
            bucket[key] += row[key] or 0
    with_value = counted.filter(amount_minor__isnull=False)
    buyer_country = Case(
        When(company__role=CompanyRole.BUYER, then=F("company__country")),
        default=F("meeting__buyer__country"),
        output_field=CharField(),
    )
    by_country = [
        {**_country(r["bc"]), **_money(r)}
        for r in with_value.annotate(bc=buyer_country)
        .values("bc")
        .annotate(**sums)
        .order_by("-usd", "bc")
    ]
    exhibitor = Case(
        When(meeting__isnull=True, then=F("company_id")),
        default=F("meeting__exhibitor_id"),
        output_field=IntegerField(),
    )
    per_exhibitor = {
        r["ex"]: r for r in with_value.annotate(ex=exhibitor).values("ex").annotate(**sums)
    }
    sector_sums: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "usd": 0, "vnd": 0})
    for company_id, code in Company.sectors.through.objects.filter(
        company_id__in=list(per_exhibitor)
    ).values_list("company_id", "sector__code"):
        row = per_exhibitor[company_id]
        for key in ("n", "usd", "vnd"):
            sector_sums[code][key] += row[key] or 0
    top_ids = sorted(per_exhibitor, key=lambda c: -(per_exhibitor[c]["usd"] or 0))[:TOP]
    return {
        **totals,
        "by_stage": [
            {"stage": s, "label": str(stages[s]), **_money(by_stage.get(s, {}))}
            for s in DealStage.values
        ],
        "signed": _money(signed),
        "expected": _money(expected),
        "by_country": by_country,
        "by_sector": [
            {"sector": code, "label": str(SECTOR_LABELS.get(code, code)), **_money(row)}
            for code, row in sorted(sector_sums.items(), key=lambda item: -item[1]["usd"])
        ],
        "_top_value": [(c, _money(per_exhibitor[c])) for c in top_ids],
    }


def starting_soon_unattended(*, fair: Any, now: datetime) -> list[dict[str, Any]]:
    """Meetings starting within :data:`SOON` that nobody has joined or checked in to: 1 query."""
    joined = MeetingJoin.objects.filter(
        meeting=OuterRef("pk"), kind__in=[JoinKind.ONLINE, JoinKind.TABLE]
    )
    soon = (
        Meeting.objects.filter(
            fair=fair, status=MeetingStatus.SCHEDULED, start__gte=now, start__lte=now + SOON
        )
        .annotate(anyone=Exists(joined))
        .filter(anyone=False)
        .values("id", "start", "mode", "table_number", "exhibitor__name_en", "buyer__name_en")
        .order_by("start", "id")[:LIST_LIMIT]
    )
    return [
        {
            "id": m["id"],
            "start": m["start"].isoformat(),
            "local": m["start"].astimezone(fair.tz).strftime("%H:%M"),
            "mode": m["mode"],
            "table": m["table_number"],
            "exhibitor": m["exhibitor__name_en"],
            "buyer": m["buyer__name_en"],
        }
        for m in soon
    ]


def dashboard_data(*, fair: Any, now: datetime, soon: bool = True) -> dict[str, Any]:
    """Every figure of the organisers' dashboard (JSON-serialisable): 20 queries whatever the
    size of the fair; without ``soon``, no ``starting_soon_unattended`` and one query fewer
    (:mod:`organisers.stats` caches that clock-bound list on its own)."""
    visits = visit_figures(fair=fair)
    exchanges = exchange_figures(fair=fair, now=now)
    deals = deal_figures(fair=fair)
    top_value = deals.pop("_top_value")
    top_meetings = list(
        with_feedback(Meeting.objects.filter(fair=fair))
        .filter(held_q(now))
        .order_by()
        .values("exhibitor_id")
        .annotate(n=Count("id"))
        .order_by("-n", "exhibitor_id")[:TOP]
    )
    met = Meeting.objects.filter(buyer=OuterRef("pk")).exclude(status=MeetingStatus.CANCELLED)
    lonely = list(
        Company.objects.filter(fair=fair, role=CompanyRole.BUYER)
        .annotate(has=Exists(met))
        .filter(has=False)
        .values("id", "name_en", "name_vi", "name_native", "country")
        .order_by("name_en", "id")
    )
    ids = {r["exhibitor_id"] for r in top_meetings} | {c for c, _m in top_value}
    names = {
        c["id"]: c
        for c in Company.objects.filter(pk__in=ids).values(
            "id", "name_en", "name_vi", "name_native", "slug"
        )
    }

    def company(company_id: int) -> dict[str, Any]:
        found = names.get(company_id, {"name_en": "", "name_vi": "", "name_native": ""})
        return {"id": company_id, "name": _company_name(found), "slug": found.get("slug", "")}

    data = {
        "generated_at": now.isoformat(),
        "fair": {
            "name": fair.name,
            "time_zone": fair.time_zone,
            "days": [d.isoformat() for d in fair.days()],
            "hours": list(range(fair.day_start.hour, fair.day_end.hour + 1)),
        },
        "visits": visits,
        **exchanges,
        "deals": deals,
        "top_exhibitors": {
            "by_meetings": [{**company(r["exhibitor_id"]), "held": r["n"]} for r in top_meetings],
            "by_value": [{**company(c), **m} for c, m in top_value],
        },
        "buyers_without_meeting": {
            "count": len(lonely),
            "items": [
                {"id": b["id"], "name": _company_name(b), **_country(b["country"])}
                for b in lonely[:LIST_LIMIT]
            ],
        },
    }
    if soon:
        data["starting_soon_unattended"] = starting_soon_unattended(fair=fair, now=now)
    return data
