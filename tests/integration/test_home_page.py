"""The home page composed from blocks, the site identity in header and footer, and the
header's search box."""

import datetime
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PillowImage
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model

from cms.blocks import FeaturedProductsBlock, LinkBlock
from cms.models import HomePage, SiteIdentity
from directory.models import CommuneIndexPage, CommunePage
from events.models import EventIndexPage, LivestreamIndexPage, LivestreamPage, TradeFairPage
from news.models import NewsArticlePage, NewsCategory, NewsIndexPage
from tests.factories import CertificationFactory, ProducerFactory, certified_product, publish
from traceability.places import province_communes

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC)  # 10:00 in Hà Nội
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode().replace("\xa0", " ")


def main(html):
    return html[html.index("<main") : html.index("</main>")]


def section(html, heading):
    """The <section> of the home page whose heading is `heading`."""
    match = re.search(
        r"<section[^>]*>\s*<h2[^>]*>" + re.escape(heading) + r"</h2>.*?</section>", html, re.S
    )
    assert match, heading
    return match.group(0)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def home():
    return HomePage.objects.get(locale__language_code="vi")


def compose(home, *blocks):
    home.body = [{"type": kind, "value": value} for kind, value in blocks]
    home.save_revision().publish()
    return home


def picture(title, size=(320, 240)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, (20, 120, 60)).save(buffer, "PNG")
    image = get_image_model()(title=title)
    image.file = ImageFile(buffer, name=f"{title}.png")
    image.save()
    return image


def add_fair(index, title, start, end):
    return publish(
        index,
        TradeFairPage(
            title=title,
            start=start,
            end=end,
            venue_name="Quảng trường 7/5",
            address="Phường Điện Biên Phủ",
            organiser="Sở Công Thương",
        ),
    )


def add_stream(index, title, start, end):
    return publish(
        index,
        LivestreamPage(
            title=title,
            start=start,
            end=end,
            platform="tiktok",
            stream_url="https://www.tiktok.com/@ocop/live",
            streamer_name="Giàng Thị Mai",
            streamer_identity="HTX Chè – MST 5600000001",
            streamer_contact="0900000001",
        ),
    )


def add_article(index, title, days_ago, categories=(), image=None):
    article = NewsArticlePage(
        title=title,
        slug=f"bai-{days_ago}-{len(title)}",
        date=NOW.date() - datetime.timedelta(days=days_ago),
        intro="Tin ngắn.",
        lead_image=image,
    )
    article.categories.set(categories)
    return publish(index, article)


def add_commune(index, code, point=None):
    latitude, longitude = (Decimal(v) for v in point) if point else (None, None)
    return publish(
        index,
        CommunePage(
            commune_code=code,
            slug=f"xa-{code}",
            title="",  # named after the commune's code when saved
            latitude=latitude,
            longitude=longitude,
        ),
    )


def expired_product(title):
    certificate = CertificationFactory(
        stars=5, decision_date=datetime.date(2019, 1, 2), valid_until=datetime.date(2022, 1, 2)
    )
    return certified_product(title=title, certification=certificate)


# --- Default composition --------------------------------------------------------------------


def test_empty_body_shows_the_default_composition(client, home):
    compose(home)
    assert not HomePage.objects.get(pk=home.pk).body
    product = certified_product(title="Gạo Séng Cù")
    lapsed = expired_product("Chè hết hạn chứng nhận")

    vi = main(text(client.get("/")))
    assert f"<h1>{home.title}</h1>" in vi
    assert 'href="/shop/catalogue/"' in vi
    featured = section(vi, "Sản phẩm OCOP được chứng nhận")
    assert product.get_title() in featured and lapsed.get_title() not in featured

    en = main(text(client.get("/en/")))
    assert "Certified OCOP products" in en and 'href="/en/shop/catalogue/"' in en


def test_migrated_home_page_keeps_its_headline_in_a_hero_block(client, home):
    # The migrations turned the old headline into the first block of the page.
    assert home.body[0].block_type == "hero"
    assert home.body[0].value["heading"] == "Sản phẩm OCOP được chứng nhận"
    assert [block.block_type for block in home.body][1:3] == ["livestreams", "featured_products"]


# --- Blocks ---------------------------------------------------------------------------------


def test_hero_shows_heading_text_image_and_button(client, home):
    image = picture("doi-che", size=(1200, 800))
    compose(
        home,
        (
            "hero",
            {
                "heading": "Chè Shan tuyết",
                "text": "<p>Từ cây chè <b>cổ thụ</b>.</p>",
                "image": image.pk,
                "link": {"text": "Xem điểm bán", "url": "https://example.com/diem-ban"},
                "shop_button": False,
            },
        ),
    )
    page = main(text(client.get("/")))
    assert "<h1>Chè Shan tuyết</h1>" in page and "<b>cổ thụ</b>" in page
    assert re.search(r'<img class="hero-image" src="[^"]+fill-720x480[^"]*" width="720"', page)
    assert '<a class="button" href="https://example.com/diem-ban">Xem điểm bán</a>' in page
    assert "/shop/catalogue/" not in page


def test_chosen_products_show_only_certified_public_ones_in_the_editors_order(client, home):
    first = certified_product(title="Mật ong bạc hà")
    lapsed = expired_product("Rượu sơn tra hết hạn")
    hidden = certified_product(title="Gạo chưa công khai", is_public=False)
    second = certified_product(title="Cà phê Mường Ảng")
    compose(
        home,
        (
            "featured_products",
            {
                "heading": "Đặc sản",
                "source": "chosen",
                "products": [first.pk, lapsed.pk, hidden.pk, second.pk],
            },
        ),
    )
    block = section(text(client.get("/")), "Đặc sản")
    assert lapsed.get_title() not in block and hidden.get_title() not in block
    assert block.index(first.get_title()) < block.index(second.get_title())


def test_automatic_products_are_the_best_rated_certified_ones(client, home):
    for stars in (3, 5, 4):
        certified_product(
            title=f"Sản phẩm {stars} sao", certification=CertificationFactory(stars=stars)
        )
    expired_product("Sản phẩm hết hạn")
    compose(home, ("featured_products", {"source": "automatic", "count": 2}))
    block = section(text(client.get("/")), "Sản phẩm OCOP được chứng nhận")
    titles = re.findall(r"<h3>(.*?)</h3>", block)
    assert titles == ["Sản phẩm 5 sao", "Sản phẩm 4 sao"]


def test_upcoming_fairs_leave_out_past_ones_and_follow_the_clock(client, home, clock):
    index = publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    add_fair(index, "Hội chợ đã qua", NOW - 5 * DAY, NOW - 3 * DAY)
    add_fair(index, "Tuần lễ chè", NOW + 10 * DAY, NOW + 12 * DAY)
    add_fair(index, "Phiên chợ đang họp", NOW - HOUR, NOW + 5 * HOUR)
    compose(home, ("upcoming_fairs", {"heading": "Hội chợ sắp tới", "count": 5}))

    block = section(text(client.get("/")), "Hội chợ sắp tới")
    assert "Hội chợ đã qua" not in block
    assert block.index("Phiên chợ đang họp") < block.index("Tuần lễ chè")

    # Two days later, with no one republishing the home page, the market day is over.
    clock.shift(2 * DAY)
    block = section(text(client.get("/")), "Hội chợ sắp tới")
    assert "Phiên chợ đang họp" not in block and "Tuần lễ chè" in block


def test_livestreams_block_shows_the_stream_live_now_and_the_next(client, home, clock):
    index = publish(home, LivestreamIndexPage(title="Livestream", slug="livestream"))
    add_stream(index, "Livestream đã xong", NOW - 5 * HOUR, NOW - 3 * HOUR)
    add_stream(index, "Livestream chè đang phát", NOW - HOUR, NOW + HOUR)
    add_stream(index, "Livestream cà phê tối nay", NOW + 8 * HOUR, NOW + 9 * HOUR)
    compose(home, ("livestreams", {"heading": "Livestream bán hàng"}))

    block = section(text(client.get("/")), "Livestream bán hàng")
    assert "Livestream đã xong" not in block
    live, upcoming = block.split("Buổi livestream tiếp theo")
    assert "Livestream chè đang phát" in live and "Livestream cà phê tối nay" in upcoming

    clock.shift(10 * HOUR)
    assert "Livestream bán hàng" not in text(client.get("/"))  # nothing on: no empty box


def test_latest_news_newest_first_limited_and_by_category(client, home):
    index = publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    fairs = NewsCategory.objects.create(name="Hội chợ", slug="hoi-cho")
    add_article(index, "Tin cũ nhất", 30)
    add_article(index, "Tin hội chợ tháng trước", 20, categories=[fairs])
    add_article(index, "Tin tuần trước", 7)
    add_article(index, "Tin hôm nay", 0)
    compose(
        home,
        ("latest_news", {"heading": "Tin mới", "count": 3}),
        ("latest_news", {"count": 3, "category": fairs.pk}),
    )
    page = text(client.get("/"))
    latest = re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", section(page, "Tin mới"))
    assert latest == ["Tin hôm nay", "Tin tuần trước", "Tin hội chợ tháng trước"]
    by_category = re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", section(page, "Hội chợ"))
    assert by_category == ["Tin hội chợ tháng trước"]


def test_communes_map_plots_each_commune_with_a_labelled_link(client, home):
    index = publish(home, CommuneIndexPage(title="Xã, phường", slug="xa-phuong"))
    tua_chua = add_commune(index, 3217, ("21.858", "103.348"))
    muong_phang = add_commune(index, 3325, ("21.450", "103.150"))
    unplaced = add_commune(index, 3352)
    producer = ProducerFactory(commune_code=3217)
    certified_product(certification=CertificationFactory(producer=producer))
    certified_product(certification=CertificationFactory(producer=producer))
    compose(home, ("communes_map", {"heading": "Bản đồ xã"}))

    block = section(text(client.get("/")), "Bản đồ xã")
    svg = block[block.index("<svg") : block.index("</svg>")]
    points = re.findall(r'<a href="([^"]+)" class="map-point" aria-label="([^"]+)">', svg)
    assert {href for href, _ in points} == {tua_chua.url, muong_phang.url}
    labels = dict(points)
    assert "Xã Tủa Chùa" in labels[tua_chua.url]
    assert "1 chủ thể, 2 sản phẩm" in labels[tua_chua.url]
    assert len(re.findall(r'<circle cx="[\d.]+" cy="[\d.]+"', svg)) == 2
    # The list under the map links every commune, those without a map point too.
    listed = block[block.index("</svg>") :]
    for page in (tua_chua, muong_phang, unplaced):
        assert f'href="{page.url}"' in listed


def test_call_to_action_and_text_blocks(client, home):
    news = publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    compose(
        home,
        ("text", "<p>Giới thiệu <i>chương trình</i>.</p>"),
        (
            "call_to_action",
            {
                "heading": "Quét tem",
                "text": "Biết nguồn gốc.",
                "link": {"text": "Đọc tin", "page": news.pk},
            },
        ),
    )
    page = main(text(client.get("/")))
    assert "<i>chương trình</i>" in page
    banner = section(page, "Quét tem")
    assert '<a class="button" href="/tin-tuc/">Đọc tin</a>' in banner


def test_blocks_refuse_incomplete_settings():
    link = LinkBlock()
    with pytest.raises(StructBlockValidationError) as error:
        link.clean(link.to_python({"text": "Xem", "page": None, "url": ""}))
    assert "page" in error.value.block_errors
    with pytest.raises(StructBlockValidationError) as error:
        link.clean(link.to_python({"text": "", "page": None, "url": "https://example.com/"}))
    assert "text" in error.value.block_errors
    featured = FeaturedProductsBlock()
    with pytest.raises(StructBlockValidationError) as error:
        featured.clean(featured.to_python({"source": "chosen", "products": []}))
    assert "products" in error.value.block_errors


def test_home_page_queries_do_not_grow_with_content(client, home, clock, settings):
    events = publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    streams = publish(home, LivestreamIndexPage(title="Livestream", slug="livestream"))
    news = publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    communes = publish(home, CommuneIndexPage(title="Xã, phường", slug="xa-phuong"))
    codes = iter(commune.code for commune in province_communes())
    compose(
        home,
        ("hero", {"heading": "OCOP"}),
        ("livestreams", {}),
        ("featured_products", {"source": "automatic", "count": 12}),
        ("upcoming_fairs", {"count": 12}),
        ("latest_news", {"count": 12}),
        ("communes_map", {}),
    )

    def add(count):
        for _ in range(count):
            n = TradeFairPage.objects.count()
            add_fair(events, f"Hội chợ {n}", NOW + n * DAY, NOW + (n + 1) * DAY)
            add_stream(streams, f"Livestream {n}", NOW - HOUR + n * DAY, NOW + HOUR + n * DAY)
            add_article(news, f"Tin {n}", n, image=picture(f"anh-{n}"))
            code = next(codes)
            add_commune(communes, code, ("21.5", "103.0"))
            producer = ProducerFactory(commune_code=code)
            certified_product(certification=CertificationFactory(producer=producer))

    # What the page costs to render: a copy from the page cache costs nothing (its own tests).
    settings.PAGE_CACHE_SECONDS = 0

    def queries():
        client.get("/")  # first: renditions and caches are made
        with CaptureQueriesContext(connection) as captured:
            page = text(client.get("/"))
        return len(captured.captured_queries), page

    add(3)
    few, page = queries()
    assert page.count('class="map-point"') == 3 and "Tin 2" in page
    add(7)
    many, page = queries()
    assert page.count('class="map-point"') == 10 and "Tin 9" in page
    assert many == few
    assert few <= 40


# --- Site identity, header and footer -------------------------------------------------------


def test_site_identity_brands_the_header_and_fills_the_footer(client):
    identity = SiteIdentity.load()
    plain = text(client.get("/"))
    assert '<span class="brand-mark" aria-hidden="true">★</span>' in plain

    identity.short_name = "OCOP Tỉnh Mẫu"
    identity.logo = picture("logo", size=(160, 160))
    identity.hotline = "0215 3800 000"
    identity.zalo = "https://zalo.me/0912345678"
    identity.facebook = "https://www.facebook.com/ocop.example"
    identity.tiktok = "https://www.tiktok.com/@ocop.example"
    identity.youtube = ""
    identity.save()

    page = text(client.get("/en/shop/catalogue/"))
    header = page[page.index("<header") : page.index("</header>")]
    assert "OCOP Tỉnh Mẫu" in header and "brand-mark" not in header
    assert re.search(r'<img alt="" class="brand-logo" height="40" src="[^"]+" width="40">', header)
    footer = page[page.index("<footer") : page.index("</footer>")]
    assert 'href="tel:02153800000"' in footer
    assert 'aria-label="The programme on social media"' in footer
    assert '<a href="https://zalo.me/0912345678" rel="me noopener">Zalo</a>' in footer
    assert (
        '<a href="https://www.facebook.com/ocop.example" rel="me noopener">Facebook</a>' in footer
    )
    assert ">TikTok</a>" in footer and "YouTube" not in footer


def test_site_identity_is_read_once_per_request(client):
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    reads = [q for q in captured.captured_queries if "cms_siteidentity" in q["sql"]]
    assert len(reads) == 1


def test_staff_get_clear_errors_for_bad_social_links(staff_client):
    form = staff_client.get("/admin/settings/cms/siteidentity/", follow=True)
    url = form.redirect_chain[-1][0] if form.redirect_chain else "/admin/settings/cms/siteidentity/"
    data = {
        "programme_name": "Chương trình OCOP",
        "short_name": "OCOP",
        "logo": "",
        "operator": "",
        "hotline": "",
        "email": "",
        "address": "",
        "zalo": "12345",
        "facebook": "http://facebook.com/ocop",
        "tiktok": "https://www.youtube.com/@ocop",
        "youtube": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"zalo", "facebook", "tiktok"}
    assert "https://" in errors["facebook"][0]
    assert "TikTok" in errors["tiktok"][0]

    data.update(zalo="+84 912 345 678", facebook="facebook.com/ocop", tiktok="")
    response = staff_client.post(url, data)
    assert response.status_code == 302
    identity = SiteIdentity.objects.get()
    assert identity.zalo == "https://zalo.me/0912345678"
    assert identity.facebook == "https://facebook.com/ocop"


# --- Search box -----------------------------------------------------------------------------


def test_header_search_box_submits_to_the_site_search_in_each_language(client):
    certified_product(title="Chè Shan tuyết Tủa Chùa")
    vi = text(client.get("/shop/catalogue/"))
    form = re.search(
        r'<form class="header-search" role="search" method="get" action="([^"]+)">', vi
    )
    assert form and form.group(1) == "/search/"
    assert re.search(
        r'<label for="header-search-q" class="visually-hidden">[^<]+</label>\s*'
        r'<input id="header-search-q" type="search" name="q"[^>]* enterkeyhint="search"',
        vi,
    )
    en = text(client.get("/en/"))
    assert 'action="/en/search/"' in en
    assert (
        '<label for="header-search-q" class="visually-hidden">Search products and pages</label>'
        in en
    )

    results = text(client.get("/en/search/", {"q": "che shan tuyet"}))
    assert "Chè Shan tuyết Tủa Chùa" in results
    assert 'class="header-search"' not in results  # the search page has its own box
