"""Background tasks of matchmaking (see :mod:`fairsite.tasks`)."""

from __future__ import annotations

from django.urls import reverse

from fairsite.mail import send_to_user
from fairsite.tasks import task
from meetings.calendar import site_url


@task(retry=3)
def feedback_ask_send(*, ask_id: int) -> None:
    """The e-mail asking one attendee how a meeting went, in their language and zone."""
    from matchmaking.models import FeedbackAsk

    ask = (
        FeedbackAsk.objects.select_related("user", "meeting__buyer", "meeting__exhibitor")
        .filter(pk=ask_id)
        .first()
    )
    if ask is None or not ask.user.is_active:
        return
    meeting = ask.meeting
    send_to_user(
        user=ask.user,
        subject_template="matchmaking/email/feedback_subject.txt",
        body_template="matchmaking/email/feedback_body.txt",
        context={
            "meeting": meeting,
            "url": f"{site_url()}{reverse('matchmaking:feedback_list')}#feedback-{meeting.pk}",
        },
    )
