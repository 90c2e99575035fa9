"""``python manage.py expire_meeting_requests``: safe to run from cron at any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fairsite.models import Fair
from matchmaking.services import meeting_requests_expire


class Command(BaseCommand):
    help = "Mark expired the pending meeting requests whose proposed times have all started."

    def handle(self, *args: Any, **options: Any) -> None:
        total = sum(meeting_requests_expire(fair=fair) for fair in Fair.objects.all())
        self.stdout.write(f"{total} requests expired")
