"""Thin views: check who asks, validate the form, call one service, render or redirect.

Foreign objects (another company's request, a company of the same role, a wrong calendar
token) answer 404. A time taken meanwhile answers 409 with the message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exhibitors import cache as display_cache
from exhibitors.models import Company
from fairsite.forms import creates
from fairsite.permissions import fair_or_404, organiser_required, verified_member_required
from matchmaking import feedback, hosted, notifications, publishing, selectors, services, waitlist
from matchmaking.enums import OfferStatus, RequestStatus, RunStatus
from matchmaking.forms import (
    AcceptForm,
    AvailabilityForm,
    DeclineForm,
    GridSettingsForm,
    InterestForm,
    SchedulerRunForm,
    SlotChoiceForm,
)
from matchmaking.models import MeetingRequest
from meetings.access import get_meeting_for_user
from meetings.booking import SlotTaken
from meetings.calendar import calendar_feed as render_feed
from meetings.calendar import meeting_invitation, site_url
from meetings.services import join_window


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _counterpart_or_404(request: HttpRequest, pk: int) -> Company:
    """A company of the other role at this fair (buyers see exhibitors and vice versa)."""
    fair = fair_or_404(request)
    company = Company.objects.filter(fair=fair, pk=pk).exclude(role=request.company.role).first()
    if company is None:
        raise Http404
    return company


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Recommendations and interests ---------------------------------------------------------------


@verified_member_required
def recommendations(request: HttpRequest) -> HttpResponse:
    """The rows are rendered once per company, language and data (``exhibitors.cache.fragment``:
    keyed on the rows as stored, the company's interest in each and the fair's display version,
    as read here), and a buyer's required certifications once per display version, so a
    repeated view costs one query for the rows and two cache reads."""
    fair = fair_or_404(request)
    company = request.company
    rows = selectors.recommendations_page(fair=fair, company=company)
    version = display_cache.display_version(fair_id=fair.pk)
    parts = (
        "matchmaking:recommendations",
        translation.get_language(),
        company.pk,
        company.role,
        version,
        [row.key() for row in rows],
    )

    def render_rows() -> str:
        mine = {row.other_id: row.interest for row in rows if row.interest}
        return render_to_string(
            "matchmaking/_recommendation_rows.html",
            {
                "rows": selectors.recommendation_rows(rows=rows, mine=mine, company=company),
                "levels": InterestForm.base_fields["level"].choices,
                "next": reverse("matchmaking:recommendations"),
                "csrf_token": display_cache.CSRF_PLACEHOLDER,
            },
        )

    rows_html = display_cache.fragment(parts=parts, render=render_rows)
    return render(
        request,
        "matchmaking/recommendations.html",
        {
            "rows": rows,
            "rows_html": mark_safe(  # noqa: S308 - our own template's output
                rows_html.replace(display_cache.CSRF_PLACEHOLDER, get_token(request))
            ),
            "company": company,
            # The certifications the company requires: its own profile, cached like the rows.
            "display_version": version,
            "fragment_seconds": display_cache.FRAGMENT_SECONDS,
        },
    )


@require_POST
@verified_member_required
def interest_set(request: HttpRequest, pk: int) -> HttpResponse:
    target = _counterpart_or_404(request, pk)
    form = InterestForm(request.POST)
    if form.is_valid():
        try:
            services.interest_set(
                fair=fair_or_404(request),
                user=request.user,
                target=target,
                level=form.cleaned_data["level"],
            )
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            for text in _messages_of(exc):
                messages.error(request, text)
    return redirect(_safe_next(request, reverse("matchmaking:recommendations")))


# --- Requests ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified_member_required
@creates
def request_create(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    target = _counterpart_or_404(request, pk)
    proposals = selectors.pair_slot_proposals(
        fair=fair, user=request.user, company=request.company, other=target, limit=None
    )
    form = SlotChoiceForm(request.POST or None, proposals=proposals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                req = services.meeting_request_create(
                    fair=fair,
                    user=request.user,
                    target=target,
                    slot_ids=form.cleaned_data["slots"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                for text in _messages_of(exc):
                    form.add_error(None, text)
                status = 409
            else:
                messages.success(request, _("Your request was sent."))
                return redirect("matchmaking:request_detail", pk=req.pk)
        else:
            status = 400
    return render(
        request,
        "matchmaking/request_create.html",
        {
            "target": target,
            "form": form,
            "proposals": proposals,
            "choices": selectors.slot_choices(proposals=proposals, zone=request.user.time_zone),
            "existing": selectors.open_request_between(fair=fair, a=request.company, b=target),
        },
        status=status,
    )


@verified_member_required
def request_list(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    lists = selectors.requests_of(fair=fair, company=request.company)
    # Times in both zones: mine and the other side's person (or the venue's until one answers).
    for req in lists["incoming"]:
        req.zones = _zones_text(request.user.time_zone, req.requested_by, fair.time_zone)
    for req in lists["outgoing"]:
        req.zones = _zones_text(request.user.time_zone, req.answered_by, fair.time_zone)
    return render(request, "matchmaking/request_list.html", {**lists, "company": request.company})


def _zones_text(mine: str, other: Any, venue: str) -> str:
    zones = [mine, other.time_zone if other is not None else venue]
    return ",".join(dict.fromkeys(zones))


def _request_or_404(request: HttpRequest, pk: int) -> MeetingRequest:
    found = selectors.request_for(fair=fair_or_404(request), user=request.user, request_id=pk)
    if found is None:
        raise Http404
    return found


def _detail(
    request: HttpRequest, req: MeetingRequest, *, errors: list[str] = (), status: int = 200
) -> HttpResponse:
    fair = fair_or_404(request)
    company = request.company
    other = req.recipient if company.pk == req.requester_id else req.requester
    slots = selectors.current_slots(request=req)
    my_turn = req.status == RequestStatus.PENDING and req.awaiting_id == company.pk
    contact = req.requested_by if other.pk == req.requester_id else req.answered_by
    zones = [request.user.time_zone]
    if contact is not None:
        zones.append(contact.time_zone)
    zones.append(fair.time_zone)
    return render(
        request,
        "matchmaking/request_detail.html",
        {
            "req": req,
            "company": company,
            "other": other,
            "slots": slots,
            "zones": ",".join(dict.fromkeys(zones)),
            "my_turn": my_turn,
            "is_open": req.status == RequestStatus.PENDING,
            "can_cancel": req.status in (RequestStatus.PENDING, RequestStatus.ACCEPTED),
            "decline_form": DeclineForm(),
            "errors": errors,
        },
        status=status,
    )


@verified_member_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.meeting_requests_expire(fair=fair_or_404(request))
    return _detail(request, _request_or_404(request, pk))


@require_POST
@verified_member_required
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _detail(request, req, errors=[_("Choose one of the proposed times.")], status=400)
    try:
        meeting = services.meeting_request_accept(
            request=req, user=request.user, slot_id=form.cleaned_data["slot"]
        )
    except SlotTaken as exc:
        return _detail(request, _request_or_404(request, pk), errors=[exc.message], status=409)
    except ValidationError as exc:
        return _detail(request, _request_or_404(request, pk), errors=_messages_of(exc), status=409)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Accepted. The meeting is in your agenda."))
    return redirect(reverse("matchmaking:agenda") + f"#meeting-{meeting.pk}")


@require_POST
@verified_member_required
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _detail(request, req, errors=[_("Please check the reason.")], status=400)
    try:
        services.meeting_request_decline(
            request=req, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _detail(request, req, errors=_messages_of(exc), status=409)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The request was declined."))
    return redirect("matchmaking:request_detail", pk=req.pk)


@require_http_methods(["GET", "POST"])
@verified_member_required
@creates
def request_counter(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    req = _request_or_404(request, pk)
    company = request.company
    other = req.recipient if company.pk == req.requester_id else req.requester
    prefer = selectors.contact_ids(request=req, other=other)
    proposals = selectors.pair_slot_proposals(
        fair=fair,
        user=request.user,
        company=company,
        other=other,
        prefer_user_ids=prefer,
        limit=None,
    )
    form = SlotChoiceForm(request.POST or None, proposals=proposals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_request_counter(
                    request=req,
                    user=request.user,
                    slot_ids=form.cleaned_data["slots"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                for text in _messages_of(exc):
                    form.add_error(None, text)
                status = 409
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("Your new times were sent."))
                return redirect("matchmaking:request_detail", pk=req.pk)
        else:
            status = 400
    return render(
        request,
        "matchmaking/request_counter.html",
        {
            "req": req,
            "other": other,
            "form": form,
            "proposals": proposals,
            "choices": selectors.slot_choices(proposals=proposals, zone=request.user.time_zone),
        },
        status=status,
    )


@require_POST
@verified_member_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    req = _request_or_404(request, pk)
    try:
        services.meeting_request_cancel(request=req, user=request.user)
    except ValidationError as exc:
        return _detail(request, req, errors=_messages_of(exc), status=409)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("The request was cancelled."))
    return redirect("matchmaking:request_detail", pk=req.pk)


# --- Availability, agenda, calendar --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified_member_required
def availability(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    data = selectors.my_availability_grid(fair=fair, user=request.user, company=request.company)
    slot_ids = [row["slot"].id for day in data["days"] for row in day["slots"]]
    form = AvailabilityForm(request.POST or None, slot_ids=slot_ids)
    status = 200
    if request.method == "POST":
        if "reset" in request.POST:
            services.availability_reset(fair=fair, user=request.user)
            messages.success(request, _("Your availability is back to the default hours."))
            return redirect("matchmaking:availability")
        if form.is_valid():
            try:
                services.availability_set(
                    fair=fair, user=request.user, slot_ids=form.cleaned_data["slots"]
                )
            except ValidationError as exc:
                for text in _messages_of(exc):
                    form.add_error(None, text)
                status = 400
            else:
                messages.success(request, _("Your availability was saved."))
                return redirect("matchmaking:availability")
        else:
            status = 400
    return render(
        request,
        "matchmaking/availability.html",
        {**data, "form": form, "company": request.company},
        status=status,
    )


@verified_member_required
def agenda(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    now = timezone.now()
    rows = []
    for meeting in selectors.agenda_for(fair=fair, user=request.user):
        opens, closes = join_window(meeting=meeting)
        others = [
            a.user
            for a in meeting.attendees.all()
            if a.active and a.company_id != request.company.pk
        ]
        zones = [request.user.time_zone] + [u.time_zone for u in others] + [fair.time_zone]
        rows.append(
            {
                "meeting": meeting,
                "other": meeting.buyer
                if meeting.exhibitor_id == request.company.pk
                else meeting.exhibitor,
                "people": others,
                "zones": ",".join(dict.fromkeys(zones)),
                "joinable": meeting.is_online and bool(meeting.video_url) and closes > now,
                "join_open": opens <= now < closes,
                "join_opens": opens,
                "join_closes": closes,
            }
        )
    return render(request, "matchmaking/agenda.html", {"rows": rows})


@verified_member_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(fair=fair_or_404(request), user=request.user, meeting_id=pk)
    if meeting is None:
        raise Http404
    body = meeting_invitation(meeting=meeting, method="REQUEST", recipient=request.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@verified_member_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_token_rotate(user=request.user)
        messages.success(request, _("A new address was made; the old one no longer works."))
        return redirect("matchmaking:calendar")
    token = services.calendar_token_get(user=request.user)
    path = reverse("matchmaking:calendar_feed", kwargs={"token": token.token})
    return render(request, "matchmaking/calendar.html", {"feed_url": site_url() + path})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: no sign-in, the secret token is the key (wrong token → 404)."""
    user = selectors.feed_owner(token=token)
    if user is None:
        raise Http404
    body = render_feed(meetings=selectors.feed_meetings(user=user), language=user.language)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Organisers ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@organiser_required
def grid_settings(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    current = selectors.grid_settings_for(fair=fair)
    spec = selectors.grid_spec(fair=fair)
    initial: dict[str, Any] = {
        "day_start": fair.day_start,
        "day_end": fair.day_end,
        "slot_minutes": fair.slot_minutes,
        "tables": fair.tables,
        "online_capacity": fair.online_capacity,
        "online_start": current.online_start,
        "online_end": current.online_end,
    }
    for i, (start, end) in enumerate(spec.breaks):
        initial[f"break_{i}_start"], initial[f"break_{i}_end"] = start, end
    form = GridSettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.grid_settings_update(
                    fair=fair,
                    by=request.user,
                    day_start=data["day_start"],
                    day_end=data["day_end"],
                    slot_minutes=data["slot_minutes"],
                    tables=data["tables"],
                    online_capacity=data["online_capacity"],
                    online_start=data["online_start"],
                    online_end=data["online_end"],
                    breaks=data["breaks"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, _("The meeting grid was saved."))
                return redirect("matchmaking:grid_settings")
        else:
            status = 400
    slots = selectors.fair_grid(fair=fair)
    return render(
        request,
        "matchmaking/organiser/grid.html",
        {
            "form": form,
            "slot_count": len(slots),
            "first_day": [s for s in slots if s.start.date() == slots[0].start.date()]
            if slots
            else [],
        },
        status=status,
    )


@require_POST
@organiser_required
def recommendations_run(request: HttpRequest) -> HttpResponse:
    count = services.recommendations_compute(fair=fair_or_404(request))
    messages.success(request, _("%(count)d recommendations were computed.") % {"count": count})
    return redirect("matchmaking:scheduler")


@require_http_methods(["GET", "POST"])
@organiser_required
@creates
def scheduler(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    form = SchedulerRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.scheduler_run_preview(
                fair=fair, by=request.user, time_limit=form.cleaned_data["time_limit"]
            )
        except ValueError as exc:  # the scheduler's InstanceError is a ValueError
            messages.error(request, _("The scheduler could not run: %(error)s") % {"error": exc})
        else:
            return redirect("matchmaking:scheduler_run", pk=run.pk)
    return render(
        request,
        "matchmaking/organiser/scheduler.html",
        {"form": form, "runs": selectors.scheduler_runs(fair=fair)},
        status=400 if request.method == "POST" else 200,
    )


@organiser_required
def scheduler_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's preview and, once publishing, its progress and the meetings that could not be
    booked. ``?part=progress`` renders only the progress (what the page re-fetches while
    the meetings are being booked)."""
    run = selectors.scheduler_run_for(fair=fair_or_404(request), run_id=pk)
    if run is None:
        raise Http404
    started = run.status in (RunStatus.PUBLISHING, RunStatus.PUBLISHED)
    context = {
        "run": run,
        "is_preview": run.status == RunStatus.PREVIEW,
        "is_publishing": run.status == RunStatus.PUBLISHING,
        "is_stalled": services.scheduler_run_stalled(run=run),
        "publication": publishing.publication(run=run) if started else None,
    }
    if request.GET.get("part") == "progress":
        return render(request, "matchmaking/organiser/_scheduler_run_status.html", context)
    return render(
        request,
        "matchmaking/organiser/scheduler_run.html",
        {**context, "preview": hosted.preview(run=run)},
    )


@require_POST
@organiser_required
def scheduler_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Start publishing (the booking runs in the background; on the demo, right after this
    request's commit). A second click changes nothing."""
    fair = fair_or_404(request)
    run = selectors.scheduler_run_for(fair=fair, run_id=pk, light=True)
    if run is None:
        raise Http404
    before = run.status
    try:
        run = services.scheduler_run_publish(fair=fair, by=request.user, run=run)
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
        return redirect("matchmaking:scheduler_run", pk=pk)
    if before != RunStatus.PREVIEW:
        messages.info(request, _("This schedule is already being published or published."))
        return redirect("matchmaking:scheduler_run", pk=pk)
    run.refresh_from_db(fields=["status", "meetings_created"])
    if run.status == RunStatus.PUBLISHED:
        messages.success(
            request,
            _("Published: %(count)d meetings were created.") % {"count": run.meetings_created},
        )
    else:
        messages.success(
            request,
            _(
                "Publishing: the meetings are being booked. Everyone gets their agenda once "
                "all are booked; this page shows the progress."
            ),
        )
    return redirect("matchmaking:scheduler_run", pk=pk)


@require_POST
@organiser_required
def scheduler_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a publication that stopped (its booking task failed for good): the task runs
    again from where it stopped. A run still booking, or not publishing, changes nothing."""
    fair = fair_or_404(request)
    run = selectors.scheduler_run_for(fair=fair, run_id=pk, light=True)
    if run is None:
        raise Http404
    with transaction.atomic():
        resumed = services.scheduler_run_resume(fair=fair, by=request.user, run=run)
    if resumed:
        messages.success(request, _("Publishing resumed: the remaining meetings are being booked."))
    else:
        messages.info(request, _("This schedule is not stopped: nothing to resume."))
    return redirect("matchmaking:scheduler_run", pk=pk)


# --- Feedback after meetings ---------------------------------------------------------------------


@require_http_methods(["GET"])
@verified_member_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    pending = feedback.feedback_pending_for(fair=fair, user=request.user)
    return render(
        request,
        "matchmaking/feedback.html",
        {"pending": pending, "company": request.company, **feedback.feedback_choices()},
    )


@require_POST
@verified_member_required
def feedback_give(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    meeting = get_meeting_for_user(fair=fair, user=request.user, meeting_id=pk)
    if meeting is None:
        raise Http404
    took_place = request.POST.get("took_place") != "no"
    try:
        usefulness = int(request.POST.get("usefulness") or 0) or None
    except ValueError:
        usefulness = None
    try:
        feedback.meeting_feedback_give(
            fair=fair,
            user=request.user,
            meeting=meeting,
            took_place=took_place,
            usefulness=usefulness,
            next_step=request.POST.get("next_step", ""),
        )
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: your answer is recorded."))
    return redirect("matchmaking:feedback_list")


@require_http_methods(["GET"])
@organiser_required
def feedback_answers(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    return render(
        request,
        "matchmaking/feedback_answers.html",
        {"answers": feedback.feedback_of_fair(fair=fair)},
    )


# --- Waiting lists -------------------------------------------------------------------------------


def _waitlist_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    fair = fair_or_404(request)
    context: dict[str, Any] = {"company": request.company}
    if request.company.is_exhibitor:
        context["waiting"] = waitlist.waitlist_of_exhibitor(fair=fair, company=request.company)
    else:
        offers = waitlist.waitlist_offers_for(fair=fair, user=request.user)
        for offer in offers:
            offer.zones = notifications.offer_zones(offer)
        context.update(
            entries=waitlist.waitlist_entries_for(fair=fair, user=request.user),
            open_offers=[o for o in offers if o.status == OfferStatus.OPEN],
            past_offers=[o for o in offers if o.status != OfferStatus.OPEN],
            offer_minutes=waitlist.offer_minutes(),
        )
    return render(request, "matchmaking/waitlist.html", context, status=status)


@require_http_methods(["GET"])
@verified_member_required
def waitlist_page(request: HttpRequest) -> HttpResponse:
    return _waitlist_page(request)


@require_POST
@verified_member_required
def waitlist_join(request: HttpRequest, pk: int) -> HttpResponse:
    target = _counterpart_or_404(request, pk)
    if not target.is_exhibitor:
        raise Http404
    try:
        waitlist.waitlist_join(fair=fair_or_404(request), user=request.user, exhibitor=target)
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("You are on the waiting list of %(company)s.") % {"company": target.display_name},
        )
    return redirect(_safe_next(request, reverse("matchmaking:waitlist")))


@require_POST
@verified_member_required
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    fair = fair_or_404(request)
    entry = waitlist.entry_for(fair=fair, user=request.user, entry_id=pk)
    if entry is None:
        raise Http404
    try:
        waitlist.waitlist_leave(fair=fair, user=request.user, entry=entry)
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
    else:
        messages.success(request, _("You left the waiting list."))
    return redirect(_safe_next(request, reverse("matchmaking:waitlist")))


def _offer_or_404(request: HttpRequest, pk: int) -> Any:
    offer = waitlist.offer_for(fair=fair_or_404(request), user=request.user, offer_id=pk)
    if offer is None:
        raise Http404
    return offer


@require_POST
@verified_member_required
def waitlist_offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_or_404(request, pk)
    try:
        meeting = waitlist.waitlist_offer_accept(
            fair=fair_or_404(request), user=request.user, offer=offer
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
        return _waitlist_page(request, status=409)
    messages.success(request, _("Your meeting is booked."))
    return redirect("meetings:room", pk=meeting.pk)


@require_POST
@verified_member_required
def waitlist_offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_or_404(request, pk)
    try:
        waitlist.waitlist_offer_decline(fair=fair_or_404(request), user=request.user, offer=offer)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        for text in _messages_of(exc):
            messages.error(request, text)
        return _waitlist_page(request, status=409)
    messages.success(request, _("You declined the time; it goes to the next buyer."))
    return redirect("matchmaking:waitlist")
