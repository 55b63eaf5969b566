"""Diacritic folding used by the site search."""

import unicodedata

import pytest

from sitesearch.folding import MAX_QUERY_TERMS, fold, query_terms


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chè Shan tuyết Tủa Chùa", "che shan tuyet tua chua"),
        ("Rượu Mông pê", "ruou mong pe"),
        ("Điện Biên", "dien bien"),
        ("đậu đỏ", "dau do"),
        ("ĐẶC SẢN", "dac san"),
        ("Ư ư Ơ ơ", "u u o o"),
        ("Thổ cẩm, nón lá!", "tho cam, non la!"),
        ("MiXeD CaSe Ấm", "mixed case am"),
        ("Ðiện Biên", "dien bien"),  # eth typed in place of Đ
        ("plain ascii 123", "plain ascii 123"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_precomposed_and_combining_forms_fold_the_same():
    precomposed = "Rượu Điện Biên"
    decomposed = unicodedata.normalize("NFD", precomposed)
    assert precomposed != decomposed
    assert fold(precomposed) == fold(decomposed) == "ruou dien bien"


def test_query_terms_keep_letters_and_digits_only():
    assert query_terms("  Chè, shan-tuyết!! ") == ["che", "shan", "tuyet"]
    assert query_terms("?!…—;'\"_") == []
    assert query_terms("") == []
    assert query_terms(None) == []


def test_query_terms_are_bounded():
    assert len(query_terms("a " * 500)) == MAX_QUERY_TERMS
    assert query_terms("x" * 1000) == ["x" * 200]
