"""The organisers' dashboard page and its data endpoint (organisers only; others 404)."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fairsite.permissions import fair_or_404, organiser_required, verified_member_required
from organisers.stats import dashboard_bytes, dashboard_figures


@organiser_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    return render(
        request,
        "organisers/dashboard.html",
        {
            "data": dashboard_figures(
                fair=fair, now=timezone.now(), language=request.LANGUAGE_CODE
            ),
            "export_tables": [
                ("visitors", _("Visitors")),
                ("visits", _("Visits")),
                ("meetings", _("Meetings")),
                ("contacts", _("Contacts at booths")),
                ("deals", _("Deals")),
            ],
        },
    )


@organiser_required
@require_GET
def stats_json(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    body = dashboard_bytes(fair=fair, now=timezone.now(), language=request.LANGUAGE_CODE)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


@organiser_required
@require_GET
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    """``/organiser/export/<table>.<csv|xlsx>?day=YYYY-MM-DD`` (day optional, venue time)."""
    from organisers.exports import TABLES, export_response

    fair = fair_or_404(request)
    if table not in TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    day = None
    text = (request.GET.get("day") or "").strip()
    if text:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return HttpResponseBadRequest(_("The day must be a date such as 2021-10-20."))
        if day not in fair.days():
            return HttpResponseBadRequest(_("That day is not one of the fair's days."))
    response = export_response(fair=fair, table=table, fmt=fmt, day=day)
    response["Cache-Control"] = "private, no-store"
    return response


@organiser_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    from organisers.report import report_context

    fair = fair_or_404(request)
    return render(request, "organisers/report.html", report_context(fair=fair, now=timezone.now()))


@organiser_required
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    """``?lang=vi`` or ``?lang=en`` (default: the reader's language when it is one of them)."""
    from organisers.report import REPORT_LANGUAGES
    from organisers.report import report_pdf as build

    fair = fair_or_404(request)
    language = request.GET.get("lang") or request.LANGUAGE_CODE
    if language not in REPORT_LANGUAGES:
        language = "en"
    response = HttpResponse(
        build(fair=fair, now=timezone.now(), language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{fair.slug}-report-{language}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _own_company(request: HttpRequest, slug: str):
    """The person's own approved company, if ``slug`` is it; anything else is 404."""
    if request.company.slug != slug:
        raise Http404
    return request.company


@verified_member_required
@require_GET
def company_figures(request: HttpRequest, slug: str) -> HttpResponse:
    from organisers.company import company_figures as figures

    company = _own_company(request, slug)
    return render(
        request,
        "organisers/company_figures.html",
        {"company": company, "figures": figures(company=company)},
    )


@verified_member_required
@require_GET
def company_leads(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    from fairsite.exports import csv_response
    from organisers.company import leads_table
    from organisers.exports import xlsx_response

    company = _own_company(request, slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = leads_table(company=company)
    name = f"{company.slug}-leads.{fmt}"
    if fmt == "csv":
        response = csv_response(filename=name, header=header, rows=rows)
    else:
        response = xlsx_response(filename=name, header=header, rows=rows)
    response["Cache-Control"] = "private, no-store"
    return response


@organiser_required
def handbook(request: HttpRequest) -> HttpResponse:
    """The handbook's state per language; POST ``language`` regenerates it in the background."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from organisers.handbook import HANDBOOK_LANGUAGES, handbook_request
    from organisers.models import Handbook

    fair = fair_or_404(request)
    if request.method == "POST":
        language = request.POST.get("language")
        if language not in HANDBOOK_LANGUAGES:
            messages.error(request, _("Choose Vietnamese or English."))
        else:
            handbook_request(fair=fair, language=language, user=request.user)
            messages.success(request, _("The handbook is being generated."))
        return redirect("organisers:handbook")
    books = {h.language: h for h in Handbook.objects.filter(fair=fair).defer("pdf")}
    return render(
        request,
        "organisers/handbook.html",
        {"rows": [(code, books.get(code)) for code in HANDBOOK_LANGUAGES]},
    )


@organiser_required
@require_GET
def handbook_pdf(request: HttpRequest, language: str) -> HttpResponse:
    from organisers.models import Handbook

    fair = fair_or_404(request)
    book = Handbook.objects.filter(
        fair=fair, language=language, status=Handbook.Status.READY
    ).first()
    if book is None:
        raise Http404
    response = HttpResponse(bytes(book.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{fair.slug}-handbook-{language}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
