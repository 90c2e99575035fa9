"""Figures the organisers and companies read that no other model records: profile views."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
