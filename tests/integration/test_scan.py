"""Scanning a label: the GS1 Digital Link resolver, the scan page, labels that decode, analytics."""

import datetime
import gzip
import io
import json
import re
from urllib.parse import urlsplit

import pytest
import qrcode
import qrcode.exceptions
import zxingcpp
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from tests.factories import CertificationFactory, certified_product
from traceability.labels import qr_matrix
from traceability.models import CODE_ALPHABET, Label, Lot, LotEvent, Scan
from traceability.scan_log import flush_scans

pytestmark = pytest.mark.django_db

GTIN13 = "8936045900017"
GTIN14 = "08936045900017"


@pytest.fixture
def lot():
    today = timezone.localdate()
    certificate = CertificationFactory(
        stars=4, decision_date=today - datetime.timedelta(days=300), decision_no="777/QĐ-UBND"
    )
    product = certified_product(
        certification=certificate, gtin=GTIN13, title="Chè Shan tuyết Tủa Chùa – hộp 100 g"
    )
    lot = Lot.objects.create(
        product=product,
        code="L2026-07",
        produced_on=today - datetime.timedelta(days=30),
        best_before=today + datetime.timedelta(days=500),
        origin_commune_code=3226,
    )
    LotEvent.objects.create(
        lot=lot, kind="harvest", happened_on=lot.produced_on, note="Hái búp chè cổ thụ"
    )
    return lot


def body(response):
    return response.content.decode()


def test_digital_link_opens_the_scan_page_in_the_visitors_language(client, lot):
    vi = client.get(f"/01/{GTIN14}/10/L2026-07")
    assert vi.status_code == 200 and vi["Content-Language"] == "vi"
    page = body(vi)
    assert '<html lang="vi">' in page
    assert "Sản phẩm OCOP 4 sao" in page or "OCOP 4 sao" in page
    assert "Chè Shan tuyết Tủa Chùa – hộp 100 g" in page and "L2026-07" in page
    assert "Xã Sín Chải" in page and "Hái búp chè cổ thụ" in page
    assert 'href="?lang=en"' in page and 'href="?lang=fr"' in page

    en = client.get(f"/01/{GTIN13}/10/L2026-07", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    page = body(en)
    assert en["Content-Language"] == "en" and '<html lang="en">' in page
    assert "Certified OCOP 4-star product today" in page
    assert "it was certified OCOP 4-star" in page

    fr = client.get(f"/01/{GTIN14}/10/L2026-07", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert fr["Content-Language"] == "fr" and "Produit OCOP certifié 4 étoiles" in body(fr)
    assert body(client.get(f"/01/{GTIN14}/10/L2026-07?lang=en")).count("Certified OCOP") == 1


def test_a_lapsed_certificate_is_told_in_plain_words(client):
    certificate = CertificationFactory(
        stars=3, decision_date=datetime.date(2019, 12, 31), valid_until=datetime.date(2022, 12, 31)
    )
    product = certified_product(certification=certificate, title="Bạch trà Shan tuyết")
    lot = Lot.objects.create(product=product, code="L2004", produced_on=datetime.date(2020, 4, 29))
    assert lot.certification == certificate  # it held on the production date
    page = body(client.get(f"/q/{lot.short_code}?lang=en"))
    assert "Certificate expired on 31/12/2022" in page
    assert "When this lot was made (29/04/2020) it was certified OCOP 3-star." in page


def test_revocation_shows_on_the_next_scan(client, lot):
    url = f"/01/{GTIN14}/10/L2026-07?lang=en"
    assert "Certified OCOP 4-star" in body(client.get(url))
    certificate = lot.product.certification
    certificate.status, certificate.status_reason = "revoked", "Vi phạm an toàn thực phẩm"
    certificate.save()
    page = body(client.get(url))
    assert "OCOP certificate revoked" in page and "Vi phạm an toàn thực phẩm" in page
    assert "Certified OCOP 4-star product today" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/01/89360459000AB/10/L1",  # letters in the GTIN
        "/01/8936045900018/10/L1",  # wrong check digit
        "/01/08936045900017/21/S1/10/L1",  # qualifiers out of order
        "/01/08936045900017/10/L1/10/L2",  # repeated qualifier
        "/01/08936045900017/99/X",  # unknown qualifier
        "/01/08936045900017/10",  # qualifier without a value
        "/01/08936045900017/10/" + "A" * 21,  # lot longer than GS1 allows
        "/01/" + "9" * 300,  # absurd length
        "/01/０８９３６０４５９０００１７",  # full-width digits
        "/01/08936045900017/10/L%C3%A9",  # a lot with a non-GS1 character
        "/01/08936045900017/10/..",  # path traversal
        "/01/../../etc/passwd",
        "/q/0OIL1",  # look-alike characters are never in our codes
        "/q/" + "A" * 300,
    ],
)
def test_malformed_links_get_a_400_page_never_500(client, lot, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert '<html lang="en">' in body(response) and "This code cannot be read" in body(response)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_path_traversal_under_the_short_form_reaches_nothing(client, lot):
    response = client.get("/q/../../etc/passwd")
    assert response.status_code == 404  # several segments: not a short code, not a file
    assert "root:" not in body(response)


def test_unknown_codes_are_404_and_unknown_lots_fall_back_to_the_product(client, lot):
    unknown_gtin = client.get("/01/09999999999994", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown_gtin.status_code == 404
    assert "This code is not in our records" in body(unknown_gtin)
    assert "Report a suspected fake" in body(unknown_gtin)
    assert client.get("/q/ABCDEFGHJK").status_code == 404

    fallback = client.get(f"/01/{GTIN14}/10/NOT-OURS", HTTP_ACCEPT_LANGUAGE="en")
    assert fallback.status_code == 200
    assert "This lot is not in our records" in body(fallback)
    assert "Chè Shan tuyết Tủa Chùa" in body(fallback)
    unknown_serial = client.get(f"/01/{GTIN14}/10/L2026-07/21/ZZZZZZZZZZZZZ?lang=en")
    assert unknown_serial.status_code == 200 and "serial number is not in our records" in body(
        unknown_serial
    )
    flush_scans()
    assert Scan.objects.filter(unknown_code__startswith="01/09999999999994").count() == 1


def test_machines_get_a_linkset_and_link_type_redirects(client, lot):
    by_accept = client.get(f"/01/{GTIN14}/10/L2026-07", HTTP_ACCEPT="application/linkset+json")
    assert by_accept.status_code == 200
    assert by_accept["Content-Type"] == "application/linkset+json"
    linkset = json.loads(by_accept.content)["linkset"][0]
    assert linkset["anchor"] == f"https://ocop.test/01/{GTIN14}/10/L2026-07"
    for link_type in ("pip", "certificationInfo", "traceability", "defaultLink"):
        assert linkset[f"https://gs1.org/voc/{link_type}"][0]["href"].startswith("https://")
    by_param = client.get(f"/01/{GTIN14}/10/L2026-07?linkType=linkset")
    assert json.loads(by_param.content) == json.loads(by_accept.content)

    pip = client.get(f"/01/{GTIN14}/10/L2026-07?linkType=gs1:pip&utm_source=qr")
    assert pip.status_code == 307
    location = urlsplit(pip["Location"])
    assert location.path == lot.product.get_absolute_url() and location.query == "utm_source=qr"
    page = client.get(f"/01/{GTIN14}/10/L2026-07")
    assert 'rel="linkset"' in page["Link"]
    default = client.get(f"/01/{GTIN14}/10/L2026-07?linkType=gs1:traceability")
    assert default.status_code == 200 and "L2026-07" in body(default)


def test_head_options_and_cors(client, lot):
    url = f"/01/{GTIN14}/10/L2026-07"
    head = client.head(url)
    assert head.status_code == 200 and head["Access-Control-Allow-Origin"] == "*"
    options = client.options(url)
    assert options.status_code == 204 and "OPTIONS" in options["Allow"]
    assert options["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.post(url).status_code == 405
    resolver = client.get("/.well-known/gs1resolver").json()
    assert resolver["supportedPrimaryKeys"] == ["01"]


def test_rapid_repeats_are_limited_but_a_tour_group_passes(client, settings, lot):
    settings.SCAN_RATE_PER_CODE = 5
    codes = [
        Lot.objects.create(
            product=lot.product, code=f"T{n}", produced_on=lot.produced_on
        ).short_code
        for n in range(12)
    ]
    for code in codes:  # twelve people of one group, one IP, different labels
        assert client.get(f"/q/{code}").status_code == 200
    statuses = [client.get(f"/q/{codes[0]}").status_code for _ in range(6)]
    assert statuses[-1] == 429 and statuses.count(429) >= 1
    assert client.get(f"/q/{codes[1]}").status_code == 200


def test_scans_are_recorded_without_personal_data(client, lot):
    client.get(f"/q/{lot.short_code}", HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    flush_scans()
    scan = Scan.objects.get()
    assert scan.lot == lot and scan.language == "en" and scan.region == ""
    assert len(scan.source_hash) == 16 and "203.0.113" not in scan.source_hash


def test_a_warm_scan_reads_nothing_from_the_database(client, lot, settings):
    url = f"/01/{GTIN14}/10/L2026-07"
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    reads = [q for q in cold.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # lot, events, product; the locale and the producer-page map (cached for every scan after)
    assert len(reads) <= 5, [q["sql"][:80] for q in reads]
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    statements = [q["sql"].lstrip().split()[0].upper() for q in warm.captured_queries]
    # nothing read; the scan record is one INSERT, or none when Redis buffers it
    assert statements == ([] if settings.REDIS_URL else ["INSERT"])


def test_scan_page_is_light_and_works_without_javascript(client, lot):
    response = client.get(f"/01/{GTIN14}/10/L2026-07")
    compressed = len(gzip.compress(response.content))
    assert compressed < 30 * 1024, compressed
    page = body(response)
    assert "<script" not in page  # no JS
    # CSS and the icon inline, no web fonts: nothing for the browser to fetch before painting
    assert all(href.startswith("data:") for href in re.findall(r'<link [^>]*href="([^"]*)"', page))
    for image in re.findall(r"<img [^>]+>", page):
        assert 'loading="lazy"' in image and "width=" in image and "height=" in image


def test_short_codes_avoid_look_alikes_and_serials_cannot_be_guessed(lot):
    assert not set("01ILO") & set(CODE_ALPHABET)
    assert len(lot.short_code) == 10 and set(lot.short_code) <= set(CODE_ALPHABET)
    label = Label.objects.create(lot=lot)
    bits = len(label.serial) * __import__("math").log2(len(CODE_ALPHABET))
    assert bits >= 64


def test_label_sheet_decodes_back_to_scan_pages_in_vi_and_en(client, lot, tmp_path):
    out = tmp_path / "labels.png"
    call_command(
        "make_labels", lot="L2026-07", count=24, format="png", out=str(out), stdout=io.StringIO()
    )
    found = zxingcpp.read_barcodes(Image.open(out), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 24
    uris = {code.text for code in found}
    assert uris == {f"https://ocop.test/01/{GTIN14}/10/L2026-07"}
    for uri in uris:
        path = urlsplit(uri).path
        assert "Chè Shan tuyết Tủa Chùa" in body(client.get(path))
        assert "Certified OCOP 4-star" in body(client.get(path, HTTP_ACCEPT_LANGUAGE="en"))


def test_serialised_labels_pdf_and_svg(client, lot, tmp_path):
    pdf = tmp_path / "labels.pdf"
    call_command(
        "make_labels",
        lot="L2026-07",
        count=30,
        serialised=True,
        format="pdf",
        out=str(pdf),
        stdout=io.StringIO(),
    )
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().count(b"/Type /Page\n") >= 2
    assert Label.objects.filter(lot=lot).count() == 30
    png = tmp_path / "serials.png"
    call_command(
        "make_labels",
        lot="L2026-07",
        count=3,
        serialised=True,
        format="png",
        out=str(png),
        stdout=io.StringIO(),
    )
    decoded = [
        code.text
        for code in zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)
    ]
    assert len(set(decoded)) == 3
    for uri in decoded:
        serial = uri.rsplit("/21/", 1)[1]
        page = body(client.get(urlsplit(uri).path + "?lang=en"))
        assert serial in page and "not in our records" not in page
    svg = tmp_path / "labels.svg"
    call_command(
        "make_labels", lot="L2026-07", count=5, format="svg", out=str(svg), stdout=io.StringIO()
    )
    assert svg.read_text().count("<path d=") == 5


def test_products_without_gtin_get_small_short_code_qr(lot):
    from traceability.digital_link import lot_uri

    lot.product.gtin = ""
    lot.product.save()
    lot.refresh_from_db()
    uri = lot_uri(lot)
    assert uri == f"https://ocop.test/q/{lot.short_code}"
    version, _mask, _matrix = qr_matrix(uri)
    smallest = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    smallest.add_data(uri)
    smallest.best_fit()
    assert version == smallest.version <= 3
    too_small = qrcode.QRCode(
        version=version - 1, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    too_small.add_data(uri)
    with pytest.raises(qrcode.exceptions.DataOverflowError):
        too_small.make(fit=False)


def test_lots_and_trace_api(client, lot):
    lots = client.get(f"/api/v1/lots?product={lot.product_id}").json()["results"]
    assert lots == [
        {
            "code": "L2026-07",
            "product_id": lot.product_id,
            "produced_on": lot.produced_on.isoformat(),
            "best_before": lot.best_before.isoformat(),
            "qr_uri": f"https://ocop.test/01/{GTIN14}/10/L2026-07",
        }
    ]
    trace = client.get(f"/api/v1/trace/{lot.short_code}").json()
    assert trace["certification"]["status"] == "active" and trace["certified_when_made"] is True
    assert trace["lot"]["origin_commune"]["name"] == "Xã Sín Chải"
    assert trace["events"][0]["kind"] == "harvest"
    assert client.get("/api/v1/trace/ABCDEFGHJK").status_code == 404
    assert client.get("/api/v1/trace/nope!").status_code == 400


def test_product_page_carries_json_ld_with_certification(client, lot):
    page = body(client.get(lot.product.get_absolute_url()))
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', page).group(1))
    assert data["@type"] == "Product" and data["gtin13"] == GTIN14[1:]  # a padded GTIN-13
    assert data["sameAs"] == f"https://ocop.test/01/{GTIN14}"
    certification = data["hasCertification"]
    assert certification["certificationIdentification"] == "777/QĐ-UBND"
    assert certification["certificationRating"]["ratingValue"] == 4
    assert certification["certificationStatus"] == "https://schema.org/CertificationActive"


def test_region_is_kept_only_when_the_visitor_shares_it(client, lot):
    url = f"/q/{lot.short_code}"
    client.get(url + "?region=FR")  # not shared: ignored
    client.get(url + "?region=FR&share=1")
    client.get(url + "?region=Paris&share=1")  # not a coarse region we offer
    flush_scans()
    assert list(Scan.objects.order_by("pk").values_list("region", flat=True)) == ["", "FR", ""]


def test_counterfeit_signals_reach_staff(client, staff_client, lot, settings):
    settings.SCAN_ALERT_SOURCES_PER_LABEL = 3
    settings.SCAN_ALERT_UNKNOWN_REPEATS = 3
    label = Label.objects.create(lot=lot)
    for n in range(5):  # one unit, scanned in five different places
        client.get(f"/01/{GTIN14}/10/L2026-07/21/{label.serial}", REMOTE_ADDR=f"198.51.100.{n}")
    for _ in range(3):
        client.get("/q/ZZZZZZZZZZ")
    page = staff_client.get("/admin/").content.decode()
    assert label.serial in page and "có thể đã bị sao chép" in page
    assert "q/ZZZZZZZZZZ" in page


@pytest.mark.skipif(not __import__("os").environ.get("REDIS_URL"), reason="needs Redis")
def test_scans_buffered_in_redis_reach_the_database_in_batches(client, lot, settings):
    settings.SCAN_BUFFER_FLUSH_AT = 5
    settings.SCAN_PUSH_BATCH = 1
    for _ in range(4):
        client.get(f"/q/{lot.short_code}")
    assert Scan.objects.count() == 0  # still in the Redis list
    client.get(f"/q/{lot.short_code}")  # the fifth crosses the threshold
    assert Scan.objects.count() == 5
    client.get(f"/q/{lot.short_code}")
    call_command("flush_scans", stdout=io.StringIO())
    assert Scan.objects.count() == 6


def test_scan_page_links_to_the_producer_page_and_where_to_buy(client, lot):
    from cms.models import HomePage
    from directory.models import ProducerIndexPage, ProducerPage

    home = HomePage.objects.filter(locale__language_code="vi").first()
    index = home.add_child(instance=ProducerIndexPage(title="Chủ thể", slug="chu-the"))
    producer = lot.product.producer
    page = index.add_child(instance=ProducerPage(title=producer.name, producer=producer))
    page.save_revision().publish()

    html = body(client.get(f"/q/{lot.short_code}?lang=en"))
    assert f'<a href="{page.url}">{producer.name}</a>' in html
    assert "#where-to-buy" in html and "Where to buy" in html

    page.unpublish()  # the cached scan page forgets the link at once
    html = body(client.get(f"/q/{lot.short_code}?lang=en"))
    assert f'href="{page.url}"' not in html and producer.name in html


# --- What counts as a scan -------------------------------------------------------------------

PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/126 Mobile Safari"
# A person scanning with Zalo's or Facebook's QR reader opens the page in the app's browser.
ZALO_BROWSER = (
    "Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36 Zalo android/12010567 "
    "ZaloTheme/light ZaloLanguage/vi"
)
FACEBOOK_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.40.95;FBBV/620418186]"
)
BOTS = {
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Facebook preview": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp preview": "WhatsApp/2.24.10.79 A",
    "Telegram preview": "TelegramBot (like TwitterBot)",
    "Skype preview": "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
    "a crawler": "Mozilla/5.0 (compatible; SemrushCrawler/1.0)",
    "a spider": "Mozilla/5.0 (compatible; Baiduspider/2.0)",
    "Zalo's link preview": "Mozilla/5.0 (compatible; ZaloBot/1.0; link preview)",
}
# (method, path suffix, headers): what a request is, and whether it is a scan.
REQUESTS = {
    "a person's GET": ("get", "", {"HTTP_USER_AGENT": PHONE}, 1),
    "GET in Zalo's browser": ("get", "", {"HTTP_USER_AGENT": ZALO_BROWSER}, 1),
    "GET in Facebook's browser": ("get", "", {"HTTP_USER_AGENT": FACEBOOK_BROWSER}, 1),
    "GET without a User-Agent": ("get", "", {}, 1),
    "GET of the traceability link": ("get", "?linkType=gs1:traceability", {}, 1),
    "HEAD": ("head", "", {"HTTP_USER_AGENT": PHONE}, 0),
    "OPTIONS": ("options", "", {"HTTP_USER_AGENT": PHONE}, 0),
    "linkset by Accept": ("get", "", {"HTTP_ACCEPT": "application/linkset+json"}, 0),
    "linkset by linkType": ("get", "?linkType=linkset", {}, 0),
    "all links": ("get", "?linkType=all", {}, 0),
    "pip redirect": ("get", "?linkType=gs1:pip", {"HTTP_USER_AGENT": PHONE}, 0),
    "certificate redirect": ("get", "?linkType=gs1:certificationInfo", {}, 0),
    **{f"GET by {name}": ("get", "", {"HTTP_USER_AGENT": ua}, 0) for name, ua in BOTS.items()},
}


def scans_recorded():
    flush_scans()
    return Scan.objects.count()


@pytest.mark.parametrize("uri", ["digital link", "short code"])
@pytest.mark.parametrize("case", REQUESTS)
def test_only_a_persons_get_of_the_scan_page_counts(client, lot, case, uri):
    method, suffix, headers, counted = REQUESTS[case]
    path = f"/01/{GTIN14}/10/L2026-07" if uri == "digital link" else f"/q/{lot.short_code}"
    response = getattr(client, method)(path + suffix, **headers)
    assert response.status_code in (200, 204, 307)
    assert scans_recorded() == counted


def test_a_bot_asking_for_an_unknown_code_is_no_counterfeit_signal(client, lot):
    client.get("/q/ABCDEFGHJK", HTTP_USER_AGENT=BOTS["Googlebot"])
    client.head("/q/ABCDEFGHJL")
    assert scans_recorded() == 0
    client.get("/q/ABCDEFGHJM", HTTP_USER_AGENT=PHONE)
    flush_scans()
    assert list(Scan.objects.values_list("unknown_code", flat=True)) == ["q/ABCDEFGHJM"]


def test_ipv6_sources_are_limited_per_64(client, settings, lot):
    settings.SCAN_RATE_PER_CODE = 3
    url = f"/q/{lot.short_code}"
    # One subscriber's /64: a new address for every request is still one source.
    statuses = [client.get(url, REMOTE_ADDR=f"2001:db8:7:42::{n:x}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="2001:db8:7:42:ffff:1:2:3").status_code == 429
    # The neighbouring /64 is another subscriber.
    assert client.get(url, REMOTE_ADDR="2001:db8:7:43::1").status_code == 200
    flush_scans()
    hashes = list(Scan.objects.values_list("source_hash", flat=True))
    assert len(hashes) == 4 and len(set(hashes)) == 2
