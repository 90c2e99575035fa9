"""Every URL pattern has a permission case: who gets which status code.

The test walks ``get_resolver()`` (included patterns too) and requires, for every named pattern
outside :data:`EXCLUDED_PREFIXES`, a :class:`UrlCase` in one of the per-app tables
(:data:`TABLE_MODULES`). A new URL without a case fails ``test_every_url_has_a_case`` with
"add it to the table". A case whose name no longer exists fails too.

Writing a table (``tests/<app>/url_table.py``)::

    from tests.test_url_permissions import UrlCase

    CASES = [
        UrlCase(
            name="meetings:detail",                        # namespaced URL name
            kwargs=lambda ctx: {"pk": ctx.meeting().pk},   # ctx -> URL kwargs (or omit)
            method="get",                                  # "get" or "post"
            data=None,                                     # ctx -> POST data (optional)
            anonymous=302, visitor=404, owner=200, other=404, buyer=200, organiser=200,
        ),
    ]

Expected codes per role; ``None`` skips that role, a tuple accepts any of its codes. An
anonymous 302 must point at the sign-in page unless the case says ``login_redirect=False``.
The roles, all verified users at the current fair (``ctx.fair``):

- ``anonymous``: not signed in.
- ``visitor``: kind visitor, with a badge (``ctx.visitor``).
- ``owner``: approved admin member of exhibitor company A (``ctx.owner``, ``ctx.company``).
- ``other``: approved admin member of another exhibitor company B (``ctx.other``,
  ``ctx.other_company``) — the "foreign objects answer 404" role.
- ``buyer``: approved admin member of buyer company C (``ctx.buyer``, ``ctx.buyer_company``).
- ``organiser``: staff in the organisers group (``ctx.organiser``).

Objects a case needs are made in its ``kwargs``/``data`` callables, which run once per test
(each (case, role) pair is its own test with a fresh database), e.g. with the factories; keep
them in ``ctx.extra`` when ``kwargs`` and ``data`` must share one. Redirects are not followed.
Defaults: anonymous 302 (to sign in), everyone else 200.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: Patterns under these path prefixes are not ours to table: the admin (organisers only, its
#: own permission system), allauth's account pages, and static/media files.
EXCLUDED_PREFIXES = ("admin/", "accounts/", "static/", "media/")

TABLE_MODULES = (
    "tests.fairsite.url_table",
    "tests.exhibitors.url_table",
    "tests.matchmaking.url_table",
    "tests.meetings.url_table",
    "tests.organisers.url_table",
)

ROLES = ("anonymous", "visitor", "owner", "other", "buyer", "organiser")

Expected = int | tuple[int, ...] | None


@dataclass(frozen=True)
class UrlCase:
    name: str
    kwargs: Callable[[Ctx], dict[str, Any]] | None = None
    method: str = "get"
    data: Callable[[Ctx], dict[str, Any]] | None = None
    anonymous: Expected = 302
    visitor: Expected = 200
    owner: Expected = 200
    other: Expected = 200
    buyer: Expected = 200
    organiser: Expected = 200
    #: An anonymous 302 must lead to the sign-in page (False for redirects of another kind).
    login_redirect: bool = True

    def expected(self, role: str) -> Expected:
        return getattr(self, role)


@dataclass
class Ctx:
    """The people and companies every case can use."""

    fair: Any
    owner: Any
    company: Any
    owner_member: Any
    other: Any
    other_company: Any
    buyer: Any
    buyer_company: Any
    visitor: Any
    organiser: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str) -> Any:
        return None if role == "anonymous" else getattr(self, role)


def build_ctx() -> Ctx:
    from tests import factories

    fair = factories.FairFactory()
    owner_member = factories.MemberFactory(company__fair=fair)
    other_member = factories.MemberFactory(company__fair=fair)
    buyer_member = factories.BuyerMemberFactory(company__fair=fair)
    visitor = factories.UserFactory(kind="visitor")
    factories.BadgeFactory(fair=fair, user=visitor)
    return Ctx(
        fair=fair,
        owner=owner_member.user,
        company=owner_member.company,
        owner_member=owner_member,
        other=other_member.user,
        other_company=other_member.company,
        buyer=buyer_member.user,
        buyer_company=buyer_member.company,
        visitor=visitor,
        organiser=factories.OrganiserFactory(),
    )


def load_cases() -> list[UrlCase]:
    cases: list[UrlCase] = []
    for module_name in TABLE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        cases.extend(module.CASES)
    return cases


def url_names(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(route, name) of every pattern, included ones too; name is ``None`` when unnamed."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from url_names(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, (f"{namespace}{pattern.name}" if pattern.name else None)


def tabled_routes() -> list[tuple[str, str | None]]:
    return [
        (route, name)
        for route, name in url_names()
        if not route.lstrip("^").startswith(EXCLUDED_PREFIXES)
    ]


CASES = load_cases()


def test_every_url_has_a_case():
    covered = {case.name for case in CASES}
    missing = [f"{route} ({name})" for route, name in tabled_routes() if name not in covered]
    assert not missing, (
        "URLs without a permission case; add them to the table in tests/<app>/url_table.py: "
        + ", ".join(missing)
    )


def test_every_case_names_an_existing_url():
    names = {name for _route, name in tabled_routes()}
    stale = sorted({case.name for case in CASES} - names)
    assert not stale, f"Cases for URLs that no longer exist: {stale}"


def test_exclusions_are_real():
    """The excluded prefixes still exist, so the exclusion list hides nothing by accident."""
    routes = [route for route, _name in url_names()]
    for prefix in ("admin/", "accounts/"):
        assert any(route.startswith(prefix) for route in routes), prefix


PARAMS = [
    pytest.param(case, role, id=f"{case.name}-{case.method}-{role}")
    for case in CASES
    for role in ROLES
    if case.expected(role) is not None
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "role"), PARAMS)
def test_url_permission(client, case: UrlCase, role: str):
    ctx = build_ctx()
    kwargs = case.kwargs(ctx) if case.kwargs else {}
    data = case.data(ctx) if case.data else {}
    user = ctx.user(role)
    if user is not None:
        client.force_login(user)
    url = reverse(case.name, kwargs=kwargs)

    response = getattr(client, case.method)(url, data)

    expected = case.expected(role)
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, (
        f"{case.method.upper()} {url} as {role}: {response.status_code}, expected {expected}"
    )
    if role == "anonymous" and response.status_code == 302 and case.login_redirect:
        assert response["Location"].startswith(reverse("account_login"))
