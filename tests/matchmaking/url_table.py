"""Permission cases for matchmaking URLs; format in tests/test_url_permissions.py.

The request in these cases goes from the buyer's company (C) to the owner's exhibitor company
(A), so it is the owner's turn: the owner and the buyer see it, the other exhibitor (B) gets
404; visitors and organisers are not company members and are sent to onboarding (302).
Organiser pages answer 404 to everyone but organisers.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.test_url_permissions import UrlCase

MEMBER_PAGE = {"visitor": 302, "organiser": 302}
ORGANISER_ONLY = {"visitor": 404, "owner": 404, "other": 404, "buyer": 404, "organiser": 200}


def _request(ctx):
    from matchmaking.models import MeetingRequest, ProposedSlot

    if "request" not in ctx.extra:
        req = MeetingRequest.objects.create(
            fair=ctx.fair,
            requester=ctx.buyer_company,
            recipient=ctx.company,
            exhibitor=ctx.company,
            buyer=ctx.buyer_company,
            awaiting=ctx.company,
            requested_by=ctx.buyer,
            message="Let us meet",
        )
        start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
        ctx.extra["slot"] = ProposedSlot.objects.create(
            request=req, round=1, start=start, end=start + timedelta(minutes=30), mode="online"
        )
        ctx.extra["request"] = req
    return ctx.extra["request"]


def _request_pk(ctx):
    return {"pk": _request(ctx).pk}


def _slot(ctx):
    _request(ctx)
    return {"slot": ctx.extra["slot"].pk}


def _meeting_pk(ctx):
    from meetings.enums import MeetingMode
    from tests import factories

    start = timezone.now() + timedelta(days=1)
    meeting = factories.MeetingFactory(
        fair=ctx.fair,
        exhibitor=ctx.company,
        buyer=ctx.buyer_company,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        table_number=None,
        video_url="https://meet.jit.si/HanoiSIF-url-table-mm",
    )
    return {"pk": meeting.pk}


def _feed_token(ctx):
    from matchmaking.services import calendar_token_get

    return {"token": calendar_token_get(user=ctx.owner).token}


def _run_pk(ctx):
    from matchmaking.models import SchedulerRun

    return {"pk": SchedulerRun.objects.create(fair=ctx.fair, created_by=ctx.organiser).pk}


def _entry(ctx):
    from matchmaking.models import WaitlistEntry

    if "entry" not in ctx.extra:
        ctx.extra["entry"] = WaitlistEntry.objects.create(
            fair=ctx.fair, buyer=ctx.buyer_company, exhibitor=ctx.company, user=ctx.buyer
        )
    return ctx.extra["entry"]


def _entry_pk(ctx):
    return {"pk": _entry(ctx).pk}


def _offer_pk(ctx):
    """An open offer to the buyer of a freed online time with the owner's exhibitor."""
    from matchmaking.models import WaitlistOffer
    from meetings.enums import MeetingMode, MeetingStatus
    from tests import factories

    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    freed = factories.MeetingFactory(
        fair=ctx.fair,
        exhibitor=ctx.company,
        buyer=ctx.buyer_company,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        table_number=None,
        status=MeetingStatus.CANCELLED,
    )
    offer = WaitlistOffer.objects.create(
        fair=ctx.fair,
        entry=_entry(ctx),
        freed_meeting=freed,
        exhibitor_user=ctx.owner,
        start=start,
        end=start + timedelta(minutes=30),
        mode=MeetingMode.ONLINE,
        expires_at=start - timedelta(hours=1),
    )
    return {"pk": offer.pk}


# Only the waiting buyer's person acts on their entry and offers; anyone else gets 404.
WAITLIST_OWN = {"owner": 404, "other": 404, "buyer": 302, **MEMBER_PAGE}

CASES = [
    UrlCase(name="matchmaking:recommendations", **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:interest_set",
        kwargs=lambda ctx: {"pk": ctx.buyer_company.pk},
        method="post",
        data=lambda ctx: {"level": "maybe"},
        visitor=302,
        owner=302,
        other=302,
        buyer=404,  # a buyer cannot mark a buyer
        organiser=302,
    ),
    UrlCase(
        name="matchmaking:request_create",
        kwargs=lambda ctx: {"pk": ctx.buyer_company.pk},
        buyer=404,
        **MEMBER_PAGE,
    ),
    UrlCase(name="matchmaking:request_list", **MEMBER_PAGE),
    UrlCase(name="matchmaking:request_detail", kwargs=_request_pk, other=404, **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:request_accept",
        kwargs=_request_pk,
        method="post",
        data=_slot,
        owner=302,
        buyer=409,  # the requester's side cannot accept its own proposal
        other=404,
        **MEMBER_PAGE,
    ),
    UrlCase(
        name="matchmaking:request_decline",
        kwargs=_request_pk,
        method="post",
        data=lambda ctx: {"reason": "Not our field"},
        owner=302,
        buyer=409,
        other=404,
        **MEMBER_PAGE,
    ),
    UrlCase(name="matchmaking:request_counter", kwargs=_request_pk, other=404, **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:request_cancel",
        kwargs=_request_pk,
        method="post",
        owner=302,
        buyer=302,
        other=404,
        **MEMBER_PAGE,
    ),
    UrlCase(name="matchmaking:availability", **MEMBER_PAGE),
    UrlCase(name="matchmaking:agenda", **MEMBER_PAGE),
    UrlCase(name="matchmaking:meeting_ics", kwargs=_meeting_pk, other=404, **MEMBER_PAGE),
    UrlCase(name="matchmaking:calendar", **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:calendar",
        method="post",
        visitor=302,
        owner=302,
        other=302,
        buyer=302,
        organiser=302,
    ),
    # The feed's token is the key: no sign-in, the same answer for everyone.
    UrlCase(name="matchmaking:calendar_feed", kwargs=_feed_token, anonymous=200),
    UrlCase(
        name="matchmaking:calendar_feed",
        kwargs=lambda ctx: {"token": "not-a-token"},
        anonymous=404,
        visitor=404,
        owner=404,
        other=404,
        buyer=404,
        organiser=404,
    ),
    UrlCase(name="matchmaking:grid_settings", **ORGANISER_ONLY),
    UrlCase(
        name="matchmaking:recommendations_run",
        method="post",
        **{**ORGANISER_ONLY, "organiser": 302},
    ),
    UrlCase(name="matchmaking:scheduler", **ORGANISER_ONLY),
    UrlCase(name="matchmaking:scheduler_run", kwargs=_run_pk, **ORGANISER_ONLY),
    UrlCase(
        name="matchmaking:scheduler_publish",
        kwargs=_run_pk,
        method="post",
        **{**ORGANISER_ONLY, "organiser": 302},
    ),
    UrlCase(
        name="matchmaking:scheduler_resume",
        kwargs=_run_pk,
        method="post",
        **{**ORGANISER_ONLY, "organiser": 302},
    ),
    UrlCase(name="matchmaking:feedback_list", **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:feedback_give",
        kwargs=_meeting_pk,
        method="post",
        other=404,
        owner=302,
        buyer=302,
        **MEMBER_PAGE,
    ),
    UrlCase(name="matchmaking:feedback_answers", **ORGANISER_ONLY),
    UrlCase(name="matchmaking:waitlist", **MEMBER_PAGE),
    UrlCase(
        name="matchmaking:waitlist_join",
        kwargs=lambda ctx: {"pk": ctx.company.pk},
        method="post",
        owner=404,  # an exhibitor joins no exhibitor's list
        other=404,
        buyer=302,  # not full: refused with a message, then back
        **MEMBER_PAGE,
    ),
    UrlCase(name="matchmaking:waitlist_leave", kwargs=_entry_pk, method="post", **WAITLIST_OWN),
    UrlCase(
        name="matchmaking:waitlist_offer_accept", kwargs=_offer_pk, method="post", **WAITLIST_OWN
    ),
    UrlCase(
        name="matchmaking:waitlist_offer_decline", kwargs=_offer_pk, method="post", **WAITLIST_OWN
    ),
]
