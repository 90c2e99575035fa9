"""The cached figures (``organisers.stats``) move after every kind of event that changes a
figure, and then equal the figures computed afresh from the database; without the renewal on
commit they would stay stale (the negative control)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exhibitors.visits import online_visit_record, visit_checkin
from matchmaking import services as requests
from matchmaking.feedback import meeting_feedback_give
from meetings import services as meetings
from meetings.booking import meeting_cancel, meeting_reschedule
from meetings.enums import DealStage, MeetingStatus
from organisers import live
from organisers.selectors import dashboard_data
from organisers.stats import dashboard_bytes
from tests import factories
from tests.matchmaking.helpers import future_fair
from tests.matchmaking.test_requests import send
from tests.meetings.sockets import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache(settings):
    settings.FAIRSITE_STATS_INTERVAL = 0
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def fair(db):
    return future_fair()


def _at(fair, hour: int = 10) -> datetime:
    return datetime.combine(fair.start_date, time(hour), tzinfo=fair.tz)


def cached(fair) -> dict:
    data = json.loads(dashboard_bytes(fair=fair, now=_at(fair, 16), language="en"))
    data.pop("generated_at")
    return data


def fresh(fair) -> dict:
    data = json.loads(json.dumps(dashboard_data(fair=fair, now=_at(fair, 16)), default=str))
    data.pop("generated_at")
    return data


def _past_meeting(fair, exhibitor_member, buyer_member, **extra):
    start = timezone.now() - timedelta(hours=2)
    return factories.MeetingFactory(
        fair=fair,
        exhibitor=exhibitor_member.company,
        buyer=buyer_member.company,
        start=start,
        **extra,
    )


# Each event: (prepare, act). ``prepare`` builds what the event needs before the figures are
# first read; ``act`` is the event itself, through the service that production calls.


def checkin(scene):
    badge = factories.BadgeFactory(fair=scene["fair"])
    return lambda: visit_checkin(
        fair=scene["fair"], staff=scene["organiser"], scanned=badge.code, now=_at(scene["fair"])
    )


def online_visit(scene):
    user = scene["buyer_member"].user
    return lambda: online_visit_record(fair=scene["fair"], user=user, now=_at(scene["fair"]))


def request_sent(scene):
    return lambda: send(scene["fair"], scene["buyer_member"], scene["exhibitor_member"])


def request_declined(scene):
    req = send(scene["fair"], scene["buyer_member"], scene["exhibitor_member"])
    user = scene["exhibitor_member"].user
    return lambda: requests.meeting_request_decline(request=req, user=user, reason="Busy")


def request_accepted(scene):
    req = send(scene["fair"], scene["buyer_member"], scene["exhibitor_member"])
    slot = req.slots.order_by("start").first()
    user = scene["exhibitor_member"].user
    return lambda: requests.meeting_request_accept(request=req, user=user, slot_id=slot.pk)


def _booked(scene):
    req = send(scene["fair"], scene["buyer_member"], scene["exhibitor_member"])
    slot = req.slots.order_by("start").first()
    return requests.meeting_request_accept(
        request=req, user=scene["exhibitor_member"].user, slot_id=slot.pk
    )


def meeting_moved(scene):
    meeting = _booked(scene)
    start = meeting.start + timedelta(days=1)
    return lambda: meeting_reschedule(
        meeting=meeting,
        start=start,
        end=start + (meeting.end - meeting.start),
        by=scene["organiser"],
    )


def meeting_cancelled(scene):
    meeting = _booked(scene)
    return lambda: meeting_cancel(meeting=meeting, by=scene["organiser"], notify=False)


def meeting_held(scene):
    meeting = _past_meeting(scene["fair"], scene["exhibitor_member"], scene["buyer_member"])
    return lambda: meetings.meeting_mark(
        meeting=meeting, user=scene["organiser"], status=MeetingStatus.HELD
    )


def feedback_no_show(scene):
    meeting = _past_meeting(scene["fair"], scene["exhibitor_member"], scene["buyer_member"])
    return lambda: meeting_feedback_give(
        fair=scene["fair"], user=scene["buyer_member"].user, meeting=meeting, took_place=False
    )


def deal_logged(scene):
    meeting = _past_meeting(
        scene["fair"], scene["exhibitor_member"], scene["buyer_member"], status=MeetingStatus.HELD
    )
    return lambda: meetings.deal_create(
        fair=scene["fair"],
        user=scene["exhibitor_member"].user,
        meeting=meeting,
        stage=DealStage.QUOTATION,
    )


def deal_edited(scene):
    meeting = _past_meeting(
        scene["fair"], scene["exhibitor_member"], scene["buyer_member"], status=MeetingStatus.HELD
    )
    deal = meetings.deal_create(
        fair=scene["fair"], user=scene["exhibitor_member"].user, meeting=meeting
    )
    return lambda: meetings.deal_update(
        deal=deal,
        user=scene["exhibitor_member"].user,
        version=deal.version,
        counterpart_name="",
        contacts="",
        stage=DealStage.CONTRACT,
        currency="",
        amount_minor=None,
        notes="",
    )


EVENTS = [
    checkin,
    online_visit,
    request_sent,
    request_declined,
    request_accepted,
    meeting_moved,
    meeting_cancelled,
    meeting_held,
    feedback_no_show,
    deal_logged,
    deal_edited,
]


@pytest.fixture
def scene(fair, organiser, exhibitor_member, buyer_member):
    return {
        "fair": fair,
        "organiser": organiser,
        "exhibitor_member": exhibitor_member,
        "buyer_member": buyer_member,
    }


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.__name__)
def test_cached_figures_move_after_each_kind_of_event(
    scene, event, django_capture_on_commit_callbacks
):
    act = event(scene)
    before = cached(scene["fair"])

    with django_capture_on_commit_callbacks(execute=True):
        act()

    after = cached(scene["fair"])
    assert after != before
    assert after == fresh(scene["fair"])


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.__name__)
def test_without_the_renewal_on_commit_the_cached_figures_stay_stale(
    scene, event, django_capture_on_commit_callbacks, monkeypatch
):
    """Negative control: the generation renewed after commit is what refreshes the copy."""
    act = event(scene)
    before = cached(scene["fair"])
    monkeypatch.setattr(live, "new_generation", lambda fair_id: None)

    with django_capture_on_commit_callbacks(execute=True):
        act()

    assert cached(scene["fair"]) == before != fresh(scene["fair"])


def test_fresh_copy_costs_no_query_and_the_clock_list_expires_on_its_own(scene):
    fair = scene["fair"]
    cached(fair)
    soon = factories.MeetingFactory(
        fair=fair,
        exhibitor=scene["exhibitor_member"].company,
        buyer=scene["buyer_member"].company,
        start=_at(fair, 16) + timedelta(minutes=10),
    )

    with CaptureQueriesContext(connection) as queries:
        again = cached(fair)
    later = json.loads(
        dashboard_bytes(fair=fair, now=_at(fair, 16) + timedelta(seconds=11), language="en")
    )

    assert len(queries.captured_queries) == 0
    assert again["starting_soon_unattended"] == []
    assert [m["id"] for m in later["starting_soon_unattended"]] == [soon.pk]


def test_a_request_sent_moves_the_data_endpoint(login, scene, django_capture_on_commit_callbacks):
    """The same through the endpoint: a request sent once left the shared copy stale."""
    client = login(scene["organiser"])
    before = client.get(reverse("organisers:stats")).json()["requests"]["sent"]

    with django_capture_on_commit_callbacks(execute=True):
        send(scene["fair"], scene["buyer_member"], scene["exhibitor_member"])

    assert (before, client.get(reverse("organisers:stats")).json()["requests"]["sent"]) == (0, 1)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.__name__)
def test_each_kind_of_event_is_announced_to_the_organisers_socket_group(
    scene, event, django_capture_on_commit_callbacks, monkeypatch
):
    from fairsite.channels import organisers_group
    from tests.organisers.test_live import settled

    act = event(scene)
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(live, "broadcast", lambda group, message: sent.append((group, message)))

    with django_capture_on_commit_callbacks(execute=True):
        act()

    assert settled(sent, 1)[:1] == [(organisers_group(scene["fair"].pk), {"type": "stats.changed"})]
