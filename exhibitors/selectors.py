"""Reads for companies, members and badges, always scoped by fair and by who asks."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import Prefetch, QuerySet

from exhibitors.enums import CompanyRole, MembershipStatus
from exhibitors.models import Badge, Certification, Company, Member, Sector
from exhibitors.text import query_words
from fairsite.async_db import CompiledQuery, concrete_columns, instances_from_row
from fairsite.enums import AccountKind
from fairsite.models import Fair, User

DIRECTORY_PAGE_SIZE = 24


def user_is_verified(*, user: User) -> bool:
    """Signed in with at least one verified e-mail address."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_verified", None)
    if cached is None:
        cached = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._is_verified = cached
    return cached


def viewer_flags_load(*, user: User) -> None:
    """What every signed-in page asks about its viewer, in one query: a verified address,
    the organisers and hall staff groups, and the unread notifications as the request starts.
    Page requests get them with the user (``fairsite.session_auth``); this reads the same
    statement for a user loaded otherwise.

    The answers land where their readers look first (:func:`user_is_verified`,
    ``User.is_organiser``, ``exhibitors.access.can_check_in``, the header's unread count), so
    none of them queries again during the request."""
    if not user.is_authenticated:
        return
    from fairsite.session_auth import viewer_flags_read

    viewer_flags_read(user)


def member_for(*, user: User, fair: Fair | None) -> Member | None:
    """The person's membership at ``fair`` in any state (pending, approved, rejected).

    Looked up once per user object and fair, like the verified and organiser flags: the
    permission check, the view and the page's navigation share one query per request.
    Services that add or remove the person's membership call :func:`forget_members`.
    """
    if fair is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_members", None)
    if cached is None:
        cached = user._members = {}
    if fair.pk not in cached:
        cached[fair.pk] = _member_at(fair=fair, user=user)
    return cached[fair.pk]


@functools.cache
def _member_columns() -> tuple[list[str], list[str]]:
    return concrete_columns(Member), concrete_columns(Company)


def _member_rows(*, fair_id: int, user_id: int) -> QuerySet:
    members, companies = _member_columns()
    return (
        Member.objects.filter(fair_id=fair_id, user_id=user_id)
        .order_by()
        .values_list(*members, *(f"company__{name}" for name in companies))[:1]
    )


# Every signed-in page of a member asks it: compiled once per process (a person has at most one
# membership per fair, ``member_one_company_per_fair``).
_MEMBER = CompiledQuery(_member_rows, fair_id=-(2**41) - 17, user_id=-(2**41) - 19)


def _member_at(*, fair: Fair, user: User) -> Member | None:
    """The membership with its company (both with their fair set), or ``None``."""
    rows = _MEMBER.fetch_sync(fair_id=fair.pk, user_id=user.pk)
    if not rows:
        return None
    members, companies = _member_columns()
    member, member.company = instances_from_row(rows[0], (Member, members), (Company, companies))
    member.company.fair = fair
    member.fair = fair
    return member


def forget_members(*, user: User) -> None:
    """Drop the memberships :func:`member_for` remembered on ``user``."""
    user._members = {}


def approved_member_for(*, user: User, fair: Fair | None) -> Member | None:
    member = member_for(user=user, fair=fair)
    return member if member is not None and member.is_approved else None


def badge_for(*, user: User, fair: Fair | None) -> Badge | None:
    if fair is None or not user.is_authenticated:
        return None
    return Badge.objects.filter(fair=fair, user=user).first()


def onboarding_needed(*, user: User, fair: Fair | None) -> bool:
    """Exhibitors and buyers need a company, visitors a badge; organisers need nothing."""
    if fair is None or not user.is_authenticated or user.is_organiser:
        return False
    if user.kind == AccountKind.VISITOR:
        return badge_for(user=user, fair=fair) is None
    member = member_for(user=user, fair=fair)
    return member is None or member.status == MembershipStatus.REJECTED


def can_see_buyers(*, user: User, fair: Fair | None) -> bool:
    """Buyers' profiles are shown to organisers and to approved members of exhibitors."""
    if fair is None or not user_is_verified(user=user):
        return False
    if user.is_organiser:
        return True
    member = approved_member_for(user=user, fair=fair)
    return member is not None and member.company.role == CompanyRole.EXHIBITOR


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    sector: str = ""
    country: str = ""
    certification: str = ""
    key_product: bool = False
    attendance: str = ""


def company_directory(
    *, fair: Fair, role: str = CompanyRole.EXHIBITOR, filters: DirectoryFilters | None = None
) -> QuerySet[Company]:
    """Companies of one role at ``fair``, filtered; sectors and certifications prefetched so the
    number of queries does not grow with the page.

    Search folds the query exactly as ``Company.search_text`` was folded (lower case, no
    diacritics) and requires every word, so it behaves the same on PostgreSQL and SQLite.
    """
    filters = filters or DirectoryFilters()
    companies = Company.objects.filter(fair=fair, role=role)
    for word in query_words(filters.query):
        companies = companies.filter(search_text__icontains=word)
    if filters.sector:
        companies = companies.filter(sectors__code=filters.sector)
    if filters.certification:
        companies = companies.filter(certifications__code=filters.certification)
    if filters.country:
        companies = companies.filter(country=filters.country)
    if filters.key_product:
        companies = companies.filter(key_product_year__isnull=False)
    if filters.attendance:
        companies = companies.filter(attendance=filters.attendance)
    return companies.distinct().prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("position", "code")),
        Prefetch("certifications", queryset=Certification.objects.order_by("position", "code")),
    )


@functools.cache
def _company_columns() -> list[str]:
    return concrete_columns(Company)


def _company_rows(*, fair_id: int, slug: str, role: str) -> QuerySet:
    return (
        Company.objects.filter(fair_id=fair_id, slug=slug, role=role)
        .order_by("pk")
        .values_list(*_company_columns())[:1]
    )


# Every company page asks it: compiled once per process (fairsite.async_db.CompiledQuery).
_COMPANY = CompiledQuery(
    _company_rows, fair_id=-(2**41) - 13, slug="\x00company-slug", role="\x00company-role"
)


def company_at(*, fair: Fair, slug: str, role: str) -> Company | None:
    """The company of ``fair`` with this slug and role (its fair set, so that reading it costs
    no query), or ``None``."""
    rows = _COMPANY.fetch_sync(fair_id=fair.pk, slug=slug, role=role)
    if not rows:
        return None
    (company,) = instances_from_row(rows[0], (Company, _company_columns()))
    company.fair = fair
    return company


def company_visible(*, fair: Fair, slug: str, role: str, viewer: User) -> Company | None:
    """One company's public page: exhibitors for everyone; a buyer for those who may see buyers
    and for the buyer's own members. ``None`` (→ 404) otherwise.

    Sectors and certifications are not fetched here: the page reads each once, inside its cached
    fragment (``exhibitors.cache``), so a cached page does not read them at all."""
    company = company_at(fair=fair, slug=slug, role=role)
    if company is None or role == CompanyRole.EXHIBITOR:
        return company
    if can_see_buyers(user=viewer, fair=fair):
        return company
    own = approved_member_for(user=viewer, fair=fair)
    return company if own is not None and own.company_id == company.pk else None


def company_of_member(*, fair: Fair, slug: str, user: User) -> Company | None:
    """The company with ``slug`` if ``user`` is its approved member, else ``None`` (→ 404)."""
    member = approved_member_for(user=user, fair=fair)
    if member is None or member.company.slug != slug:
        return None
    return member.company


def company_members(*, company: Company) -> QuerySet[Member]:
    return (
        Member.objects.filter(company=company, fair_id=company.fair_id)
        .select_related("user")
        .order_by("status", "created_at")
    )


def joinable_companies(*, fair: Fair, role: str) -> QuerySet[Company]:
    return Company.objects.filter(fair=fair, role=role).order_by("name_en", "id")


def pending_member_of(*, company: Company, member_id: int) -> Member | None:
    return Member.objects.filter(
        company=company, fair_id=company.fair_id, pk=member_id, status=MembershipStatus.PENDING
    ).first()


def member_of(*, company: Company, member_id: int) -> Member | None:
    """A member (any status) of ``company`` by id, with the user, or ``None``."""
    return (
        Member.objects.filter(company=company, fair_id=company.fair_id, pk=member_id)
        .select_related("user")
        .first()
    )


def directory_countries(*, fair: Fair, role: str) -> list[str]:
    return sorted(
        set(
            Company.objects.filter(fair=fair, role=role)
            .exclude(country="")
            .values_list("country", flat=True)
        )
    )


def sector_choices() -> QuerySet[Sector]:
    return Sector.objects.order_by("position", "code")


def certification_choices() -> QuerySet[Certification]:
    return Certification.objects.order_by("position", "code")
