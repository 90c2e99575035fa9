"""Thin views: check who asks, validate the form, call one service, render or redirect."""

from __future__ import annotations

import copy
import functools
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries

from exhibitors import cache as display_cache
from exhibitors import selectors, services
from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.forms import (
    AccountForm,
    BadgeForm,
    CompanyForm,
    CreateCompanyExtraForm,
    DirectoryFilterForm,
    JoinCompanyForm,
)
from exhibitors.models import Company
from exhibitors.visits import badge_payload
from fairsite.enums import AccountKind
from fairsite.forms import creates
from fairsite.permissions import fair_or_404, verified_member_required, verified_required
from organisers.company import profile_view_record


def _form_errors_from(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def company_url(company: Company) -> str:
    name = (
        "exhibitors:company_detail"
        if company.role == CompanyRole.EXHIBITOR
        else "exhibitors:buyer_detail"
    )
    return reverse(name, kwargs={"slug": company.slug})


# --- Directory and profiles ---------------------------------------------------------------------


def _render_shared(
    request: HttpRequest, template: str, context: dict, *, parts: tuple
) -> HttpResponse:
    """``render``, except that anonymous visitors get the whole page from the cache: rendered
    once per address, language, time zone and ``parts`` (the fair's display version and what
    else the page shows), with each visitor's own CSRF token put in. Signed-in people (their
    header and controls) and a page with messages to show are rendered as usual."""
    if (
        request.method != "GET"
        or request.user.is_authenticated
        or len(messages.get_messages(request))
    ):
        return render(request, template, context)

    def page() -> str:
        shared = {**context, "csrf_token": display_cache.CSRF_PLACEHOLDER}
        return render_to_string(template, shared, request=request)

    key = (
        "exhibitors:page",
        template,
        request.get_full_path(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        *parts,
    )
    html = display_cache.fragment(parts=key, render=page)
    return HttpResponse(html.replace(display_cache.CSRF_PLACEHOLDER, get_token(request)))


def _directory(request: HttpRequest, *, role: str) -> HttpResponse:
    """The form and the page of results are built only when the cached fragment for this fair,
    language and query is missing (``exhibitors.cache``); a cached page reads neither."""
    fair = fair_or_404(request)

    @functools.cache
    def built() -> dict:
        country_codes = selectors.directory_countries(fair=fair, role=role)
        form = DirectoryFilterForm(
            request.GET or None,
            countries=[(code, countries.name(code)) for code in country_codes],
        )
        companies = selectors.company_directory(fair=fair, role=role, filters=form.filters())
        paginator = Paginator(companies, selectors.DIRECTORY_PAGE_SIZE)
        return {"form": form, "page": paginator.get_page(request.GET.get("page"))}

    version = display_cache.display_version(fair_id=fair.pk)
    return _render_shared(
        request,
        "exhibitors/directory.html",
        {
            "form": SimpleLazyObject(lambda: built()["form"]),
            "page": SimpleLazyObject(lambda: built()["page"]),
            "role": role,
            "is_buyers": role == CompanyRole.BUYER,
            "display_version": version,
            "fragment_seconds": display_cache.FRAGMENT_SECONDS,
        },
        parts=(fair.pk, version, role),
    )


def directory(request: HttpRequest) -> HttpResponse:
    return _directory(request, role=CompanyRole.EXHIBITOR)


@verified_required
def buyer_directory(request: HttpRequest) -> HttpResponse:
    if not selectors.can_see_buyers(user=request.user, fair=fair_or_404(request)):
        raise Http404
    return _directory(request, role=CompanyRole.BUYER)


def _detail(request: HttpRequest, *, slug: str, role: str) -> HttpResponse:
    fair = fair_or_404(request)
    company = selectors.company_visible(fair=fair, slug=slug, role=role, viewer=request.user)
    if company is None:
        raise Http404
    own = selectors.approved_member_for(user=request.user, fair=fair)
    profile_view_record(company=company, viewer=request.user, now=timezone.now())
    can_edit = (own is not None and own.company_id == company.pk) or (
        request.user.is_authenticated and request.user.is_organiser
    )
    version = display_cache.display_version(fair_id=fair.pk)
    return _render_shared(
        request,
        "exhibitors/company_detail.html",
        {
            "company": company,
            "can_edit": can_edit,
            "display_version": version,
            "fragment_seconds": display_cache.FRAGMENT_SECONDS,
        },
        parts=(fair.pk, version, company.pk),
    )


def company_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, slug=slug, role=CompanyRole.EXHIBITOR)


def buyer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, slug=slug, role=CompanyRole.BUYER)


# --- Onboarding ---------------------------------------------------------------------------------


@verified_required
def onboarding(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    user = request.user
    if user.is_organiser:
        return redirect("home")
    if user.kind == AccountKind.VISITOR:
        return redirect("exhibitors:badge")
    member = selectors.member_for(user=user, fair=fair)
    if member is not None and member.is_approved:
        return redirect(company_url(member.company))
    return render(request, "exhibitors/onboarding.html", {"member": member})


def _company_role_for(user) -> str:
    if user.kind not in (AccountKind.EXHIBITOR, AccountKind.BUYER):
        raise Http404
    return user.kind


def _has_open_membership(request: HttpRequest, fair) -> bool:
    member = selectors.member_for(user=request.user, fair=fair)
    return member is not None and member.status != MembershipStatus.REJECTED


@verified_required
@creates
def company_create(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    role = _company_role_for(request.user)
    if _has_open_membership(request, fair):
        return redirect("exhibitors:onboarding")
    form = CompanyForm(request.POST or None, request.FILES or None, role=role)
    extra = CreateCompanyExtraForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and extra.is_valid():
        try:
            company = services.company_create(
                fair=fair,
                creator=request.user,
                role=role,
                profile=form.profile(),
                logo=form.cleaned_data.get("logo"),
                job_title=extra.cleaned_data["job_title"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Your company has been registered."))
            return redirect(company_url(company))
    return render(
        request, "exhibitors/company_form.html", {"form": form, "extra": extra, "creating": True}
    )


@verified_required
@creates
def company_join(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    role = _company_role_for(request.user)
    if _has_open_membership(request, fair):
        return redirect("exhibitors:onboarding")
    form = JoinCompanyForm(request.POST or None, fair=fair, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_join_request(
                fair=fair,
                user=request.user,
                company=form.cleaned_data["company"],
                job_title=form.cleaned_data["job_title"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(
                request, _("Your request has been sent. A company administrator will approve it.")
            )
            return redirect("exhibitors:onboarding")
    return render(request, "exhibitors/company_join.html", {"form": form})


# --- A company's own pages ----------------------------------------------------------------------


def _editable_company(request: HttpRequest, slug: str) -> Company:
    fair = fair_or_404(request)
    if request.user.is_organiser:
        company = Company.objects.filter(fair=fair, slug=slug).first()
    else:
        company = selectors.company_of_member(fair=fair, slug=slug, user=request.user)
    if company is None:
        raise Http404
    return company


@verified_required
def company_edit(request: HttpRequest, slug: str) -> HttpResponse:
    company = _editable_company(request, slug)
    form = CompanyForm(
        request.POST or None,
        request.FILES or None,
        instance=copy.copy(company),
        role=company.role,
    )
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_update(
                company=company,
                actor=request.user,
                profile=form.profile(),
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect(company_url(company))
    return render(
        request,
        "exhibitors/company_form.html",
        {"form": form, "company": company, "creating": False},
    )


@verified_required
def company_members(request: HttpRequest, slug: str) -> HttpResponse:
    company = _editable_company(request, slug)
    own = selectors.approved_member_for(user=request.user, fair=fair_or_404(request))
    is_admin = own is not None and own.company_id == company.pk and own.is_admin
    return render(
        request,
        "exhibitors/company_members.html",
        {
            "company": company,
            "members": selectors.company_members(company=company),
            "is_admin": is_admin,
            "can_remove": own is not None and own.company_id == company.pk,
        },
    )


def _decide(request: HttpRequest, slug: str, member_id: int, *, approve: bool) -> HttpResponse:
    if not request.member.is_admin or request.company.slug != slug:
        raise Http404
    member = selectors.pending_member_of(company=request.company, member_id=member_id)
    if member is None:
        raise Http404
    try:
        if approve:
            services.member_approve(member=member, actor=request.user)
            messages.success(request, _("%(name)s is now a member.") % {"name": member.user})
        else:
            services.member_reject(member=member, actor=request.user)
            messages.success(request, _("The request has been declined."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("exhibitors:company_members", slug=slug)


@require_POST
@verified_member_required
def member_approve(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    return _decide(request, slug, member_id, approve=True)


@require_POST
@verified_member_required
def member_reject(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    return _decide(request, slug, member_id, approve=False)


@verified_member_required
def member_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """Confirm (GET) and remove (POST) a member of the person's own company; any other
    company's member answers 404."""
    if request.company.slug != slug:
        raise Http404
    member = selectors.member_of(company=request.company, member_id=member_id)
    if member is None:
        raise Http404
    if request.method == "POST":
        try:
            services.member_remove(member=member, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s is no longer a member.") % {"name": member.user})
        return redirect("exhibitors:company_members", slug=slug)
    return render(
        request,
        "exhibitors/member_remove.html",
        {
            "company": request.company,
            "member": member,
            "is_self": member.user_id == request.user.pk,
        },
    )


# --- The person's own pages ---------------------------------------------------------------------


@verified_required
def account(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(
                user=request.user,
                full_name=form.cleaned_data["full_name"],
                time_zone=form.resolved_time_zone(),
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("Your settings have been saved."))
            response = redirect("exhibitors:account")
            # The switcher's cookie would otherwise override the new account language.
            response.delete_cookie("django_language")
            return response
    return render(request, "exhibitors/account.html", {"form": form})


@verified_required
@creates
def badge(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    existing = selectors.badge_for(user=request.user, fair=fair)
    form = BadgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.badge_issue(
            fair=fair, user=request.user, organisation=form.cleaned_data["organisation"]
        )
        if existing is None:
            messages.success(request, _("Your badge is ready. Show its QR code at the entrance."))
        return redirect("exhibitors:badge")
    return render(request, "exhibitors/badge.html", {"badge": existing, "form": form})


@verified_required
def badge_qr(request: HttpRequest) -> HttpResponse:
    fair = fair_or_404(request)
    existing = selectors.badge_for(user=request.user, fair=fair)
    if existing is None:
        raise Http404
    image = qrcode.make(
        badge_payload(badge=existing),
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
    )
    out = io.BytesIO()
    image.save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@verified_required
def badge_own_pdf(request: HttpRequest) -> HttpResponse:
    """The person's own badge as a printable PDF."""
    from exhibitors.badges import badges_pdf

    fair = fair_or_404(request)
    existing = selectors.badge_for(user=request.user, fair=fair)
    if existing is None:
        raise Http404
    response = HttpResponse(
        badges_pdf(badges=[existing], language=request.LANGUAGE_CODE),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = 'inline; filename="badge.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
