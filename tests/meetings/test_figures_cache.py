"""The organisers' cached figures follow every committed change, whatever wrote it (a bulk
``UPDATE``, a delete), and an unchanged fair is not recomputed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import cache as figures
from meetings.enums import MeetingStatus
from meetings.models import Meeting

pytestmark = pytest.mark.django_db(transaction=True)


def test_figures_follow_a_bulk_update_and_a_delete(postgres_required, fair, meeting):
    now = timezone.now()
    before = figures.dashboard_stats(fair=fair, now=now)

    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    cancelled = figures.dashboard_stats(fair=fair, now=now)
    Meeting.objects.filter(pk=meeting.pk).delete()
    deleted = figures.dashboard_stats(fair=fair, now=now)

    assert (before["meetings"]["cancelled"], before["meetings"]["total"]) == (0, 1)
    assert (cancelled["meetings"]["cancelled"], cancelled["meetings"]["total"]) == (1, 1)
    assert deleted["meetings"]["total"] == 0


def test_unchanged_fair_reads_the_cached_figures(postgres_required, fair, meeting):
    """Negative control for the cache: without a change only the fingerprint is read."""
    now = timezone.now()
    figures.dashboard_stats(fair=fair, now=now)
    with CaptureQueriesContext(connection) as queries:
        again = figures.dashboard_stats(fair=fair, now=now)
    assert len(queries) == 1
    assert again["meetings"]["total"] == 1
