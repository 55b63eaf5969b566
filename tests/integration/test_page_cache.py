"""The anonymous page cache (config/pagecache.py): hits cost no query, every visitor gets their
own CSRF token, any change to what a page shows makes it fresh, and nobody with a basket, a
session or a login reads or feeds the shared copy. Runs on whichever cache the settings give
(local memory, or Redis with REDIS_URL, as CI does both)."""

import datetime
import gzip
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation
from oscar.core.loading import get_model

from config import pagecache
from tests.factories import CertificationFactory, certified_product
from tests.registry_server import feed_record
from traceability.models import Lot, Source
from traceability.sync import run_sync

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIT, MISS = "hit", "miss"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """The cache on, and the settings rows Wagtail makes on a first visit made already (as on
    any site that has been visited once), so the first visit here is a plain miss."""
    from cms.models import SiteIdentity
    from shop.catalogue.models import CatalogueDisplay

    settings.PAGE_CACHE_SECONDS = 300
    SiteIdentity.load()
    CatalogueDisplay.load()


@pytest.fixture
def product():
    return certified_product(title="Chè Shan tuyết cổ thụ", price=185000, stock=10)


def url_of(product, language="vi"):
    with translation.override(language):
        return product.get_absolute_url()


def state(response):
    return response.get(pagecache.HEADER)


def text(response):
    return response.content.decode()


def test_a_second_visit_is_a_hit_that_runs_no_query(client, product, django_assert_num_queries):
    urls = ["/", "/en/", "/shop/catalogue/", url_of(product), url_of(product, "en")]
    urls += ["/api/v1/products", "/api/v1/products?page_size=5"]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200 and state(first) == MISS, url
    for url in urls:
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200 and state(again) == HIT, url
    assert client.head(url_of(product))[pagecache.HEADER] == HIT


def test_two_visitors_get_their_own_token_from_one_cached_page_and_both_can_buy(product):
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [visitor.get(url_of(product)) for visitor in visitors]
    assert [state(page) for page in pages] == [MISS, HIT]
    tokens = [TOKEN.search(text(page)).group(1) for page in pages]
    secrets = [page.cookies["csrftoken"].value for page in pages]
    assert tokens[0] != tokens[1] and secrets[0] != secrets[1]
    assert pagecache.placeholder() not in text(pages[1])
    for visitor, token in zip(visitors, tokens, strict=True):
        added = visitor.post(
            f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token}
        )
        assert added.status_code == 302
        assert visitor.get("/shop/basket/").context["basket"].num_items == 1
    # One visitor's token is refused with the other's cookie: each token is its owner's alone.
    stranger = Client(enforce_csrf_checks=True)
    stranger.cookies["csrftoken"] = secrets[1]
    refused = stranger.post(
        f"/shop/basket/add/{product.pk}/", {"quantity": 1, "csrfmiddlewaretoken": tokens[0]}
    )
    assert refused.status_code == 403


def test_a_visitor_with_a_basket_neither_reads_nor_feeds_the_shared_copy(client, product):
    url = url_of(product)
    assert state(client.get(url)) == MISS
    buyer = Client()
    buyer.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})
    assert "oscar_open_basket" in buyer.cookies
    own = buyer.get(url)
    assert state(own) is None and "370.000" in text(own)  # the basket total in the shop bar
    catalogue = buyer.get("/shop/catalogue/")
    assert state(catalogue) is None and "370.000" in text(catalogue)
    anonymous = client.get("/shop/catalogue/")
    assert state(anonymous) == MISS and "370.000" not in text(anonymous)


def test_signed_in_visitors_are_never_served_or_stored(client, product, django_user_model):
    user = django_user_model.objects.create_user("khach", "khach@example.vn", "pw")
    member = Client()
    member.force_login(user)
    url = url_of(product)
    assert state(member.get(url)) is None
    assert state(client.get(url)) == MISS
    assert state(member.get(url)) is None


def test_private_areas_odd_parameters_errors_and_posts_are_not_cached(client, product):
    for url in ("/shop/basket/", "/shop/accounts/login/", "/shop/checkout/"):
        client.get(url)
        assert state(client.get(url)) is None, url
    client.get("/api/v1/products")
    assert state(client.get("/api/v1/products", HTTP_AUTHORIZATION="Bearer x")) is None
    tracked = url_of(product) + "?utm_source=facebook"
    assert client.get(tracked).status_code == 200
    assert state(client.get(tracked)) is None
    for _ in range(2):
        missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404 and state(missing) is None
    assert state(Client().get("/shop/catalogue/?page=1")) == MISS


def test_a_search_is_kept_when_asked_again_and_made_fresh_by_a_change(client, product, settings):
    settings.PAGE_CACHE_SEARCH_SECONDS = 60
    url = "/search/?q=Ch%C3%A8+shan"
    first, second = client.get(url), client.get(url)
    assert (state(first), state(second)) == (None, MISS)  # the first ask leaves a marker only
    assert "Chè Shan tuyết cổ thụ" in text(second)
    again = client.get(url)
    assert state(again) == HIT and 'value="Chè shan"' in text(again)
    assert state(client.get("/search/?q=che+shan")) is None  # another query: its own entry
    rename(product)
    assert state(client.get(url)) is None and state(client.get(url)) == MISS
    assert "Chè Shan tuyết đặc biệt" in text(client.get(url))


def test_search_answers_live_no_longer_than_their_own_limit(client, product, settings):
    settings.PAGE_CACHE_SEARCH_SECONDS = 60
    url = "/search/?q=che"
    client.get(url), client.get(url)
    assert state(client.get(url)) == HIT
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert state(client.get(url)) != HIT


def test_an_aged_copy_is_handed_out_while_one_request_renders_the_new_one(client, product):
    from django.test import RequestFactory

    url = url_of(product)
    client.get(url)
    assert state(client.get(url)) == HIT
    with translation.override("vi"):
        key = pagecache.PageCacheMiddleware(None).key(RequestFactory().get(url))
    aged = timezone.now() + datetime.timedelta(seconds=301)
    with time_machine.travel(aged):
        assert pagecache.cache.add(f"{key}:renewing", 1, 10)  # another request is rendering
        stale = client.get(url)
        assert stale.status_code == 200 and state(stale) == "stale"
        assert "Chè Shan tuyết cổ thụ" in text(stale)
    with time_machine.travel(aged + datetime.timedelta(seconds=pagecache.STALE_SECONDS)):
        assert state(client.get(url)) == MISS  # too old to hand out: rendered again
    with time_machine.travel(aged + datetime.timedelta(seconds=pagecache.STALE_SECONDS)):
        assert state(client.get(url)) == HIT


def test_no_aged_copy_outlives_a_change(client, product):
    from django.test import RequestFactory

    url = url_of(product)
    client.get(url)
    with translation.override("vi"):
        key = pagecache.PageCacheMiddleware(None).key(RequestFactory().get(url))
    rename(product)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=301)):
        pagecache.cache.add(f"{key}:renewing", 1, 10)
        fresh = client.get(url)
    assert state(fresh) == MISS and "Chè Shan tuyết đặc biệt" in text(fresh)


def test_a_restricted_wagtail_page_is_never_kept(client):
    from wagtail.models import Page, PageViewRestriction

    home = Page.objects.get(depth=2, locale__language_code="vi")
    assert state(client.get("/")) == MISS
    PageViewRestriction.objects.create(page=home, restriction_type="password", password="ocop")
    for _ in range(2):
        asked = client.get("/")
    assert asked.status_code == 200 and state(asked) is None
    assert "no-store" in asked["Cache-Control"]


def test_language_versions_are_cached_apart_with_their_headers(client, product):
    for _ in range(2):
        vi = client.get("/shop/catalogue/")
        en = client.get("/en/shop/catalogue/")
    assert state(vi) == state(en) == HIT
    assert '<html lang="vi"' in text(vi) and '<html lang="en"' in text(en)
    assert vi["Content-Language"] == "vi" and en["Content-Language"] == "en"


def test_hits_carry_the_same_headers_as_misses(client, product):
    url = url_of(product)
    miss, hit = client.get(url), client.get(url)
    assert (state(miss), state(hit)) == (MISS, HIT)
    for header in (
        "Content-Security-Policy",
        "Content-Type",
        "Content-Language",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert hit.get(header) == miss.get(header), header
    assert "Cookie" in hit["Vary"]
    assert hit.cookies["csrftoken"].value  # the form's token comes with its cookie


def test_gzip_is_applied_to_each_answer_for_the_client_that_asks(settings, product):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
        "django.middleware.gzip.GZipMiddleware",
    )
    settings.MIDDLEWARE = middleware
    browser, plain = Client(HTTP_ACCEPT_ENCODING="gzip"), Client()
    url = url_of(product)
    packed = [browser.get(url) for _ in range(2)]
    assert [state(r) for r in packed] == [MISS, HIT]
    assert all(r["Content-Encoding"] == "gzip" for r in packed)
    assert "Accept-Encoding" in packed[1]["Vary"]
    page = gzip.decompress(packed[1].content).decode()
    assert "Chè Shan tuyết cổ thụ" in page and TOKEN.search(page)
    unpacked = plain.get(url)
    assert state(unpacked) == HIT and not unpacked.has_header("Content-Encoding")


def revoke(product):
    certificate = product.certification
    certificate.status = "revoked"
    certificate.status_reason = "Vi phạm an toàn thực phẩm"
    certificate.save()
    return "Certificate revoked"


def rename(product):
    product.title = "Chè Shan tuyết đặc biệt"
    product.save()
    return "Chè Shan tuyết đặc biệt"


def reprice(product):
    record = product.stockrecords.get()
    record.price = 199000
    record.save()
    return "₫199,000"


def sell_out(product):
    from shop.order.utils import allocate

    record = product.stockrecords.get()
    assert allocate(record.pk, record.num_in_stock)
    return "Unavailable"


def sync_revocation(product):
    certificate = product.certification
    record = feed_record(
        certificate.registry_id,
        status="revoked",
        status_reason="Thu hồi theo quyết định",
        decision_date=certificate.decision_date.isoformat(),
        valid_until=certificate.valid_until.isoformat(),
        producer={
            "name": certificate.producer.name,
            "kind": "cooperative",
            "tax_code": certificate.producer.tax_code,
            "commune_code": certificate.producer.commune_code,
        },
        updated_at=timezone.now().isoformat(),
    )
    run = run_sync([[record]], source=Source.FEED)
    assert run.updated == 1
    return "Certificate revoked"


def rename_producer(product):
    producer = product.producer
    producer.name = "HTX Chè Sín Chải"
    producer.save()
    return "HTX Chè Sín Chải"


def rename_category(product):
    Category = get_model("catalogue", "Category")
    category = Category.add_root(name="Trà")
    product.categories.add(category)  # a ProductCategory row
    return ">Trà</a>"


def change_site_identity(product):
    from cms.models import SiteIdentity

    identity = SiteIdentity.load()
    identity.hotline = "0215 3888 999"
    identity.save()
    return "0215 3888 999"


def publish_home_page(product):
    from cms.models import HomePage

    home = HomePage.objects.get(locale__language_code="vi")
    home.title = "OCOP Điện Biên — mùa mới"
    home.save_revision().publish()
    return None


@pytest.mark.parametrize(
    "change",
    [
        revoke,
        rename,
        reprice,
        sell_out,
        sync_revocation,
        rename_producer,
        rename_category,
        change_site_identity,
        publish_home_page,
    ],
)
def test_any_change_to_what_pages_show_makes_the_next_visit_fresh(client, product, change):
    url = url_of(product, "en")
    client.get(url)
    assert state(client.get(url)) == HIT
    shown = change(product)
    fresh = client.get(url)
    assert state(fresh) == MISS
    if shown:
        assert shown in text(fresh)


def test_scan_answers_share_the_generation(client, product):
    lot = Lot.objects.create(
        product=product,
        code="L-CACHE",
        produced_on=timezone.localdate() - datetime.timedelta(days=5),
        best_before=timezone.localdate() + datetime.timedelta(days=300),
    )
    before = pagecache.current_generation()
    lot.best_before += datetime.timedelta(days=1)
    lot.save()
    assert pagecache.current_generation() > before


def test_a_certificate_that_lapses_at_midnight_is_not_shown_certified_the_next_day(client):
    today = timezone.localdate()
    certificate = CertificationFactory(
        stars=4, decision_date=today - datetime.timedelta(days=1000), valid_until=today
    )
    product = certified_product(certification=certificate)
    url = url_of(product, "en")
    evening = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
    with time_machine.travel(evening, tick=False):
        client.get(url)
        assert state(client.get(url)) == HIT
    with time_machine.travel(evening + datetime.timedelta(minutes=2), tick=False):
        morning = client.get(url)
    assert state(morning) == MISS and "Certificate expired" in text(morning)


def test_no_page_outlives_the_next_moment_a_registered_clock_names(client, product):
    url = url_of(product)
    start = timezone.now().replace(microsecond=0)
    moment = start + datetime.timedelta(minutes=1)
    pagecache.register_clock(lambda now: moment)
    try:
        with time_machine.travel(start, tick=False):
            pagecache.invalidate()  # the next moment is worked out again under a new generation
            client.get(url)
            assert state(client.get(url)) == HIT
            assert pagecache.fresh_until(start) == moment
        with time_machine.travel(moment + datetime.timedelta(seconds=1), tick=False):
            assert state(client.get(url)) == MISS
    finally:
        pagecache._clocks.pop()


def test_a_livestream_going_live_is_a_moment_pages_change(home_with_stream):
    stream = home_with_stream
    from events.models import next_change

    assert next_change(stream.start - datetime.timedelta(hours=2)) == stream.start
    assert next_change(stream.start + datetime.timedelta(minutes=1)) == stream.end
    assert next_change(stream.end) is None


@pytest.fixture
def home_with_stream():
    from cms.models import HomePage
    from events.models import LivestreamIndexPage, LivestreamPage

    home = HomePage.objects.get(locale__language_code="vi")
    index = LivestreamIndexPage(title="Livestream", slug="livestream")
    home.add_child(instance=index)
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=3)
    stream = LivestreamPage(
        title="Livestream chè",
        start=start,
        end=start + datetime.timedelta(hours=2),
        platform="youtube",
        stream_url="https://www.youtube.com/watch?v=abc",
        streamer_name="Giàng Thị Mai",
        streamer_identity="HTX Chè – MST 5600000001",
        streamer_contact="0900000001",
    )
    index.add_child(instance=stream)
    stream.save_revision().publish()
    return stream


def test_switched_off_with_zero_seconds(client, settings, product):
    settings.PAGE_CACHE_SECONDS = 0
    url = url_of(product)
    client.get(url)
    again = client.get(url)
    assert state(again) is None and TOKEN.search(text(again))
    assert pagecache.placeholder() not in text(again)


def test_a_first_visitor_gets_uploaded_files(client, settings, tmp_path):
    """Files streamed to a visitor with no cookie (the site serving its own media, as the demo
    does) pass through the page cache untouched: the whole file, every time."""
    photo = tmp_path / "media" / "images" / "photo.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    for _visit in range(2):
        response = Client().get("/media/images/photo.png")
        assert response.status_code == 200 and response.streaming
        assert b"".join(response.streaming_content) == photo.read_bytes()
        assert response["Content-Type"] == "image/png"


def test_a_streamed_page_gets_the_visitor_s_token(rf, settings):
    """An HTML answer streamed through the cache (never stored) still gets the visitor's own
    CSRF token where the placeholder is."""
    from django.http import StreamingHttpResponse

    request = rf.get("/streamed/")
    request.COOKIES = {}
    chunks = [b"<form>", pagecache.placeholder().encode(), b"</form>"]
    middleware = pagecache.PageCacheMiddleware(
        lambda request: StreamingHttpResponse(iter(chunks), content_type="text/html")
    )
    response = middleware(request)
    body = b"".join(response.streaming_content)
    assert pagecache.placeholder().encode() not in body
    assert body.startswith(b"<form>") and body.endswith(b"</form>") and len(body) > 13
