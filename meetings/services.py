"""Writes for meeting rooms: joining, checking in, the lifecycle, join links, change
notifications, and the contact and deal log.

Every service is keyword-only and transactional. Services that change a meeting lock its row
(``select_for_update``) for the whole decision, so two joins arriving together cannot both miss
each other, and announce the change through ``meetings.notifications`` (after commit: a rollback
leaks nothing). See ``docs/deals.md`` for the lifecycle and the deal-log rules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import Badge, Company, Member
from fairsite import timefmt
from meetings import money, notifications
from meetings.access import user_company_id
from meetings.enums import Currency, DealStage, JoinKind, MeetingStatus
from meetings.links import new_video_url
from meetings.models import Deal, DealRevision, ExchangeRate, Meeting, MeetingJoin
from meetings.selectors import meeting_sides_present
from organisers.live import stats_changed_on_commit

logger = logging.getLogger(__name__)

# What changed, as told to the room and to each person (``meetings.notifications``).
CHANGE_RESCHEDULED = notifications.CHANGE_RESCHEDULED
CHANGE_CANCELLED = notifications.CHANGE_CANCELLED
CHANGE_LINK = notifications.CHANGE_LINK
CHANGE_PLACE = notifications.CHANGE_PLACE
CHANGE_STATUS = notifications.CHANGE_STATUS

VIDEO_URL_MAX_CHARS = 500
# Statuses the evidence may move a meeting out of; organisers' marks and cancellations stay.
_OPEN_STATUSES = {MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS}


class MeetingActionError(Exception):
    """A meeting action that cannot happen now; ``message`` is for the person, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DealConflict(Exception):
    """Someone else saved the deal since the form was loaded; ``current`` is the deal as it is
    now, for showing the person what changed."""

    def __init__(self, current: Deal) -> None:
        super().__init__(f"deal {current.pk} is at version {current.version}")
        self.current = current


# --- Who is who ------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def meeting_side_of(*, meeting: Meeting, user: Any) -> int | None:
    """The id of the meeting's company ``user`` is an approved member of, or ``None``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.filter(
            fair_id=meeting.fair_id,
            user=user,
            status=MembershipStatus.APPROVED,
            company_id__in=[meeting.exhibitor_id, meeting.buyer_id],
        )
        .values_list("company_id", flat=True)
        .first()
    )


def _require_participant_or_organiser(*, meeting: Meeting, user: Any) -> int | None:
    side = meeting_side_of(meeting=meeting, user=user)
    if side is None and not getattr(user, "is_organiser", False):
        raise PermissionDenied
    return side


def _require_organiser(user: Any) -> None:
    if not getattr(user, "is_organiser", False):
        raise PermissionDenied


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


# --- Join window, links, check-in tokens -----------------------------------------------------


def join_window(*, meeting: Meeting) -> tuple[datetime, datetime]:
    """The Join button works from ``MEETING_JOIN_EARLY_MINUTES`` (10) before the start until the
    end."""
    early = int(getattr(settings, "MEETING_JOIN_EARLY_MINUTES", 10))
    return meeting.start - timedelta(minutes=early), meeting.end


def join_window_open(*, meeting: Meeting, now: datetime | None = None) -> bool:
    opens, closes = join_window(meeting=meeting)
    return opens <= _now(now) < closes


def validate_video_url(url: str) -> str:
    """An external meeting link (Zoom, Teams, Google Meet…): https only, a real host name, no
    credentials, no spaces or control characters, at most 500 characters. Returns it stripped."""
    value = (url or "").strip()
    invalid = ValidationError(
        _("Enter a secure link starting with https://, e.g. https://zoom.us/j/123456789."),
        code="invalid",
    )
    if not value:
        raise ValidationError(_("Enter a link."), code="required")
    if len(value) > VIDEO_URL_MAX_CHARS:
        raise ValidationError(
            _("This link is too long (at most %(max)s characters)."),
            code="too_long",
            params={"max": VIDEO_URL_MAX_CHARS},
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in value):
        raise invalid
    try:
        parts = urlsplit(value)
    except ValueError:
        raise invalid from None
    if parts.scheme != "https":
        raise invalid
    if "@" in parts.netloc or parts.username or parts.password:
        raise ValidationError(
            _("A meeting link must not contain a user name or password."), code="credentials"
        )
    host = parts.hostname or ""
    if "." not in host or host.endswith("."):
        raise invalid
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise invalid from None
    return value


def checkin_token(*, meeting: Meeting) -> str:
    """The secret in the table QR's URL: an HMAC of the meeting's id and calendar UID under the
    site's secret key. Not guessable, never stored, stable for the meeting's life."""
    value = f"{meeting.pk}:{meeting.uid}"
    return salted_hmac("meetings.checkin", value, algorithm="sha256").hexdigest()[:32]


def checkin_token_valid(*, meeting: Meeting, token: str) -> bool:
    return constant_time_compare(checkin_token(meeting=meeting), token or "")


# --- Lifecycle -------------------------------------------------------------------------------


def _status_from_evidence(meeting: Meeting, now: datetime) -> str:
    """Scheduled → in progress once both companies showed up (a join or a table check-in by a
    member of each), → held once that meeting's end has passed. Nothing else moves by itself:
    held, no-show and cancelled stay until an organiser (or the booking flow) changes them."""
    if meeting.status not in _OPEN_STATUSES:
        return meeting.status
    if meeting.status == MeetingStatus.SCHEDULED:
        present = meeting_sides_present(meeting=meeting)
        if present != {meeting.exhibitor_id, meeting.buyer_id}:
            return meeting.status
    return MeetingStatus.HELD if now >= meeting.end else MeetingStatus.IN_PROGRESS


def _apply_status(meeting: Meeting, status: str) -> bool:
    if status == meeting.status:
        return False
    meeting.status = status
    meeting.version = F("version") + 1
    meeting.save(update_fields=["status", "version", "updated_at"])
    meeting.refresh_from_db(fields=["version"])
    stats_changed_on_commit(meeting.fair_id)
    return True


def _broadcast_meeting(meeting: Meeting, change: str) -> None:
    notifications.announce_room(meeting, change)


@transaction.atomic
def meeting_status_refresh(*, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """Bring the status in line with the evidence and the clock (an in-progress meeting whose
    end has passed becomes held). Locks the meeting row; announces a change after commit."""
    locked = _locked(meeting)
    if _apply_status(locked, _status_from_evidence(locked, _now(now))):
        _broadcast_meeting(locked, CHANGE_STATUS)
    return locked


@transaction.atomic
def meeting_join_record(*, meeting: Meeting, user: Any, now: datetime | None = None) -> str:
    """Record that ``user`` opened the video link and return the link to send them to.

    Only for online or mixed meetings that have a link, are not cancelled or marked no-show,
    and only inside :func:`join_window`; otherwise :class:`MeetingActionError` and nothing is
    recorded. Locks the meeting row so that the two sides joining at the same instant see each
    other's evidence.
    """
    now = _now(now)
    side = _require_participant_or_organiser(meeting=meeting, user=user)
    locked = _locked(meeting)
    if not locked.is_online or not locked.video_url:
        raise MeetingActionError(_("This meeting has no video link."))
    if locked.status in (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW):
        raise MeetingActionError(_("This meeting was cancelled."))
    opens, closes = join_window(meeting=locked)
    if now < opens:
        raise MeetingActionError(
            _("The meeting opens at %(time)s, %(minutes)s minutes before the start.")
            % {
                "time": timefmt.in_zone(opens, getattr(user, "time_zone", "") or "UTC"),
                "minutes": int((locked.start - opens).total_seconds() // 60),
            }
        )
    if now >= closes:
        raise MeetingActionError(_("This meeting has ended."))
    MeetingJoin.objects.create(
        meeting=locked, user=user, company_id=side, kind=JoinKind.ONLINE, at=now
    )
    if _apply_status(locked, _status_from_evidence(locked, now)):
        _broadcast_meeting(locked, CHANGE_STATUS)
    else:  # the figures moved all the same: no longer "about to start with nobody in"
        stats_changed_on_commit(locked.fair_id)
    return locked.video_url


@transaction.atomic
def meeting_checkin(
    *, meeting: Meeting, user: Any, token: str, now: datetime | None = None
) -> MeetingJoin:
    """A participant scanned the QR on the meeting's table. The token must match (else
    :class:`PermissionDenied`: the view answers 404), the meeting must have a table, and the
    scan must fall inside the join window. Locks the meeting row."""
    now = _now(now)
    if not checkin_token_valid(meeting=meeting, token=token):
        raise PermissionDenied
    side = meeting_side_of(meeting=meeting, user=user)
    if side is None:
        raise PermissionDenied
    locked = _locked(meeting)
    if locked.table_number is None:
        raise MeetingActionError(_("This meeting has no table."))
    if locked.status in (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW):
        raise MeetingActionError(_("This meeting was cancelled."))
    if not join_window_open(meeting=locked, now=now):
        raise MeetingActionError(_("Check-in is open from shortly before the start to the end."))
    join = MeetingJoin.objects.create(
        meeting=locked, user=user, company_id=side, kind=JoinKind.TABLE, at=now
    )
    if _apply_status(locked, _status_from_evidence(locked, now)):
        _broadcast_meeting(locked, CHANGE_STATUS)
    else:  # the figures moved all the same: no longer "about to start with nobody in"
        stats_changed_on_commit(locked.fair_id)
    return join


MARKABLE = (MeetingStatus.HELD, MeetingStatus.NO_SHOW)


@transaction.atomic
def meeting_mark(
    *, meeting: Meeting, user: Any, status: str, now: datetime | None = None
) -> Meeting:
    """An organiser marks a meeting held or no-show (a cancelled meeting cannot be marked).
    A "held" mark is kept as evidence (a join of kind ``organiser``). Locks the meeting row."""
    _require_organiser(user)
    if status not in MARKABLE:
        raise MeetingActionError(_("Choose held or no-show."))
    now = _now(now)
    locked = _locked(meeting)
    if locked.status == MeetingStatus.CANCELLED:
        raise MeetingActionError(_("This meeting was cancelled."))
    if status == MeetingStatus.HELD:
        MeetingJoin.objects.create(meeting=locked, user=user, kind=JoinKind.ORGANISER, at=now)
    if _apply_status(locked, status):
        _broadcast_meeting(locked, CHANGE_STATUS)
    return locked


@transaction.atomic
def meeting_video_url_set(*, meeting: Meeting, user: Any, url: str) -> Meeting:
    """Set an external link (validated by :func:`validate_video_url`), or with an empty ``url``
    go back to a fresh room on the fair's video server. Only the exhibitor's members and
    organisers; only online or mixed meetings that are still to happen. Raises the
    invitation's sequence and tells both sides (:func:`meetings.notifications.meeting_changed`)."""
    side = meeting_side_of(meeting=meeting, user=user)
    if side != meeting.exhibitor_id and not getattr(user, "is_organiser", False):
        raise PermissionDenied
    value = validate_video_url(url) if (url or "").strip() else new_video_url()
    locked = _locked(meeting)
    if not locked.is_online:
        raise MeetingActionError(_("Only online and mixed meetings have a video link."))
    if locked.status not in _OPEN_STATUSES:
        raise MeetingActionError(_("This meeting is over or cancelled."))
    if value == locked.video_url:
        return locked
    locked.video_url = value
    locked.sequence = F("sequence") + 1
    locked.version = F("version") + 1
    locked.save(update_fields=["video_url", "sequence", "version", "updated_at"])
    locked.refresh_from_db(fields=["sequence", "version"])
    notifications.meeting_changed(meeting=locked, change=CHANGE_LINK)
    return locked


# --- Exchange rates --------------------------------------------------------------------------


@dataclass(frozen=True)
class FrozenRates:
    units_per_usd: Decimal
    vnd_per_usd: Decimal
    at: datetime


def rate_current(*, fair: Any, currency: str, at: datetime) -> Decimal | None:
    """Units of ``currency`` per US dollar: the latest rate of ``fair`` with
    ``valid_from <= at``; the US dollar is always 1."""
    if currency == Currency.USD:
        return Decimal(1)
    return (
        ExchangeRate.objects.filter(fair=fair, currency=currency, valid_from__lte=at)
        .order_by("-valid_from", "-id")
        .values_list("units_per_usd", flat=True)
        .first()
    )


def rates_freeze(*, fair: Any, currency: str, at: datetime) -> FrozenRates:
    """The rates a value logged now is converted with. No rate: a :class:`ValidationError` on
    the currency that says what to do."""
    units = rate_current(fair=fair, currency=currency, at=at)
    vnd = rate_current(fair=fair, currency=Currency.VND, at=at)
    missing = [code for code, rate in ((currency, units), (Currency.VND, vnd)) if rate is None]
    if missing:
        raise ValidationError(
            {
                "currency": _(
                    "There is no exchange rate for %(currencies)s yet; the organisers "
                    "publish the fair's rates. Try another currency or log the value later."
                )
                % {"currencies": ", ".join(dict.fromkeys(missing))}
            },
            code="no_rate",
        )
    return FrozenRates(units_per_usd=units, vnd_per_usd=vnd, at=at)


@transaction.atomic
def exchange_rate_create(
    *, fair: Any, user: Any, currency: str, units_per_usd: Decimal, valid_from: datetime
) -> ExchangeRate:
    """Organisers publish a rate. Deals already logged keep the rate they were frozen with."""
    _require_organiser(user)
    if currency not in Currency.values or currency == Currency.USD:
        raise ValidationError({"currency": _("Choose a currency other than the US dollar.")})
    if units_per_usd <= 0:
        raise ValidationError({"units_per_usd": _("The rate must be greater than zero.")})
    if ExchangeRate.objects.filter(fair=fair, currency=currency, valid_from=valid_from).exists():
        raise ValidationError(
            {"valid_from": _("There is already a rate for this currency from that moment.")}
        )
    return ExchangeRate.objects.create(
        fair=fair,
        currency=currency,
        units_per_usd=units_per_usd,
        valid_from=valid_from,
        created_by=user,
    )


# --- Contact and deal log --------------------------------------------------------------------

# The fields a person edits, and the derived fields recorded in the history with them.
DEAL_EDITABLE = ("counterpart_name", "contacts", "stage", "currency", "amount_minor", "notes")
DEAL_TRACKED = (*DEAL_EDITABLE, "units_per_usd", "vnd_per_usd", "value_usd_cents", "value_vnd")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _deal_values(
    *, fair: Any, currency: str, amount_minor: int | None, at: datetime
) -> dict[str, Any]:
    """The money fields of a deal: none without an amount, else the amount and its USD and VND
    values at the rates in force at ``at``."""
    if amount_minor is None:
        return {
            "currency": "",
            "amount_minor": None,
            "units_per_usd": None,
            "vnd_per_usd": None,
            "rated_at": None,
            "value_usd_cents": None,
            "value_vnd": None,
        }
    if currency not in Currency.values:
        raise ValidationError({"currency": _("Choose the currency of the value.")})
    try:
        money.validate_minor(amount_minor)
    except ValidationError as exc:
        raise ValidationError({"amount": exc.messages}) from None
    rates = rates_freeze(fair=fair, currency=currency, at=at)
    converted = money.convert(
        minor=amount_minor,
        currency=currency,
        units_per_usd=rates.units_per_usd,
        vnd_per_usd=rates.vnd_per_usd,
    )
    return {
        "currency": currency,
        "amount_minor": amount_minor,
        "units_per_usd": rates.units_per_usd,
        "vnd_per_usd": rates.vnd_per_usd,
        "rated_at": at,
        "value_usd_cents": converted.usd_cents,
        "value_vnd": converted.vnd,
    }


def _clean_text(*, contacts: str, notes: str, counterpart_name: str, stage: str) -> None:
    if stage not in DealStage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    if len(contacts) > 2000 or len(notes) > 4000 or len(counterpart_name) > 200:
        raise ValidationError(_("A text is too long."))


@transaction.atomic
def deal_create(
    *,
    fair: Any,
    user: Any,
    meeting: Meeting | None = None,
    badge_code: str = "",
    counterpart_name: str = "",
    contacts: str = "",
    stage: str = DealStage.NO_FOLLOW_UP,
    currency: str = "",
    amount_minor: int | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> Deal:
    """Log what came of ``meeting`` for the user's own company, or, without a meeting, a
    walk-in contact at an exhibitor's booth (from a visitor's badge code or a name).

    The company is always the acting person's approved company at ``fair``; a meeting must be
    one of that company's and not cancelled, and a company logs a meeting once (the database
    refuses a second row). A value is converted with the rates in force now, which are copied
    onto the deal (frozen). The first revision records every field.
    """
    now = _now(now)
    company_id = user_company_id(fair=fair, user=user)
    if company_id is None:
        raise PermissionDenied
    _clean_text(contacts=contacts, notes=notes, counterpart_name=counterpart_name, stage=stage)
    badge = None
    counterpart_id = None
    if meeting is not None:
        if meeting.fair_id != fair.pk or company_id not in (meeting.exhibitor_id, meeting.buyer_id):
            raise PermissionDenied
        if meeting.status == MeetingStatus.CANCELLED:
            raise ValidationError(_("This meeting was cancelled."))
        if Deal.objects.filter(company_id=company_id, meeting=meeting).exists():
            raise ValidationError(_("Your company has already logged this meeting."))
        counterpart_id = (
            meeting.buyer_id if company_id == meeting.exhibitor_id else meeting.exhibitor_id
        )
    else:
        if not Company.objects.filter(pk=company_id, role=CompanyRole.EXHIBITOR).exists():
            raise ValidationError(_("Only exhibitors log walk-in contacts at their booth."))
        code = (badge_code or "").strip()
        if code:
            badge = Badge.objects.filter(fair=fair, code=code).select_related("user").first()
            if badge is None:
                raise ValidationError({"badge_code": _("No badge with this code at this fair.")})
            if not counterpart_name:
                counterpart_name = (badge.organisation or str(badge.user))[:200]
        if not counterpart_name.strip():
            raise ValidationError(
                {"counterpart_name": _("Scan the visitor's badge or enter a name.")}
            )
    values = _deal_values(fair=fair, currency=currency, amount_minor=amount_minor, at=now)
    deal = Deal.objects.create(
        fair=fair,
        company_id=company_id,
        meeting=meeting,
        counterpart_id=counterpart_id,
        counterpart_name=counterpart_name.strip(),
        visitor_badge=badge,
        contacts=contacts,
        stage=stage,
        notes=notes,
        created_by=user,
        version=1,
        **values,
    )
    DealRevision.objects.create(
        deal=deal,
        user=user,
        at=now,
        version=1,
        changes={
            field: [None, _json_value(getattr(deal, field))]
            for field in DEAL_TRACKED
            if getattr(deal, field) not in (None, "")
        },
    )
    stats_changed_on_commit(fair.pk)
    return deal


def _can_edit_deal(*, deal: Deal, user: Any) -> bool:
    if getattr(user, "is_organiser", False):
        return True
    return Member.objects.filter(
        fair_id=deal.fair_id,
        user=user,
        company_id=deal.company_id,
        status=MembershipStatus.APPROVED,
    ).exists()


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    user: Any,
    version: int,
    counterpart_name: str,
    contacts: str,
    stage: str,
    currency: str,
    amount_minor: int | None,
    notes: str,
    now: datetime | None = None,
) -> Deal:
    """Save an edit made on ``version`` of the deal.

    Optimistic locking: one conditional ``UPDATE … WHERE id = … AND version = <submitted>``.
    If someone saved in between, no row matches and :class:`DealConflict` carries the current
    deal; nothing is written. A new amount or currency is converted at today's rates (frozen
    anew); an unchanged value keeps its frozen rate. Every change is recorded as a revision
    ``{field: [old, new]}``; an edit that changes nothing writes nothing.
    """
    now = _now(now)
    if not _can_edit_deal(deal=deal, user=user):
        raise PermissionDenied
    current = Deal.objects.select_related("fair").get(pk=deal.pk)
    _clean_text(contacts=contacts, notes=notes, counterpart_name=counterpart_name, stage=stage)
    if current.meeting_id is None and not counterpart_name.strip():
        raise ValidationError({"counterpart_name": _("Enter who you met.")})
    new: dict[str, Any] = {
        "counterpart_name": counterpart_name.strip(),
        "contacts": contacts,
        "stage": stage,
        "notes": notes,
    }
    if amount_minor != current.amount_minor or (currency or "") != current.currency:
        new.update(
            _deal_values(fair=current.fair, currency=currency, amount_minor=amount_minor, at=now)
        )
    changes = {
        field: [_json_value(getattr(current, field)), _json_value(new[field])]
        for field in DEAL_TRACKED
        if field in new and getattr(current, field) != new[field]
    }
    if not changes:
        return current
    updated = Deal.objects.filter(pk=current.pk, version=version).update(
        **new, version=F("version") + 1, updated_at=now
    )
    if updated == 0:
        raise DealConflict(Deal.objects.get(pk=current.pk))
    DealRevision.objects.create(
        deal=current, user=user, at=now, version=version + 1, changes=changes
    )
    stats_changed_on_commit(current.fair_id)
    return Deal.objects.get(pk=current.pk)
