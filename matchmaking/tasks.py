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


def _recompute_key(kwargs: dict) -> str:
    return f"recommendations:{kwargs['fair_id']}"


@task(retry=3, coalesce=_recompute_key)
def recommendations_refresh(*, company_id: int, fair_id: int | None = None) -> int:
    """Recompute recommendations after a company (``company_id``) was created or its profile
    changed, so a new or edited company sees suppliers (or buyers) without an organiser's
    action, and the other side sees it.

    Coalesced per fair: each edit marks the fair's recommendations out of date
    (:func:`matchmaking.services.recommendations_refresh_request`) and enqueues this task with
    the fair's queueing lock, so at most one run waits in the queue (and runs of one fair
    never overlap); a run that finds nothing marked (the edits it would cover were covered by
    an earlier run) returns at once. Through the recommender's entry point for one company's
    change (:func:`matchmaking.services.recommendations_recompute_for_company`). Returns the
    number of rows stored (0 when nothing was marked or the company is gone). A job queued
    before the coalescing (no ``fair_id``) recomputes its company's fair.
    """
    if fair_id is None:
        company = Company.objects.select_related("fair").filter(pk=company_id).first()
        if company is None:
            return 0
        return services.recommendations_recompute_for_company(fair=company.fair, company=company)
    total = 0
    while services.recommendations_refresh_claim(fair_id=fair_id):
        try:
            total = _recompute(fair_id=fair_id, company_id=company_id)
        except Exception:
            services.recommendations_refresh_mark(fair_id=fair_id)  # the retry finds it again
            raise
        if total is None:
            return 0
        logger.info("recommendations refreshed for fair %s: %s rows", fair_id, total)
    return total


def _recompute(*, fair_id: int, company_id: int) -> int | None:
    """Through the company's entry point, or the fair's when the company is gone (``None``
    when the fair is gone too)."""
    company = Company.objects.select_related("fair").filter(pk=company_id).first()
    if company is not None and company.fair_id == fair_id:
        return services.recommendations_recompute_for_company(fair=company.fair, company=company)
    fair = Fair.objects.filter(pk=fair_id).first()
    return services.recommendations_compute(fair=fair) if fair is not None else None


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


@task(retry=3)
def waitlist_offer_slot(*, meeting_id: int, start: str, end: str) -> int | None:
    """Offer the freed time of ``meeting_id`` (ISO ``start``/``end``, UTC) to the first free
    waiting buyer (:func:`matchmaking.waitlist.waitlist_offer_next`). Safe to run twice.
    Returns the offer's id, if one was made."""
    from datetime import datetime

    from matchmaking.waitlist import waitlist_offer_next

    offer = waitlist_offer_next(
        meeting_id=meeting_id,
        start=datetime.fromisoformat(start),
        end=datetime.fromisoformat(end),
    )
    return offer.pk if offer is not None else None


@task(retry=8)
def waitlist_offer_send(*, offer_id: int) -> bool:
    """E-mail a waiting buyer's person the time offered to them, in their language, the time
    in their zone and the exhibitor's, with the deadline, linking to the offer. Sent once
    (key: the offer). Returns whether this run sent it."""
    from matchmaking.models import WaitlistOffer

    offer = (
        WaitlistOffer.objects.select_related(
            "entry__user", "entry__exhibitor", "exhibitor_user", "fair"
        )
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or not offer.entry.user.is_active:
        return False
    user = offer.entry.user
    url = notifications.waitlist_url(offer)
    message = build_message(
        user=user,
        template="matchmaking/email/waitlist_offer",
        context={
            "offer": offer,
            "company": offer.entry.exhibitor,
            "zones": notifications.offer_zones(offer),
            "url": url,
        },
        action_url=url,
        action_label=_("Answer the offer"),
    )
    return deliver_once(key=f"waitlist-offer:{offer.pk}", user=user, message=message)


@periodic(cron="* * * * *")
def expire_waitlist_offers() -> int:
    """Every minute: close the waiting-list offers whose time to answer ran out and offer each
    time to the next free waiting buyer (:func:`matchmaking.waitlist.waitlist_offers_expire`).
    Returns how many were closed."""
    from matchmaking.waitlist import waitlist_offers_expire

    return waitlist_offers_expire()
