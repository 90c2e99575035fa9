"""Matchmaking's background tasks: request expiry on the schedule, request and agenda e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fairsite import tasks
from matchmaking.enums import RequestStatus
from matchmaking.models import ProposedSlot
from matchmaking.tasks import expire_requests, send_request_emails
from tests.matchmaking.test_requests import send

pytestmark = pytest.mark.django_db


def test_expiry_runs_every_minute_on_the_schedule():
    assert ("matchmaking.tasks.expire_requests", "* * * * *") in {
        (task.name, cron) for task, cron in tasks.PERIODIC
    }


def test_scheduled_expiry_marks_stale_requests_of_every_fair(fair, buyer_member, exhibitor_member):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    assert expire_requests() == 0
    past = timezone.now() - timedelta(hours=1)
    ProposedSlot.objects.filter(request=req).update(start=past, end=past + timedelta(minutes=30))
    assert expire_requests() == 1
    assert expire_requests() == 0
    req.refresh_from_db()
    assert req.status == RequestStatus.EXPIRED


def test_request_mail_is_sent_once_per_step_and_round(fair, buyer_member, exhibitor_member):
    req = send(fair, buyer_member, exhibitor_member, count=1)
    kwargs = dict(
        request_id=req.pk,
        kind="request.received",
        round=req.round,
        actor_company_id=buyer_member.company_id,
        user_ids=[exhibitor_member.user.pk],
    )
    mail.outbox.clear()
    assert send_request_emails(**kwargs) == 1
    assert send_request_emails(**kwargs) == 0
    assert send_request_emails(**{**kwargs, "round": 2}) == 1  # a new round is a new e-mail
    message = mail.outbox[0]
    assert message.alternatives[0][1] == "text/html"
    assert f"/requests/{req.pk}/" in message.body
