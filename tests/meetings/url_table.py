"""Permission cases for meetings URLs; format in tests/test_url_permissions.py.

The meeting in these cases is between the owner's exhibitor company (A) and the buyer's company
(C): the owner and the buyer are its participants, the other exhibitor (B) and the visitor are
not and get 404 on every meeting URL, organisers see everything.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.test_url_permissions import UrlCase


def _meeting(ctx, *, online: bool = True):
    from meetings.enums import MeetingMode
    from tests import factories

    key = "online_meeting" if online else "table_meeting"
    if key not in ctx.extra:
        start = timezone.now() + timedelta(minutes=5)
        ctx.extra[key] = factories.MeetingFactory(
            fair=ctx.fair,
            exhibitor=ctx.company,
            buyer=ctx.buyer_company,
            start=start,
            end=start + timedelta(minutes=30),
            mode=MeetingMode.ONLINE if online else MeetingMode.ONSITE,
            table_number=None if online else 4,
            video_url="https://meet.jit.si/HanoiSIF-url-table" if online else "",
        )
    return ctx.extra[key]


def _pk(ctx):
    return {"pk": _meeting(ctx).pk}


def _checkin(ctx):
    from meetings.services import checkin_token

    meeting = _meeting(ctx, online=False)
    return {"pk": meeting.pk, "token": checkin_token(meeting=meeting)}


def _table_pk(ctx):
    return {"pk": _meeting(ctx, online=False).pk}


def _deal_pk(ctx):
    from meetings.models import Deal

    if "deal" not in ctx.extra:
        ctx.extra["deal"] = Deal.objects.create(
            fair=ctx.fair, company=ctx.company, counterpart_name="Walk-in visitor"
        )
    return {"pk": ctx.extra["deal"].pk}


PARTICIPANTS = {"visitor": 404, "owner": 200, "other": 404, "buyer": 200, "organiser": 200}
ORGANISERS_ONLY = {"visitor": 404, "owner": 404, "other": 404, "buyer": 404, "organiser": 200}
SIDES_ONLY = {"visitor": 404, "owner": 200, "other": 404, "buyer": 200, "organiser": 404}

CASES = [
    UrlCase(name="meetings:list"),
    UrlCase(name="meetings:room", kwargs=_pk, **PARTICIPANTS),
    UrlCase(
        name="meetings:join",
        kwargs=_pk,
        method="get",
        visitor=404,
        owner=302,
        other=404,
        buyer=302,
        organiser=302,
    ),
    UrlCase(
        name="meetings:video_link",
        kwargs=_pk,
        visitor=404,
        owner=200,
        other=404,
        buyer=404,
        organiser=200,
    ),
    UrlCase(
        name="meetings:cancel",
        kwargs=_pk,
        method="post",
        visitor=404,
        owner=302,
        other=404,
        buyer=302,
        organiser=302,
    ),
    UrlCase(
        name="meetings:mark",
        kwargs=_pk,
        method="post",
        data=lambda ctx: {"status": "held"},
        **{**ORGANISERS_ONLY, "organiser": 302},
    ),
    UrlCase(name="meetings:checkin", kwargs=_checkin, **SIDES_ONLY),
    UrlCase(name="meetings:checkin_qr", kwargs=_table_pk, **ORGANISERS_ONLY),
    UrlCase(name="meetings:meeting_deal", kwargs=_pk, **SIDES_ONLY),
    UrlCase(name="meetings:deals", visitor=404),
    UrlCase(name="meetings:walk_in", visitor=404, owner=200, other=200, buyer=404, organiser=404),
    UrlCase(name="meetings:deal_export", **ORGANISERS_ONLY),
    UrlCase(
        name="meetings:deal_detail",
        kwargs=_deal_pk,
        visitor=404,
        owner=200,
        other=404,
        buyer=404,
        organiser=200,
    ),
    UrlCase(
        name="meetings:deal_edit",
        kwargs=_deal_pk,
        visitor=404,
        owner=200,
        other=404,
        buyer=404,
        organiser=200,
    ),
    UrlCase(name="meetings:rates", **ORGANISERS_ONLY),
]
