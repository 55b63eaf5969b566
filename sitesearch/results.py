"""What a visitor's query finds: certified products first, then live pages of their language.

Both come from Wagtail's search index (wagtail.search), queried with the folded words of the
query, so every backend (PostgreSQL, SQLite FTS5, Elasticsearch/OpenSearch) sees the same text;
`ranking.ranked_ids` ranks and cuts inside the database.
"""

from oscar.core.loading import get_model
from wagtail.models import Locale, Page

from shop.catalogue.selectors import certified_products

from .folding import query_terms, words
from .ranking import ranked_ids

Product = get_model("catalogue", "Product")


class SiteResults:
    """Products then pages as one sliceable sequence, so Django's Paginator can page through
    both while each backend query fetches only the slice it needs."""

    def __init__(self, products, pages):
        self.parts = [products, pages]
        self._counts = None

    def counts(self):
        if self._counts is None:
            self._counts = [part.count() for part in self.parts]
        return self._counts

    def count(self):
        return sum(self.counts())

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        found = []
        for part, size in zip(self.parts, self.counts(), strict=True):
            if start < size and stop > 0:
                found.extend(part[max(start, 0) : min(stop, size)])
            start, stop = start - size, stop - size
        return found


# A province lists hundreds of products; past this many matches a query is too vague to page on.
MAX_PRODUCT_MATCHES = 1000
MAX_PAGE_MATCHES = 1000


class RankedMatches:
    """Objects of `queryset` matching every term, best first (at most `limit`), as a sliceable
    sequence: only ids are held, each slice is loaded in one query through `load`."""

    def __init__(self, queryset, terms, limit, load=None):
        self.ids = ranked_ids(queryset, terms, limit)
        self.load = queryset.model._default_manager.all() if load is None else load

    def count(self):
        return len(self.ids)

    def __getitem__(self, key):
        ids = self.ids[key]
        found = self.load.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class ProductMatches(RankedMatches):
    """Sellable products matching every term: those whose title holds every term first, then
    the index's relevance order.

    The title tier is applied here because SQLite's FTS5 ranking (bm25 over the whole entry)
    does not favour the title column the way PostgreSQL's weights do.
    """

    def __init__(self, terms):
        sellable = certified_products()
        super().__init__(sellable, terms, MAX_PRODUCT_MATCHES, Product.objects.for_cards())
        titles = dict(Product.objects.filter(id__in=self.ids).values_list("id", "title"))
        wanted = set(terms)
        self.ids.sort(key=lambda pk: not wanted <= set(words(titles.get(pk, ""))))


def search_products(terms):
    """Sellable products matching every term, best first."""
    return ProductMatches(terms)


def search_pages(terms, locale=None):
    """Live, public pages in the visitor's language matching every term, best first."""
    locale = locale or Locale.get_active()
    pages = Page.objects.live().public().filter(locale=locale).exclude(depth=1)
    return RankedMatches(pages, terms, MAX_PAGE_MATCHES)


def search_site(query):
    """Results for a raw query as typed; None when it has no words to look for."""
    terms = query_terms(query)
    if not terms:
        return None
    return SiteResults(search_products(terms), search_pages(terms))
