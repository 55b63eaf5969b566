"""The scan page offers what the basket sells: buying follows the certificate and the stock.

Each certificate state (and a certified product out of stock) is scanned in Vietnamese, English
and French; the buttons, the "not for sale" line, the linkset's purchase link and the trace API
all say the same thing. A lot past its best-before date is flagged near the verdict.
"""

import datetime
import json
import re

import pytest
from django.utils import timezone
from oscar.core.loading import get_class
from oscar.test.factories import create_product

from tests.factories import CertificationFactory, ProducerFactory, certified_product
from traceability.models import Lot

pytestmark = pytest.mark.django_db

Selector = get_class("partner.strategy", "Selector")

BUY = {"vi": ("Mua thêm", "Gửi hàng về nhà"), "en": ("Buy more", "Ship it home")}
BUY["fr"] = ("Acheter", None)  # the French "Ship it home" is checked through its link
WHERE = {"vi": "Mua ở đâu", "en": "Where to buy"}
NOT_CERTIFIED = {
    "vi": "Không bán: sản phẩm này không có giấy chứng nhận OCOP còn hiệu lực.",
    "en": "Not for sale: this product holds no current OCOP certificate.",
    "fr": "Pas en vente : ce produit n’a pas de certificat OCOP en cours de validité.",
}
OUT_OF_STOCK = {
    "vi": "Tạm thời không bán trực tuyến: sản phẩm đã hết hàng.",
    "en": "Not for sale online at the moment: out of stock.",
    "fr": "Pas en vente en ligne pour le moment : rupture de stock.",
}


def today():
    return timezone.localdate()


def certificate(state):
    """A certificate in a given state today (None for "none")."""
    day = datetime.timedelta(days=1)
    if state == "none":
        return None
    if state == "expiring":
        return CertificationFactory(
            decision_date=today() - 1000 * day, valid_until=today() + 10 * day
        )
    if state == "expired":
        return CertificationFactory(
            decision_date=today() - 1200 * day, valid_until=today() - 5 * day
        )
    status = {"valid": "active", "suspended": "suspended", "revoked": "revoked"}[state]
    return CertificationFactory(
        decision_date=today() - 200 * day, status=status, status_reason="Kiểm tra chất lượng"
    )


def product_in(state, stock=10):
    cert = certificate(state)
    if cert is None:
        return create_product(
            title="Rượu Mông pê Tả Chải",
            product_class="Sản phẩm OCOP",
            price=180000,
            num_in_stock=stock,
            producer=ProducerFactory(),
            certification=None,
        )
    return certified_product(certification=cert, stock=stock, title="Chè Shan tuyết Tủa Chùa")


def scan_lot(product, best_before=None):
    return Lot.objects.create(
        product=product,
        code="L2026-09",
        produced_on=today() - datetime.timedelta(days=400),
        best_before=best_before,
    )


def basket_accepts(product):
    """What the add-to-basket form asks of the shop's strategy."""
    info = Selector().strategy().fetch_for_product(product)
    return info.availability.is_purchase_permitted(1)[0]


def scan(client, lot, language):
    response = client.get(f"/q/{lot.short_code}?lang={language}")
    assert response.status_code == 200 and response["Content-Language"] == language
    return response.content.decode()


def shop_links(page, product):
    """The hrefs of the scan page's buttons pointing at the product's shop page."""
    path = product.get_absolute_url().split("/", 2)[2]  # without the language prefix
    return [href for href in re.findall(r'<a class="btn" href="([^"]+)"', page) if path in href]


@pytest.mark.parametrize(
    ("state", "sellable"),
    [
        ("valid", True),
        ("expiring", True),
        ("expired", False),
        ("suspended", False),
        ("revoked", False),
        ("none", False),
    ],
)
@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_scan_page_offers_a_purchase_only_when_the_basket_accepts_it(
    client, state, sellable, language
):
    product = product_in(state)
    lot = scan_lot(product)
    assert bool(basket_accepts(product)) is sellable  # the rule the page must follow
    page = scan(client, lot, language)
    links = shop_links(page, product)
    buy, ship = BUY[language]
    if sellable:
        assert buy in page and (ship is None or ship in page)
        assert sorted(href.partition("#")[2] for href in links) == ["", "buy", "where-to-buy"]
        assert NOT_CERTIFIED[language] not in page and 'class="not-for-sale"' not in page
    else:
        assert links == []  # no buy, ship or where-to-buy button
        assert buy not in page and (ship is None or ship not in page)
        assert NOT_CERTIFIED[language] in page
    if language in WHERE:
        assert (WHERE[language] in page) is sellable
    # who made it and the lot are shown whatever the state
    assert product.producer.name in page and "L2026-09" in page


@pytest.mark.parametrize("language", ["vi", "en", "fr"])
def test_out_of_stock_offers_where_to_buy_but_no_online_purchase(client, language):
    product = product_in("valid", stock=0)
    lot = scan_lot(product)
    assert not basket_accepts(product)
    page = scan(client, lot, language)
    links = shop_links(page, product)
    assert [href.partition("#")[2] for href in links] == ["where-to-buy"]
    assert BUY[language][0] not in page
    assert OUT_OF_STOCK[language] in page and NOT_CERTIFIED[language] not in page


def test_stock_coming_back_shows_the_buttons_on_the_next_scan(client):
    product = product_in("valid", stock=0)
    lot = scan_lot(product)
    assert "Buy more" not in scan(client, lot, "en")
    record = product.stockrecords.get()
    record.num_in_stock = 5
    record.save()
    page = scan(client, lot, "en")
    assert "Buy more" in page and "Ship it home" in page and OUT_OF_STOCK["en"] not in page


@pytest.mark.parametrize(
    ("state", "stock", "for_sale"),
    [("valid", 10, True), ("revoked", 10, False), ("expired", 10, False), ("valid", 0, False)],
)
def test_linkset_and_trace_api_agree_with_the_page(client, state, stock, for_sale):
    product = product_in(state, stock=stock)
    lot = scan_lot(product)
    linkset = json.loads(
        client.get(f"/q/{lot.short_code}?lang=en", HTTP_ACCEPT="application/linkset+json").content
    )["linkset"][0]
    pip = linkset["https://gs1.org/voc/pip"][0]
    # the link to the product page stays (gs1:pip), titled as a purchase only while on sale
    assert pip["href"].endswith(product.get_absolute_url().split("/", 2)[2])
    expected = "Buy in the shop" if for_sale else "Product page in the shop (not for sale)"
    assert pip["title"] == expected
    vi = json.loads(
        client.get(f"/q/{lot.short_code}?lang=vi", HTTP_ACCEPT="application/linkset+json").content
    )["linkset"][0]["https://gs1.org/voc/pip"][0]
    assert vi["title"] == (
        "Mua tại cửa hàng" if for_sale else "Trang sản phẩm trong cửa hàng (không bán)"
    )
    trace = client.get(f"/api/v1/trace/{lot.short_code}").json()
    assert trace["product"]["for_sale"] is for_sale


def test_a_lot_past_its_best_before_date_is_flagged_even_when_certified(client):
    product = product_in("valid")
    past = scan_lot(product, best_before=today() - datetime.timedelta(days=3))
    day = past.best_before.strftime("%d/%m/%Y")

    en = scan(client, past, "en")
    assert f"This lot passed its best-before date on {day}." in en
    assert "Certified OCOP 4-star product today" in en  # the certificate verdict is unchanged
    warning = en.index("passed its best-before date")
    assert en.index("<section") < warning < en.index("</section>")  # inside the verdict box
    vi = scan(client, past, "vi")
    assert f"Lô hàng này đã quá hạn sử dụng từ ngày {day}." in vi
    fr = scan(client, past, "fr")
    assert f"Ce lot a dépassé sa date de durabilité minimale le {day}." in fr
    assert client.get(f"/api/v1/trace/{past.short_code}").json()["lot"]["past_best_before"]


@pytest.mark.parametrize("days", [0, 30])
def test_a_lot_within_its_best_before_date_has_no_warning(client, days):
    lot = scan_lot(product_in("valid"), best_before=today() + datetime.timedelta(days=days))
    assert "best-before date on" not in scan(client, lot, "en")
    assert "quá hạn sử dụng" not in scan(client, lot, "vi")
    assert client.get(f"/api/v1/trace/{lot.short_code}").json()["lot"]["past_best_before"] is False
