"""The organisers' dashboard page and its data endpoint (organisers only; others 404)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fairsite.permissions import fair_or_404, organiser_required
from organisers.selectors import dashboard_data, dashboard_json


@organiser_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    return render(
        request,
        "organisers/dashboard.html",
        {"data": dashboard_data(fair=fair, now=timezone.now())},
    )


@organiser_required
@require_GET
def stats_json(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    text = dashboard_json(fair=fair, now=timezone.now(), language=request.LANGUAGE_CODE)
    response = HttpResponse(text, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
