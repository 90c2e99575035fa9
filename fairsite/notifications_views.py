"""The notifications page, marking read, the catch-up feed and the reminder setting (thin views
over ``fairsite.notifications``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from fairsite import notifications
from fairsite.forms import FairForm
from fairsite.permissions import verified_required


class ReminderForm(FairForm):
    reminder_minutes = forms.IntegerField(
        label=gettext_lazy("Remind me before each meeting (minutes, 0 for never)"),
        min_value=0,
        max_value=24 * 60,
    )


@verified_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = list(notifications.notifications_for(user=request.user)[: notifications.PAGE_SIZE])
    items = [(row, notifications.event(row)) for row in rows]
    return render(
        request,
        "fairsite/notifications/list.html",
        {"items": items, "unread": sum(1 for row in rows if row.read_at is None)},
    )


@verified_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    if not notifications.notification_mark_read(user=request.user, notification_id=pk):
        raise Http404
    return redirect("notifications:list")


@verified_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=request.user)
    return redirect("notifications:list")


@verified_required
@require_GET
def notification_feed(request: HttpRequest) -> JsonResponse:
    """``?after=<id>``: what a page missed while its socket was closed, and the unread count."""
    try:
        after = max(0, int(request.GET.get("after") or 0))
    except ValueError:
        return JsonResponse({"error": _("after must be a notification id.")}, status=400)
    return JsonResponse(notifications.feed(user=request.user, after=after))


@verified_required
@require_POST
def reminder_settings(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            notifications.user_reminder_set(
                user=request.user, minutes=form.cleaned_data["reminder_minutes"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your reminder setting has been saved."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("exhibitors:account")
