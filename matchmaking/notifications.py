"""Telling people about meeting requests and published schedules: one function per event.

Each function is called from inside the service that made the change: it stores a notification
per recipient (``fairsite.notifications.notify``, same transaction, live after commit) and
enqueues the e-mails (``matchmaking.tasks``, after commit, each sent once). E-mails link to the
page that acts on them: the request, or the agenda.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from fairsite.mail import absolute
from fairsite.notifications import notify

REQUEST_TEXT = {
    "request.received": gettext_lazy("%(company)s asks to meet you."),
    "request.accepted": gettext_lazy("%(company)s accepted your meeting request."),
    "request.declined": gettext_lazy("%(company)s declined your meeting request."),
    "request.countered": gettext_lazy("%(company)s proposes other times."),
    "request.cancelled": gettext_lazy("%(company)s cancelled the meeting request."),
}


def request_url(req: Any) -> str:
    return absolute(reverse("matchmaking:request_detail", kwargs={"pk": req.pk}))


def agenda_url() -> str:
    return absolute(reverse("matchmaking:agenda"))


def _request_event(
    *, kind: str, req: Any, actor_company: Any, recipients: Sequence[Any], meeting: Any = None
) -> None:
    fields: dict[str, Any] = {"request_id": req.pk, "company": actor_company.display_name}
    if kind == "request.accepted":
        fields["meeting_id"] = meeting.pk if meeting is not None else None
    notify(
        kind=kind,
        recipients=recipients,
        text=lambda user: str(REQUEST_TEXT[kind]) % {"company": actor_company.display_name},
        url=request_url(req),
        fields=fields,
    )
    if recipients:
        from matchmaking.tasks import send_request_emails

        send_request_emails.defer_on_commit(
            request_id=req.pk,
            kind=kind,
            round=req.round,
            actor_company_id=actor_company.pk,
            user_ids=[u.pk for u in recipients],
            meeting_id=meeting.pk if meeting is not None else None,
        )


def request_received(*, req: Any, actor_company: Any, recipients: Sequence[Any]) -> None:
    _request_event(
        kind="request.received", req=req, actor_company=actor_company, recipients=recipients
    )


def request_accepted(
    *, req: Any, actor_company: Any, recipients: Sequence[Any], meeting: Any
) -> None:
    _request_event(
        kind="request.accepted",
        req=req,
        actor_company=actor_company,
        recipients=recipients,
        meeting=meeting,
    )


def request_declined(*, req: Any, actor_company: Any, recipients: Sequence[Any]) -> None:
    _request_event(
        kind="request.declined", req=req, actor_company=actor_company, recipients=recipients
    )


def request_countered(*, req: Any, actor_company: Any, recipients: Sequence[Any]) -> None:
    _request_event(
        kind="request.countered", req=req, actor_company=actor_company, recipients=recipients
    )


def request_cancelled(*, req: Any, actor_company: Any, recipients: Sequence[Any]) -> None:
    _request_event(
        kind="request.cancelled", req=req, actor_company=actor_company, recipients=recipients
    )


#: People per agenda e-mail job of a published schedule.
AGENDA_CHUNK = 500


def schedule_published(*, fair: Any, run: Any, meetings: Sequence[Any]) -> int:
    """Store a ``schedule.published`` notification for every person with a new meeting (one
    bulk insert; the page hears the one fair-wide event, not one per person) and enqueue their
    agenda e-mails (one job per :data:`AGENDA_CHUNK` people). Returns the number of people."""
    from meetings.calendar import load_attendees

    by_meeting = load_attendees(meetings)
    counts: dict[int, int] = {}
    users: dict[int, Any] = {}
    for meeting in meetings:
        for row in by_meeting[meeting.pk]:
            counts[row.user_id] = counts.get(row.user_id, 0) + 1
            users[row.user_id] = row.user
    notify(
        kind="schedule.published",
        recipients=users.values(),
        text=lambda user: (
            gettext_lazy("The organisers scheduled %(count)s meetings for you.")
            % {"count": counts[user.pk]}
        ),
        url=agenda_url(),
        fields=lambda user: {"run_id": run.pk, "meetings": counts[user.pk]},
        live=False,
    )
    if users:
        from matchmaking.tasks import send_agendas

        # One job per AGENDA_CHUNK people, with those people's meetings: several workers share
        # a fair's e-mails, and a retry repeats less.
        meetings_of: dict[int, list[int]] = {}
        for meeting in meetings:
            for row in by_meeting[meeting.pk]:
                meetings_of.setdefault(row.user_id, []).append(meeting.pk)
        people = sorted(users)
        for index in range(0, len(people), AGENDA_CHUNK):
            chunk = people[index : index + AGENDA_CHUNK]
            send_agendas.defer_on_commit(
                fair_id=fair.pk,
                run_id=run.pk,
                meeting_ids=sorted({pk for uid in chunk for pk in meetings_of[uid]}),
                user_ids=chunk,
            )
    return len(users)


def waitlist_url(offer: Any = None) -> str:
    """The waiting lists page, at ``offer``'s card. The query makes following the link a real
    visit even from the waiting lists page itself, so the new offer is shown."""
    url = absolute(reverse("matchmaking:waitlist"))
    return f"{url}?offer={offer.pk}#offer-{offer.pk}" if offer is not None else url


def offer_zones(offer: Any) -> list[str]:
    """The waiting person's zone first, then the exhibitor's person's, then the venue's."""
    return list(
        dict.fromkeys(
            [offer.entry.user.time_zone, offer.exhibitor_user.time_zone, offer.fair.time_zone]
        )
    )[:2]


def waitlist_offered(*, offer: Any) -> None:
    """Tell the waiting person that a time with the exhibitor is free for them: a stored
    notification (live after commit) and an e-mail (:func:`matchmaking.tasks.waitlist_offer_send`,
    after commit, once), both in their language, the time in their zone and the exhibitor's."""
    from fairsite import timefmt

    user = offer.entry.user
    company = offer.entry.exhibitor.display_name

    def text(person: Any) -> str:
        when = timefmt.meeting_when(
            offer.start, offer.end, offer_zones(offer), mode=offer.mode, venue=offer.fair.time_zone
        )
        until = timefmt.in_zone(offer.expires_at, person.time_zone, with_date=True)
        return str(
            gettext_lazy(
                "A time with %(company)s is free for you: %(when)s. Accept it by %(until)s."
            )
        ) % {"company": company, "when": when, "until": until}

    notify(
        kind="waitlist.offered",
        recipients=[user],
        text=text,
        url=waitlist_url(offer),
        fields={
            "offer_id": offer.pk,
            "company": company,
            "start": offer.start.isoformat(),
            "end": offer.end.isoformat(),
            "expires": offer.expires_at.isoformat(),
        },
        key=f"waitlist-offer:{offer.pk}",
    )
    from matchmaking.tasks import waitlist_offer_send

    waitlist_offer_send.defer_on_commit(offer_id=offer.pk)


def feedback_url(meeting: Any) -> str:
    return f"{absolute(reverse('matchmaking:feedback_list'))}#feedback-{meeting.pk}"


def feedback_asked(*, meeting: Any, user: Any, company: Any) -> bool:
    """The in-app ask for feedback on ``meeting`` (``company``: the other side), stored and
    live after commit, once per meeting and person. Returns whether it was new."""
    stored = notify(
        kind="feedback.asked",
        recipients=[user],
        text=lambda person: (
            str(gettext_lazy("How did your meeting with %(company)s go? One tap tells us."))
            % {"company": company.display_name}
        ),
        url=feedback_url(meeting),
        fields={"meeting_id": meeting.pk, "company": company.display_name},
        key=f"feedback-ask:{meeting.pk}",
    )
    return bool(stored)
