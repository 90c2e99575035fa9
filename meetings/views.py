"""Meeting rooms, joining, check-in and the deal log.

Thin: resolve what the person may see (else 404), call one service, render. Every meeting URL
answers 404 to anyone who is not a participant or an organiser.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exhibitors import cache as display_cache
from exhibitors.enums import CompanyRole
from exhibitors.models import Company
from exhibitors.selectors import approved_member_for
from fairsite.exports import csv_response
from fairsite.forms import creates
from fairsite.permissions import fair_or_404
from meetings import money, selectors, services
from meetings.access import get_meeting_for_user, user_company_id
from meetings.enums import MeetingStatus
from meetings.forms import DealForm, ExchangeRateForm, MarkForm, VideoLinkForm
from meetings.models import Deal, Meeting

PAGE_SIZE = 50


# --- Helpers ---------------------------------------------------------------------------------


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_meeting_for_user(fair=fair_or_404(request), user=request.user, meeting_id=pk)
    if meeting is None:
        raise Http404
    return meeting


def _organiser_or_404(request: HttpRequest) -> Any:
    fair = fair_or_404(request)
    if not request.user.is_organiser:
        raise Http404
    return fair


def _chat_available() -> bool:
    try:
        get_template("meetings/_chat.html")
    except TemplateDoesNotExist:
        return False
    return True


def _room_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    user = request.user
    # The viewer's side from the membership the request already loaded (the permission check
    # and the header read the same), not another query.
    member = approved_member_for(user=user, fair=fair_or_404(request))
    side = (
        member.company_id
        if member is not None and member.company_id in (meeting.exhibitor_id, meeting.buyer_id)
        else None
    )
    # The meeting came with its companies and fair (``get_meeting_for_user``); its attendees
    # and their people in one more query.
    prefetch_related_objects([meeting], Prefetch("attendees", queryset=selectors.attendees()))
    if side == meeting.exhibitor_id:
        others = [meeting.buyer]
    elif side == meeting.buyer_id:
        others = [meeting.exhibitor]
    else:
        others = [meeting.exhibitor, meeting.buyer]
    zones = [user.time_zone]
    for company in others:
        for zone in selectors.zones_of_company(meeting=meeting, company_id=company.pk):
            if zone not in zones:
                zones.append(zone)
    others.sort(key=lambda company: company.role)
    opens, closes = services.join_window(meeting=meeting)
    now = timezone.now()
    present = selectors.meeting_sides_present(meeting=meeting)
    my_deal_id = (
        Deal.objects.filter(company_id=side, meeting=meeting).values_list("pk", flat=True).first()
        if side
        else None
    )
    is_organiser = user.is_organiser
    context: dict[str, Any] = {
        "meeting": meeting,
        "side": side,
        "others": others,
        "zones": zones[:3],
        "attendees": list(meeting.attendees.all()),
        "duration": int((meeting.end - meeting.start).total_seconds() // 60),
        "join_opens": opens,
        "join_closes": closes,
        "join_open": opens <= now < closes,
        "joinable": meeting.is_online
        and bool(meeting.video_url)
        and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS),
        "present_exhibitor": meeting.exhibitor_id in present,
        "present_buyer": meeting.buyer_id in present,
        "can_set_link": meeting.is_online
        and (side == meeting.exhibitor_id or is_organiser)
        and meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS),
        "can_cancel": meeting.status == MeetingStatus.SCHEDULED and (side or is_organiser),
        "can_mark": is_organiser and meeting.status != MeetingStatus.CANCELLED,
        "can_log": bool(side) and meeting.status != MeetingStatus.CANCELLED,
        "my_deal_id": my_deal_id,
        "is_organiser": is_organiser,
        "chat_available": _chat_available(),
        # The other side's summary (profile, sectors, certifications) is cached per company and
        # language under the fair's display version (``exhibitors.cache``), as on its page.
        "display_version": display_cache.display_version(fair_id=meeting.fair_id),
        "fragment_seconds": display_cache.FRAGMENT_SECONDS,
        "link_form": VideoLinkForm(initial={"url": ""}),
        "mark_form": MarkForm(),
    }
    if is_organiser and meeting.table_number is not None:
        context["checkin_url"] = request.build_absolute_uri(
            reverse(
                "meetings:checkin",
                args=[meeting.pk, services.checkin_token(meeting=meeting)],
            )
        )
    return context


def _render_room(request: HttpRequest, meeting: Meeting, status: int = 200, **extra: Any):
    context = _room_context(request, meeting)
    context.update(extra)
    return render(request, "meetings/room.html", context, status=status)


# --- Rooms -----------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """My meetings (all of the fair's for organisers), paginated; constant query count."""
    fair = fair_or_404(request)
    company_id = user_company_id(fair=fair, user=request.user)
    page = Paginator(selectors.meetings_for_list(fair=fair, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for meeting in page.object_list:
        if company_id == meeting.exhibitor_id:
            other = meeting.buyer
        elif company_id == meeting.buyer_id:
            other = meeting.exhibitor
        else:
            other = None
        zones = selectors.zones_from_attendees(
            meeting=meeting, viewer_zone=request.user.time_zone, company_id=company_id
        )
        rows.append({"meeting": meeting, "other": other, "zones": zones})
    return render(request, "meetings/list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def room(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if meeting.status == MeetingStatus.IN_PROGRESS and timezone.now() >= meeting.end:
        meeting = services.meeting_status_refresh(meeting=meeting)
    return _render_room(request, meeting)


@login_required
@require_GET
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the join and send the person to the video link with a 302; outside the window
    say why and stay in the room (nothing recorded).

    A GET opened by a link (``<a target="_blank">`` in the room), not a form: CSP's
    ``form-action 'self'`` also governs where a form's redirects may go, so a form POST that
    answers with a redirect to the video service is blocked by the browser after the join was
    recorded. A link's navigation is not restricted by the page's CSP, so the person reaches
    the link exactly when the join is recorded (``docs/deals.md``).
    """
    meeting = _meeting_or_404(request, pk)
    try:
        url = services.meeting_join_record(meeting=meeting, user=request.user)
    except services.MeetingActionError as exc:
        messages.error(request, exc.message)
        return _render_room(request, meeting, status=409)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def video_link(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    side = services.meeting_side_of(meeting=meeting, user=request.user)
    if side != meeting.exhibitor_id and not request.user.is_organiser:
        raise Http404
    form = VideoLinkForm(request.POST or None, initial={"url": meeting.video_url})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_video_url_set(
                meeting=meeting, user=request.user, url=form.cleaned_data["url"]
            )
        except services.MeetingActionError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, _("The meeting link was saved; both sides were told."))
            return redirect("meetings:room", pk=meeting.pk)
    return render(request, "meetings/video_link.html", {"meeting": meeting, "form": form})


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    from meetings.booking import meeting_cancel

    try:
        meeting_cancel(meeting=meeting, by=request.user)
    except services.MeetingActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The meeting was cancelled; both sides were told."))
    return redirect("meetings:room", pk=meeting.pk)


@login_required
@require_POST
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    if not request.user.is_organiser:
        raise Http404
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose held or no-show."))
        return redirect("meetings:room", pk=meeting.pk)
    try:
        services.meeting_mark(
            meeting=meeting, user=request.user, status=form.cleaned_data["status"]
        )
    except services.MeetingActionError as exc:
        messages.error(request, exc.message)
    except IntegrityError:
        messages.error(request, _("The table is taken by another meeting at that time."))
    else:
        messages.success(request, _("The meeting's status was saved."))
    return redirect("meetings:room", pk=meeting.pk)


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The page the table's QR opens on a participant's phone: confirm, then record."""
    meeting = _meeting_or_404(request, pk)
    if not services.checkin_token_valid(meeting=meeting, token=token):
        raise Http404
    side = services.meeting_side_of(meeting=meeting, user=request.user)
    if side is None:
        raise Http404
    if request.method == "POST":
        try:
            services.meeting_checkin(meeting=meeting, user=request.user, token=token)
        except services.MeetingActionError as exc:
            messages.error(request, exc.message)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("You are checked in. Have a good meeting!"))
            return redirect("meetings:room", pk=meeting.pk)
    return render(request, "meetings/checkin.html", {"meeting": meeting, "token": token})


@login_required
@require_GET
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The check-in QR as SVG, for organisers to print on the table card."""
    meeting = _meeting_or_404(request, pk)
    if not request.user.is_organiser or meeting.table_number is None:
        raise Http404
    import qrcode
    import qrcode.image.svg

    url = request.build_absolute_uri(
        reverse("meetings:checkin", args=[meeting.pk, services.checkin_token(meeting=meeting)])
    )
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Deal log --------------------------------------------------------------------------------


def _deal_kwargs(form: DealForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "contacts": data.get("contacts", ""),
        "stage": data["stage"],
        "currency": data.get("currency") or "",
        "amount_minor": data.get("amount_minor"),
        "notes": data.get("notes", ""),
    }


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)


@login_required
@require_http_methods(["GET", "POST"])
@creates
def meeting_deal(request: HttpRequest, pk: int) -> HttpResponse:
    """Log what came of a meeting for my company (or go to the entry already logged)."""
    meeting = _meeting_or_404(request, pk)
    side = services.meeting_side_of(meeting=meeting, user=request.user)
    if side is None:
        raise Http404
    existing = Deal.objects.filter(company_id=side, meeting=meeting).only("pk").first()
    if existing is not None:
        return redirect("meetings:deal_edit", pk=existing.pk)
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(
                fair=meeting.fair, user=request.user, meeting=meeting, **_deal_kwargs(form)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("meetings:deal_detail", pk=deal.pk)
    return render(request, "meetings/deal_form.html", {"form": form, "meeting": meeting})


@login_required
@require_http_methods(["GET", "POST"])
@creates
def walk_in(request: HttpRequest) -> HttpResponse:
    """An exhibitor logs a contact at the booth, from a badge code or a name."""
    fair = fair_or_404(request)
    company_id = user_company_id(fair=fair, user=request.user)
    if (
        company_id is None
        or not Company.objects.filter(pk=company_id, role=CompanyRole.EXHIBITOR).exists()
    ):
        raise Http404
    form = DealForm(request.POST or None, walk_in=True)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(
                fair=fair,
                user=request.user,
                badge_code=form.cleaned_data.get("badge_code", ""),
                counterpart_name=form.cleaned_data.get("counterpart_name", ""),
                **_deal_kwargs(form),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("meetings:deal_detail", pk=deal.pk)
    return render(request, "meetings/deal_form.html", {"form": form, "walk_in": True})


def _deal_or_404(request: HttpRequest, pk: int) -> Deal:
    deal = selectors.get_deal_for_user(fair=fair_or_404(request), user=request.user, deal_id=pk)
    if deal is None:
        raise Http404
    return deal


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal_or_404(request, pk)
    history = selectors.deal_history(deal=deal)
    return render(request, "meetings/deal_detail.html", {"deal": deal, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _deal_or_404(request, pk)
    walk = deal.meeting_id is None
    conflict = None
    if request.method == "POST":
        form = DealForm(request.POST, walk_in=walk, editing=True)
        if form.is_valid():
            try:
                services.deal_update(
                    deal=deal,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    counterpart_name=form.cleaned_data.get("counterpart_name", "")
                    if walk
                    else deal.counterpart_name,
                    **_deal_kwargs(form),
                )
            except services.DealConflict as exc:
                conflict = exc.current
                # Keep what the person typed, but move them onto the current version.
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = DealForm(data, walk_in=walk, editing=True)
                form.is_valid()
            except ValidationError as exc:
                _add_errors(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("Saved."))
                return redirect("meetings:deal_detail", pk=deal.pk)
    else:
        form = DealForm(initial=DealForm.initial_for(deal), walk_in=walk, editing=True)
    status = 409 if conflict is not None else 200
    return render(
        request,
        "meetings/deal_form.html",
        {"form": form, "deal": deal, "meeting": deal.meeting, "conflict": conflict},
        status=status,
    )


@login_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    """My company's log, or the whole fair's for organisers, with totals."""
    fair = fair_or_404(request)
    deals = selectors.deals_for_list(fair=fair, user=request.user)
    is_organiser = request.user.is_organiser
    if not is_organiser and user_company_id(fair=fair, user=request.user) is None:
        raise Http404
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.deal_totals(deals=deals, dedupe=is_organiser)
    return render(
        request,
        "meetings/deal_list.html",
        {"page": page, "totals": totals, "is_organiser": is_organiser},
    )


@login_required
@require_GET
def deal_export(request: HttpRequest) -> HttpResponse:
    """Every deal of the fair as CSV with a byte-order mark (organisers): amounts in minor
    units and as plain decimals that every spreadsheet reads, whatever its language."""
    fair = _organiser_or_404(request)
    deals = selectors.deals_for_list(fair=fair, user=request.user).order_by("id")
    counted = set(selectors.deal_counted(deals).values_list("pk", flat=True))
    header = [
        "id",
        "company",
        "counterpart",
        "meeting",
        "stage",
        "currency",
        "amount_minor",
        "amount",
        "units_per_usd",
        "vnd_per_usd",
        "rated_at",
        "value_usd",
        "value_vnd",
        "counted_in_totals",
        "contacts",
        "notes",
        "logged_by",
        "created_at",
        "updated_at",
        "version",
    ]
    rows = (
        [
            deal.pk,
            deal.company.display_name,
            deal.counterpart_display,
            deal.meeting_id or "",
            deal.stage,
            deal.currency,
            "" if deal.amount_minor is None else deal.amount_minor,
            money.format_plain(deal.amount_minor, deal.currency),
            deal.units_per_usd or "",
            deal.vnd_per_usd or "",
            deal.rated_at.isoformat() if deal.rated_at else "",
            money.format_plain(deal.value_usd_cents, "USD"),
            "" if deal.value_vnd is None else deal.value_vnd,
            "yes" if deal.pk in counted else "no",
            deal.contacts,
            deal.notes,
            deal.created_by.email if deal.created_by else "",
            deal.created_at.isoformat(),
            deal.updated_at.isoformat(),
            deal.version,
        ]
        for deal in deals
    )
    return csv_response(filename=f"deals-{fair.slug}.csv", header=header, rows=rows)


# --- Organisers ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@creates
def rates(request: HttpRequest) -> HttpResponse:
    fair = _organiser_or_404(request)
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_create(
                fair=fair,
                user=request.user,
                currency=form.cleaned_data["currency"],
                units_per_usd=form.cleaned_data["units_per_usd"],
                valid_from=form.cleaned_data["valid_from"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The rate was saved."))
            return redirect("meetings:rates")
    now = timezone.now()
    return render(
        request,
        "meetings/rates.html",
        {
            "form": form,
            "rates": selectors.rates_for_fair(fair=fair)[:200],
            "in_force": sorted(selectors.rates_in_force(fair=fair, at=now).values(), key=str),
        },
    )
