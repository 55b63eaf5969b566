"""Redis down: the storefront answers from the database, slower but right, and loses no scan.

A real Redis client talks to a port where nothing listens (connection refused), through the
cache backend production uses (config/cache.py) and the scan buffer's own client.
"""

import pytest
from django.utils import translation

from config.cache import ResilientRedisCache
from tests.factories import certified_product, labelled_lot
from tests.production.test_health import DEAD_REDIS
from traceability.models import Scan

pytestmark = pytest.mark.django_db

DEAD_URL = DEAD_REDIS["default"]["LOCATION"]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS
    settings.REDIS_URL = DEAD_URL
    settings.PAGE_CACHE_SECONDS = 300


def test_public_pages_answer_while_redis_is_down(client, redis_down):
    product = certified_product(title="Mật ong bạc hà Tủa Chùa", price=250000)
    scan = labelled_lot(product)
    with translation.override("vi"):
        product_url = product.get_absolute_url()
    for url in ("/", "/en/", "/shop/catalogue/", product_url, "/search/?q=mat+ong", scan):
        for _visit in range(2):
            response = client.get(url, HTTP_ACCEPT="text/html")
            assert response.status_code == 200, url
            assert response.get("X-Page-Cache") not in ("hit", "stale")  # nothing was kept
    assert "Mật ong bạc hà Tủa Chùa" in client.get(product_url).content.decode()
    assert Scan.objects.filter(lot__product=product).count() == 2  # written at once, not lost
    assert ResilientRedisCache._down_until > 0  # paused: not asked on every call


def test_readyz_says_the_cache_failed_while_pages_still_answer(client, redis_down):
    assert client.get("/readyz").status_code == 503
    assert client.get("/").status_code == 200


def test_basket_and_checkout_start_while_redis_is_down(client, redis_down):
    product = certified_product(price=185000, stock=5)
    response = client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    assert response.status_code == 302
    basket = client.get("/shop/basket/")
    assert basket.status_code == 200 and "185.000" in basket.content.decode()
    assert client.get("/shop/checkout/").status_code in (200, 302)


def test_scans_redis_refuses_are_written_to_the_database(redis_down, settings):
    from traceability.scan_log import log_scan

    settings.SCAN_PUSH_BATCH = 2
    assert ResilientRedisCache._down_until == 0  # not known to be down yet: the push tries
    log_scan(unknown_code="A1", language="vi", source_hash="s1", region="")
    log_scan(unknown_code="A2", language="en", source_hash="s2", region="")
    assert sorted(Scan.objects.values_list("unknown_code", flat=True)) == ["A1", "A2"]
    assert ResilientRedisCache._down_until > 0  # the push's failure paused Redis for all
