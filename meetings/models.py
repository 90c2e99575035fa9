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

from meetings.enums import ACTIVE_STATUSES, MeetingMode, MeetingStatus


class Meeting(models.Model):
    """A B2B meeting between an exhibitor and a buyer, at a table or online, in UTC."""

    fair = models.ForeignKey("fairsite.Fair", on_delete=models.CASCADE, related_name="meetings")
    exhibitor = models.ForeignKey(
        "exhibitors.Company", on_delete=models.CASCADE, related_name="meetings_as_exhibitor"
    )
    buyer = models.ForeignKey(
        "exhibitors.Company", on_delete=models.CASCADE, related_name="meetings_as_buyer"
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
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # Optimistic concurrency for edits.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    fair = models.ForeignKey("fairsite.Fair", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances"
    )
    company = models.ForeignKey("exhibitors.Company", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    active = models.BooleanField(default=True)

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
