"""SQL per page: within budget, and the same for a catalogue of 5 products as for one of 40.

Budgets (issue 9): product list and category ≤ 12, product page ≤ 15, scan page ≤ 4 cold (issue 16
added the stock read: the scan page offers a purchase only when the shop's strategy would). Counted
with the page cache off, on the second visit of a page (the first makes thumbnails and Wagtail's
settings rows once), and including the savepoints of the request's transaction.
"""

import pytest
from django.utils import translation

from config.pagecache import invalidate
from tests.factories import bulk_catalogue, labelled_lot
from traceability import views as scan_views

pytestmark = pytest.mark.django_db

SIZES = (5, 40)
LIST_BUDGET = 12
PRODUCT_BUDGET = 15
SCAN_BUDGET = 4  # lot with product and certificates, its events, stock records, photo
SEARCH_BUDGET = 12


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def count(client, url, budget, assert_max):
    assert client.get(url).status_code == 200
    with assert_max(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def category_url(product):
    return product.get_categories().first().get_absolute_url()


def test_shop_pages_cost_the_same_for_5_and_40_products(client, django_assert_max_num_queries):
    counts, products = {}, []
    for size in SIZES:
        products += bulk_catalogue(size - len(products), images=True)
        product = products[-1]
        with translation.override("vi"):
            urls = (product.get_absolute_url(), category_url(product))
        counts[size] = {
            url: count(client, url, budget, django_assert_max_num_queries)
            for url, budget in (
                ("/shop/catalogue/", LIST_BUDGET),
                ("/en/shop/catalogue/?sort_by=price-asc", LIST_BUDGET),
                (urls[1], LIST_BUDGET),
                (urls[0], PRODUCT_BUDGET),
                ("/en" + urls[0], PRODUCT_BUDGET),
            )
        }
    small, large = (counts[size] for size in SIZES)
    assert list(small.values()) == list(large.values()), counts


def test_product_page_with_recommendations_stays_within_budget(
    client, django_assert_max_num_queries
):
    from oscar.core.loading import get_model

    products = bulk_catalogue(8, images=True)
    ProductRecommendation = get_model("catalogue", "ProductRecommendation")
    for ranking, other in enumerate(products[1:7]):
        ProductRecommendation.objects.create(
            primary=products[0], recommendation=other, ranking=ranking
        )
    url = products[0].get_absolute_url()
    count(client, url, PRODUCT_BUDGET, django_assert_max_num_queries)
    page = client.get(url).content.decode()
    assert page.index(products[6].get_title()) < page.index(products[1].get_title())  # ranking


def test_scan_page_reads_at_most_four_times_cold_whatever_the_catalogue(
    client, django_assert_max_num_queries
):
    reads, products = {}, []
    for size in SIZES:
        products += bulk_catalogue(size - len(products))
        url = labelled_lot(products[-1])
        assert client.get(url).status_code == 200  # thumbnails, settings rows: made once
        invalidate()  # nothing of the scan answer is cached any more
        scan_views.LOCAL_ENTRIES.clear()
        with django_assert_max_num_queries(SCAN_BUDGET + 1) as captured:
            assert client.get(url).status_code == 200
        sql = [query["sql"].lstrip().upper() for query in captured.captured_queries]
        reads[size] = sum(statement.startswith("SELECT") for statement in sql)
        # Besides reading, only the scan itself is recorded (buffered in Redis when there is one).
        assert [s.split()[:3] for s in sql if not s.startswith("SELECT")] in (
            [],
            [["INSERT", "INTO", '"TRACEABILITY_SCAN"']],
        )
    assert reads[SIZES[0]] == reads[SIZES[1]] <= SCAN_BUDGET


def test_search_costs_the_same_for_5_and_40_matching_products(
    client, django_assert_max_num_queries
):
    """Matching, ranking and the cut to one page happen inside the database: one query finds
    the ids, one loads the page's products (with their stock and photos)."""
    from oscar.core.loading import get_model

    from sitesearch.indexing import reindex

    Product = get_model("catalogue", "Product")
    counts, products = {}, []
    for size in SIZES:
        added = bulk_catalogue(size - len(products), images=True)
        reindex(Product.objects.filter(pk__in=[product.pk for product in added]))
        products += added
        url = "/search/?q=ch%C3%A8+shan+tuy%E1%BA%BFt"
        counts[size] = count(client, url, SEARCH_BUDGET, django_assert_max_num_queries)
        page = client.get(url).content.decode()
        assert sum(product.title in page for product in products) == min(size, 20)
    assert counts[SIZES[0]] == counts[SIZES[1]], counts
