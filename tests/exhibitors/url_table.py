from exhibitors.enums import MembershipStatus
from tests.test_url_permissions import UrlCase


def _own(ctx):
    return {"slug": ctx.company.slug}


def _pending(ctx):
    from tests.factories import MemberFactory, UserFactory

    member = MemberFactory(
        company=ctx.company,
        user=UserFactory(kind="exhibitor"),
        status=MembershipStatus.PENDING,
        is_admin=False,
    )
    return {"slug": ctx.company.slug, "member_id": member.pk}


def _colleague(ctx):
    from tests.factories import MemberFactory, UserFactory

    member = MemberFactory(
        company=ctx.company, user=UserFactory(kind="exhibitor"), status=MembershipStatus.APPROVED
    )
    return {"slug": ctx.company.slug, "member_id": member.pk}


HALL_ONLY = {"visitor": 404, "owner": 404, "other": 404, "buyer": 404, "organiser": 200}


def _visitor_badge(ctx):
    return {"pk": ctx.visitor.badges.get(fair=ctx.fair).pk}


def _hall_staff(ctx):
    from django.contrib.auth.models import Group

    from fairsite.enums import HALL_STAFF_GROUP
    from tests.factories import UserFactory

    person = UserFactory()
    person.groups.add(Group.objects.get_or_create(name=HALL_STAFF_GROUP)[0])
    return {"user_id": person.pk}


CASES = [
    UrlCase(name="exhibitors:directory", anonymous=200),
    UrlCase(
        name="exhibitors:company_detail",
        kwargs=_own,
        anonymous=200,
    ),
    UrlCase(
        name="exhibitors:buyer_directory",
        anonymous=302,
        visitor=404,
        owner=200,
        other=200,
        buyer=404,
        organiser=200,
    ),
    UrlCase(
        name="exhibitors:buyer_detail",
        kwargs=lambda ctx: {"slug": ctx.buyer_company.slug},
        anonymous=404,
        visitor=404,
        owner=200,
        other=200,
        buyer=200,  # its own company
        organiser=200,
    ),
    # Onboarding sends people on: visitors to their badge, members to their company,
    # organisers home.
    UrlCase(
        name="exhibitors:onboarding",
        anonymous=302,
        visitor=302,
        owner=302,
        other=302,
        buyer=302,
        organiser=302,
    ),
    UrlCase(
        name="exhibitors:company_create",
        anonymous=302,
        visitor=404,
        owner=302,  # already has a company: back to onboarding
        other=302,
        buyer=302,
        organiser=404,
    ),
    UrlCase(
        name="exhibitors:company_join",
        anonymous=302,
        visitor=404,
        owner=302,
        other=302,
        buyer=302,
        organiser=404,
    ),
    UrlCase(
        name="exhibitors:company_edit",
        kwargs=_own,
        anonymous=302,
        visitor=404,
        owner=200,
        other=404,
        buyer=404,
        organiser=200,
    ),
    UrlCase(
        name="exhibitors:company_edit",
        kwargs=_own,
        method="post",
        data=lambda ctx: {"name_en": "Changed", "country": "VN", "attendance": "onsite"},
        anonymous=302,
        visitor=404,
        owner=302,
        other=404,
        buyer=404,
        organiser=302,
    ),
    UrlCase(
        name="exhibitors:company_members",
        kwargs=_own,
        anonymous=302,
        visitor=404,
        owner=200,
        other=404,
        buyer=404,
        organiser=200,
    ),
    UrlCase(
        name="exhibitors:member_remove",
        kwargs=_colleague,
        anonymous=302,
        visitor=302,  # no company: sent to onboarding
        owner=200,  # the confirmation page
        other=404,
        buyer=404,
        organiser=302,  # no company: sent to onboarding
    ),
    UrlCase(
        name="exhibitors:member_remove",
        kwargs=_colleague,
        method="post",
        anonymous=302,
        visitor=302,
        owner=302,  # removed, back to the members page
        other=404,
        buyer=404,
        organiser=302,  # no company: sent to onboarding, nothing removed
    ),
    UrlCase(
        name="exhibitors:member_approve",
        kwargs=_pending,
        method="post",
        anonymous=302,
        visitor=302,  # no company: sent to onboarding
        owner=302,  # approved, back to the members page
        other=404,
        buyer=404,
        organiser=302,  # no company: sent to onboarding, nothing approved
    ),
    UrlCase(
        name="exhibitors:member_approve",
        kwargs=_pending,
        method="get",
        anonymous=405,
        visitor=405,
        owner=405,
        other=405,
        buyer=405,
        organiser=405,
    ),
    UrlCase(
        name="exhibitors:member_reject",
        kwargs=_pending,
        method="post",
        anonymous=302,
        visitor=302,
        owner=302,
        other=404,
        buyer=404,
        organiser=302,
    ),
    UrlCase(name="exhibitors:account"),
    UrlCase(name="exhibitors:badge"),
    UrlCase(
        name="exhibitors:badge_qr",
        anonymous=302,
        visitor=200,
        owner=404,
        other=404,
        buyer=404,
        organiser=404,
    ),
    UrlCase(
        name="exhibitors:badge_pdf",
        anonymous=302,
        visitor=200,
        owner=404,
        other=404,
        buyer=404,
        organiser=404,
    ),
    # The hall: organisers and hall staff (hall staff are tested in tests/exhibitors/test_hall.py).
    UrlCase(name="exhibitors:hall_checkin", **HALL_ONLY),
    UrlCase(
        name="exhibitors:hall_checkin",
        method="post",
        data=lambda ctx: {"code": "no-such-badge"},
        **HALL_ONLY,
    ),
    UrlCase(name="exhibitors:hall_badges", **HALL_ONLY),
    UrlCase(name="exhibitors:hall_badge_print", kwargs=_visitor_badge, **HALL_ONLY),
    UrlCase(
        name="exhibitors:hall_badge_revoke",
        kwargs=_visitor_badge,
        method="post",
        **{**HALL_ONLY, "organiser": 302},
    ),
    UrlCase(
        name="exhibitors:hall_badge_restore",
        kwargs=_visitor_badge,
        method="post",
        **{**HALL_ONLY, "organiser": 302},
    ),
    UrlCase(name="exhibitors:hall_staff", **HALL_ONLY),
    UrlCase(
        name="exhibitors:hall_staff",
        method="post",
        data=lambda ctx: {"email": ctx.owner.email},
        **{**HALL_ONLY, "organiser": 302},
    ),
    UrlCase(
        name="exhibitors:hall_staff_remove",
        kwargs=_hall_staff,
        method="post",
        **{**HALL_ONLY, "organiser": 302},
    ),
]
