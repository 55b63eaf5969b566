"""Content Security Policy: every public page of the demo sends the strict policy and its HTML
keeps to it (no inline script, style attribute or event handler); the staff UIs are left out."""

import json
import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from cms.embeds import framed_players
from config.csp import inline_stylesheet, media_origins, style_hash
from directory.models import CommunePage, PointOfSalePage, ProducerPage
from events.models import LivestreamPage, TradeFairPage
from news.models import NewsArticlePage, NewsIndexPage
from tests.checkout import HA_NOI
from traceability.digital_link import lot_uri
from traceability.models import Lot

Product = get_model("catalogue", "Product")

TIKTOK_HTML = (
    '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@ocop/video/7301234567890123456"'
    ' data-video-id="7301234567890123456" style="max-width: 605px;min-width: 325px;">'
    '<section><a href="https://www.tiktok.com/@ocop">@ocop</a></section></blockquote>'
    '<script async src="https://www.tiktok.com/embed.js"></script>'
)
YOUTUBE_HTML = (
    '<iframe width="200" height="113" src="https://www.youtube.com/embed/abc123?feature=oembed"'
    ' frameborder="0" allow="autoplay; encrypted-media" allowfullscreen title="Chè"></iframe>'
)
FACEBOOK_HTML = (
    '<iframe src="https://www.facebook.com/plugins/video.php?href=x" width="560" height="314"'
    ' style="border:none;overflow:hidden" scrolling="no" allowfullscreen="true"></iframe>'
)


class OEmbedProvider(BaseHTTPRequestHandler):
    """Answers oEmbed like YouTube, TikTok and Facebook do, by the host of the asked URL."""

    def do_GET(self):  # noqa: N802 - http.server's name
        asked = parse_qs(urlsplit(self.path).query).get("url", [""])[0]
        host = urlsplit(asked).hostname or ""
        html = {"www.tiktok.com": TIKTOK_HTML, "www.facebook.com": FACEBOOK_HTML}.get(
            host, YOUTUBE_HTML
        )
        body = json.dumps({"type": "video", "html": html, "title": "Video"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def oembed(settings):
    """A real oEmbed endpoint on 127.0.0.1 standing in for the three video providers."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), OEmbedProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/oembed"
    settings.WAGTAILEMBEDS_FINDERS = [
        {
            "class": "wagtail.embeds.finders.oembed",
            "providers": [
                {
                    "endpoint": endpoint,
                    "urls": [
                        r"^https?://(www\.)?(youtube\.com|youtu\.be|tiktok\.com|facebook\.com)/.+$"
                    ],
                }
            ],
        }
    ]
    yield endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def demo(oembed, demo_db):
    """The demo data (loaded once per session), with livestream players from `oembed`."""


def directives(response):
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class Inline(HTMLParser):
    """What a strict policy would block in a page: executable inline scripts, <style> elements
    the policy does not allow by hash, style attributes, on* handlers, javascript: URLs."""

    def __init__(self, style_hashes):
        super().__init__(convert_charrefs=True)
        self.style_hashes = style_hashes
        self.problems, self.json_ld = [], []
        self._in = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in attrs:
            kind = attrs.get("type", "")
            if kind == "application/ld+json":
                self._in = "json-ld"
            elif "nonce" not in attrs:
                self.problems.append(f"inline <script type={kind!r}>")
        if tag == "style":
            self._in, self._text = "style", []

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "style" and self._in == "style":
            if style_hash("".join(self._text)) not in self.style_hashes:
                self.problems.append("<style> not allowed by hash")
        if tag == "script" and self._in == "json-ld":
            self.json_ld.append(json.loads("".join(self._text)))
        if tag in ("style", "script"):
            self._in = None


def check_page(client, path, follow=False):
    response = client.get(path, follow=follow)
    assert response.status_code == 200, (path, response.status_code)
    policy = directives(response)
    assert policy["default-src"] == ["'self'"], path
    assert policy["script-src"] == ["'self'"], path
    assert policy["style-src"][0] == "'self'" and "'unsafe-inline'" not in policy["style-src"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    # No card payments in the test settings, so no payment page to go to (tests/unit/test_csp.py).
    assert policy["connect-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "https://www.youtube.com" in policy["frame-src"]
    scan = Inline(policy["style-src"])
    scan.feed(response.content.decode())
    assert scan.problems == [], (path, scan.problems)
    return response, scan


def test_every_public_page_sends_the_policy_and_keeps_to_it(client, demo):
    shipped = Product.objects.filter(is_public=True, product_class__requires_shipping=True)
    product = next(
        p
        for p in shipped
        if p.standing.sellable and p.stockrecords.filter(num_in_stock__gt=0).exists()
    )
    lot = Lot.objects.exclude(product__gtin="").select_related("product").first()
    news = NewsArticlePage.objects.live().first()
    pages = [
        "/",
        "/en/",
        "/shop/catalogue/",
        product.get_absolute_url(),
        urlsplit(lot_uri(lot)).path,
        NewsIndexPage.objects.live().first().url,
        news.url,
        TradeFairPage.objects.live().first().url,
        CommunePage.objects.live().first().url,
        ProducerPage.objects.live().first().url,
        PointOfSalePage.objects.live().first().url,
        "/search/?q=che",
        "/shop/accounts/login/",
    ]
    for path in pages:
        check_page(client, path)
    _, article = check_page(client, news.url)
    assert any(item.get("@type") == "NewsArticle" for item in article.json_ld)
    _, product_page = check_page(client, product.get_absolute_url())
    assert any(item.get("@type") == "Product" for item in product_page.json_ld)

    # The basket and every checkout step, as a guest.
    assert client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1}).status_code == 302
    check_page(client, "/shop/basket/")
    check_page(client, "/shop/checkout/")
    client.post("/shop/checkout/", {"username": "lan@example.vn", "options": "anonymous"})
    check_page(client, "/shop/checkout/shipping-address/")
    assert client.post("/shop/checkout/shipping-address/", HA_NOI).status_code == 302
    methods = check_page(client, "/shop/checkout/shipping-method/", follow=True)[0]
    if "checkout/shipping-method/" in methods.request["PATH_INFO"]:
        code = methods.context["methods"][0].code
        client.post("/shop/checkout/shipping-method/", {"method_code": code})
    check_page(client, "/shop/checkout/payment-method/", follow=True)


def test_livestream_players_keep_to_the_policy(client, demo):
    now = timezone.now()
    LivestreamPage.objects.live().update(start=now - timezone.timedelta(minutes=5))
    LivestreamPage.objects.live().update(end=now + timezone.timedelta(hours=1))
    players = 0
    for stream in LivestreamPage.objects.live():
        response, _ = check_page(client, stream.url)
        players += response.content.decode().count("<iframe")
    assert players >= 2  # TikTok's and YouTube's, as bare iframes; Facebook's is a link


@pytest.mark.django_db
def test_staff_uis_are_left_out_of_the_policy(admin_client):
    for path in ("/admin/", "/django-admin/", "/shop/dashboard/", "/api/v1/docs"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" not in response.headers, path


@pytest.mark.django_db
def test_inlined_stylesheets_are_allowed_by_their_hash(client, settings):
    allowed = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    for name in ("ocop/css/scan.css", "ocop/css/error.css"):
        assert style_hash(inline_stylesheet(name)) in allowed


@pytest.mark.django_db
def test_not_found_page_keeps_to_the_policy(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert directives(response)["script-src"] == ["'self'"]
    scan = Inline(directives(response)["style-src"])
    scan.feed(response.content.decode())
    assert scan.problems == []


@pytest.mark.django_db
def test_provider_html_becomes_bare_players_of_allowed_hosts():
    tiktok = framed_players(TIKTOK_HTML)
    assert tiktok == (
        '<iframe allowfullscreen="" class="embed-portrait"'
        ' src="https://www.tiktok.com/player/v1/7301234567890123456"></iframe>'
    )
    facebook = framed_players(FACEBOOK_HTML)
    assert 'src="https://www.facebook.com/plugins/video.php?href=x"' in facebook
    assert "style=" not in facebook
    youtube = framed_players(YOUTUBE_HTML)
    assert 'src="https://www.youtube.com/embed/abc123?feature=oembed"' in youtube
    assert 'title="Chè"' in youtube
    assert framed_players('<iframe src="https://evil.example/x"></iframe>') == ""
    assert framed_players('<script src="https://www.youtube.com/x.js"></script>') == ""


@pytest.mark.django_db
def test_media_host_is_derived_from_the_storage_settings():
    assert media_origins("/media/") == []
    assert media_origins("https://cdn.ocop.vn/media/") == ["https://cdn.ocop.vn"]
    assert media_origins("/media/", custom_domain="media.ocop.vn") == ["https://media.ocop.vn"]
    assert media_origins("/media/", endpoint_url="https://s3.hn.example:9000", bucket="ocop") == [
        "https://s3.hn.example:9000"
    ]
    assert media_origins("/media/", bucket="ocop", region="ap-southeast-1") == [
        "https://ocop.s3.ap-southeast-1.amazonaws.com"
    ]
    assert re.fullmatch(r"'sha256-[A-Za-z0-9+/]{43}='", style_hash("a{}"))
