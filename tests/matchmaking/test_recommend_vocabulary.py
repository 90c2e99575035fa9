"""The broadened vocabulary: the same need in English, Vietnamese, Japanese and Korean finds the
same supplier for processes beyond the first vocabulary (grinding, laser cutting, deep drawing,
sand and investment casting, galvanizing, chrome plating, seals, silicone, dies and moulds,
garment accessories, furniture parts); decoys that share words do not come up; how names are
read (diacritics, spellings, overlaps) and how a need's "for" is weighed."""

from __future__ import annotations

import pytest

from matchmaking import recommend
from matchmaking.concepts import default_vocabulary
from tests.matchmaking.test_recommend_quality import buyer, supplier, top_of

SUPPLIERS = [
    supplier(1, "Chuyên mài vô tâm, mài tròn ngoài, mài phẳng trục thép đã tôi cứng"),
    supplier(2, "Fiber laser cutting and CNC bending of stainless sheet"),
    supplier(3, "Dap vuot sau coc inox, vo binh loc nuoc"),
    supplier(4, "Đúc gang xám, gang cầu bằng khuôn cát: thân van, vỏ bơm"),
    supplier(5, "Investment casting (lost wax) of stainless steel valve parts"),
    supplier(6, "Mạ kẽm nhúng nóng kết cấu thép, cột điện"),
    supplier(7, "Xi ma crom cung, ma crom trang tri"),
    supplier(8, "Sản xuất gioăng, phớt chắn dầu, vòng chữ O bằng NBR, FKM"),
    supplier(9, "Silicone keypads and medical silicone tubing (LSR)"),
    supplier(10, "Chế tạo khuôn ép nhựa, khuôn 2K, hot runner"),
    supplier(11, "Khuon duc ap luc nhom, khuon duc trong luc"),
    supplier(12, "Progressive dies and press tools for automotive stampings", languages=("en",)),
    supplier(13, "Sản xuất phụ liệu may: cúc áo, khóa kéo, nhãn dệt", sectors=("textile",)),
    supplier(14, "Sản xuất linh kiện đồ gỗ nội thất: chân bàn, tay ghế", sectors=()),
    supplier(15, "Hot forging of steel flanges and gear blanks"),
    # Decoys: their words resemble the processes above.
    supplier(20, "Distributor of CNC lathes, milling machines and laser cutting machines"),
    supplier(21, "Khắc con dấu, dấu cao su, dấu đồng lấy ngay"),
    supplier(22, "Viên nén gỗ, dăm gỗ, mùn cưa làm chất đốt sinh khối", sectors=()),
    supplier(23, "Natural rubber latex and SVR 10 block rubber from our plantations"),
    supplier(24, "Chế tạo khuôn bê tông, cốp pha thép"),
    supplier(25, "Porcelain dinner plates and ceramic tableware", sectors=()),
    supplier(26, "Sơn nhà, sơn nước, chống thấm cho biệt thự", sectors=()),
]
DECOYS = {20, 21, 22, 23, 24, 25, 26}

NEEDS = {
    1: {
        "en": "Centreless grinding of hardened shafts",
        "vi": "Cần gia công mài trục chính xác",
        "ja": "焼入れシャフトのセンタレス研削",
        "ko": "샤프트 센터리스 연삭 가공",
    },
    2: {
        "en": "Laser-cut and bent stainless sheet parts",
        "vi": "Tìm xưởng cắt laser, chấn gấp inox",
        "ja": "ステンレス板のレーザー切断と曲げ加工",
        "ko": "스테인리스 레이저 절단 및 절곡",
    },
    3: {
        "en": "Deep-drawn stainless cups",
        "vi": "dap vuot sau inox",
        "ja": "ステンレスの深絞り加工",
        "ko": "스테인리스 딥드로잉 부품",
    },
    4: {
        "en": "Grey iron sand castings for pump bodies",
        "vi": "Tìm xưởng đúc gang khuôn cát",
        "ja": "ポンプ用の鋳鉄（砂型鋳造）",
        "ko": "펌프용 주철 사형 주조",
    },
    5: {
        "en": "Lost-wax precision castings in stainless",
        "vi": "Đúc mẫu chảy inox",
        "ja": "ロストワックス精密鋳造のステンレス部品",
        "ko": "스테인리스 로스트왁스 정밀주조",
    },
    6: {
        "en": "Hot-dip galvanised steel frames",
        "vi": "mạ kẽm nhúng nóng khung thép",
        "ja": "架台の溶融亜鉛めっき（どぶ漬け）",
        "ko": "철골 용융아연도금",
    },
    7: {
        "en": "Hard chrome plating of rods",
        "vi": "Cần mạ crôm cứng ty xi lanh",
        "ja": "ロッドの硬質クロムめっき",
        "ko": "로드 경질 크롬 도금",
    },
    8: {
        "en": "Oil seals and O-rings in FKM",
        "vi": "Tìm nhà cung cấp phớt, gioăng cao su",
        "ja": "オイルシールとOリングの調達",
        "ko": "오일 씰, 오링 공급업체",
    },
    9: {
        "en": "Silicone rubber tubes for medical devices",
        "vi": "ống silicone y tế",
        "ja": "医療用シリコーンチューブ",
        "ko": "의료용 실리콘 고무 튜브",
    },
    10: {
        "en": "Plastic injection moulds with hot runners",
        "vi": "Đặt làm khuôn nhựa",
        "ja": "射出成形用金型の製作",
        "ko": "사출 금형 제작 업체",
    },
    11: {
        "en": "Die-casting dies for aluminium parts",
        "vi": "Chế tạo khuôn đúc áp lực nhôm",
        "ja": "ダイカスト金型の製作",
        "ko": "다이캐스팅 금형 제작",
    },
    12: {
        "en": "Stamping dies and progressive tooling",
        "vi": "Làm khuôn dập liên hoàn",
        "ja": "順送金型（プレス金型）の製作",
        "ko": "프레스 금형 제작",
    },
    13: {
        "en": "Garment accessories: buttons, zippers, woven labels",
        "vi": "phụ liệu may mặc: khóa kéo, cúc",
        "ja": "ボタン・ファスナーなどの服飾副資材",
        "ko": "의류 부자재 (단추, 지퍼)",
    },
    14: {
        "en": "Wooden furniture parts (chair arms, table legs)",
        "vi": "linh kiện đồ gỗ nội thất",
        "ja": "木製家具部品の生産委託",
        "ko": "원목 가구 부품 생산",
    },
    15: {
        "en": "Hot-forged steel flanges",
        "vi": "rèn dập nóng mặt bích thép",
        "ja": "熱間鍛造のフランジ",
        "ko": "열간 단조 플랜지",
    },
}


@pytest.mark.parametrize("target", sorted(NEEDS))
def test_the_same_need_in_four_languages_finds_the_same_supplier_first(target):
    buyers = [
        buyer(100 + k, text, languages=(lang,))
        for k, (lang, text) in enumerate(sorted(NEEDS[target].items()))
    ]
    results = recommend.compute([*SUPPLIERS, *buyers])
    for b in buyers:
        ranked = top_of(results, b.id)
        assert ranked[:1] == [target], (b.text, ranked)
        assert not DECOYS & set(ranked[:5]), (b.text, ranked)


def codes(text: str) -> list[str]:
    return [m.code for m in default_vocabulary().find(text)]


def test_a_vietnamese_word_with_other_diacritics_is_not_the_name():
    assert "sand_casting" in codes("Đúc gang bằng khuôn cát")
    assert "sand_casting" not in codes("khuôn cắt giấy")
    # Typed without diacritics the words are either: the folded form matches.
    assert codes("khuon cat")[:1] in (["sand_casting"], ["moulds_dies"])


def test_a_tone_mark_reads_the_same_wherever_it_sits():
    assert codes("anốt hoá nhôm")[:1] == codes("anốt hóa nhôm")[:1] == ["anodizing"]


def test_chung_toi_is_we_not_heat_treatment():
    assert "heat_treatment" not in codes("Chúng tôi chuyên sản xuất lò xo")


def test_british_and_american_spellings_and_past_forms_read_alike():
    assert codes("injection moulded parts") == codes("injection molded parts")
    assert "hot_dip_galvanizing" in codes("hot-dip galvanised frames")
    assert "powder_coating" in codes("powder coated")
    assert "deep_drawing" in codes("deep-drawn housings")


def test_a_broader_name_gives_way_to_an_overlapping_narrower_one():
    assert codes("Tu thiet ke va che tao khuon dap") == ["stamping_dies"]
    assert codes("다이캐스팅 금형 제작") == ["diecasting_dies"]


def test_machine_dealers_and_rubber_stamps_are_look_alikes():
    assert not {"cnc_machining", "laser_cutting", "bending"} & set(
        codes("Distributor of CNC lathes, milling machines, laser cutting machines, press brakes")
    )
    assert not {"rubber_parts", "stamping"} & set(codes("Khắc con dấu, dấu cao su"))


def test_a_product_the_need_names_as_what_a_process_is_for_weighs_less(monkeypatch):
    plater = supplier(1, "Mạ kẽm niken, mạ niken, mạ crôm")
    bracket_maker = supplier(2, "Dập kim loại: giá đỡ, pát, bracket cho phanh ô tô")

    def scores(text):
        rows = recommend.compute([plater, bracket_maker, buyer(9, text)])
        return {r.other_id: r.score for r in rows if r.company_id == 9}

    for text in (
        "Zinc-nickel plating for brake brackets",
        "ブレーキブラケット用の亜鉛ニッケルめっき",
        "브레이크 브래킷용 아연니켈 도금",
    ):
        weighed = scores(text)
        assert max(weighed, key=weighed.get) == 1, (text, weighed)
        with monkeypatch.context() as m:
            m.setattr(recommend, "APPLICATION_WEIGHT", 1.0)  # negative control
            plain = scores(text)
        assert weighed.get(2, 0) < plain[2], (text, weighed, plain)


def test_a_finishing_service_is_not_a_maker_of_the_parts_it_treats():
    galvanizer = supplier(1, "Hot-dip galvanizing of steel structures and fasteners")
    bolt_maker = supplier(2, "Sản xuất bu lông, đai ốc, đinh tán")
    need = buyer(9, "볼트, 너트 등 체결 부품 공급업체")
    ranked = top_of(recommend.compute([galvanizer, bolt_maker, need]), 9)
    assert ranked[:1] == [2], ranked


def test_a_sibling_process_is_shown_as_related_below_the_exact_one():
    need = buyer(9, "Investment casting in stainless steel")
    exact = supplier(1, "Đúc mẫu chảy inox")
    sibling = supplier(2, "Đúc gang xám bằng khuôn cát")
    other = supplier(3, "Ép nhựa kỹ thuật")
    results = recommend.compute([exact, sibling, other, need])
    assert top_of(results, 9) == [1, 2]
    reason = next(
        x
        for r in results
        if r.company_id == 9 and r.other_id == 2
        for x in r.reasons
        if x["code"] == "concept"
    )
    assert reason["concept"] == "investment_casting" and reason["exact"] is False
    assert reason["offer"] == "Đúc gang xám"
