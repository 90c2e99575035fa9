"""Matchmaking data: the fair's meeting grid settings, people's availability, interests,
recommendations, meeting requests, calendar tokens and scheduler runs.

Everything is stored in UTC; the grid's hours are venue-local wall-clock times (a ``time``)
turned into UTC instants per day by :mod:`matchmaking.slots`.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from matchmaking.enums import (
    BookingStatus,
    ConceptKind,
    InterestLevel,
    NextStep,
    OfferStatus,
    RequestStatus,
    RunStatus,
    WaitlistStatus,
)


class GridSettings(models.Model):
    """The fair's online window (venue time, wider than the hall's hours so remote buyers in
    other zones can meet). Hall hours, slot length and capacities live on ``Fair``."""

    fair = models.OneToOneField(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="grid", verbose_name=_("fair")
    )
    online_start = models.TimeField(_("online meetings from"), default=time(6, 0))
    online_end = models.TimeField(_("online meetings until"), default=time(22, 0))

    class Meta:
        verbose_name = _("meeting grid")
        verbose_name_plural = _("meeting grids")
        constraints = [
            models.CheckConstraint(
                condition=Q(online_end__gt=F("online_start")), name="grid_online_hours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fair} {self.online_start:%H:%M}–{self.online_end:%H:%M}"


class FairBreak(models.Model):
    """A daily break in venue time (e.g. lunch 12:00–13:00): no meeting slot overlaps it."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="breaks", verbose_name=_("fair")
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="break_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class Availability(models.Model):
    """When a person can meet at a fair, in UTC (entered in their own zone)."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availabilities",
        verbose_name=_("user"),
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        ordering = ["user", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="availability_ordered"),
        ]
        indexes = [models.Index(fields=["fair", "user", "start"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.start:%Y-%m-%d %H:%M}Z–{self.end:%H:%M}Z"


class Interest(models.Model):
    """What one company thinks of meeting another: must meet, maybe, not interested."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    from_company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="interests_given",
        verbose_name=_("from company"),
    )
    to_company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="interests_received",
        verbose_name=_("to company"),
    )
    level = models.CharField(_("interest"), max_length=8, choices=InterestLevel.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [
            models.UniqueConstraint(
                fields=["from_company", "to_company"], name="interest_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(from_company=F("to_company")), name="interest_two_companies"
            ),
            models.CheckConstraint(
                condition=Q(level__in=InterestLevel.values), name="interest_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_company_id} → {self.to_company_id}: {self.level}"


class Recommendation(models.Model):
    """One scored, explained suggestion for ``company`` to meet ``other``.

    ``reasons`` is a list of ``{"code": ..., **params}`` so that the text is written at render
    time in the viewer's language (see :func:`matchmaking.selectors.reason_texts`).
    """

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("company"),
    )
    other = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recommended company"),
    )
    rank = models.PositiveSmallIntegerField(verbose_name=_("rank"))
    score = models.FloatField(verbose_name=_("score"))
    reasons = models.JSONField(default=list, verbose_name=_("reasons"))
    computed_at = models.DateTimeField(verbose_name=_("computed at"))

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["company", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["company", "other"], name="recommendation_once"),
        ]
        indexes = [models.Index(fields=["company", "rank"])]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.other_id} ({self.score:.1f})"


class Concept(models.Model):
    """A process, product, material, industry or certification of the supporting industries,
    with its names in four languages (one a line; the first is the label). Recommendations
    compare needs and capabilities on these (see :mod:`matchmaking.concepts`). The shipped
    vocabulary is loaded by a migration; organisers extend it in the admin."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ConceptKind.choices)
    broader = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="narrower",
        verbose_name=_("broader concept"),
        help_text=_("A supplier of this concept also answers a need for the broader one."),
    )
    names_en = models.TextField(_("names in English"), blank=True, help_text=_("One a line."))
    names_vi = models.TextField(
        _("names in Vietnamese"), blank=True, help_text=_("One a line, with diacritics.")
    )
    names_ja = models.TextField(_("names in Japanese"), blank=True, help_text=_("One a line."))
    names_ko = models.TextField(_("names in Korean"), blank=True, help_text=_("One a line."))

    class Meta:
        verbose_name = _("vocabulary concept")
        verbose_name_plural = _("vocabulary concepts")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConceptKind.values), name="concept_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(broader=F("pk")), name="concept_not_its_own_broader"
            ),
        ]

    def __str__(self) -> str:
        first = (self.names_en or self.names_vi or "").strip().splitlines()
        return f"{self.code} ({first[0]})" if first else self.code

    def as_data(self) -> dict:
        """The concept as :meth:`matchmaking.concepts.Vocabulary.from_data` reads it."""
        data: dict = {
            "code": self.code,
            "kind": self.kind,
            "broader": self.broader.code if self.broader_id and self.broader else "",
        }
        for lang in ("en", "vi", "ja", "ko"):
            text = getattr(self, f"names_{lang}") or ""
            data[lang] = [line.strip() for line in text.splitlines() if line.strip()]
        return data


class MeetingRequest(models.Model):
    """A buyer ↔ exhibitor request for a meeting, with up to three proposed slots.

    ``awaiting`` is the company that must answer now (the recipient, or the requester after a
    counter-proposal). State changes lock the row (``select_for_update``).
    """

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    requester = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="requests_sent",
        verbose_name=_("requesting company"),
    )
    recipient = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="requests_received",
        verbose_name=_("receiving company"),
    )
    # The same pair, by role, so that one open request per pair can be a constraint.
    exhibitor = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("exhibitor"),
    )
    buyer = models.ForeignKey(
        "exhibitors.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("buyer")
    )
    awaiting = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("awaiting an answer from"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_requests",
        verbose_name=_("requested by"),
    )
    # The recipient's person, once one of them has acted (counter-proposal or acceptance).
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    round = models.PositiveSmallIntegerField(default=1, verbose_name=_("round"))
    decline_reason = models.TextField(_("reason"), max_length=1000, blank=True)
    # The message that came with the latest counter-proposal.
    counter_message = models.TextField(_("message"), max_length=2000, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "buyer"],
                condition=Q(status="pending"),
                name="request_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(requester=F("recipient")), name="request_two_companies"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["fair", "status"]),
            models.Index(fields=["requested_by", "status"]),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} {self.requester_id} → {self.recipient_id} ({self.status})"

    def other_company_id(self, company_id: int) -> int:
        return self.recipient_id if company_id == self.requester_id else self.requester_id


class ProposedSlot(models.Model):
    """A time proposed in one round of a request (round 1: the requester's; each
    counter-proposal starts a new round)."""

    request = models.ForeignKey(
        MeetingRequest,
        on_delete=models.CASCADE,
        related_name="slots",
        verbose_name=_("meeting request"),
    )
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    start = models.DateTimeField(verbose_name=_("start"))
    end = models.DateTimeField(verbose_name=_("end"))
    mode = models.CharField(max_length=16, verbose_name=_("mode"))

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ["request", "round", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="proposed_slot_ordered"),
            models.UniqueConstraint(
                fields=["request", "round", "start"], name="proposed_slot_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} r{self.round} {self.start:%Y-%m-%d %H:%M}Z"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a person's private calendar-feed address (rotatable)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("user"),
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, verbose_name=_("token")
    )
    created_at = models.DateTimeField(auto_now=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"


class SchedulerRun(models.Model):
    """One run of the hosted-buyer scheduler: its instance, its result and what became of it."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PREVIEW
    )
    instance = models.JSONField(default=dict, verbose_name=_("input"))
    result = models.JSONField(default=dict, verbose_name=_("result"))
    # Request id in the instance → {"exhibitor": id, "buyer": id, "request": id|None, ...}
    pairs = models.JSONField(default=dict, verbose_name=_("pairs"))
    time_limit = models.FloatField(default=10.0, verbose_name=_("time limit (seconds)"))
    meetings_created = models.PositiveIntegerField(default=0, verbose_name=_("meetings created"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    publish_started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("publishing started at")
    )

    class Meta:
        verbose_name = _("scheduler run")
        verbose_name_plural = _("scheduler runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="scheduler_run_status_valid"
            ),
            # One publication at a time per fair: a second one would book against a grid that
            # is still filling up.
            models.UniqueConstraint(
                fields=["fair"],
                condition=Q(status=RunStatus.PUBLISHING),
                name="scheduler_run_one_publishing_per_fair",
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class SchedulerBooking(models.Model):
    """One new meeting of a run being published, booked by the background task in batches.

    ``(run, request)`` is unique: the row is the meeting's idempotent key. A batch books its
    meetings and marks their rows booked in one transaction, so a worker killed mid-batch
    leaves the rows pending and the meetings unwritten, and the next run of the task books
    them once. A meeting that no longer fits (a conflict since the preview) is marked
    refused with the reason, for the organiser's run page.
    """

    run = models.ForeignKey(
        SchedulerRun, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("run")
    )
    request = models.CharField(_("pair"), max_length=64)
    position = models.PositiveIntegerField(_("position"))
    slot = models.CharField(_("slot"), max_length=32)
    mode = models.CharField(_("place"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    meeting = models.OneToOneField(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )

    class Meta:
        verbose_name = _("scheduled meeting")
        verbose_name_plural = _("scheduled meetings")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "request"], name="scheduler_booking_once"),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="scheduler_booking_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "status", "position"], name="scheduler_booking_next_idx")
        ]

    def __str__(self) -> str:
        return f"{self.request} of run {self.run_id} ({self.status})"


class MeetingFeedback(models.Model):
    """One side's answer after a meeting ended: did it take place, how useful (1–5), what next.

    One answer per company and meeting (a constraint), given once by one of its attendees. "It
    didn't happen" counts the *other* company as absent (``absent``), which the no-show figures
    read (:func:`matchmaking.feedback.no_show_counts`).
    """

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="+", verbose_name=_("meeting")
    )
    company = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("company"),
    )
    absent = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("absent side"),
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    took_place = models.BooleanField(_("the meeting took place"))
    usefulness = models.PositiveSmallIntegerField(_("how useful (1–5)"), null=True, blank=True)
    next_step = models.CharField(
        _("what next"), max_length=16, choices=NextStep.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting feedback")
        verbose_name_plural = _("meeting feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "company"], name="feedback_once_per_side"),
            models.CheckConstraint(
                condition=Q(took_place=True, usefulness__gte=1, usefulness__lte=5, absent=None)
                | Q(took_place=False, usefulness=None, next_step="", absent__isnull=False),
                name="feedback_answer_consistent",
            ),
            models.CheckConstraint(
                condition=Q(next_step__in=[*NextStep.values, ""]), name="feedback_next_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} on meeting {self.meeting_id}"


class FeedbackAsk(models.Model):
    """That one attendee was asked by e-mail for feedback on one meeting (at most once: a
    constraint)."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="+", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="feedback_asked_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} asked about {self.meeting_id}"


class WaitlistEntry(models.Model):
    """A buyer's person waiting for a time with an exhibitor whose times are full
    (``matchmaking/waitlist.py``). One waiting entry per buyer company and exhibitor: a
    conditional unique constraint. The position is the order of ``created_at``, then id."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    buyer = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
        verbose_name=_("buyer"),
    )
    exhibitor = models.ForeignKey(
        "exhibitors.Company",
        on_delete=models.CASCADE,
        related_name="waitlist",
        verbose_name=_("exhibitor"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person waiting"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=WaitlistStatus.choices,
        default=WaitlistStatus.WAITING,
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "exhibitor"],
                condition=Q(status="waiting"),
                name="waitlist_one_waiting_entry",
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistStatus.values), name="waitlist_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["exhibitor", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.buyer_id} waiting for {self.exhibitor_id}"


class WaitlistOffer(models.Model):
    """A freed time (``freed_meeting`` was cancelled or moved away from ``start``) offered to
    one waiting entry until ``expires_at``. At most one open offer per freed time, and each
    entry offered a freed time at most once: both are unique constraints."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="+", verbose_name=_("fair")
    )
    entry = models.ForeignKey(
        WaitlistEntry,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("waiting-list entry"),
    )
    freed_meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("meeting that freed the time"),
    )
    exhibitor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("exhibitor's person"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    mode = models.CharField(_("place"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    expires_at = models.DateTimeField(_("answer by"))
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked meeting"),
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting-list offer")
        verbose_name_plural = _("waiting-list offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["freed_meeting", "start"],
                condition=Q(status="open"),
                name="waitlist_one_open_offer_per_slot",
            ),
            models.UniqueConstraint(
                fields=["freed_meeting", "start", "entry"], name="waitlist_offered_once_per_entry"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="waitlist_offer_ordered"),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="waitlist_offer_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"offer {self.start:%Y-%m-%d %H:%M} to {self.entry_id}"


class RecommendationRefresh(models.Model):
    """Whether a fair's recommendations are out of date: ``requested > claimed`` means a
    profile changed since the last recompute began. Edits raise ``requested``; the recompute
    task claims them (``matchmaking.tasks.recommendations_refresh``), so a burst of edits
    costs one recompute."""

    fair = models.OneToOneField(
        "fairsite.Fair",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("fair"),
    )
    #: Edits so far; a recompute claims them all by setting ``claimed`` to this number.
    requested = models.PositiveBigIntegerField(_("edits asking for a recompute"), default=0)
    claimed = models.PositiveBigIntegerField(_("edits covered by a recompute"), default=0)
    requested_at = models.DateTimeField(_("last asked"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation refresh")
        verbose_name_plural = _("recommendation refreshes")

    def __str__(self) -> str:
        return f"refresh {self.fair_id}"
