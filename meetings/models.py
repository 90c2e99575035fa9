"""Meetings and who attends them.

No double booking is enforced by the database: on PostgreSQL by exclusion constraints (see
migration ``0002_no_double_booking``) over the attendee's and the table's time ranges; on SQLite
by a serialised write path (``BEGIN IMMEDIATE``) in the booking service.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meetings.enums import (
    ACTIVE_STATUSES,
    Currency,
    DealStage,
    JoinKind,
    MeetingMode,
    MeetingStatus,
)
from meetings.money import format_amount, format_rate


class Meeting(models.Model):
    """A B2B meeting between an exhibitor and a buyer, at a table or online, in UTC."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="meetings", verbose_name=_("fair")
    )
    exhibitor = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="meetings_as_exhibitor",
        verbose_name=_("exhibitor"),
    )
    buyer = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="meetings_as_buyer",
        verbose_name=_("buyer"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    mode = models.CharField(_("place"), max_length=16, choices=MeetingMode.choices)
    table_number = models.PositiveIntegerField(_("table"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # Online and mixed meetings: the join link (a Jitsi room by default, or an external link).
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    # Calendar identity: UID never changes; SEQUENCE rises on every change.
    uid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name=_("calendar UID")
    )
    sequence = models.PositiveIntegerField(default=0, verbose_name=_("calendar sequence"))
    # Optimistic concurrency for edits.
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_end_after_start"),
            models.CheckConstraint(
                condition=~Q(exhibitor=F("buyer")), name="meeting_two_companies"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=MeetingMode.values), name="meeting_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode=MeetingMode.ONLINE, table_number__isnull=True)
                | (~Q(mode=MeetingMode.ONLINE) & Q(table_number__isnull=False)),
                name="meeting_table_iff_on_site",
            ),
        ]
        indexes = [
            models.Index(fields=["fair", "start"]),
            models.Index(fields=["exhibitor", "start"]),
            models.Index(fields=["buyer", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.exhibitor} × {self.buyer} @ {self.start:%Y-%m-%d %H:%M}Z"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_online(self) -> bool:
        return self.mode in (MeetingMode.ONLINE, MeetingMode.MIXED)


class MeetingAttendee(models.Model):
    """A person booked into a meeting. ``start``/``end``/``active`` mirror the meeting so the
    database can refuse overlapping bookings of one person."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_attendances",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        "exhibitors.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    start = models.DateTimeField(verbose_name=_("start"))
    end = models.DateTimeField(verbose_name=_("end"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendee_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="attendee_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["user", "start"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.meeting_id}"


class ChatMessage(models.Model):
    """A chat message in a meeting's room. ``client_id`` makes a resend idempotent."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="messages", verbose_name=_("meeting")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_messages",
        verbose_name=_("sender"),
    )
    client_id = models.CharField(max_length=64, verbose_name=_("client ID"))
    text = models.TextField(max_length=2000, verbose_name=_("text"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sender", "client_id"], name="chat_message_idempotent"
            ),
        ]
        indexes = [models.Index(fields=["meeting", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.meeting_id}"


class MeetingJoin(models.Model):
    """Evidence that someone joined a meeting: the video link, the table's QR, or an
    organiser's mark. ``company`` is the side the person belongs to (empty for organisers);
    a meeting is under way once both companies have evidence."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="joins", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_joins",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    kind = models.CharField(max_length=16, choices=JoinKind.choices, verbose_name=_("kind"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("join")
        verbose_name_plural = _("joins")
        ordering = ["at"]
        indexes = [models.Index(fields=["meeting", "company"])]

    def __str__(self) -> str:
        return f"{self.user_id} joined {self.meeting_id} ({self.kind})"


class ExchangeRate(models.Model):
    """Rates the organisers maintain, quoted the way banks quote them: how many units of
    ``currency`` one US dollar buys (24,350 VND; 149.5 JPY; 0.92 EUR), effective from
    ``valid_from``. Stored as an exact decimal. US dollars need no row (always 1)."""

    fair = models.ForeignKey(
        "fairsite.Fair",
        on_delete=models.CASCADE,
        related_name="exchange_rates",
        verbose_name=_("fair"),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    units_per_usd = models.DecimalField(_("units per US dollar"), max_digits=20, decimal_places=6)
    valid_from = models.DateTimeField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["fair", "currency", "valid_from"], name="rate_unique_per_time"
            ),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 USD = {self.units_display} {self.currency}"

    @property
    def units_display(self) -> str:
        return format_rate(self.units_per_usd)


class Deal(models.Model):
    """What came of a meeting (or a walk-in contact at a booth) for one company.

    Amounts are integers of the currency's minor unit (no floats); the USD and VND values are
    computed with the rates frozen when the value was logged (``units_per_usd`` of the
    currency, ``vnd_per_usd``, at ``rated_at``). See ``docs/deals.md``.
    """

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="deals", verbose_name=_("fair")
    )
    company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="deals",
        verbose_name=_("company"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("meeting"),
    )
    counterpart = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counterpart company"),
    )
    counterpart_name = models.CharField(_("counterpart"), max_length=200, blank=True)
    visitor_badge = models.ForeignKey(
        "exhibitors.Badge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visitor's badge"),
    )
    contacts = models.TextField(_("contacts exchanged"), max_length=2000, blank=True)
    stage = models.CharField(
        _("stage"), max_length=16, choices=DealStage.choices, default=DealStage.NO_FOLLOW_UP
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    amount_minor = models.BigIntegerField(_("value (minor units)"), null=True, blank=True)
    units_per_usd = models.DecimalField(
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        verbose_name=_("units per US dollar"),
    )
    vnd_per_usd = models.DecimalField(
        max_digits=20, decimal_places=6, null=True, blank=True, verbose_name=_("đồng per US dollar")
    )
    rated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("rate frozen at"))
    value_usd_cents = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("value in US cents")
    )
    value_vnd = models.BigIntegerField(null=True, blank=True, verbose_name=_("value in đồng"))
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(default=1, verbose_name=_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-updated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "meeting"],
                condition=Q(meeting__isnull=False),
                name="deal_one_per_company_per_meeting",
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__isnull=True) | Q(amount_minor__gte=0),
                name="deal_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__isnull=True) | ~Q(currency=""),
                name="deal_amount_has_currency",
            ),
        ]
        indexes = [models.Index(fields=["fair", "company"]), models.Index(fields=["meeting"])]

    def __str__(self) -> str:
        return f"deal {self.pk} of {self.company_id}"

    @property
    def amount_display(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    @property
    def value_usd_display(self) -> str:
        return format_amount(self.value_usd_cents, "USD")

    @property
    def value_vnd_display(self) -> str:
        return format_amount(self.value_vnd, "VND")

    @property
    def rates_display(self) -> str:
        if self.units_per_usd is None or self.vnd_per_usd is None:
            return ""
        return (
            f"1 USD = {format_rate(self.units_per_usd)} {self.currency}; "
            f"1 USD = {format_rate(self.vnd_per_usd)} VND"
        )

    @property
    def counterpart_display(self) -> str:
        if self.counterpart_id:
            return self.counterpart.display_name
        return self.counterpart_name


class DealRevision(models.Model):
    """One change to a deal: who, when, and the changed fields' old and new values."""

    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("deal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(verbose_name=_("at"))
    version = models.PositiveIntegerField(verbose_name=_("version"))
    changes = models.JSONField(default=dict, verbose_name=_("changes"))

    class Meta:
        verbose_name = _("deal revision")
        verbose_name_plural = _("deal revisions")
        ordering = ["deal", "version"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "version"], name="deal_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} v{self.version}"
