"""Recommendations: the reasons say why, "not interested" removes the pair, the page costs the
same number of queries whatever the number of rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exhibitors import cache as display_cache
from exhibitors import services as exhibitor_services
from exhibitors.models import Certification, Sector
from matchmaking import recommend, selectors, services
from matchmaking.models import Interest, Recommendation
from tests import factories

pytestmark = pytest.mark.django_db


def tagged(member, sectors=(), certs=(), required=()):
    company = member.company
    company.sectors.set(Sector.objects.filter(code__in=sectors))
    company.certifications.set(Certification.objects.filter(code__in=certs))
    company.required_certifications.set(Certification.objects.filter(code__in=required))
    return member


@pytest.fixture
def market(fair):
    buyer = tagged(
        factories.BuyerMemberFactory(
            company__fair=fair,
            company__sourcing_needs="Aluminium die-cast housings for motorbike engines",
            company__languages=["ja", "en"],
        ),
        sectors=["motorbike"],
        required=["iatf16949"],
    )
    good = tagged(
        factories.MemberFactory(
            company__fair=fair,
            company__name_en="Good Casting JSC",
            company__capabilities="Die casting ADC12 aluminium housings, CNC machining",
            company__languages=["vi", "ja"],
        ),
        sectors=["motorbike", "metal"],
        certs=["iatf16949", "iso9001"],
    )
    weak = tagged(
        factories.MemberFactory(
            company__fair=fair,
            company__name_en="Weaving Co",
            company__capabilities="Textile fabric weaving and dyeing",
            company__languages=["vi"],
        ),
        sectors=["textile"],
    )
    return buyer, good, weak


def test_reasons_explain_the_ranking(fair, market):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    rows = selectors.recommendations_for(fair=fair, company=buyer.company)
    # The textile weaver does nothing the buyer needs and lacks the required certification.
    assert [r["company"] for r in rows] == [good.company]
    texts = [reason["text"] for reason in rows[0]["reasons"]]
    assert "Does die casting — “Die casting”" not in texts  # same words are not repeated
    assert "Does die casting" in texts
    assert "Motorbike parts" in texts
    assert "IATF 16949 required ✓" in texts
    assert "speaks Japanese" in texts
    text_reason = next(t for t in texts if "matches" in t)
    assert "housings" in text_reason and "aluminium" in text_reason
    assert "“Aluminium die-cast housings for motorbike engines”" in text_reason
    assert rows[0]["explained"]
    # The exhibitor's side sees the buyer, and reads the need in the buyer's words.
    back = selectors.recommendations_for(fair=fair, company=good.company)
    assert [r["company"] for r in back] == [buyer.company]
    assert "Needs die casting — “die-cast”" in [x["text"] for x in back[0]["reasons"]]


def test_not_interested_removes_the_pair_now_and_after_recompute(fair, market):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    services.interest_set(fair=fair, user=buyer.user, target=good.company, level="no")
    assert not Recommendation.objects.filter(company=buyer.company, other=good.company).exists()
    assert not Recommendation.objects.filter(company=good.company, other=buyer.company).exists()
    services.recommendations_compute(fair=fair)
    assert not Recommendation.objects.filter(company=buyer.company, other=good.company).exists()
    assert not Recommendation.objects.filter(company=good.company, other=buyer.company).exists()


def test_must_meet_mark_lifts_a_company_and_says_so(fair, market):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    before = Recommendation.objects.get(company=buyer.company, other=good.company).score
    services.interest_set(fair=fair, user=good.user, target=buyer.company, level="must")
    services.recommendations_compute(fair=fair)
    after = Recommendation.objects.get(company=buyer.company, other=good.company)
    assert after.score == pytest.approx(before + recommend.WEIGHTS["must"])
    rows = selectors.recommendations_for(fair=fair, company=buyer.company)
    assert "They marked you “must meet”" in [x["text"] for x in rows[0]["reasons"]]


def test_own_must_meet_mark_keeps_a_company_below_the_floor_and_says_so(fair, market):
    buyer, good, weak = market
    services.interest_set(fair=fair, user=buyer.user, target=weak.company, level="must")
    services.recommendations_compute(fair=fair)
    rows = selectors.recommendations_for(fair=fair, company=buyer.company)
    weak_row = next(r for r in rows if r["company"] == weak.company)
    texts = [x["text"] for x in weak_row["reasons"]]
    assert weak_row["interest"] == "must"
    assert texts[0] == "IATF 16949 required ✗"  # the missing certification is said first
    assert "You marked them “must meet”" in texts
    assert rows[0]["company"] == good.company


def test_character_ngrams_match_spelling_variants():
    surface: dict[str, str] = {}
    docs = [
        recommend.analyse("die-cast housings", surface).chars,
        recommend.analyse("diecasting housing", surface).chars,
        recommend.analyse("textile weaving", surface).chars,
    ]
    matrix, _terms = recommend.tfidf(docs)
    sims = (matrix @ matrix.T).toarray()
    assert sims[0, 1] > 0.3
    assert sims[0, 2] < 0.1


def test_interest_on_a_company_of_the_same_role_is_refused(fair, market):
    from django.core.exceptions import ValidationError

    _buyer, good, weak = market
    with pytest.raises(ValidationError):
        services.interest_set(fair=fair, user=good.user, target=weak.company, level="must")


def page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_recommendations_page_query_count_is_constant(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    client.get(url)  # warm caches (sessions, taxonomy) as any page view would
    few, response = page_queries(client, url)
    assert len(response.context["rows"]) == 1
    for i in range(10):
        tagged(
            factories.MemberFactory(
                company__fair=fair,
                company__capabilities=f"Die casting of aluminium housings, line {i}",
            ),
            sectors=["motorbike"],
            certs=["iatf16949"],
        )
    services.recommendations_compute(fair=fair)
    services.interest_set(fair=fair, user=buyer.user, target=good.company, level="maybe")
    many, response = page_queries(client, url)
    assert len(response.context["rows"]) == 11
    assert many == few
    assert "IATF 16949 required ✓" in response.content.decode()


def test_organiser_button_computes_recommendations(fair, market, organiser, login, buyer_member):
    response = login(organiser).post(reverse("matchmaking:recommendations_run"))
    assert response.status_code == 302
    assert Recommendation.objects.filter(fair=fair).count() > 0


# --- The cached rows ------------------------------------------------------------------------------


def _rename(company, name):
    with TestCase.captureOnCommitCallbacks(execute=True):
        company.name_en = name
        company.save(update_fields=["name_en"])
        exhibitor_services.company_search_text_refresh(company=company)


def test_recommendation_rows_show_a_new_interest_at_once(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    assert 'aria-pressed="true"' not in client.get(url).content.decode()
    services.interest_set(fair=fair, user=buyer.user, target=good.company, level="must")
    page = client.get(url).content.decode()
    assert re.search(r'value="must" class="button" aria-pressed="true"', page)


def test_recommendation_rows_show_a_renamed_company_and_new_rows(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    assert "Good Casting JSC" in client.get(url).content.decode()
    _rename(good.company, "Better Casting JSC")
    assert "Better Casting JSC" in client.get(url).content.decode()
    Recommendation.objects.filter(company=buyer.company).delete()
    assert "Better Casting JSC" not in client.get(url).content.decode()


def test_recommendation_rows_show_a_company_renamed_by_its_member(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    client.get(url)

    with TestCase.captureOnCommitCallbacks(execute=True):
        exhibitor_services.company_update(
            company=good.company, actor=good.user, profile={"name_en": "Edited Casting JSC"}
        )

    assert "Edited Casting JSC" in client.get(url).content.decode()


def test_required_certifications_follow_the_buyers_profile(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    before = client.get(url).content.decode()

    with TestCase.captureOnCommitCallbacks(execute=True):
        exhibitor_services.company_update(
            company=buyer.company,
            actor=buyer.user,
            profile={"required_certifications": ["iatf16949", "iso14001"]},
        )
    after = client.get(url).content.decode()

    assert "You require: <strong>IATF 16949</strong>." in before
    assert "You require: <strong>IATF 16949</strong>, <strong>ISO 14001</strong>." in after


def test_recommendation_rows_change_bypassing_the_services_is_not_seen(fair, market, login):
    """Negative control: the rows really come from the cache; only what their key holds (the
    rows, the interests, the fair's display version, the language) renews them."""
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    client.get(url)
    type(good.company).objects.filter(pk=good.company.pk).update(name_en="Silent Casting JSC")
    assert "Good Casting JSC" in client.get(url).content.decode()
    display_cache.display_bump(fair_id=fair.pk)
    assert "Silent Casting JSC" in client.get(url).content.decode()


def test_recommendation_rows_are_per_language(fair, market, login):
    buyer, good, weak = market
    services.recommendations_compute(fair=fair)
    client = login(buyer.user)
    url = reverse("matchmaking:recommendations")
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "vi"
    vietnamese = client.get(url).content.decode()
    assert "Request a meeting" in english
    assert "Request a meeting" not in vietnamese


def test_recommendation_rows_carry_each_viewers_own_csrf_token(fair, market):
    """Two people of one company share the cached rows; each posts an interest with the token
    of their own page (CSRF enforced)."""
    buyer, good, weak = market
    colleague = factories.BuyerMemberFactory(company=buyer.company, fair=fair)
    services.recommendations_compute(fair=fair)
    url = reverse("matchmaking:recommendations")
    for person in (buyer.user, colleague.user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        page = client.get(url).content.decode()
        form = re.search(
            r'action="([^"]+/interest/)".*?name="csrfmiddlewaretoken" value="(\w+)"', page, re.S
        )
        assert display_cache.CSRF_PLACEHOLDER not in page
        response = client.post(
            form.group(1), {"level": "maybe", "csrfmiddlewaretoken": form.group(2)}
        )
        assert response.status_code == 302
    assert Interest.objects.filter(from_company=buyer.company, level="maybe").count() == 1
