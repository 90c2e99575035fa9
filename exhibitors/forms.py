"""Forms: input checking only. Views hand the cleaned data to ``exhibitors.services``."""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from exhibitors import selectors, services
from exhibitors.enums import LANGUAGES_SPOKEN, Attendance, CompanyRole
from exhibitors.images import logo_to_png
from exhibitors.models import Company
from fairsite.enums import AccountKind
from fairsite.forms import CreateForm, CreateModelForm, FairForm

COMMON_TIME_ZONES: list[tuple[str, Any]] = [
    ("Asia/Ho_Chi_Minh", _("Vietnam (Hà Nội, Hồ Chí Minh City)")),
    ("Asia/Bangkok", _("Thailand (Bangkok)")),
    ("Asia/Tokyo", _("Japan (Tokyo)")),
    ("Asia/Seoul", _("Korea (Seoul)")),
    ("Asia/Shanghai", _("China (Shanghai, Beijing)")),
    ("Asia/Taipei", _("Taiwan (Taipei)")),
    ("Asia/Singapore", _("Singapore")),
    ("Asia/Kolkata", _("India")),
    ("Europe/London", _("United Kingdom (London)")),
    ("Europe/Berlin", _("Central Europe (Berlin, Paris)")),
    ("America/New_York", _("US Eastern (New York)")),
    ("America/Chicago", _("US Central (Chicago)")),
    ("America/Denver", _("US Mountain (Denver)")),
    ("America/Los_Angeles", _("US Pacific (Los Angeles)")),
    ("Australia/Sydney", _("Australia (Sydney)")),
    ("UTC", "UTC"),
]


def reject_html(value: str) -> None:
    """Names are plain text: angle brackets are refused rather than silently escaped."""
    if "<" in value or ">" in value:
        raise ValidationError(_("Use plain text without < or >."), code="html")


def _plain(label: Any, *, max_length: int, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, validators=[reject_html], **kwargs
    )


class TimeZoneFields(FairForm):
    """A select of common zones plus any other IANA name typed in."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[("", _("Other (type it below)"))] + COMMON_TIME_ZONES,
    )
    time_zone_other = forms.CharField(
        label=_("Other time zone"),
        required=False,
        max_length=64,
        help_text=_("An IANA name such as America/Phoenix or Asia/Jakarta."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        other_id = self.fields["time_zone_other"].widget.attrs.get("id") or self.auto_id % (
            self.add_prefix("time_zone_other")
        )
        self.fields["time_zone"].widget.attrs.update(
            {"data-timezone-select": "", "data-timezone-other": other_id}
        )
        self.fields["time_zone_other"].widget.attrs.update(
            {"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false"}
        )

    @property
    def time_zone_names(self) -> list[str]:
        """Every IANA name, for the browser's suggestions list next to the text field."""
        return sorted(z for z in zoneinfo.available_timezones() if "/" in z)

    def clean_time_zone_other(self) -> str:
        value = self.cleaned_data["time_zone_other"].strip()
        if value and value not in zoneinfo.available_timezones():
            raise ValidationError(
                _("“%(value)s” is not a known time zone."), params={"value": value}
            )
        return value

    def resolved_time_zone(self) -> str:
        """A zone picked from the list wins; the typed zone is used when the list is left on
        "Other". Empty when neither is given."""
        return self.cleaned_data.get("time_zone") or self.cleaned_data.get("time_zone_other") or ""


class SignupProfileForm(TimeZoneFields):
    """Extra sign-up fields (allauth puts e-mail and passwords in front of these)."""

    full_name = _plain(_("Full name"), max_length=150)
    kind = forms.ChoiceField(label=_("I am"), choices=AccountKind.choices, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["email", "password1", "password2", "full_name", "kind", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = translation.get_language() or settings.LANGUAGE_CODE
        self.fields["language"].initial = current if current in dict(settings.LANGUAGES) else "vi"
        self.fields["time_zone"].help_text = _(
            "Leave on “Other” and empty to use Hà Nội time (exhibitors and visitors)."
        )
        self.fields["time_zone"].initial = ""

    def signup(self, request, user) -> None:  # called by allauth after the user is saved
        services.user_signup_profile_set(
            user=user,
            full_name=self.cleaned_data["full_name"],
            kind=self.cleaned_data["kind"],
            time_zone=self.resolved_time_zone(),
            language=self.cleaned_data["language"],
        )


class AccountForm(TimeZoneFields):
    """A person's own settings."""

    full_name = _plain(_("Full name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = ["full_name", "time_zone", "time_zone_other", "language"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("full_name", user.full_name)
        initial.setdefault("language", user.language)
        if user.time_zone in dict(COMMON_TIME_ZONES):
            initial.setdefault("time_zone", user.time_zone)
        else:
            initial.setdefault("time_zone", "")
            initial.setdefault("time_zone_other", user.time_zone)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.resolved_time_zone():
            self.add_error("time_zone", _("Choose your time zone."))
        return cleaned


def _year_now() -> int:
    return date.today().year  # noqa: DTZ011 - a calendar year for a form bound, not an instant


EXHIBITOR_ONLY = ("capabilities", "key_product_name", "key_product_year", "booth")
BUYER_ONLY = ("sourcing_needs", "required_certifications")


class CompanyForm(CreateModelForm):
    """A company's profile. Fields depend on the role (exhibitor or buyer)."""

    name_vi = _plain(_("Name in Vietnamese"), max_length=200, required=False)
    name_en = _plain(_("Name in English"), max_length=200)
    name_native = _plain(
        _("Name in native script"),
        max_length=200,
        required=False,
        help_text=_("For Japanese and Korean companies, e.g. 株式会社… or 주식회사…"),
    )
    city = _plain(_("City"), max_length=100, required=False)
    booth = _plain(_("Booth"), max_length=20, required=False)
    key_product_name = _plain(
        _("Recognised key industrial product"), max_length=200, required=False
    )
    key_product_year = forms.IntegerField(
        label=_("Year of key-product recognition"),
        required=False,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
    )
    employees = forms.IntegerField(
        label=_("Employees"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(10_000_000)],
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        required=False,
        choices=LANGUAGES_SPOKEN,
        widget=forms.CheckboxSelectMultiple,
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB. It is stored as PNG."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    class Meta:
        model = Company
        fields = [
            "name_vi",
            "name_en",
            "name_native",
            "country",
            "city",
            "description",
            "capabilities",
            "sourcing_needs",
            "sectors",
            "certifications",
            "required_certifications",
            "key_product_name",
            "key_product_year",
            "booth",
            "website",
            "attendance",
            "employees",
        ]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "certifications": forms.CheckboxSelectMultiple,
            "required_certifications": forms.CheckboxSelectMultiple,
            "attendance": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "capabilities": forms.Textarea(attrs={"rows": 4}),
            "sourcing_needs": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        hidden = BUYER_ONLY if role == CompanyRole.EXHIBITOR else EXHIBITOR_ONLY
        for name in hidden:
            self.fields.pop(name, None)
        if self.instance.pk:
            self.fields["languages"].initial = self.instance.languages
            self.drop_submission_key()  # an edit changes what exists; repeating it is harmless
        else:
            self.fields.pop("remove_logo")
        self.fields["sectors"].queryset = selectors.sector_choices()
        for name in ("certifications", "required_certifications"):
            if name in self.fields:
                self.fields[name].queryset = selectors.certification_choices()
        if "key_product_year" in self.fields:
            self.fields["key_product_year"].widget.attrs["max"] = _year_now()

    def clean_logo(self) -> Any:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        return logo_to_png(upload)

    def clean_key_product_year(self) -> int | None:
        year = self.cleaned_data.get("key_product_year")
        if year is not None and year > _year_now() + 1:
            raise ValidationError(_("The year cannot be in the future."))
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("key_product_year") and not cleaned.get("key_product_name"):
            self.add_error("key_product_name", _("Name the recognised product."))
        return cleaned

    def profile(self) -> dict[str, Any]:
        """The cleaned values to hand to ``company_create`` / ``company_update``."""
        allowed = services.PROFILE_FIELDS | set(services.RELATION_FIELDS)
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in allowed and name in self.fields
        }


class JoinCompanyForm(CreateForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none())
    job_title = _plain(_("Job title"), max_length=120, required=False)

    def __init__(self, *args: Any, fair: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = selectors.joinable_companies(fair=fair, role=role)


class CreateCompanyExtraForm(FairForm):
    job_title = _plain(_("Your job title"), max_length=120, required=False)


class BadgeForm(CreateForm):
    organisation = _plain(_("Organisation (optional)"), max_length=200, required=False)


class DirectoryFilterForm(FairForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    certification = forms.ChoiceField(label=_("Certification"), required=False)
    attendance = forms.ChoiceField(label=_("Attendance"), required=False)
    key_product = forms.BooleanField(label=_("Key industrial products only"), required=False)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["sector"].choices = every + [
            (s.code, str(s)) for s in selectors.sector_choices()
        ]
        self.fields["certification"].choices = every + [
            (c.code, str(c)) for c in selectors.certification_choices()
        ]
        self.fields["country"].choices = every + countries
        self.fields["attendance"].choices = every + list(Attendance.choices)

    def filters(self) -> selectors.DirectoryFilters:
        if not self.is_bound:
            return selectors.DirectoryFilters()
        self.is_valid()  # keeps the valid fields in cleaned_data; the others show an error
        data = self.cleaned_data
        return selectors.DirectoryFilters(
            query=data.get("q", ""),
            sector=data.get("sector", ""),
            country=data.get("country", ""),
            certification=data.get("certification", ""),
            key_product=bool(data.get("key_product")),
            attendance=data.get("attendance", ""),
        )
