"""Companies, their members, the sector and certification taxonomies, visitors' badges and
visits."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from exhibitors.enums import (
    CERTIFICATIONS,
    SECTORS,
    Attendance,
    CompanyRole,
    MembershipStatus,
    VisitKind,
)

SECTOR_LABELS = dict(SECTORS)
CERTIFICATION_LABELS = dict(CERTIFICATIONS)


class Sector(models.Model):
    """A sector of the fair's taxonomy (rows created by a data migration from ``SECTORS``)."""

    code = models.SlugField(max_length=32, unique=True, verbose_name=_("code"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return str(SECTOR_LABELS.get(self.code, self.code))


class Certification(models.Model):
    code = models.SlugField(max_length=32, unique=True, verbose_name=_("code"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return str(CERTIFICATION_LABELS.get(self.code, self.code))


def logo_path(instance: Company, filename: str) -> str:
    return f"logos/{instance.fair_id}/{secrets.token_hex(8)}.png"


class Company(models.Model):
    """An exhibitor (Vietnamese supplier) or a buyer (foreign company) at one fair."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="companies", verbose_name=_("fair")
    )
    role = models.CharField(_("role"), max_length=16, choices=CompanyRole.choices)
    slug = models.SlugField(_("address"), max_length=80)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_native = models.CharField(
        _("name in native script"),
        max_length=200,
        blank=True,
        help_text=_("For Japanese and Korean companies, e.g. 株式会社… or 주식회사…"),
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    description = models.TextField(_("about the company"), max_length=4000, blank=True)
    capabilities = models.TextField(_("products and capabilities"), max_length=4000, blank=True)
    sourcing_needs = models.TextField(_("sourcing needs"), max_length=4000, blank=True)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="companies", verbose_name=_("sectors")
    )
    certifications = models.ManyToManyField(
        Certification, blank=True, related_name="companies", verbose_name=_("certifications")
    )
    required_certifications = models.ManyToManyField(
        Certification,
        blank=True,
        related_name="requiring_companies",
        verbose_name=_("certifications required of suppliers"),
    )
    key_product_name = models.CharField(
        _("recognised key industrial product"), max_length=200, blank=True
    )
    key_product_year = models.PositiveSmallIntegerField(
        _("year of key-product recognition"), null=True, blank=True
    )
    booth = models.CharField(_("booth"), max_length=20, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default=Attendance.ONSITE
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    # Lower-case, diacritics-free copy of the searchable text (maintained by services).
    search_text = models.TextField(
        editable=False, blank=True, default="", verbose_name=_("search text")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name_en", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "slug"], name="company_unique_slug_per_fair"),
            models.CheckConstraint(
                condition=Q(role__in=CompanyRole.values), name="company_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=Attendance.values), name="company_attendance_valid"
            ),
            models.CheckConstraint(
                condition=Q(key_product_year__isnull=True)
                | Q(key_product_year__gte=2000, key_product_year__lte=2100),
                name="company_key_product_year_range",
            ),
        ]
        indexes = [models.Index(fields=["fair", "role"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en or self.name_vi or self.name_native

    @property
    def is_exhibitor(self) -> bool:
        return self.role == CompanyRole.EXHIBITOR

    @property
    def is_key_product(self) -> bool:
        return bool(self.key_product_year)


class Member(models.Model):
    """A person working for a company at a fair. One company per person per fair."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="members", verbose_name=_("fair")
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="members", verbose_name=_("company")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    is_admin = models.BooleanField(_("can approve members"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["company", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["fair", "user"], name="member_one_company_per_fair"),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values), name="member_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED


def new_badge_code() -> str:
    return secrets.token_urlsafe(12)


class Badge(models.Model):
    """A person's badge for one fair; its QR code carries ``code``."""

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="badges", verbose_name=_("fair")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="badges",
        verbose_name=_("user"),
    )
    code = models.CharField(
        max_length=32, unique=True, default=new_badge_code, verbose_name=_("code")
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    #: A revoked badge is refused at the entrance; hall staff may restore it.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    printed_count = models.PositiveIntegerField(_("times printed"), default=0)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        constraints = [
            models.UniqueConstraint(fields=["fair", "user"], name="badge_one_per_fair"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.code})"


class Visit(models.Model):
    """A check-in at the hall (badge scanned) or an online visit; the organisers' counts come
    from here.

    One person counts once per fair day and kind: ``day`` is the date in the fair's time zone,
    and the database refuses a second row (``visit_once_per_person_kind_day``). An online visit
    may have no badge (exhibitors and buyers use the platform without one).
    """

    fair = models.ForeignKey(
        "fairsite.Fair", on_delete=models.CASCADE, related_name="visits", verbose_name=_("fair")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="visits",
        verbose_name=_("user"),
    )
    badge = models.ForeignKey(
        Badge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("badge"),
    )
    kind = models.CharField(max_length=16, choices=VisitKind.choices, verbose_name=_("kind"))
    day = models.DateField(_("day"))
    at = models.DateTimeField(_("at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fair", "user", "kind", "day"], name="visit_once_per_person_kind_day"
            ),
            models.CheckConstraint(condition=Q(kind__in=VisitKind.values), name="visit_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=VisitKind.ONSITE) | Q(badge__isnull=False),
                name="visit_onsite_has_badge",
            ),
        ]
        indexes = [models.Index(fields=["fair", "day", "kind"], name="visit_fair_day_kind_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.day}"
