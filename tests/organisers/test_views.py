"""The dashboard page and its data endpoint: organisers only, no inline script, fresh after
every announcement although organisers share one cached copy; the page reads that copy too, in
a constant number of queries."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from bench.grow import grow
from exhibitors.visits import visit_checkin
from meetings.services import deal_create
from organisers import live
from organisers.selectors import dashboard_data
from tests import factories
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db

OPEN = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", re.I)
PAGE_DATA = re.compile(r'<script id="dashboard-data" type="application/json">(.*?)</script>', re.S)
#: A warm page: the session, the person with the person's flags (one statement) and the
#: navigation's membership; the figures are one cache read.
PAGE_QUERIES = 3


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.FAIRSITE_STATS_INTERVAL = 0
    clear_cache()
    yield
    clear_cache()


def onsite(client) -> int:
    return client.get(reverse("organisers:stats")).json()["visits"]["people"]["onsite"]


def page_data(client) -> dict:
    """The figures the dashboard page embeds for its script."""
    response = client.get(reverse("organisers:dashboard"))
    assert response.status_code == 200
    return json.loads(PAGE_DATA.search(response.content.decode()).group(1))


def warm_page_queries(client) -> int:
    """The queries of a dashboard page whose figures are cached (the first request caches)."""
    client.get(reverse("organisers:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("organisers:dashboard"))
    assert response.status_code == 200
    return len(queries.captured_queries)


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


def test_dashboard_page_query_count_is_the_same_at_two_and_thousands_of_rows(
    login, organiser, fair
):
    client = login(organiser)
    factories.CompanyFactory.create_batch(3, fair=fair)
    factories.BuyerCompanyFactory.create_batch(2, fair=fair)
    grow(fair=fair, visitors=2, visits=2, meetings=2, deals=2, seed=1)
    small = warm_page_queries(client)

    grown = grow(fair=fair, visitors=2000, visits=5000, meetings=5000, deals=3000, seed=2)
    live.new_generation(fair.pk)  # bulk inserts bypass the services
    large = warm_page_queries(client)

    assert grown["visits"] == 5000
    assert (small, large) == (PAGE_QUERIES, PAGE_QUERIES)
    assert page_data(client)["visits"]["people"]["all"] > 1000


def test_dashboard_page_moves_after_a_check_in_and_a_contact_at_a_booth(
    login, organiser, fair, exhibitor_member, django_capture_on_commit_callbacks
):
    client = login(organiser)
    badge = factories.BadgeFactory(fair=fair)
    before = page_data(client)

    with django_capture_on_commit_callbacks(execute=True):
        visit_checkin(fair=fair, staff=organiser, scanned=badge.code, now=OPEN)
    checked_in = page_data(client)
    with django_capture_on_commit_callbacks(execute=True):
        deal_create(fair=fair, user=exhibitor_member.user, counterpart_name="Walk-in Trần")
    contact = page_data(client)

    assert [d["visits"]["people"]["onsite"] for d in (before, checked_in, contact)] == [0, 1, 1]
    assert [d["contacts"]["booth"] for d in (before, checked_in, contact)] == [0, 0, 1]
    assert [d["trade_exchanges"] for d in (before, checked_in, contact)] == [0, 0, 1]


def test_dashboard_page_figures_equal_the_selectors(login, organiser, fair):
    client = login(organiser)
    factories.CompanyFactory.create_batch(3, fair=fair)
    factories.BuyerCompanyFactory.create_batch(2, fair=fair)
    grow(fair=fair, visitors=40, visits=120, meetings=60, deals=30, seed=3)

    shown = page_data(client)
    expected = json.loads(json.dumps(dashboard_data(fair=fair, now=timezone.now()), default=str))

    headline = [
        ("visits", "people", "all"),
        ("trade_exchanges",),
        ("deals", "usd_cents"),
        ("deals", "vnd"),
        ("meetings", "held"),
        ("requests", "sent"),
    ]

    def pick(data, path):
        for key in path:
            data = data[key]
        return data

    assert [pick(shown, p) for p in headline] == [pick(expected, p) for p in headline]
    assert expected["deals"]["usd_cents"] > 0 and expected["visits"]["people"]["all"] > 0
    shown.pop("generated_at"), expected.pop("generated_at")
    assert shown == expected


def test_dashboard_page_labels_are_rendered_once_per_language(login, organiser, fair, settings):
    """The labels around the figures are the same for every organiser of a language, so they
    are kept rendered; each language keeps its own."""
    client = login(organiser)
    url = reverse("organisers:dashboard")
    with translation.override("vi"):
        vietnamese = translation.gettext("Trade exchanges per day")
    assert vietnamese != "Trade exchanges per day"
    pages = {}
    for language in ("en", "vi", "en", "vi"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages.setdefault(language, []).append(client.get(url).content.decode())
    for page in pages["en"]:
        assert "Trade exchanges per day" in page and vietnamese not in page
    for page in pages["vi"]:
        assert vietnamese in page and "Trade exchanges per day" not in page
