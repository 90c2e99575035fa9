"""The dashboard page and its data endpoint: organisers only, no inline script, fresh after
every announcement although organisers share one cached copy."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from exhibitors.visits import visit_checkin
from organisers import live
from tests import factories
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

OPEN = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.FAIRSITE_STATS_INTERVAL = 0
    clear_cache()
    yield
    clear_cache()


def onsite(client) -> int:
    return client.get(reverse("organisers:stats")).json()["visits"]["people"]["onsite"]


def test_dashboard_page_renders_the_figures_without_inline_script(login, organiser, fair):
    response = login(organiser).get(reverse("organisers:dashboard"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="dashboard-data"' in body
    assert not INLINE_SCRIPT.search(body)
    assert "vendor/chartjs/chart.umd.min.js" in body


def test_data_is_fresh_after_a_check_in_although_cached(
    login, organiser, fair, django_capture_on_commit_callbacks
):
    client = login(organiser)
    badge = factories.BadgeFactory(fair=fair)
    before = onsite(client)

    with django_capture_on_commit_callbacks(execute=True):
        visit_checkin(fair=fair, staff=organiser, scanned=badge.code, now=OPEN)

    assert (before, onsite(client)) == (0, 1)


def test_without_a_new_generation_the_cached_figures_would_be_stale(
    login, organiser, fair, django_capture_on_commit_callbacks, monkeypatch
):
    """Negative control: the announcement's new generation is what refreshes the cache."""
    client = login(organiser)
    badge = factories.BadgeFactory(fair=fair)
    onsite(client)
    monkeypatch.setattr(live, "new_generation", lambda fair_id: None)

    with django_capture_on_commit_callbacks(execute=True):
        visit_checkin(fair=fair, staff=organiser, scanned=badge.code, now=OPEN)

    assert onsite(client) == 0


def test_data_endpoint_query_count_is_small(login, organiser, fair, django_assert_max_num_queries):
    client = login(organiser)
    client.get(reverse("organisers:stats"))  # the session and the person, warmed up
    clear_cache()

    with django_assert_max_num_queries(25):
        client.get(reverse("organisers:stats"))
    with django_assert_max_num_queries(6):  # cached: the session, the person, the fair
        client.get(reverse("organisers:stats"))
