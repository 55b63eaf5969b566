"""A printed label sheet, read as a printer and a phone read it: `make_labels` run by the
operator of the served demo, every QR code on the sheet decoded with zxing-cpp and opened
through the served site (as a person and as a machine asking for the linkset)."""

import zxingcpp
from PIL import Image

from tests.origins import absolute_urls, foreign_origins
from tests.served.conftest import FIGURES
from tests.served.test_crawl import BROWSER

LINKSET = "application/linkset+json"


def sellable_lot():
    from traceability.certification import standing
    from traceability.models import Lot

    for lot in Lot.objects.select_related("product__certification").order_by("pk"):
        if lot.product.gtin and standing(lot.product.certification).sellable:
            return lot
    raise AssertionError("the demo has no lot of a certified product with a GTIN")


def test_every_code_on_a_printed_sheet_opens_its_scan_page(served, tmp_path):
    lot = sellable_lot()
    out = tmp_path / "sheet.png"
    printed = served.manage(
        "make_labels",
        "--lot",
        lot.code,
        "--product",
        str(lot.product_id),
        "--format",
        "png",
        "--serialised",
        "--demo",  # the demo's origin is a loopback address: the sheet says it is a sample
        "--out",
        str(out),
    )
    assert printed.returncode == 0, printed.stderr
    codes = zxingcpp.read_barcodes(Image.open(out), formats=zxingcpp.BarcodeFormat.QRCode)
    uris = [code.text for code in codes]
    assert len(uris) >= 20, uris
    assert len(set(uris)) == len(uris)  # serialised: one address per label
    title = lot.product.get_title()
    for uri in uris:
        assert uri.startswith(served.url + "/"), uri
        page = served.get(uri, headers={**BROWSER, "Accept-Language": "vi"})
        assert page.status_code == 200, (uri, page.status_code)
        assert title in page.text and lot.code in page.text
        linkset = served.get(uri, headers={"Accept": LINKSET})
        assert linkset.status_code == 200, (uri, linkset.status_code)
        assert linkset.headers["Content-Type"].startswith(LINKSET)
        assert linkset.json()["linkset"][0]["anchor"].startswith(served.url + "/")
        for answer in (page, linkset):
            named = absolute_urls(answer.text + " " + answer.headers.get("Link", ""))
            assert foreign_origins(named, served.url) == []
        FIGURES.labels_decoded += 1
