"""Nothing unpublished or private leaks: an unpublished product (is_public=False) and a page whose
privacy is "login required" appear in no API answer, scan page, list, search result, sitemap,
feed or calendar, while their public siblings do.

Each surface is a case of its own: the hidden item's title (and, for products, the producer's
tax code) is absent from the body, the public sibling's is present.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from directory.models import (
    CommuneIndexPage,
    CommunePage,
    PointOfSaleIndexPage,
    PointOfSalePage,
    ProducerIndexPage,
    ProducerPage,
    StockedProduct,
)
from events.models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    TradeFairPage,
    TradeFairParticipant,
)
from news.models import NewsArticlePage, NewsIndexPage
from tests.factories import (
    CertificationFactory,
    ProducerFactory,
    certified_product,
    home,
    labelled_lot,
    publish,
)
from traceability.models import Label, Lot

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def body(response):
    """The response as text, JSON with its characters unescaped (titles are Vietnamese)."""
    if "json" in response.get("Content-Type", ""):
        return json.dumps(json.loads(response.content), ensure_ascii=False)
    return response.content.decode()


# --- Products ------------------------------------------------------------------------------


def make_product(title, tax_code, is_public):
    producer = ProducerFactory(name=f"Chủ thể của {title}", tax_code=tax_code)
    certificate = CertificationFactory(
        producer=producer,
        product_name=title,
        decision_date=timezone.localdate() - 200 * DAY,
    )
    product = certified_product(certification=certificate, title=title)
    path = labelled_lot(product)
    if not is_public:
        product.is_public = False
        product.save()
    lot = Lot.objects.get(product=product)
    label = Label.objects.create(lot=lot)
    return {
        "product": product,
        "title": title,
        "secret": tax_code,
        "path": path,
        "lot": lot,
        "label": label,
    }


@pytest.fixture
def products():
    return {
        "public": make_product("Chè Shan tuyết công khai", "5611111111", True),
        "hidden": make_product("Mật ong chưa công bố", "5699999999", False),
    }


# Each surface: (URL for the item, the status a hidden item gets).
PRODUCT_SURFACES = {
    "api lots": lambda item: f"/api/v1/lots?product={item['product'].pk}",
    "api trace by lot code": lambda item: f"/api/v1/trace/{item['lot'].short_code}",
    "api trace by serial": lambda item: f"/api/v1/trace/{item['label'].serial}",
    "scan /q/ lot code": lambda item: f"/q/{item['lot'].short_code}",
    "scan /q/ serial": lambda item: f"/q/{item['label'].serial}",
    "scan digital link lot": lambda item: item["path"],
    "scan digital link serial": lambda item: f"{item['path']}/21/{item['label'].serial}",
    "scan digital link product": lambda item: f"/01/{item['product'].gtin}",
    "scan unknown lot of the product": lambda item: f"/01/{item['product'].gtin}/10/NOPE",
    "linkset by parameter": lambda item: f"{item['path']}?linkType=linkset",
    "pip redirect": lambda item: f"{item['path']}?linkType=gs1:pip",
}
HIDDEN_STATUS = {"api lots": 200}


@pytest.mark.parametrize("surface", PRODUCT_SURFACES)
def test_an_unpublished_product_is_unknown_on_every_product_surface(client, products, surface):
    url = PRODUCT_SURFACES[surface]
    public = client.get(url(products["public"]))
    assert public.status_code in (200, 307)
    if public.status_code == 200 and surface != "api lots":
        assert products["public"]["title"] in body(public)

    hidden_item = products["hidden"]
    hidden = client.get(url(hidden_item))
    assert hidden.status_code == HIDDEN_STATUS.get(surface, 404)
    text = body(hidden)
    assert hidden_item["title"] not in text and hidden_item["secret"] not in text
    if surface == "api lots":
        assert hidden.json() == {"results": []}
        assert public.json()["results"][0]["code"] == products["public"]["lot"].code


def test_an_unpublished_product_is_unknown_to_machines_asking_a_linkset(client, products):
    accept = {"HTTP_ACCEPT": "application/linkset+json"}
    assert client.get(products["public"]["path"], **accept).status_code == 200
    hidden = client.get(products["hidden"]["path"], **accept)
    assert hidden.status_code == 404
    assert products["hidden"]["title"] not in body(hidden)


def test_a_lot_whose_product_is_unpublished_later_stops_answering(client, products):
    item = products["public"]
    assert client.get(f"/q/{item['lot'].short_code}").status_code == 200
    item["product"].is_public = False
    item["product"].save()
    response = client.get(f"/q/{item['lot'].short_code}")
    assert response.status_code == 404 and item["title"] not in body(response)


@pytest.mark.parametrize(
    "url",
    ["/sitemap.xml", "/api/v1/products", "/search/?q=cong"],
)
def test_unpublished_products_are_absent_from_lists(client, products, url):
    response = client.get(url)
    assert response.status_code == 200
    text = body(response)
    assert products["hidden"]["title"] not in text
    if url == "/sitemap.xml":
        assert products["public"]["product"].get_absolute_url() in text
    else:
        assert products["public"]["title"] in text


# --- Pages with a view restriction --------------------------------------------------------


def restrict(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    return page


def point_of_sale(index, title, product):
    page = PointOfSalePage(
        title=title,
        kind="showroom",
        address="Trung tâm xã",
        commune_code=3217,
        latitude=Decimal("21.85"),
        longitude=Decimal("103.34"),
    )
    page.stocked_products = [StockedProduct(product=product)]
    return publish(index, page)


def fair(index, title, product, start, end):
    page = TradeFairPage(
        title=title,
        start=start,
        end=end,
        venue_name="Sân vận động",
        address="Phường Điện Biên Phủ",
        organiser="Sở Công Thương",
    )
    page.participants = [TradeFairParticipant(producer=product.producer, product=product)]
    return publish(index, page)


def stream(index, title, start, end):
    return publish(
        index,
        LivestreamPage(
            title=title,
            start=start,
            end=end,
            platform="other",
            stream_url="https://live.example.vn/che",
            streamer_name="Giàng Thị Mai",
            streamer_identity="HTX Chè – MST 5600000001",
            streamer_contact="0900000001",
        ),
    )


@pytest.fixture
def site():
    """For each kind of listed page, a public page and a sibling that asks visitors to sign in."""
    root = home()
    now = timezone.now()
    product = certified_product(title="Chè Shan tuyết cổ thụ")
    producers = publish(root, ProducerIndexPage(title="Chủ thể OCOP", slug="chu-the"))
    communes = publish(root, CommuneIndexPage(title="Xã, phường", slug="xa-phuong"))
    points = publish(root, PointOfSaleIndexPage(title="Điểm bán", slug="diem-ban"))
    news = publish(root, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    fairs = publish(root, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    streams = publish(root, LivestreamIndexPage(title="Livestream", slug="livestream"))

    def pair(make):
        return {"public": make("Công khai"), "private": restrict(make("Riêng tư"))}

    def article(word):
        title = f"Bản tin {word} về chè"
        page = NewsArticlePage(title=title, slug=f"tin-{word[:3].lower()}", date=now.date())
        return publish(news, page)

    return {
        "product": product,
        "indexes": {
            "producers": producers,
            "communes": communes,
            "points": points,
            "news": news,
            "fairs": fairs,
            "streams": streams,
        },
        "producers": pair(
            lambda word: publish(
                producers, ProducerPage(title=f"HTX {word} Tủa Chùa", producer=ProducerFactory())
            )
        ),
        "communes": {
            "public": publish(communes, CommunePage(commune_code=3217)),
            "private": restrict(publish(communes, CommunePage(commune_code=3226))),
        },
        "points": pair(lambda word: point_of_sale(points, f"Quầy {word} Tủa Chùa", product)),
        "news": pair(article),
        "fairs": pair(
            lambda word: fair(fairs, f"Hội chợ {word}", product, now + DAY, now + 2 * DAY)
        ),
        "streams": {  # the private stream comes first: the next one to start is the public one
            "public": stream(streams, "Livestream Công khai", now + DAY, now + 2 * DAY),
            "private": restrict(stream(streams, "Livestream Riêng tư", now + DAY / 2, now + DAY)),
        },
    }


# Each list: the kind of pages it shows, and its URL(s) from the site fixture.
PAGE_LISTS = {
    "producer index": ("producers", lambda s: s["indexes"]["producers"].url),
    "commune index": ("communes", lambda s: s["indexes"]["communes"].url),
    "point of sale index": ("points", lambda s: s["indexes"]["points"].url),
    "news index": ("news", lambda s: s["indexes"]["news"].url),
    "news rss": ("news", lambda s: s["indexes"]["news"].url + "rss/"),
    "news atom": ("news", lambda s: s["indexes"]["news"].url + "atom/"),
    "fair index": ("fairs", lambda s: s["indexes"]["fairs"].url),
    "fair calendar": ("fairs", lambda s: s["indexes"]["fairs"].url + "calendar.ics"),
    "livestream index": ("streams", lambda s: s["indexes"]["streams"].url),
    "product page, where to buy (points)": ("points", lambda s: s["product"].get_absolute_url()),
    "product page, where to buy (fairs)": ("fairs", lambda s: s["product"].get_absolute_url()),
    **{
        f"sitemap ({kind})": (kind, lambda s: "/sitemap.xml")
        for kind in ("producers", "communes", "points", "news", "fairs", "streams")
    },
    **{
        f"search ({kind})": (kind, lambda s, q=q: f"/search/?q={q}")
        for kind, q in (
            ("producers", "tua chua"),
            ("points", "quay tua chua"),
            ("news", "ban tin che"),
            ("fairs", "hoi cho"),
            ("streams", "livestream"),
        )
    },
}


def mentions(text, page):
    """The page's title or address is in `text` (a commune page's title is its commune's name,
    which other pages may print: its address then)."""
    if isinstance(page.specific, CommunePage):
        return page.url in text or page.full_url in text
    return page.title in text or page.full_url in text


@pytest.mark.parametrize("surface", PAGE_LISTS)
def test_pages_that_ask_visitors_to_sign_in_are_listed_nowhere(client, site, surface):
    kind, url = PAGE_LISTS[surface]
    response = client.get(url(site))
    assert response.status_code == 200, (surface, response.status_code)
    text = body(response)
    assert mentions(text, site[kind]["public"]), surface
    assert not mentions(text, site[kind]["private"]), surface


def test_the_home_page_livestream_strip_skips_private_streams(site):
    from events.models import live_and_next

    _live, upcoming = live_and_next(language="vi")
    assert upcoming is not None and upcoming.title == "Livestream Công khai"
