"""A form that creates something creates it once per rendering: the hidden submission key
(``fairsite.forms.CreateForm``) is claimed under a unique constraint."""

from __future__ import annotations

import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.test import Client
from django.urls import reverse

from fairsite.forms import DUPLICATE_SUBMISSION_MESSAGE, MISSING_SUBMISSION_KEY_MESSAGE
from fairsite.models import SubmissionKey
from meetings.models import Deal
from tests import factories
from tests.meetings.test_booking import _free_port, _NoRedirect, _start_daphne

WALK_IN = {"counterpart_name": "Ms Tanaka, Daido Parts", "stage": "quotation"}


def _key_of(html: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)


@pytest.mark.django_db
def test_a_rendered_form_sent_twice_creates_one_deal(fair, exhibitor_member):
    client = Client()
    client.force_login(exhibitor_member.user)
    url = reverse("meetings:walk_in")
    key = _key_of(client.get(url).content.decode())

    first = client.post(url, {**WALK_IN, "submission_key": key})
    second = client.post(url, {**WALK_IN, "submission_key": key})

    assert first.status_code == 302
    assert second.status_code == 200
    assert str(DUPLICATE_SUBMISSION_MESSAGE) in second.content.decode()
    assert Deal.objects.filter(company=exhibitor_member.company).count() == 1
    # The page shown again carries a new key: sending it is a new submission.
    assert _key_of(second.content.decode()) != key


@pytest.mark.django_db
def test_a_form_without_its_key_creates_nothing(fair, exhibitor_member):
    client = Client()
    client.force_login(exhibitor_member.user)

    response = client.post(reverse("meetings:walk_in"), WALK_IN)

    assert response.status_code == 200
    assert str(MISSING_SUBMISSION_KEY_MESSAGE) in response.content.decode()
    assert not Deal.objects.exists()


@pytest.mark.django_db
def test_an_invalid_submission_does_not_use_up_its_key(fair, exhibitor_member):
    client = Client()
    client.force_login(exhibitor_member.user)
    url = reverse("meetings:walk_in")
    key = _key_of(client.get(url).content.decode())

    client.post(url, {"stage": "quotation", "submission_key": key})  # no name, no badge

    assert not SubmissionKey.objects.filter(key=key).exists()
    assert client.post(url, {**WALK_IN, "submission_key": key}).status_code == 302


@pytest.mark.django_db
def test_editing_a_deal_needs_no_key(fair, exhibitor_member):
    deal = Deal.objects.create(
        fair=fair, company=exhibitor_member.company, counterpart_name="Walk-in"
    )
    client = Client()
    client.force_login(exhibitor_member.user)
    html = client.get(reverse("meetings:deal_edit", args=[deal.pk])).content.decode()
    assert 'name="submission_key"' not in html


def _walk_in_posts(port: int, session: str, keys: list[str]) -> list[int]:
    barrier = threading.Barrier(len(keys))
    statuses = [0] * len(keys)

    def post(index: int, key: str) -> None:
        token = secrets.token_hex(16)
        body = urllib.parse.urlencode(
            {**WALK_IN, "submission_key": key, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}{reverse('meetings:walk_in')}",
            data=body,
            method="POST",
            headers={
                "Cookie": f"sessionid={session}; csrftoken={token}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        barrier.wait()
        try:
            with opener.open(request, timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=post, args=(i, k)) for i, k in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return statuses


def _run_walk_ins(*, same_key: bool) -> tuple[list[int], int, str]:
    fair = factories.FairFactory()
    member = factories.MemberFactory(company__fair=fair)
    client = Client()
    client.force_login(member.user)
    session = client.cookies["sessionid"].value
    key = secrets.token_urlsafe(24)
    keys = [key if same_key else secrets.token_urlsafe(24) for _ in range(10)]
    port = _free_port()
    process, log = _start_daphne(port, guard=True)
    try:
        statuses = _walk_in_posts(port, session, keys)
    finally:
        process.kill()
        process.wait(10)
    return statuses, Deal.objects.filter(company=member.company).count(), log.read_text()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_identical_walk_ins_create_one_deal(postgres_required):
    statuses, deals, log = _run_walk_ins(same_key=True)
    assert deals == 1
    assert sorted(statuses) == [200] * 9 + [302], statuses
    assert "Traceback" not in log, log[-3000:]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_walk_ins_of_ten_renderings_create_ten_negative_control(
    postgres_required,
):
    """Negative control: the same burst, each with its own key (ten renderings of the form),
    creates ten deals — so the test above counts what the key prevents."""
    statuses, deals, _log = _run_walk_ins(same_key=False)
    assert deals == 10
    assert statuses == [302] * 10


@pytest.mark.django_db(transaction=True)
def test_a_crash_after_the_claim_leaves_the_key_free_for_the_resend(
    fair, exhibitor_member, monkeypatch
):
    """The key is claimed in the transaction of the create: when the request dies between the
    two (here the create raises), the claim rolls back with it, and sending the same rendering
    again creates the deal instead of answering "already sent"."""
    from meetings import services as meeting_services

    client = Client(raise_request_exception=False)
    client.force_login(exhibitor_member.user)
    url = reverse("meetings:walk_in")
    key = _key_of(client.get(url).content.decode())
    real_create = meeting_services.deal_create

    def dies(**kwargs):
        raise RuntimeError("the process died between the claim and the create")

    monkeypatch.setattr(meeting_services, "deal_create", dies)
    crashed = client.post(url, {**WALK_IN, "submission_key": key})
    monkeypatch.setattr(meeting_services, "deal_create", real_create)
    resent = client.post(url, {**WALK_IN, "submission_key": key})

    assert crashed.status_code == 500
    assert resent.status_code == 302, resent.content.decode()[:500]
    assert Deal.objects.filter(company=exhibitor_member.company).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_create_form_validated_outside_a_transaction_is_refused(fair):
    """The rule behind the test above, for every create form: validating one outside
    ``transaction.atomic`` (where its claim would commit on its own) is a programming error."""
    from django.core.exceptions import ImproperlyConfigured

    from exhibitors.forms import BadgeForm

    form = BadgeForm({"submission_key": "k" * 20, "organisation": "Daido"})
    with pytest.raises(ImproperlyConfigured):
        form.is_valid()
    assert not SubmissionKey.objects.exists()


@pytest.mark.django_db
def test_old_submission_keys_are_purged_by_a_scheduled_task():
    from datetime import timedelta

    from django.utils import timezone

    from fairsite import tasks
    from fairsite.services import SUBMISSION_KEY_LIFETIME

    old = SubmissionKey.objects.create(key="o" * 20, form="f")
    SubmissionKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - SUBMISSION_KEY_LIFETIME - timedelta(minutes=1)
    )
    fresh = SubmissionKey.objects.create(key="n" * 20, form="f")

    scheduled = {task.name for task, _cron in tasks.PERIODIC}
    assert "fairsite.tasks.purge_submission_keys" in scheduled
    assert tasks.purge_submission_keys() == 1
    assert list(SubmissionKey.objects.values_list("pk", flat=True)) == [fresh.pk]
