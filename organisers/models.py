"""Figures the organisers and companies read that no other model records: profile views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileView(models.Model):
    """A signed-in person looked at a company's profile on a fair day (venue time): one row per
    company, viewer and day, refused twice by the database."""

    fair = models.ForeignKey("fairsite.Fair", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(
        "exhibitors.Company", on_delete=models.CASCADE, related_name="profile_views"
    )
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "viewer", "day"], name="profile_view_once_per_viewer_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.company_id} {self.day}"


class Handbook(models.Model):
    """The supporting-industry handbook of one fair in one language, generated in the
    background (``organisers.tasks.handbook_build``); the PDF is kept in the database so every
    process and machine serves the same file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    fair = models.ForeignKey("fairsite.Fair", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    exhibitors = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)
    pdf = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fair", "language"], name="handbook_one_per_language")
        ]

    def __str__(self) -> str:
        return f"handbook {self.fair_id} {self.language} {self.status}"
