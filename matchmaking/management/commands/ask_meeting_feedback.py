"""``python manage.py ask_meeting_feedback``: safe to run from cron at any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fairsite.models import Fair
from matchmaking.feedback import meeting_feedback_ask_due


class Command(BaseCommand):
    help = "E-mail the attendees of ended meetings, once, to ask how the meeting went."

    def handle(self, *args: Any, **options: Any) -> None:
        total = sum(meeting_feedback_ask_due(fair=fair) for fair in Fair.objects.all())
        self.stdout.write(f"{total} feedback requests sent")
