"""Twenty staff scan one badge at the same moment through a real daphne on PostgreSQL: one
visit is recorded, the others answer "already checked in". The negative control removes the
database's unique constraint and shows that nothing else protects the count."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from exhibitors.models import Visit
from tests import factories
from tests.meetings.sockets import session_key_for
from tests.meetings.test_multiprocess import daphne_env, free_port, start_daphne, stop

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCANNERS = 20
ROUNDS = 8  # bursts the negative control may take to hit the race
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def scene(db):
    today = timezone.now().astimezone(timezone.get_fixed_timezone(7 * 60)).date()
    fair = factories.FairFactory(
        start_date=today - timedelta(days=1), end_date=today + timedelta(days=1)
    )
    badge = factories.BadgeFactory(fair=fair, user__full_name="Đặng Thanh Ngọc")
    staff = [factories.OrganiserFactory() for _ in range(SCANNERS)]
    return fair, badge, staff


def scanner(base: str, user) -> callable:
    """A signed-in staff member's check-in call, with its CSRF token fetched beforehand."""
    session = session_key_for(user)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Cookie", f"sessionid={session}")]
    page = opener.open(f"{base}/hall/", timeout=10).read()
    token = TOKEN.search(page).group(1).decode()
    csrf = next(c.value for c in jar if c.name == "csrftoken")

    def scan(code: str) -> dict:
        request = urllib.request.Request(  # noqa: S310 - our own daphne on 127.0.0.1
            f"{base}/hall/",
            data=urllib.parse.urlencode({"code": code, "csrfmiddlewaretoken": token}).encode(),
            headers={
                "Accept": "application/json",
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "Referer": f"{base}/hall/",
            },
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return json.loads(response.read())

    return scan


def scan_all_at_once(base: str, staff, code: str) -> list[str]:
    scans = [scanner(base, user) for user in staff]
    barrier = threading.Barrier(len(scans))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(scan):
        barrier.wait()
        outcome = scan(code)["outcome"]
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(scan,)) for scan in scans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture
def daphne(postgres_required, redis_url):
    port = free_port()
    process = start_daphne(port, daphne_env(redis_url))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        wait_for_server_sessions_to_end()


def wait_for_server_sessions_to_end() -> None:
    """The killed server's database sessions end a moment later; the test database can only
    be dropped once they have."""
    import time

    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def test_twenty_concurrent_scans_of_one_badge_count_once(scene, daphne):
    fair, badge, staff = scene

    outcomes = scan_all_at_once(daphne, staff, f"SIF:{fair.slug}:{badge.code}")

    assert outcomes == ["first"] + ["repeat"] * (SCANNERS - 1)
    assert Visit.objects.filter(badge=badge).count() == 1


def test_without_the_unique_constraint_concurrent_scans_count_many_times(scene, daphne):
    """Negative control: the constraint is the protection (there is no check in Python).

    The race is real but narrow (one read, then the insert), so a burst may happen to run in
    turn: up to ``ROUNDS`` bursts, each from no visit; one that counts twice is enough."""
    fair, badge, staff = scene
    constraint = next(
        c for c in Visit._meta.constraints if c.name == "visit_once_per_person_kind_day"
    )
    with connection.schema_editor() as editor:
        editor.remove_constraint(Visit, constraint)
    rounds = []
    try:
        for _ in range(ROUNDS):
            Visit.objects.filter(badge=badge).delete()
            outcomes = scan_all_at_once(daphne, staff, badge.code)
            rounds.append((outcomes.count("first"), Visit.objects.filter(badge=badge).count()))
            if rounds[-1][0] > 1:
                break
    finally:
        Visit.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Visit, constraint)

    firsts, recorded = rounds[-1]
    assert firsts > 1, rounds
    assert recorded == firsts
