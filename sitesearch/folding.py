"""Diacritic folding for search: the same text with and without Vietnamese marks.

Both the indexed text and the visitor's query are folded, so "dien bien", "Điện Biên" and
"ĐIỆN BIÊN" meet on the same words ("dien bien") in whichever backend Wagtail search uses.
This module imports no models: the catalogue and the CMS import it for their `search_fields`.
"""

import re
import unicodedata

from django.utils.html import strip_tags
from wagtail.search import index

# Đ/đ is a letter of its own (U+0110/U+0111), not D plus a mark, so NFD leaves it alone.
# The Icelandic eth (Ð/ð) looks the same and turns up in text typed on some keyboards.
_UNDECOMPOSABLE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})

# Letters and digits only: punctuation never reaches the full-text query syntax.
_TERM = re.compile(r"[^\W_]+")

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 12


def fold(text):
    """Lower-case `text` and strip its diacritics: "Rượu Mông pê" → "ruou mong pe"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", str(text).lower().translate(_UNDECOMPOSABLE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def words(text):
    """The folded words of `text`, punctuation dropped."""
    return _TERM.findall(fold(text))


def query_terms(query):
    """The folded words of a visitor's query, bounded in length and count."""
    return words((query or "")[:MAX_QUERY_LENGTH])[:MAX_QUERY_TERMS]


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_as_text(item) for item in value.values())
    return str(value)


class FoldedSearchField(index.SearchField):
    """A SearchField whose indexed text is followed by its folded copy.

    The copy stays in the same field, so it keeps the field's boost and, for `title`, the
    backend's title column: a title match still outranks a body match.
    """

    def get_value(self, obj):
        text = _as_text(super().get_value(obj))
        folded = fold(strip_tags(text))
        return text if folded == text else f"{text} {folded}"


def _folded(field):
    if isinstance(field, FoldedSearchField):
        return field
    if isinstance(field, index.SearchField):
        return FoldedSearchField(field.field_name, boost=field.boost, **field.kwargs)
    if isinstance(field, index.RelatedFields):
        return index.RelatedFields(field.field_name, [_folded(sub) for sub in field.fields])
    return field


class FoldedSearchMixin:
    """Makes every SearchField of an indexed model (pages included) diacritic-insensitive.

    Put it first among the bases (`class NewsPage(FoldedSearchMixin, Page)`) and keep
    `search_fields` as usual; then run `manage.py update_index` once.
    """

    @classmethod
    def get_search_fields(cls):
        return [_folded(field) for field in super().get_search_fields()]
