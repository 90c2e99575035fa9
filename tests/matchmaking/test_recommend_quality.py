"""Cross-language matching, required certifications, the relevance floor and the learning rule
(matchmaking.recommend, matchmaking.concepts, matchmaking.learning)."""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from django.apps import apps as django_apps

from matchmaking import learning, recommend, services
from matchmaking.concepts import default_vocabulary
from matchmaking.models import Concept, Recommendation
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def supplier(id_, text, certs=(), sectors=("metal",), languages=("vi",)):
    return recommend.CompanyRecord(
        id=id_,
        role="exhibitor",
        text=text,
        certs=frozenset(certs),
        sectors=frozenset(sectors),
        languages=frozenset(languages),
        name=f"S{id_}",
    )


def buyer(id_, text, required=(), sectors=("metal",), languages=("en",)):
    return recommend.CompanyRecord(
        id=id_,
        role="buyer",
        text=text,
        required=frozenset(required),
        sectors=frozenset(sectors),
        languages=frozenset(languages),
        needs_snippet=text[:80],
        name=f"B{id_}",
    )


SUPPLIERS = [
    supplier(1, "Chuyên ép nhựa chi tiết kỹ thuật PP, ABS cho xe máy; 30 máy ép."),
    supplier(2, "San xuat lo xo nen, lo xo keo, lo xo xoan cho o to"),
    supplier(3, "Mạ kẽm niken, mạ kẽm cho bu lông ô tô; thụ động crôm III"),
    supplier(4, "Đúc áp lực nhôm ADC12 vỏ hộp số, vỏ động cơ xe máy"),
    supplier(5, "Lắp ráp bo mạch điện tử SMT, hàn sóng, kiểm tra AOI"),
    supplier(6, "Dập kim loại tấm, dập liên hoàn chi tiết ô tô, máy dập 45–300 tấn"),
    # Decoys: right sector, wrong process.
    supplier(7, "Chế tạo khuôn bê tông, khuôn cọc bê tông ly tâm, cốp pha thép"),
    supplier(8, "Caps and closures for spring water and mineral water bottles"),
    supplier(9, "Thi công ép cọc bê tông, ép cừ thép cho nhà xưởng"),
]

NEEDS = {
    1: {
        "en": "Plastic injection moulding of motorbike parts",
        "vi": "Cần đối tác ép nhựa linh kiện xe máy",
        "ja": "二輪車部品の射出成形",
        "ko": "오토바이 부품 사출성형 업체",
    },
    2: {
        "en": "Compression springs for car seats",
        "vi": "Tìm nhà cung cấp lò xo nén cho ghế ô tô",
        "ja": "自動車シート用の圧縮ばね",
        "ko": "자동차 시트용 압축 스프링",
    },
    3: {
        "en": "Zinc-nickel plating for automotive bolts",
        "vi": "Cần gia công mạ kẽm niken cho bu lông",
        "ja": "ボルトの亜鉛ニッケルめっき",
        "ko": "볼트 아연니켈 도금",
    },
    4: {
        "en": "Aluminium die casting for gearbox housings",
        "vi": "đúc áp lực nhôm vỏ hộp số",
        "ja": "ミッションケースのアルミダイカスト",
        "ko": "기어박스 하우징 알루미늄 다이캐스팅",
    },
    5: {
        "en": "PCBA partner, SMT assembly",
        "vi": "Tìm đối tác lắp ráp bo mạch PCBA",
        "ja": "基板実装（SMT）の委託先",
        "ko": "PCB 조립 SMT 업체",
    },
    6: {
        "en": "Metal stamping of car brackets",
        "vi": "dap kim loai gia do o to",
        "ja": "自動車ブラケットのプレス加工",
        "ko": "자동차 브래킷 프레스 가공",
    },
}


def top_of(results, company_id):
    rows = sorted((r for r in results if r.company_id == company_id), key=lambda r: r.rank)
    return [r.other_id for r in rows]


@pytest.mark.parametrize("target", sorted(NEEDS))
def test_the_same_need_in_four_languages_finds_the_same_supplier_first(target):
    buyers = []
    for k, (lang, text) in enumerate(sorted(NEEDS[target].items())):
        buyers.append(buyer(100 + k, text, languages=(lang,)))
    results = recommend.compute([*SUPPLIERS, *buyers])
    for b in buyers:
        ranked = top_of(results, b.id)
        assert ranked[:1] == [target], (b.text, ranked)
        assert not {7, 8, 9} & set(ranked), (b.text, ranked)  # decoys are not shown


def test_japanese_and_korean_text_is_tokenised_not_dropped():
    surface: dict[str, str] = {}
    ja = recommend.analyse("射出成形による樹脂部品", surface).words
    ko = recommend.analyse("사출성형 부품", surface).words
    assert "#射出" in ja and "#成形" in ja
    assert "#사출" in ko and "#부품" in ko


def test_vocabulary_reads_diacritics_free_vietnamese_and_look_alikes():
    vocabulary = default_vocabulary()

    def codes(text):
        return [m.code for m in vocabulary.find(text)]

    assert codes("ma kem niken cho bu long") == ["zinc_nickel_plating", "fasteners"]
    assert codes("mạ kẽm niken") == ["zinc_nickel_plating"]
    assert codes("Caps for spring water") == ["caps_closures", "spring_water"]
    assert "springs" in codes("torsion springs")
    assert codes("khuôn bê tông") == ["concrete_formwork"]
    assert codes("ép cọc bê tông") == ["pile_pressing"]
    assert "caps_closures" not in codes("nhà cung cấp lò xo")  # cung cấp ("supply")
    assert "plating" not in codes("Mã hàng 12")  # "mã" (code) is not "mạ" (plating)
    assert codes("アルミダイカスト") == ["die_casting"]
    found = vocabulary.find("Mạ kẽm niken (zinc-nickel)")
    assert [m.words for m in found] == ["Mạ kẽm niken", "zinc-nickel"]


def test_a_missing_required_certification_is_never_shown_above_one_held():
    held = supplier(1, "Đúc áp lực nhôm ADC12", certs=["iatf16949"])
    # A better text match, but without the certification.
    lacking = supplier(2, "Đúc áp lực nhôm ADC12 vỏ động cơ xe máy, aluminium die casting")
    need = "Aluminium die casting ADC12 for motorbike engine covers"
    strict = buyer(10, need, required=["iatf16949"])
    relaxed = buyer(11, need)
    results = recommend.compute([held, lacking, strict, relaxed])
    assert top_of(results, 10) == [1]
    # Negative control: without the requirement the better text match comes first.
    assert top_of(results, 11) == [2, 1]


def test_nothing_under_the_relevance_floor_is_shown():
    companies = [
        *SUPPLIERS,
        buyer(10, "ベトナムの優良なサプライヤーとの出会いを期待しています。"),
        buyer(11, "Textile fabrics for car seats"),
        buyer(12, "Electronic parts"),  # vague: an industry, no process
    ]
    results = recommend.compute(companies)
    assert top_of(results, 10) == []
    assert top_of(results, 11) == []
    assert len(top_of(results, 12)) <= recommend.VAGUE_TOP
    # Every shown pair clears the floor on relevance: none rests on sector, language or hours.
    for r in results:
        assert any(x["code"] in ("concept", "text") for x in r.reasons), r


def test_not_interested_never_returns_even_when_it_resembles_a_liked_one():
    twin_a = supplier(1, "Đúc áp lực nhôm ADC12 vỏ hộp số")
    twin_b = supplier(2, "Đúc áp lực nhôm ADC12 vỏ hộp số xe máy")
    need = buyer(10, "aluminium die casting")
    interests = {(10, 1): "must", (10, 2): "no"}
    behaviour = {(10, 2): "accepted"}
    results = recommend.compute([twin_a, twin_b, need], interests=interests, behaviour=behaviour)
    assert top_of(results, 10) == [1]
    assert 10 not in top_of(results, 2)


def test_learning_ranks_up_what_resembles_an_accepted_meeting():
    # Three die casters; the buyer met a zinc die caster, so the other zinc one moves up.
    a = supplier(1, "Die casting of aluminium housings")
    b = supplier(2, "Zinc alloy die casting Zamak, door handles and locks, chrome plating")
    c = supplier(3, "Zinc alloy die casting Zamak, lock bodies, chrome plating")
    need = buyer(10, "die casting")
    before = top_of(recommend.compute([a, b, c, need]), 10)
    results = recommend.compute([a, b, c, need], behaviour={(10, 2): "accepted"})
    after = top_of(results, 10)
    assert before[0] == 1  # negative control: without behaviour the aluminium caster leads
    assert after.index(3) < after.index(1)
    row = next(r for r in results if r.company_id == 10 and r.other_id == 3)
    assert {"code": "similar", "name": "S2", "why": "accepted"} in row.reasons
    score_before = next(
        r.score for r in recommend.compute([a, b, c, need]) if (r.company_id, r.other_id) == (10, 3)
    )
    assert row.score > score_before
    assert row.score <= score_before + learning.LIKE


def test_learning_takes_points_off_a_declined_pair():
    a = supplier(1, "Aluminium die casting ADC12")
    need = buyer(10, "aluminium die casting")
    plain = {(r.company_id, r.other_id): r.score for r in recommend.compute([a, need])}
    declined = recommend.compute([a, need], behaviour={(10, 1): "declined"})
    after = {(r.company_id, r.other_id): r.score for r in declined}
    assert after[(10, 1)] == pytest.approx(plain[(10, 1)] - learning.DECLINED)
    assert after[(1, 10)] == pytest.approx(plain[(1, 10)] - learning.DECLINED)


# --- Through the services ------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_vocabulary_is_loaded_by_the_migration_and_extended_in_the_admin(fair):
    assert Concept.objects.filter(code="zinc_nickel_plating").exists()
    exhibitor = factories.MemberFactory(
        company__fair=fair, company__capabilities="Tampondruck auf Kunststoffteilen"
    ).company
    buyer_company = factories.BuyerMemberFactory(
        company__fair=fair, company__sourcing_needs="パッド印刷の外注先"
    ).company
    services.recommendations_compute(fair=fair)
    assert not Recommendation.objects.filter(company=buyer_company).exists()
    pad = Concept.objects.get(code="screen_printing")
    pad.names_en += "\ntampondruck"
    pad.save()
    services.recommendations_compute(fair=fair)
    row = Recommendation.objects.get(company=buyer_company, other=exhibitor)
    assert row.reasons[0]["code"] == "concept"
    assert row.reasons[0]["offer"] == "Tampondruck"


@pytestmark_db
def test_the_broadened_vocabulary_reaches_a_database_migrated_before_it():
    """Migration 0009 on rows as the first vocabulary left them: the new concept is created,
    the moved name leaves the old concept, organisers' own names stay."""
    migration = importlib.import_module("matchmaking.migrations.0009_vocabulary_broadened")
    Concept.objects.filter(code__in=["grinding", "surface_finishing"]).delete()
    machining = Concept.objects.get(code="cnc_machining")
    machining.names_en += "\ngrinding\nswiss-type lathe work"
    machining.save()
    plating = Concept.objects.get(code="plating")
    plating.broader = Concept.objects.get(code="metal")
    plating.save()
    migration.broaden_vocabulary(django_apps, None)
    grinding = Concept.objects.get(code="grinding")
    assert grinding.broader.code == "cnc_machining"
    assert "grinding" in grinding.names_en.splitlines()
    names = Concept.objects.get(code="cnc_machining").names_en.splitlines()
    assert "grinding" not in names and "swiss-type lathe work" in names
    assert Concept.objects.get(code="plating").broader.code == "surface_finishing"
    vocabulary = services.recommendation_vocabulary()
    assert [m.code for m in vocabulary.find("centerless grinding")] == ["grinding"]


@pytestmark_db
def test_recompute_for_one_company_refreshes_its_recommendations(fair):
    exhibitor = factories.MemberFactory(
        company__fair=fair, company__capabilities="Sản xuất lò xo nén"
    ).company
    buyer_company = factories.BuyerMemberFactory(
        company__fair=fair, company__sourcing_needs="Textile fabrics"
    ).company
    services.recommendations_compute(fair=fair)
    assert not Recommendation.objects.filter(company=buyer_company).exists()
    buyer_company.sourcing_needs = "ばねのサプライヤー"
    buyer_company.save()
    services.recommendations_recompute_for_company(fair=fair, company=buyer_company)
    assert Recommendation.objects.filter(company=buyer_company, other=exhibitor).exists()


def _bench():
    path = ROOT / "bench" / "match_quality.py"
    spec = importlib.util.spec_from_file_location("match_quality", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytestmark_db
@pytest.mark.parametrize("name", ["match_dev.json", "match_fresh.json"])
def test_labelled_set_meets_the_targets_through_the_services(name):
    bench = _bench()
    data = json.loads((bench.DEFAULT_DATA.parent / name).read_text(encoding="utf-8"))
    grades = bench.grades_of(data)
    fair, companies = bench.load(data)
    rankings, reasons, _spent = bench.project_rankings(
        fair=fair, data=data, companies=companies, top=20
    )
    figures = bench.report("project", data, grades, rankings, reasons, top=20)
    assert figures["overall"]["p@5"] >= 0.9
    assert figures["by_need"]["ja"]["p@5"] >= 0.8
    assert figures["by_need"]["ko"]["p@5"] >= 0.8
    strong = figures["strong"]
    vi = [sum(strong[k][n] for k in ("vi", "vi_nd")) for n in (0, 1)]
    assert (vi[0] / vi[1]) >= 0.8 * (strong["en"][0] / strong["en"][1])
    assert figures["shown"]["explained share"] == 1.0
    assert figures["shown"]["top-5 lacking a required cert"] == 0
    assert np.isfinite(figures["overall"]["ndcg@10"])
