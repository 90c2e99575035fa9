"""The organisers' socket and the throttled "stats changed" announcement."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async

from organisers import live
from tests import factories
from tests.meetings.sockets import *  # noqa: F403 - socket fixtures, fresh cache
from tests.meetings.sockets import clear_cache

OPEN = datetime(2021, 10, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def announcements(monkeypatch, settings):
    settings.FAIRSITE_STATS_INTERVAL = 0.3
    sent: list[tuple[str, float]] = []
    monkeypatch.setattr(
        live, "broadcast", lambda group, event: sent.append((group, time.monotonic()))
    )
    clear_cache()
    return sent


def settled(sent: list, count: int, *, within: float = 3.0) -> list:
    """The announcements once ``count`` are sent (they go out from timer threads), or after
    ``within`` seconds, and a moment more for any surplus to show."""
    deadline = time.monotonic() + within
    while len(sent) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    return sent


def test_a_burst_of_a_thousand_changes_is_a_few_announcements(announcements):
    started = time.monotonic()
    for _ in range(1000):
        live.stats_changed(7)
    last_change = time.monotonic()
    # The trailing announcement comes from a timer thread: wait for it (bounded), then a
    # moment more for any surplus to show.
    deadline = time.monotonic() + 5
    while not (announcements and announcements[-1][1] >= last_change):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    time.sleep(0.35)

    # At most one per interval (plus the first), and one after the last change.
    assert len(announcements) <= (last_change - started) / 0.3 + 2
    assert len(announcements) >= 2
    assert announcements[-1][1] >= last_change
    assert {group for group, _at in announcements} == {"organisers.7"}
    gaps = [b - a for (_g, a), (_h, b) in zip(announcements, announcements[1:], strict=False)]
    assert min(gaps) >= 0.25


def test_a_change_after_the_interval_is_announced_at_once(announcements):
    live.stats_changed(7)
    time.sleep(0.4)
    live.stats_changed(7)

    assert len(settled(announcements, 2)) == 2


def test_the_caller_does_not_wait_for_the_channel_layer(monkeypatch, settings):
    """A check-in's response must not wait for the announcement: ``stats_changed`` returns
    while the channel layer is still busy (a synchronous send would block until released)."""
    import threading

    settings.FAIRSITE_STATS_INTERVAL = 0.3
    clear_cache()
    release, sent = threading.Event(), []

    def slow_layer(group, event):
        release.wait(5)
        sent.append(group)

    monkeypatch.setattr(live, "broadcast", slow_layer)

    live.stats_changed(7)
    returned_before_sending = sent == []
    release.set()

    assert returned_before_sending
    assert settled(sent, 1) == ["organisers.7"]


def test_throttle_is_per_fair(announcements):
    live.stats_changed(7)
    live.stats_changed(8)

    assert sorted(group for group, _at in settled(announcements, 2)) == [
        "organisers.7",
        "organisers.8",
    ]


def test_without_the_shared_pending_key_every_change_is_announced(announcements, monkeypatch):
    """Negative control: the cache's atomic ``add`` is what holds a burst back."""
    monkeypatch.setattr(live.cache, "add", lambda *args, **kwargs: True)
    monkeypatch.setattr(live.cache, "get", lambda *args, **kwargs: None)

    for _ in range(1000):
        live.stats_changed(7)

    assert len(settled(announcements, 1000)) == 1000


# --- The socket ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_organiser_socket_gets_stats_changed_after_a_check_in(open_socket, settings):
    from exhibitors.visits import visit_checkin

    fair = await sync_to_async(factories.FairFactory)()
    organiser = await sync_to_async(factories.OrganiserFactory)()
    badge = await sync_to_async(factories.BadgeFactory)(fair=fair)
    socket = await open_socket(organiser, "/ws/organisers/")

    result = await sync_to_async(visit_checkin)(
        fair=fair, staff=organiser, scanned=badge.code, now=OPEN
    )

    assert socket.hello["fair"] == fair.pk
    assert result.outcome == "first"
    assert await socket.event("stats.changed") == {}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_non_organisers_cannot_subscribe(open_socket, exhibitor):
    from django.contrib.auth.models import Group

    from fairsite.enums import HALL_STAFF_GROUP

    door = await sync_to_async(factories.UserFactory)()
    group = await sync_to_async(lambda: Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])()
    await sync_to_async(door.groups.add)(group)

    refused = [
        (await open_socket(user, "/ws/organisers/")).close_code for user in (exhibitor, door, None)
    ]

    assert refused == [4403, 4403, 4401]
