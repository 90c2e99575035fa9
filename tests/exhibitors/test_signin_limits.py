"""Sign-in limits a fair's shared venue address survives: per account strict, per address
generous, correct passwords never refused because of concurrency."""

from __future__ import annotations

import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD
from tests.meetings.test_booking import _free_port, _NoRedirect, _start_daphne


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_forty_sign_ins_of_different_accounts_from_one_address_in_a_minute(fair):
    """A venue: many people, one public address. (The audit saw 429 after about 30.)"""
    people = [factories.UserFactory() for _ in range(40)]
    statuses = []
    for person in people:
        client = Client(REMOTE_ADDR="203.0.113.50")
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 40


@pytest.mark.django_db
def test_one_account_is_locked_after_five_wrong_passwords(fair):
    person = factories.UserFactory()
    client = Client(REMOTE_ADDR="203.0.113.51")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})

    assert response.status_code != 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_forged_forwarded_for_does_not_reset_the_account_limit(fair, settings):
    """An untrusted peer writing a new X-Forwarded-For per attempt still counts as one
    address (and the account's own limit holds anyway)."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip"}
    settings.TRUSTED_PROXIES = []
    people = [factories.UserFactory() for _ in range(4)]
    for index, person in enumerate(people[:3]):
        Client(REMOTE_ADDR="203.0.113.52", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}").post(
            reverse("account_login"), {"login": person.email, "password": "wrong"}
        )
    client = Client(REMOTE_ADDR="203.0.113.52", HTTP_X_FORWARDED_FOR="198.51.100.99")
    response = client.post(
        reverse("account_login"), {"login": people[3].email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session, response.status_code


@pytest.mark.django_db
def test_forwarded_for_from_a_trusted_proxy_separates_people(fair, settings):
    """Negative control of the test above: behind a trusted proxy the addresses differ, so
    the same attempts do not exhaust one address's limit."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/ip"}
    settings.TRUSTED_PROXIES = ["203.0.113.52"]
    people = [factories.UserFactory() for _ in range(4)]
    for index, person in enumerate(people[:3]):
        Client(REMOTE_ADDR="203.0.113.52", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}").post(
            reverse("account_login"), {"login": person.email, "password": "wrong"}
        )
    client = Client(REMOTE_ADDR="203.0.113.52", HTTP_X_FORWARDED_FOR="198.51.100.99")
    client.post(reverse("account_login"), {"login": people[3].email, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def _parallel_sign_ins(port: int, emails: list[str]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(emails))
    results: list[tuple[int, str]] = [(0, "")] * len(emails)

    def sign_in(index: int, email: str) -> None:
        token = secrets.token_hex(16)
        body = urllib.parse.urlencode(
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}{reverse('account_login')}",
            data=body,
            method="POST",
            headers={
                "Cookie": f"csrftoken={token}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                body = response.read().decode()
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
                results[index] = (response.status, " ".join(errors))
        except urllib.error.HTTPError as error:
            results[index] = (error.code, error.read().decode()[-500:])

    threads = [threading.Thread(target=sign_in, args=(i, e)) for i, e in enumerate(emails)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return results


def _production_hash() -> str:
    """The daphne under test runs the production settings (PBKDF2), not the tests' MD5."""
    return PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_account", [False, True], ids=["eight-accounts", "one-account"])
def test_eight_parallel_correct_sign_ins_from_one_address_all_succeed(
    postgres_required, same_account
):
    factories.FairFactory()
    people = [factories.UserFactory() for _ in range(1 if same_account else 8)]
    for person in people:
        person.password = _production_hash()
        person.save(update_fields=["password"])
    emails = [people[0].email] * 8 if same_account else [p.email for p in people]
    port = _free_port()
    process, log = _start_daphne(port, guard=True)
    try:
        results = _parallel_sign_ins(port, emails)
    finally:
        process.kill()
        process.wait(10)
    assert [status for status, _body in results] == [302] * 8, (results, log.read_text()[-2000:])
