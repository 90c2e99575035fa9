"""Meet anyone you can see: the controls on profiles and directory cards, who sees them, the
request form and counter-proposals over every free time."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking import selectors, services
from matchmaking.enums import InterestLevel
from matchmaking.models import Interest
from tests import factories

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def supplier_url(company) -> str:
    return reverse("exhibitors:company_detail", args=[company.slug])


def buyer_url(company) -> str:
    return reverse("exhibitors:buyer_detail", args=[company.slug])


def request_url(company) -> str:
    return reverse("matchmaking:request_create", args=[company.pk])


def test_buyer_sees_request_and_marks_on_a_supplier_profile(login, buyer_member, exhibitor_member):
    html = page(login(buyer_member.user), supplier_url(exhibitor_member.company))

    assert f'href="{request_url(exhibitor_member.company)}"' in html
    for value in InterestLevel.values:
        assert f'name="level" value="{value}"' in html
    assert 'aria-pressed="true"' not in html


def test_exhibitor_sees_the_controls_on_a_buyer_profile(login, buyer_member, exhibitor_member):
    html = page(login(exhibitor_member.user), buyer_url(buyer_member.company))

    assert f'href="{request_url(buyer_member.company)}"' in html


def test_current_mark_is_shown_pressed(login, buyer_member, exhibitor_member):
    Interest.objects.create(
        fair=buyer_member.fair,
        from_company=buyer_member.company,
        to_company=exhibitor_member.company,
        level=InterestLevel.MUST,
    )

    html = page(login(buyer_member.user), supplier_url(exhibitor_member.company))

    assert 'value="must" class="button small" aria-pressed="true"' in html
    assert "Your mark: Must meet" in html


@pytest.mark.parametrize("who", ["own", "same_role", "anonymous", "visitor", "organiser"])
def test_no_controls_for_anyone_but_the_counterpart(
    client, login, exhibitor_member, other_member, organiser, fair, who
):
    target = exhibitor_member.company
    if who == "own":
        client = login(exhibitor_member.user)
    elif who == "same_role":
        client = login(other_member.user)
    elif who == "visitor":
        client = login(factories.UserFactory())
    elif who == "organiser":
        client = login(organiser)

    html = page(client, supplier_url(target))

    assert request_url(target) not in html
    assert 'name="level"' not in html


def test_marking_from_a_profile_comes_back_to_it(login, buyer_member, exhibitor_member):
    client = login(buyer_member.user)
    target = exhibitor_member.company

    response = client.post(
        reverse("matchmaking:interest_set", args=[target.pk]),
        {"level": "maybe", "next": supplier_url(target) + f"#meet-{target.pk}"},
    )

    assert response.status_code == 302
    assert response["Location"] == supplier_url(target) + f"#meet-{target.pk}"
    assert Interest.objects.get(from_company=buyer_member.company).level == "maybe"


def test_directory_cards_carry_the_controls(login, buyer_member, exhibitor_member, fair):
    second = factories.CompanyFactory(fair=fair)

    html = page(login(buyer_member.user), reverse("exhibitors:directory"))

    assert f'href="{request_url(exhibitor_member.company)}"' in html
    assert f'href="{request_url(second)}"' in html


def _directory_queries(client) -> int:
    cache.clear()  # the cost of rendering the cards, not of reading them from the cache
    with CaptureQueriesContext(connection) as queries:
        page(client, reverse("exhibitors:directory"))
    return len(queries)


def test_directory_controls_cost_the_same_queries_for_two_and_many_cards(login, buyer_member, fair):
    client = login(buyer_member.user)
    factories.CompanyFactory.create_batch(2, fair=fair)
    Interest.objects.create(
        fair=fair,
        from_company=buyer_member.company,
        to_company=factories.CompanyFactory(fair=fair),
        level="must",
    )
    _directory_queries(client)  # warm: the process's copy of the current fair is read once
    with_few = _directory_queries(client)

    factories.CompanyFactory.create_batch(15, fair=fair)

    assert _directory_queries(client) == with_few


@pytest.mark.parametrize("target", ["own", "same_role"])
def test_a_company_cannot_request_itself_or_its_own_role(
    login, exhibitor_member, other_member, target
):
    company = exhibitor_member.company if target == "own" else other_member.company

    response = login(exhibitor_member.user).get(request_url(company))

    assert response.status_code == 404


def test_can_request_meeting_rule(exhibitor_member, other_member, buyer_member):
    own = exhibitor_member.company
    assert selectors.can_request_meeting(viewer=own, target=buyer_member.company)
    assert not selectors.can_request_meeting(viewer=own, target=own)
    assert not selectors.can_request_meeting(viewer=own, target=other_member.company)
    assert not selectors.can_request_meeting(viewer=None, target=own)


def test_request_form_offers_times_in_both_zones_most_comfortable_first(
    login, fair, buyer_member, exhibitor_member
):
    offered = selectors.pair_slot_proposals(
        fair=fair,
        user=buyer_member.user,
        company=buyer_member.company,
        other=exhibitor_member.company,
        limit=None,
    )

    html = page(login(buyer_member.user), request_url(exhibitor_member.company))

    assert "Most comfortable for both of you" in html
    assert offered[0].label in html
    assert "Tokyo" in html and "Hà Nội" in html
    assert html.index(offered[0].label) < html.index(offered[1].label)


def test_counter_proposal_offers_every_free_time_beyond_the_first_twelve(
    login, fair, buyer_member, exhibitor_member
):
    offered = selectors.pair_slot_proposals(
        fair=fair,
        user=buyer_member.user,
        company=buyer_member.company,
        other=exhibitor_member.company,
    )
    req = services.meeting_request_create(
        fair=fair,
        user=buyer_member.user,
        target=exhibitor_member.company,
        slot_ids=[offered[0].slot_id],
        message="",
    )
    everything = selectors.pair_slot_proposals(
        fair=fair,
        user=exhibitor_member.user,
        company=exhibitor_member.company,
        other=buyer_member.company,
        prefer_user_ids=[buyer_member.user_id],
        limit=None,
    )
    assert len(everything) > 12
    late = everything[-1]
    client = login(exhibitor_member.user)

    html = page(client, reverse("matchmaking:request_counter", args=[req.pk]))

    assert f'value="{late.slot_id}"' in html
    assert html.count('name="slots"') == len(everything)
    assert late.time_label in html
    response = client.post(
        reverse("matchmaking:request_counter", args=[req.pk]),
        {"slots": [late.slot_id], "message": "Later suits us"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert [s.start for s in selectors.current_slots(request=req)] == [late.start]


def test_cached_directory_shows_each_viewer_their_own_controls(
    login, buyer_member, exhibitor_member, fair
):
    """The directory's cards are cached; the controls on them belong to whoever looks."""
    directory = reverse("exhibitors:directory")
    other_buyer = factories.BuyerMemberFactory(company__fair=fair)
    buyer = login(buyer_member.user)
    assert "Your mark:" not in page(buyer, directory)

    buyer.post(
        reverse("matchmaking:interest_set", args=[exhibitor_member.company.pk]),
        {"level": "must", "next": directory},
    )
    after = page(buyer, directory)

    assert "Your mark: Must meet" in after
    assert "Your mark:" not in page(login(other_buyer.user), directory)
    anonymous = page(Client(), directory)
    assert "mm-interest" not in anonymous


def test_a_mark_can_be_cleared_from_the_profile(login, buyer_member, exhibitor_member):
    client = login(buyer_member.user)
    target = exhibitor_member.company
    url = reverse("matchmaking:interest_set", args=[target.pk])
    client.post(url, {"level": "must", "next": supplier_url(target)})
    assert 'name="level" value=""' in page(client, supplier_url(target))

    client.post(url, {"level": "", "next": supplier_url(target)})

    assert not Interest.objects.filter(from_company=buyer_member.company).exists()
    assert 'name="level" value=""' not in page(client, supplier_url(target))
