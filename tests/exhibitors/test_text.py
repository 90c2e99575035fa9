import pytest

from exhibitors.text import fold, query_words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cơ khí chính xác", "co khi chinh xac"),
        ("NHỰA  Đồng Nai", "nhua dong nai"),
        ("đúc áp lực ADC12", "duc ap luc adc12"),
        ("株式会社", "株式会社"),
        ("", ""),
    ],
)
def test_fold_strips_vietnamese_diacritics_and_case(text, expected):
    assert fold(text) == expected


def test_query_words_are_folded_distinct_and_limited():
    assert query_words("Nhựa nhua  CAO su") == ["nhua", "cao", "su"]
    assert len(query_words(" ".join(f"w{i}" for i in range(20)))) == 8
