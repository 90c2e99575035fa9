"""A company's own figures (for its approved members): profile views, requests, meetings,
contacts and deal value, and its leads as CSV or XLSX."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exhibitors.models import Company
from exhibitors.visits import fair_day
from matchmaking.enums import RequestStatus
from matchmaking.feedback import no_show_counts
from matchmaking.models import MeetingRequest
from meetings.enums import MeetingStatus
from meetings.models import Deal, Meeting
from meetings.selectors import deal_totals
from organisers.models import ProfileView
from organisers.selectors import held_q, no_show_q, with_feedback

SEEN_SECONDS = 36 * 3600


def profile_view_record(*, company: Company, viewer: Any, now: datetime) -> bool:
    """Count a signed-in person's look at ``company``'s profile, once per day (venue time).

    As for online visits: a cache key per company, viewer and day guards the insert, and the
    unique constraint makes a second insert after a lost key harmless. The company's own
    members and organisers are not counted.
    """
    if not getattr(viewer, "is_authenticated", False):
        return False
    day = fair_day(fair=company.fair, at=now)
    if not cache.add(f"profile-view:{company.pk}:{viewer.pk}:{day.isoformat()}", 1, SEEN_SECONDS):
        return False
    if viewer.is_organiser or company.members.filter(user=viewer).exists():
        return False
    try:
        with transaction.atomic():
            ProfileView.objects.create(
                fair_id=company.fair_id, company=company, viewer=viewer, day=day, at=now
            )
    except IntegrityError:
        return False
    return True


def company_figures(*, company: Company) -> dict[str, Any]:
    """The company's own numbers, in seven queries."""
    views = ProfileView.objects.filter(company=company).aggregate(
        n=Count("id"), people=Count("viewer", distinct=True)
    )
    requests = MeetingRequest.objects.filter(fair_id=company.fair_id).aggregate(
        received=Count("id", filter=Q(recipient=company)),
        sent=Count("id", filter=Q(requester=company)),
        accepted=Count(
            "id",
            filter=(Q(recipient=company) | Q(requester=company)) & Q(status=RequestStatus.ACCEPTED),
        ),
    )
    now = timezone.now()
    meetings = with_feedback(
        Meeting.objects.filter(Q(exhibitor=company) | Q(buyer=company))
    ).aggregate(
        total=Count("id"),
        held=Count("id", filter=held_q(now)),
        no_show=Count("id", filter=no_show_q()),
        cancelled=Count("id", filter=Q(status=MeetingStatus.CANCELLED)),
    )
    meetings["absent"] = no_show_counts(fair=company.fair).get(company.pk, 0)
    own = Deal.objects.filter(company=company)
    contacts = own.aggregate(
        booth=Count("id", filter=Q(meeting__isnull=True)),
        meetings=Count("id", filter=Q(meeting__isnull=False)),
    )
    totals = deal_totals(deals=own)
    return {
        "views": views,
        "requests": requests,
        "meetings": meetings,
        "contacts": contacts,
        "deals": totals,
    }


def leads_table(*, company: Company) -> tuple[list[str], Any]:
    """The company's leads: contacts from its meetings and from booth scans, one query."""
    tz = company.fair.tz
    header = [
        _("Logged"),
        _("Counterpart"),
        _("Country"),
        _("From"),
        _("Contacts exchanged"),
        _("Stage"),
        _("Currency"),
        _("Value (minor units)"),
        _("Notes"),
    ]
    rows = (
        (
            at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            counterpart or name or badge_name or "",
            country or "",
            _("Meeting") if meeting_id else _("Booth"),
            contacts,
            stage,
            currency,
            amount,
            notes,
        )
        for (
            at,
            counterpart,
            name,
            badge_name,
            country,
            meeting_id,
            contacts,
            stage,
            currency,
            amount,
            notes,
        ) in Deal.objects.filter(company=company)
        .order_by("created_at", "id")
        .values_list(
            "created_at",
            "counterpart__name_en",
            "counterpart_name",
            "visitor_badge__user__full_name",
            "counterpart__country",
            "meeting_id",
            "contacts",
            "stage",
            "currency",
            "amount_minor",
            "notes",
        )
        .iterator()
    )
    return header, rows
