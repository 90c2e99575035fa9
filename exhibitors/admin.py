from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from exhibitors import services
from exhibitors.models import Badge, Certification, Company, Member, Sector, Visit
from fairsite.admin import OrganiserAdmin, OrganiserInline


@admin.register(Sector)
class SectorAdmin(OrganiserAdmin):
    list_display = ["code", "__str__", "position", "company_count"]
    list_filter = ["position"]
    search_fields = ["code"]
    ordering = ["position", "code"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_companies=Count("companies"))

    @admin.display(description=_("companies"), ordering="_companies")
    def company_count(self, obj: Sector) -> int:
        return obj._companies


@admin.register(Certification)
class CertificationAdmin(OrganiserAdmin):
    list_display = ["code", "__str__", "position"]
    list_filter = ["position"]
    search_fields = ["code"]
    ordering = ["position", "code"]


class MemberInline(OrganiserInline):
    model = Member
    extra = 0
    fields = ["user", "job_title", "status", "is_admin"]
    raw_id_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(OrganiserAdmin):
    list_display = [
        "display_name",
        "role",
        "country",
        "city",
        "booth",
        "attendance",
        "key_product_year",
        "fair",
    ]
    list_filter = ["fair", "role", "attendance", "country", "sectors", "certifications"]
    search_fields = ["name_en", "name_vi", "name_native", "slug", "city", "search_text"]
    filter_horizontal = ["sectors", "certifications", "required_certifications"]
    readonly_fields = ["search_text", "created_at", "updated_at"]
    list_select_related = ["fair"]
    inlines = [MemberInline]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.company_search_text_refresh(company=form.instance)


@admin.register(Member)
class MemberAdmin(OrganiserAdmin):
    list_display = ["user", "company", "job_title", "status", "is_admin", "fair", "created_at"]
    list_filter = ["fair", "status", "is_admin", "company__role"]
    search_fields = ["user__email", "user__full_name", "company__name_en", "company__name_vi"]
    raw_id_fields = ["user", "company"]
    list_select_related = ["user", "company", "fair"]


@admin.register(Badge)
class BadgeAdmin(OrganiserAdmin):
    list_display = ["user", "code", "organisation", "fair", "created_at"]
    list_filter = ["fair"]
    search_fields = ["code", "user__email", "user__full_name", "organisation"]
    raw_id_fields = ["user"]
    readonly_fields = ["code"]
    list_select_related = ["user", "fair"]


@admin.register(Visit)
class VisitAdmin(OrganiserAdmin):
    list_display = ["badge", "kind", "day", "at", "fair"]
    list_filter = ["fair", "kind", "day"]
    search_fields = ["badge__code", "badge__user__email", "badge__user__full_name"]
    raw_id_fields = ["badge"]
    date_hierarchy = "at"
    list_select_related = ["badge__user", "fair"]
