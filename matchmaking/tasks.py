"""Background work of matchmaking: request e-mails, booking a published schedule, agenda
e-mails, request expiry (``fairsite/tasks.py``)."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.core.mail import get_connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exhibitors.models import Company
from fairsite.mail import absolute, build_message, deliver_once, outbox_pending
from fairsite.models import Fair, User
from fairsite.tasks import periodic, task
from matchmaking import notifications, selectors, services
from matchmaking.models import MeetingRequest
from meetings import notifications as meeting_notifications
from meetings.calendar import Invitations, load_attendees, recipient_language
from meetings.models import Meeting

logger = logging.getLogger(__name__)


@task(retry=8)
def send_request_emails(
    *,
    request_id: int,
    kind: str,
    round: int,
    actor_company_id: int,
    user_ids: list[int],
    meeting_id: int | None = None,
) -> int:
    """E-mail ``user_ids`` about one step of a meeting request (``kind``: received, accepted,
    declined, countered, cancelled), linking to the request; an acceptance carries the
    invitation and the meeting room's address. Each e-mail once (key: kind, request, round,
    person). Returns how many this run sent."""
    req = MeetingRequest.objects.select_related("fair").get(pk=request_id)
    company = Company.objects.get(pk=actor_company_id)
    meeting = (
        Meeting.objects.select_related("fair", "exhibitor", "buyer").get(pk=meeting_id)
        if meeting_id
        else None
    )
    slots = selectors.current_slots(request=req)
    invitations = Invitations() if meeting is not None else None
    people = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    pending = outbox_pending(recipients={f"{kind}:{req.pk}:r{round}:u{u.pk}": u for u in people})
    sent = 0
    with get_connection() as connection:
        for user in people:
            key = f"{kind}:{req.pk}:r{round}:u{user.pk}"
            if key not in pending:
                continue
            attachments = []
            if invitations is not None:
                attachments.append(
                    (
                        "invitation.ics",
                        invitations.invitation(
                            meeting, method="REQUEST", language=recipient_language(user)
                        ),
                        "text/calendar; method=REQUEST; charset=utf-8",
                    )
                )
            message = build_message(
                user=user,
                template="matchmaking/email/request",
                context={
                    "kind": kind,
                    "req": req,
                    "company": company,
                    "slots": slots,
                    "zones": [user.time_zone, req.fair.time_zone],
                    "meeting": meeting,
                    "url": notifications.request_url(req),
                    "room_url": meeting_notifications.room_url(meeting) if meeting else "",
                },
                action_url=(
                    meeting_notifications.room_url(meeting)
                    if meeting is not None
                    else notifications.request_url(req)
                ),
                action_label=_("Open the meeting room") if meeting else _("Open the request"),
                attachments=attachments,
            )
            sent += deliver_once(key=key, user=user, message=message, connection=connection)
    return sent


@task(retry=8)
def send_agendas(
    *, fair_id: int, run_id: int, meeting_ids: list[int], user_ids: list[int] | None = None
) -> int:
    """One e-mail per person with their meetings of a published schedule, an invitation
    attached for each (one per meeting and language, shared by the people at it), linking
    to the agenda. Each person's e-mail once (key: run, person), all through one connection.
    ``user_ids``: only these people (one job of several); default everyone at the meetings.
    Returns how many this run sent."""
    fair = Fair.objects.get(pk=fair_id)
    meetings = list(
        Meeting.objects.filter(pk__in=meeting_ids)
        .select_related("fair", "exhibitor", "buyer")
        .order_by("start", "pk")
    )
    by_meeting = load_attendees(meetings)
    by_user: dict[int, list[Meeting]] = defaultdict(list)
    users: dict[int, User] = {}
    wanted = set(user_ids) if user_ids is not None else None
    for meeting in meetings:
        for row in by_meeting[meeting.pk]:
            if wanted is None or row.user_id in wanted:
                by_user[row.user_id].append(meeting)
                users[row.user_id] = row.user
    invitations = Invitations(attendees=by_meeting)
    agenda = notifications.agenda_url()
    keys = {f"agenda:{run_id}:u{uid}": u for uid, u in users.items() if u.is_active}
    pending = outbox_pending(recipients=keys)
    sent = 0
    with get_connection() as connection:
        for user_id, items in by_user.items():
            user = users[user_id]
            key = f"agenda:{run_id}:u{user_id}"
            if key not in pending:  # inactive, or sent by an earlier run
                continue
            language = recipient_language(user)
            message = build_message(
                user=user,
                template="matchmaking/email/schedule",
                context={
                    "fair": fair,
                    "meetings": items,
                    "zones": [user.time_zone, fair.time_zone],
                    "agenda_url": agenda,
                },
                action_url=agenda,
                action_label=_("Open your agenda"),
                attachments=[
                    (
                        f"meeting-{m.pk}.ics",
                        invitations.invitation(m, method="REQUEST", language=language),
                        "text/calendar; method=REQUEST; charset=utf-8",
                    )
                    for m in items
                ],
            )
            sent += deliver_once(key=key, user=user, message=message, connection=connection)
    return sent


@task(retry=8)
def scheduler_run_book_task(*, run_id: int) -> int:
    """Book a publishing schedule's meetings in batches, then publish it and tell everyone
    once (:func:`matchmaking.services.scheduler_run_book`: resumable, each batch its own
    transaction). Returns how many meetings the run has booked."""
    run = services.scheduler_run_book(run_id=run_id)
    return run.meetings_created if run is not None else 0


@periodic(cron="* * * * *")
def expire_requests() -> int:
    """Every minute: mark expired the pending requests whose proposed times have all started,
    at every fair (one conditional ``UPDATE`` each). Returns how many."""
    from matchmaking.services import meeting_requests_expire

    return sum(meeting_requests_expire(fair=fair) for fair in Fair.objects.only("pk"))


@task(retry=3)
def recommendations_refresh(*, company_id: int) -> int:
    """Recompute recommendations after ``company_id`` was created or its profile changed, so a
    new or edited company sees suppliers (or buyers) without an organiser's action, and the
    other side sees it.

    Through the recommender's entry point for one company's change
    (:func:`matchmaking.services.recommendations_recompute_for_company`). Returns the number of
    rows stored (0 when the company is gone).
    """
    company = Company.objects.select_related("fair").filter(pk=company_id).first()
    if company is None:
        return 0
    count = services.recommendations_recompute_for_company(fair=company.fair, company=company)
    logger.info("recommendations refreshed for company %s: %s rows", company_id, count)
    return count


@task(retry=3)
def feedback_ask_send(*, ask_id: int) -> bool:
    """The e-mail asking one attendee how a meeting went, in their language and zone, linking
    to the meeting's answer. Sent once (key: the ask). Returns whether this run sent it."""
    from matchmaking.models import FeedbackAsk

    ask = (
        FeedbackAsk.objects.select_related("user", "meeting__buyer", "meeting__exhibitor")
        .filter(pk=ask_id)
        .first()
    )
    if ask is None or not ask.user.is_active:
        return False
    url = f"{reverse('matchmaking:feedback_list')}#feedback-{ask.meeting_id}"
    message = build_message(
        user=ask.user,
        template="matchmaking/email/feedback",
        context={"meeting": ask.meeting, "url": absolute(url)},
        action_url=url,
        action_label=_("Tell us how it went"),
    )
    return deliver_once(key=f"feedback:{ask.pk}", user=ask.user, message=message)


@periodic(cron="*/5 * * * *")
def ask_meeting_feedback() -> int:
    """Every five minutes: ask the attendees of meetings that ended how they went (each once,
    :func:`matchmaking.feedback.meeting_feedback_ask_due`). Returns how many were asked."""
    from matchmaking.feedback import meeting_feedback_ask_due

    return sum(meeting_feedback_ask_due(fair=fair) for fair in Fair.objects.only("pk"))
