"""Feedback after a meeting: one answer per side, given once, after the meeting's end.

Writes and reads of :class:`matchmaking.models.MeetingFeedback` in one module (the general
``services.py`` / ``selectors.py`` are past their size). The recommendations read the answers
(:func:`feedback_behaviour`) and the no-show figures count the absent sides
(:func:`no_show_counts`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fairsite.models import Fair, User
from matchmaking.enums import NextStep
from matchmaking.models import FeedbackAsk, MeetingFeedback
from meetings.access import user_company_id
from meetings.enums import MeetingStatus
from meetings.models import Meeting, MeetingAttendee
from organisers.live import stats_changed_on_commit

ASK_WITHIN = timedelta(days=2)  # meetings that ended longer ago are not asked about any more
USEFUL = 4  # an answer of at least this counts as a good meeting for the recommendations
NOT_USEFUL = 2  # at most this, as a poor one


def _side(*, fair: Fair, user: User, meeting: Meeting) -> int:
    """The company ``user`` answers for: theirs, if it is one of the meeting's two sides."""
    company_id = user_company_id(fair=fair, user=user)
    if company_id not in (meeting.buyer_id, meeting.exhibitor_id):
        raise ValidationError(_("Only the people of the meeting's two companies can answer."))
    return company_id


@transaction.atomic
def meeting_feedback_give(
    *,
    fair: Fair,
    user: User,
    meeting: Meeting,
    took_place: bool,
    usefulness: int | None = None,
    next_step: str = "",
) -> MeetingFeedback:
    """Record one side's answer. "It didn't happen" (``took_place=False``) marks the other side
    absent; otherwise ``usefulness`` is 1–5 and ``next_step`` one of :class:`NextStep`.

    Once per side: the unique constraint on (meeting, company) decides between two people of
    the same company answering at once; the second gets "already answered" and changes nothing.
    """
    if meeting.fair_id != fair.pk:
        raise ValidationError(_("Unknown meeting."))
    company_id = _side(fair=fair, user=user, meeting=meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.end > timezone.now():
        raise ValidationError(_("You can answer once the meeting has ended."))
    if took_place:
        if usefulness not in (1, 2, 3, 4, 5):
            raise ValidationError(_("Choose how useful the meeting was, from 1 to 5."))
        if next_step not in NextStep.values:
            next_step = NextStep.NONE
        absent = None
    else:
        usefulness, next_step = None, ""
        absent = meeting.exhibitor_id if company_id == meeting.buyer_id else meeting.buyer_id
    try:
        with transaction.atomic():
            feedback = MeetingFeedback.objects.create(
                fair=fair,
                meeting=meeting,
                company_id=company_id,
                absent_id=absent,
                given_by=user,
                took_place=took_place,
                usefulness=usefulness,
                next_step=next_step,
            )
    except IntegrityError as exc:
        raise ValidationError(_("Your company has already answered for this meeting.")) from exc
    if not took_place:
        stats_changed_on_commit(fair.pk)  # a no-show in the organisers' figures
    return feedback


def feedback_pending_for(*, fair: Fair, user: User, limit: int = 50) -> list[Meeting]:
    """The person's ended, not cancelled meetings that their company has not answered yet."""
    company_id = user_company_id(fair=fair, user=user)
    if company_id is None:
        return []
    answered = MeetingFeedback.objects.filter(fair=fair, company_id=company_id).values("meeting_id")
    mine = MeetingAttendee.objects.filter(fair=fair, user=user).values("meeting_id")
    return list(
        Meeting.objects.filter(fair=fair, pk__in=mine, end__lte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk__in=answered)
        .select_related("buyer", "exhibitor")
        .order_by("-end", "-id")[:limit]
    )


def feedback_of_fair(*, fair: Fair, limit: int = 200) -> list[MeetingFeedback]:
    """Every answer, newest first (for organisers)."""
    return list(
        MeetingFeedback.objects.filter(fair=fair)
        .select_related("company", "absent", "meeting")
        .order_by("-created_at", "-id")[:limit]
    )


def no_show_counts(*, fair: Fair) -> dict[int, int]:
    """Per company, the meetings at which the other side answered "it didn't happen"."""
    return dict(
        MeetingFeedback.objects.filter(fair=fair, took_place=False)
        .values_list("absent_id")
        .annotate(n=Count("id"))
        .values_list("absent_id", "n")
    )


def feedback_behaviour(*, fair: Fair) -> dict[tuple[int, int], str]:
    """For :mod:`matchmaking.learning`: a useful meeting (≥ :data:`USEFUL`) is ``useful`` from
    the answering company to the other; a poor one (≤ :data:`NOT_USEFUL`) is ``not_useful``."""
    out: dict[tuple[int, int], str] = {}
    rows = MeetingFeedback.objects.filter(fair=fair, took_place=True).values_list(
        "company_id", "meeting__buyer_id", "meeting__exhibitor_id", "usefulness"
    )
    for company, buyer, exhibitor, usefulness in rows:
        other = exhibitor if company == buyer else buyer
        if usefulness is not None and usefulness >= USEFUL:
            out[(company, other)] = "useful"
        elif usefulness is not None and usefulness <= NOT_USEFUL:
            out[(company, other)] = "not_useful"
    return out


def feedback_choices() -> dict[str, Any]:
    return {"usefulness": [1, 2, 3, 4, 5], "next_steps": NextStep.choices}


def meeting_feedback_ask_due(*, fair: Fair, now: datetime | None = None) -> int:
    """Ask every attendee of a meeting that ended (within :data:`ASK_WITHIN`, not cancelled)
    whose company has not answered yet, once, in the app and by e-mail: a ``FeedbackAsk`` row
    is inserted per attendee and meeting (unique), and only the run that inserted it stores the
    live notification (``matchmaking.notifications.feedback_asked``, announced after commit)
    and enqueues the e-mail (:func:`matchmaking.tasks.feedback_ask_send`, after commit). Safe
    to run from cron at any time and in several processes. Returns the number of people
    asked."""
    from matchmaking import notifications
    from matchmaking.tasks import feedback_ask_send

    now = now or timezone.now()
    answered = set(
        MeetingFeedback.objects.filter(fair=fair).values_list("meeting_id", "company_id")
    )
    asked = set(FeedbackAsk.objects.filter(fair=fair).values_list("meeting_id", "user_id"))
    rows = (
        MeetingAttendee.objects.filter(
            fair=fair,
            active=True,
            meeting__end__lte=now,
            meeting__end__gt=now - ASK_WITHIN,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .values_list("meeting_id", "user_id", "company_id")
    )
    due = [
        (meeting_id, user_id, company_id)
        for meeting_id, user_id, company_id in rows
        if (meeting_id, company_id) not in answered and (meeting_id, user_id) not in asked
    ]
    if not due:
        return 0
    meetings = Meeting.objects.select_related("buyer", "exhibitor").in_bulk(
        {meeting_id for meeting_id, _user, _company in due}
    )
    users = User.objects.in_bulk({user_id for _meeting, user_id, _company in due})
    sent = 0
    for meeting_id, user_id, company_id in due:
        meeting, user = meetings[meeting_id], users[user_id]
        other = meeting.exhibitor if company_id == meeting.buyer_id else meeting.buyer
        try:
            with transaction.atomic():
                ask = FeedbackAsk.objects.create(fair=fair, meeting_id=meeting_id, user_id=user_id)
                if user.is_active:
                    notifications.feedback_asked(meeting=meeting, user=user, company=other)
                feedback_ask_send.defer_on_commit(ask_id=ask.pk)
        except IntegrityError:
            continue  # another run asked first
        sent += 1
    return sent
