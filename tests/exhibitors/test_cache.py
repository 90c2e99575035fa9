"""The cached company display: a change through the services shows at once, per language; a
change that bypasses them is not seen (the cache is really used), and a rollback renews nothing."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse

from exhibitors import cache as display_cache
from exhibitors import services
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _rename(company, name):
    with TestCase.captureOnCommitCallbacks(execute=True):
        company.name_en = name
        company.save(update_fields=["name_en"])
        services.company_search_text_refresh(company=company)


def test_directory_and_company_page_show_a_change_made_through_the_services(client, fair):
    company = CompanyFactory(fair=fair, name_en="Old Name Ltd", slug="old")
    detail = reverse("exhibitors:company_detail", args=["old"])
    directory = reverse("exhibitors:directory")
    assert "Old Name Ltd" in client.get(directory).content.decode()
    assert "Old Name Ltd" in client.get(detail).content.decode()

    _rename(company, "New Name Ltd")

    assert "New Name Ltd" in client.get(directory).content.decode()
    assert "New Name Ltd" in client.get(detail).content.decode()


def test_profile_edit_by_a_member_shows_at_once_on_the_cached_pages(client, fair, exhibitor_member):
    company = exhibitor_member.company
    detail = reverse("exhibitors:company_detail", args=[company.slug])
    directory = reverse("exhibitors:directory")
    client.get(directory)
    client.get(detail)

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.company_update(
            company=company, actor=exhibitor_member.user, profile={"name_en": "Edited Name Ltd"}
        )

    assert "Edited Name Ltd" in client.get(directory).content.decode()
    assert "Edited Name Ltd" in client.get(detail).content.decode()


def test_change_bypassing_the_services_is_not_seen_until_renewed(client, fair):
    """Negative control: the fragments really come from the cache."""
    company = CompanyFactory(fair=fair, name_en="Cached Name Ltd", slug="cached")
    detail = reverse("exhibitors:company_detail", args=["cached"])
    client.get(detail)
    company.name_en = "Silent Change Ltd"
    company.save(update_fields=["name_en"])
    assert "Cached Name Ltd" in client.get(detail).content.decode()
    display_cache.display_bump(fair_id=fair.pk)
    assert "Silent Change Ltd" in client.get(detail).content.decode()


def test_rolled_back_change_keeps_the_version(fair):
    before = display_cache.display_version(fair_id=fair.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            display_cache.display_changed(fair_id=fair.pk)
            raise RuntimeError
    assert display_cache.display_version(fair_id=fair.pk) == before


def test_each_language_has_its_own_fragment(client, fair):
    CompanyFactory(fair=fair, name_en="Lang Ltd", slug="lang", attendance="remote")
    detail = reverse("exhibitors:company_detail", args=["lang"])
    english = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "vi"
    vietnamese = client.get(detail).content.decode()
    assert "Country" in english
    assert "Country" not in vietnamese


@pytest.mark.parametrize("rows", [2, 30])
def test_cached_directory_page_reads_no_companies(client, fair, rows, django_assert_num_queries):
    """A repeated directory page costs no query at 2 and at 30 rows (the fair is the process's
    copy, the page the cache's)."""
    for n in range(rows):
        CompanyFactory(fair=fair, name_en=f"Row {n:02d} Ltd")
    url = reverse("exhibitors:directory")
    assert client.get(url, {"attendance": "onsite"}).status_code == 200
    with django_assert_num_queries(0):
        response = client.get(url, {"attendance": "onsite"})
    assert f"{rows} companies" in response.content.decode()


@pytest.mark.parametrize("tags", [2, 8])
def test_cached_company_page_reads_the_fair_and_the_company_only(
    client, fair, tags, django_assert_num_queries
):
    from exhibitors.models import Certification, Sector

    company = CompanyFactory(fair=fair, slug="tagged")
    company.sectors.set(Sector.objects.order_by("pk")[:tags])
    company.certifications.set(Certification.objects.order_by("pk")[:tags])
    url = reverse("exhibitors:company_detail", args=["tagged"])
    first = client.get(url).content.decode()
    with django_assert_num_queries(1):  # the company (the fair is the process's copy)
        again = client.get(url).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", again) == token.sub("", first)


# --- Whole pages for anonymous visitors -----------------------------------------------------


def _switcher_token(page: str) -> str:
    form = re.search(
        r'action="/i18n/language/">\s*<input type="hidden" name="csrfmiddlewaretoken"'
        r' value="(\w+)"',
        page,
    )
    return form.group(1)


def test_anonymous_page_from_the_cache_carries_each_visitors_own_token(fair):
    """Two visitors get the same cached page; each switches language with the token of their
    own copy (CSRF enforced), and a copy's token is not the placeholder."""
    CompanyFactory(fair=fair, name_en="Shared Page Ltd", slug="shared")
    detail = reverse("exhibitors:company_detail", args=["shared"])
    for path in (reverse("exhibitors:directory"), detail):
        for _ in range(2):
            visitor = Client(enforce_csrf_checks=True)
            page = visitor.get(path).content.decode()
            assert "Shared Page Ltd" in page
            assert display_cache.CSRF_PLACEHOLDER not in page
            response = visitor.post(
                "/i18n/language/",
                {"language": "vi", "next": path, "csrfmiddlewaretoken": _switcher_token(page)},
            )
            assert response.status_code == 302


def test_anonymous_page_is_really_cached_and_renewed_by_the_version(client, fair):
    """Negative control for the whole-page cache: a change behind the services' back is not
    seen (the page comes from the cache); moving the display version renews it."""
    company = CompanyFactory(fair=fair, name_en="Whole Page Ltd", slug="whole")
    directory = reverse("exhibitors:directory")
    assert "Whole Page Ltd" in client.get(directory).content.decode()
    type(company).objects.filter(pk=company.pk).update(name_en="Silent Page Ltd")
    assert "Whole Page Ltd" in client.get(directory).content.decode()
    display_cache.display_bump(fair_id=fair.pk)
    assert "Silent Page Ltd" in client.get(directory).content.decode()


def test_signed_in_and_message_pages_are_not_shared(client, fair, buyer_member):
    CompanyFactory(fair=fair, name_en="Own Header Ltd", slug="own")
    directory = reverse("exhibitors:directory")
    client.get(directory)  # an anonymous copy in the cache
    client.force_login(buyer_member.user)
    signed_in = client.get(directory).content.decode()
    assert reverse("account_logout") in signed_in
    client.logout()
    assert reverse("account_logout") not in client.get(directory).content.decode()
