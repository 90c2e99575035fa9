"""Hall pages for organisers and hall staff: check-in (camera or typed code), the badge list
with reprint and revoke, and (organisers only) who is hall staff. Thin: the work is in
:mod:`exhibitors.visits` and :mod:`exhibitors.badges`."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exhibitors import badges as badge_pdf
from exhibitors import visits
from exhibitors.access import hall_staff_required
from exhibitors.models import Badge
from fairsite.enums import HALL_STAFF_GROUP
from fairsite.models import User
from fairsite.permissions import fair_or_404, get_object_or_404_for, organiser_required

#: Longest text accepted from the scanner or the code field.
MAX_SCAN = 200


def _answer(result: visits.CheckinResult, fair) -> dict:
    badge = result.badge
    data = {
        "outcome": result.outcome.value,
        "admitted": result.admitted,
        "title": str(result.outcome.label),
        "name": "",
        "organisation": "",
        "detail": "",
    }
    if badge is not None and result.outcome != visits.CheckinOutcome.OTHER_FAIR:
        data["name"] = badge.user.get_full_name()
        data["organisation"] = badge.organisation
    if result.outcome == visits.CheckinOutcome.REPEAT and result.visit is not None:
        first = timezone.localtime(result.visit.at, fair.tz).strftime("%H:%M")
        data["detail"] = _("First check-in today at %(time)s.") % {"time": first}
    elif result.outcome == visits.CheckinOutcome.REVOKED:
        data["detail"] = _("Do not let this badge in. Send the person to the help desk.")
    elif result.outcome == visits.CheckinOutcome.UNKNOWN:
        data["detail"] = _("Check the code or scan again.")
    elif result.outcome == visits.CheckinOutcome.OTHER_FAIR:
        data["detail"] = _("This badge was issued for another edition.")
    return data


@hall_staff_required
def checkin(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    answer = None
    if request.method == "POST":
        scanned = (request.POST.get("code") or "")[:MAX_SCAN]
        result = visits.visit_checkin(
            fair=fair, staff=request.user, scanned=scanned, now=timezone.now()
        )
        answer = _answer(result, fair)
        if "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse(answer)
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "exhibitors/hall_checkin.html", {"answer": answer})


@hall_staff_required
def badge_list(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    q = (request.GET.get("q") or "").strip()[:100]
    badges = Badge.objects.filter(fair=fair).select_related("user").order_by("user__full_name")
    if q:
        badges = badges.filter(
            Q(user__full_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(code=q)
            | Q(organisation__icontains=q)
        )
    page = Paginator(badges, 50).get_page(request.GET.get("page"))
    return render(request, "exhibitors/hall_badges.html", {"page": page, "q": q})


@hall_staff_required
def badge_print(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    badge = get_object_or_404_for(
        Badge.objects.filter(fair=fair).select_related("user", "fair"), pk=pk
    )
    visits.badge_printed(badge=badge)
    pdf = badge_pdf.badges_pdf(badges=[badge], language=request.LANGUAGE_CODE)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badge-{badge.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@hall_staff_required
@require_POST
def badge_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    badge = get_object_or_404_for(Badge.objects.filter(fair=fair), pk=pk)
    visits.badge_revoke(badge=badge, staff=request.user, now=timezone.now())
    messages.success(request, _("The badge is revoked: it will be refused at the entrance."))
    return redirect("exhibitors:hall_badges")


@hall_staff_required
@require_POST
def badge_restore(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    badge = get_object_or_404_for(Badge.objects.filter(fair=fair), pk=pk)
    visits.badge_restore(badge=badge, staff=request.user)
    messages.success(request, _("The badge is valid again."))
    return redirect("exhibitors:hall_badges")


@organiser_required
def hall_staff(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip()[:254]
        user = visits.hall_staff_grant(email=email, organiser=request.user) if email else None
        if user is None:
            messages.error(request, _("No active account has this e-mail address."))
        else:
            messages.success(
                request, _("%(name)s can now check visitors in.") % {"name": user.get_full_name()}
            )
        return redirect("exhibitors:hall_staff")
    staff = User.objects.filter(groups__name=HALL_STAFF_GROUP).order_by("full_name", "email")
    return render(request, "exhibitors/hall_staff.html", {"staff": staff})


@organiser_required
@require_POST
def hall_staff_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404_for(User.objects.filter(groups__name=HALL_STAFF_GROUP), pk=user_id)
    visits.hall_staff_remove(user=user, organiser=request.user)
    messages.success(
        request, _("%(name)s is no longer hall staff.") % {"name": user.get_full_name()}
    )
    return redirect("exhibitors:hall_staff")
