"""Writes for companies, members, badges and people's own settings.

Every service is keyword-only, typed and runs in one transaction. Permission rules are checked
here as well as in the views, so a form, an admin action and a script obey the same rules.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from exhibitors import cache as display_cache
from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import SECTOR_LABELS, Badge, Certification, Company, Member, Sector
from exhibitors.selectors import forget_members
from exhibitors.text import fold
from fairsite.enums import AccountKind
from fairsite.models import Fair, User
from organisers.live import stats_changed_on_commit

#: Plain profile fields a member may set (the rest is derived or set by organisers).
PROFILE_FIELDS = frozenset(
    {
        "name_vi",
        "name_en",
        "name_native",
        "country",
        "city",
        "description",
        "capabilities",
        "sourcing_needs",
        "key_product_name",
        "key_product_year",
        "booth",
        "website",
        "languages",
        "attendance",
        "employees",
    }
)
#: Many-to-many profile fields, given as iterables of model instances or codes.
RELATION_FIELDS = {
    "sectors": Sector,
    "certifications": Certification,
    "required_certifications": Certification,
}
SEARCH_LANGUAGES = ("vi", "en")

DEFAULT_TIME_ZONE_BY_KIND = {
    AccountKind.EXHIBITOR: "Asia/Ho_Chi_Minh",
    AccountKind.VISITOR: "Asia/Ho_Chi_Minh",
}
DEFAULT_TIME_ZONE_BY_LANGUAGE = {"ja": "Asia/Tokyo", "ko": "Asia/Seoul"}


def default_time_zone(*, kind: str, language: str = "") -> str:
    """A sensible zone when a person does not pick one: Hà Nội for exhibitors and visitors; for
    buyers the zone their language suggests, else the fair's."""
    if kind in DEFAULT_TIME_ZONE_BY_KIND:
        return DEFAULT_TIME_ZONE_BY_KIND[kind]
    return DEFAULT_TIME_ZONE_BY_LANGUAGE.get(language, settings.TIME_ZONE)


# --- People -------------------------------------------------------------------------------------


def _check_person(*, time_zone: str, language: str) -> None:
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": _("Choose a valid time zone.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a valid language.")})


@transaction.atomic
def user_signup_profile_set(
    *, user: User, full_name: str, kind: str, time_zone: str | None, language: str
) -> User:
    """What a person tells us at sign-up: name, who they are, zone and language."""
    if kind not in AccountKind.values:
        raise ValidationError({"kind": _("Choose who you are.")})
    time_zone = time_zone or default_time_zone(kind=kind, language=language)
    _check_person(time_zone=time_zone, language=language)
    user.full_name = full_name.strip()
    user.kind = kind
    user.time_zone = time_zone
    user.language = language
    user.save(update_fields=["full_name", "kind", "time_zone", "language"])
    return user


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, time_zone: str, language: str) -> User:
    """A person's own settings ("my account")."""
    _check_person(time_zone=time_zone, language=language)
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.language = language
    user.save(update_fields=["full_name", "time_zone", "language"])
    return user


# --- Companies ----------------------------------------------------------------------------------


def company_search_text(*, company: Company) -> str:
    """The folded text the directory searches: names, city, capabilities, needs, key product
    and the sector labels in Vietnamese and English."""
    parts = [
        company.name_vi,
        company.name_en,
        company.name_native,
        company.city,
        company.capabilities,
        company.sourcing_needs,
        company.key_product_name,
    ]
    codes = [sector.code for sector in company.sectors.all()]
    for language in SEARCH_LANGUAGES:
        with translation.override(language):
            parts.extend(str(SECTOR_LABELS[code]) for code in codes if code in SECTOR_LABELS)
    return fold(" ".join(part for part in parts if part))


def company_slug_base(name: str) -> str:
    """A company's slug before any ``-2`` that keeps it unique at its fair."""
    return slugify(fold(name))[:70].strip("-") or "company"


def _unique_slug(*, fair: Fair, name: str) -> str:
    base = company_slug_base(name)
    slug, n = base, 1
    while Company.objects.filter(fair=fair, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _related(model: type, values: Iterable[Any]) -> list[Any]:
    items = list(values or [])
    codes = [item for item in items if isinstance(item, str)]
    objects = [item for item in items if not isinstance(item, str)]
    if codes:
        found = list(model.objects.filter(code__in=codes))
        if len(found) != len(set(codes)):
            raise ValidationError(_("Unknown choice."))
        objects.extend(found)
    return objects


def _apply_profile(*, company: Company, profile: Mapping[str, Any]) -> dict[str, list[Any]]:
    unknown = set(profile) - PROFILE_FIELDS - set(RELATION_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    for field in PROFILE_FIELDS & set(profile):
        value = profile[field]
        if isinstance(value, str):
            value = value.strip()
        setattr(company, field, value)
    return {
        field: _related(model, profile[field])
        for field, model in RELATION_FIELDS.items()
        if field in profile
    }


def _save_logo(*, company: Company, logo: File | None, remove_logo: bool) -> None:
    if remove_logo and company.logo:
        company.logo.delete(save=False)
        company.logo = ""
    if logo is not None:
        old = company.logo.name if company.logo else ""
        company.logo.save("logo.png", logo, save=False)
        if old and old != company.logo.name:
            old_name = old
            transaction.on_commit(lambda: company.logo.storage.delete(old_name))


def _finish(*, company: Company, relations: Mapping[str, list[Any]]) -> Company:
    company.full_clean(exclude=["logo", "slug"])
    company.save()
    for field, objects in relations.items():
        getattr(company, field).set(objects)
    company.search_text = company_search_text(company=company)
    company.save(update_fields=["search_text"])
    # The fair's cached company display (directory, company pages, recommendation rows, meeting
    # rooms) is renewed once this commits.
    display_cache.display_changed(fair_id=company.fair_id)
    return company


@transaction.atomic
def company_create(
    *,
    fair: Fair,
    creator: User,
    role: str,
    profile: Mapping[str, Any],
    logo: File | None = None,
    job_title: str = "",
) -> Company:
    """Create a company at ``fair``; ``creator`` becomes its first member, approved and admin.

    A person belongs to one company per fair (unique constraint on ``Member(fair, user)``), so
    two concurrent creations by the same person leave one company and one error.
    """
    if role not in CompanyRole.values:
        raise ValidationError(_("Unknown company role."))
    if creator.kind != role:
        raise ValidationError(_("Your account is not registered as this kind of company."))
    _drop_rejected(fair=fair, user=creator)
    if Member.objects.filter(fair=fair, user=creator).exists():
        raise ValidationError(_("You already belong to a company at this fair."))
    company = Company(fair=fair, role=role)
    relations = _apply_profile(company=company, profile=profile)
    company.slug = _unique_slug(fair=fair, name=company.name_en or company.name_vi)
    _save_logo(company=company, logo=logo, remove_logo=False)
    _finish(company=company, relations=relations)
    try:
        with transaction.atomic():
            Member.objects.create(
                fair=fair,
                company=company,
                user=creator,
                job_title=job_title.strip(),
                status=MembershipStatus.APPROVED,
                is_admin=True,
            )
    except IntegrityError as exc:
        raise ValidationError(_("You already belong to a company at this fair.")) from exc
    forget_members(user=creator)
    _recommendations_refresh_on_commit(company=company)
    stats_changed_on_commit(fair.pk)  # a buyer without a meeting yet
    return company


def _recommendations_refresh_on_commit(*, company: Company) -> None:
    """A new or edited profile changes recommendations: recompute them after commit, off the
    request path (``matchmaking.tasks``)."""
    from matchmaking.services import recommendations_refresh_request

    recommendations_refresh_request(fair=company.fair, company=company)


def is_company_editor(*, company: Company, user: User) -> bool:
    return Member.objects.filter(
        fair_id=company.fair_id,
        company=company,
        user=user,
        status=MembershipStatus.APPROVED,
    ).exists()


@transaction.atomic
def company_update(
    *,
    company: Company,
    actor: User,
    profile: Mapping[str, Any],
    logo: File | None = None,
    remove_logo: bool = False,
) -> Company:
    """Update a company's profile and its ``search_text``. Only its approved members (and
    organisers) may; anyone else gets :class:`PermissionDenied`."""
    if not (actor.is_organiser or is_company_editor(company=company, user=actor)):
        raise PermissionDenied
    company = Company.objects.select_for_update().get(pk=company.pk)
    relations = _apply_profile(company=company, profile=profile)
    _save_logo(company=company, logo=logo, remove_logo=remove_logo)
    company = _finish(company=company, relations=relations)
    _recommendations_refresh_on_commit(company=company)
    return company


@transaction.atomic
def company_search_text_refresh(*, company: Company) -> Company:
    """Recompute ``search_text`` (after an organiser edits a company in the admin); the cached
    display of the fair's companies is renewed."""
    company.search_text = company_search_text(company=company)
    company.save(update_fields=["search_text"])
    display_cache.display_changed(fair_id=company.fair_id)
    return company


# --- Members ------------------------------------------------------------------------------------


@transaction.atomic
def member_join_request(*, fair: Fair, user: User, company: Company, job_title: str = "") -> Member:
    """Ask to join ``company``: a pending membership that an admin member approves."""
    if company.fair_id != fair.pk:
        raise ValidationError(_("This company is not at this fair."))
    if user.kind != company.role:
        raise ValidationError(_("Your account is not registered as this kind of company."))
    _drop_rejected(fair=fair, user=user)
    try:
        with transaction.atomic():
            member = Member.objects.create(
                fair=fair,
                company=company,
                user=user,
                job_title=job_title.strip(),
                status=MembershipStatus.PENDING,
                is_admin=False,
            )
    except IntegrityError as exc:
        raise ValidationError(_("You already belong to a company at this fair.")) from exc
    forget_members(user=user)
    return member


def _drop_rejected(*, fair: Fair, user: User) -> None:
    Member.objects.filter(fair=fair, user=user, status=MembershipStatus.REJECTED).delete()


def _check_admin(*, member: Member, actor: User) -> None:
    is_admin = Member.objects.filter(
        fair_id=member.fair_id,
        company_id=member.company_id,
        user=actor,
        status=MembershipStatus.APPROVED,
        is_admin=True,
    ).exists()
    if not is_admin:
        raise PermissionDenied


def _decide(*, member: Member, actor: User, status: str) -> Member:
    _check_admin(member=member, actor=actor)
    # The row lock makes two admins deciding at once apply one decision after the other.
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if locked.status != MembershipStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    locked.status = status
    locked.save(update_fields=["status"])
    stats_changed_on_commit(locked.fair_id)  # visitors by country follow approved members
    return locked


@transaction.atomic
def member_approve(*, member: Member, actor: User) -> Member:
    """An admin member approves a pending member of the same company."""
    return _decide(member=member, actor=actor, status=MembershipStatus.APPROVED)


@transaction.atomic
def member_reject(*, member: Member, actor: User) -> Member:
    """An admin member rejects a pending member; the person may then ask another company."""
    return _decide(member=member, actor=actor, status=MembershipStatus.REJECTED)


@transaction.atomic
def member_remove(*, member: Member, actor: User) -> None:
    """An approved member of the company removes one of its members (any status, the actor too)
    from the fair's company; the person may then join another company. The last approved member
    cannot be removed (the company would have nobody left to run it).

    Locking: every approved member row of the company is locked (``select_for_update``) before
    counting, so two removals at once cannot both see two approved members and leave none.
    After commit every open room socket of the removed person, in every process, re-checks its
    access and closes (:func:`fairsite.channels.user_access_changed_on_commit`)."""
    from fairsite.channels import user_access_changed_on_commit

    approved = list(
        Member.objects.select_for_update()
        .filter(
            fair_id=member.fair_id, company_id=member.company_id, status=MembershipStatus.APPROVED
        )
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    if actor.pk not in {user_id for _pk, user_id in approved}:
        raise PermissionDenied
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None:
        raise ValidationError(_("This person is no longer a member."))
    if locked.status == MembershipStatus.APPROVED and len(approved) <= 1:
        raise ValidationError(
            _("The last approved member cannot be removed; approve another member first.")
        )
    user_id = locked.user_id
    locked.delete()
    user_access_changed_on_commit(user_id)
    stats_changed_on_commit(member.fair_id)


# --- Badges -------------------------------------------------------------------------------------


@transaction.atomic
def badge_issue(*, fair: Fair, user: User, organisation: str = "") -> Badge:
    """The person's badge for ``fair``; issuing twice returns the same badge."""
    try:
        with transaction.atomic():
            badge, created = Badge.objects.get_or_create(
                fair=fair, user=user, defaults={"organisation": organisation.strip()}
            )
    except IntegrityError:
        badge, created = Badge.objects.get(fair=fair, user=user), False
    if not created and organisation.strip() and badge.organisation != organisation.strip():
        badge.organisation = organisation.strip()
        badge.save(update_fields=["organisation"])
    return badge
