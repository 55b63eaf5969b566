"""Page weight: what Chromium downloads for each page a shopper or a tourist meets, against budgets.

For each page, on a phone-sized viewport with an empty HTTP cache (a first visit): the requests,
the bytes transferred (compressed, headers included, as DevTools counts them; product photos
listed apart and left out of the total) and, for the pages that have one, the largest
contentful paint on a simulated slow 3G line with a 4× slower CPU.

    .venv/bin/python -m benchmarks.page_weight                 # serves the demo like production
    .venv/bin/python -m benchmarks.page_weight --base-url https://staging.example --scan-path /01/…

`tests/browser/test_budgets.py` fails when a budget is exceeded; this prints the same table.
"""

import argparse
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KB = 1000  # bytes, as DevTools shows "kB"
PHONE = {"width": 390, "height": 844}
# WebPageTest's "3G Slow" (400 ms round trip, 400 kbit/s each way), applied by Chromium to every
# request; throughput is in bytes per second.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
CPU_SLOWDOWN = 4  # a mid-range Android phone against a desktop core, as Lighthouse assumes


@dataclass(frozen=True)
class Budget:
    kilobytes: int
    requests: int
    lcp_seconds: float | None = None


SCAN = Budget(kilobytes=30, requests=5, lcp_seconds=2.5)
STOREFRONT = Budget(kilobytes=120, requests=15, lcp_seconds=3.0)
CHECKOUT = Budget(kilobytes=120, requests=15)

LCP_SCRIPT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entry = list.getEntries().at(-1);
    const element = entry.element;
    resolve({
      ms: entry.startTime,
      element: element ? element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") : "",
    });
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(null), 3000);
})"""


@dataclass
class Resource:
    url: str
    kind: str
    status: int
    bytes: int
    photo: bool


@dataclass
class Measurement:
    name: str
    url: str
    budget: Budget
    resources: list[Resource] = field(default_factory=list)
    lcp_ms: float | None = None
    lcp_element: str = ""

    @property
    def bytes(self):
        return sum(r.bytes for r in self.resources if not r.photo)

    @property
    def photo_bytes(self):
        return sum(r.bytes for r in self.resources if r.photo)

    @property
    def photos(self):
        return sum(r.photo for r in self.resources)

    @property
    def requests(self):
        return len(self.resources)

    def biggest(self, count=5):
        ranked = sorted((r for r in self.resources if not r.photo), key=lambda r: -r.bytes)
        return ", ".join(f"{urlsplit(r.url).path} {r.bytes / KB:.1f} kB" for r in ranked[:count])

    def broken(self):
        """Requests that failed or got an error: a page must not count as light by missing parts."""
        return [f"{r.status or 'failed'} {r.url}" for r in self.resources if not 0 < r.status < 400]

    def lcp(self):
        return float("inf") if self.lcp_ms is None else self.lcp_ms

    def only_slow(self):
        """Within the budget's bytes and requests, over its paint time."""
        return (
            self.over_budget()
            and self.bytes <= self.budget.kilobytes * KB
            and (self.requests <= self.budget.requests)
        )

    def over_budget(self):
        """What exceeds the budget, each with the figures that explain it; empty when within."""
        problems = []
        if self.bytes > self.budget.kilobytes * KB:
            problems.append(
                f"{self.name}: {self.bytes / KB:.1f} kB > {self.budget.kilobytes} kB; "
                f"biggest: {self.biggest()}"
            )
        if self.requests > self.budget.requests:
            paths = ", ".join(urlsplit(r.url).path for r in self.resources)
            problems.append(
                f"{self.name}: {self.requests} requests > {self.budget.requests}: {paths}"
            )
        if self.budget.lcp_seconds is not None and (
            self.lcp_ms is None or self.lcp_ms > self.budget.lcp_seconds * 1000
        ):
            shown = "none" if self.lcp_ms is None else f"{self.lcp_ms / 1000:.2f} s"
            problems.append(
                f"{self.name}: largest contentful paint {shown} ({self.lcp_element}) > "
                f"{self.budget.lcp_seconds} s on slow 3G"
            )
        return problems


class Recorder:
    """Counts what one browser tab downloads, through the DevTools protocol."""

    def __init__(self, page, media_prefix="/media/"):
        self.page = page
        self.media_prefix = media_prefix
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.pending = {}
        self.done = []
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)

    def _resource(self, request_id, byte_count):
        url, kind, status = self.pending.pop(request_id)
        photo = kind == "Image" and urlsplit(url).path.startswith(self.media_prefix)
        self.done.append(Resource(url, kind, status, int(byte_count), photo))

    def _sent(self, event):
        if not event["request"]["url"].startswith("http"):
            return  # data: URIs travel inside the page
        request_id, redirect = event["requestId"], event.get("redirectResponse")
        if redirect and request_id in self.pending:  # every hop of a redirect has the same id
            url, kind, _ = self.pending[request_id]
            self.pending[request_id] = (url, kind, redirect["status"])
            self._resource(request_id, redirect.get("encodedDataLength", 0))
        self.pending[request_id] = (event["request"]["url"], event.get("type", ""), 0)

    def _received(self, event):
        if event["requestId"] in self.pending:
            url, _, _ = self.pending[event["requestId"]]
            self.pending[event["requestId"]] = (url, event["type"], event["response"]["status"])

    def _finished(self, event):
        if event["requestId"] in self.pending:
            self._resource(event["requestId"], event["encodedDataLength"])

    def _failed(self, event):
        if event["requestId"] in self.pending:
            self._resource(event["requestId"], 0)

    def throttle(self, on):
        conditions = (
            SLOW_3G
            if on
            else {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        )
        self.cdp.send("Network.emulateNetworkConditions", conditions)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN if on else 1})

    def measure(self, name, url, budget):
        """Load `url` with an empty HTTP cache (cookies kept) and count what came down."""
        self.cdp.send("Network.clearBrowserCache")
        self.pending.clear()
        self.done = []
        timed = budget.lcp_seconds is not None
        self.throttle(timed)
        try:
            self.page.goto(url, wait_until="load", timeout=60000)
            self.page.wait_for_load_state("networkidle", timeout=60000)
            lcp = self.page.evaluate(LCP_SCRIPT) if timed else None
        finally:
            self.throttle(False)
        measurement = Measurement(name, url, budget, list(self.done))
        if lcp:
            measurement.lcp_ms, measurement.lcp_element = lcp["ms"], lcp["element"]
        return measurement


PRODUCT_LINK = re.compile(r"/shop/catalogue/[\w-]+_\d+/$")


def fresh_tab(browser, base_url):
    """A first visit: a new browser context has no cache and no cookies."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(30000)
    return page


def measure_pages(browser, base_url, scan_path=None, product_path=None):
    """Every page of the budgets, in Vietnamese, each measured as a first visit."""
    results = []

    def visit(name, path, budget):
        page = fresh_tab(browser, base_url)
        try:
            measurement = Recorder(page).measure(name, urljoin(base_url, path), budget)
            links = page.locator("a[href]").evaluate_all("links => links.map(a => a.pathname)")
        finally:
            page.context.close()
        return measurement, links

    def alone(name, path, budget):
        measurement, links = visit(name, path, budget)
        if measurement.only_slow():
            # Paint times vary with the machine's load; bytes and requests do not.
            measurement = min(measurement, visit(name, path, budget)[0], key=Measurement.lcp)
        results.append(measurement)
        return links

    if scan_path:
        alone("scan page", scan_path, SCAN)
    alone("home", "/", STOREFRONT)
    links = alone("product list", "/shop/catalogue/", STOREFRONT)
    products = (
        [product_path] if product_path else unique(h for h in links if PRODUCT_LINK.search(h))
    )
    alone("product", products[0], STOREFRONT)
    results.extend(checkout_pages(browser, base_url, products))
    return results


def unique(items):
    return list(dict.fromkeys(items))


def checkout_pages(browser, base_url, product_paths):
    """A guest's way from the basket to the order preview, paying cash on delivery, with the
    first of `product_paths` that is for sale."""
    page = fresh_tab(browser, base_url)
    recorder = Recorder(page)
    results = []

    def step(name):
        results.append(recorder.measure(name, page.url, CHECKOUT))

    try:
        buy = page.locator("form[action*='/basket/add/'] [type=submit]")
        for path in product_paths:
            page.goto(path)
            if buy.count():
                break
        else:
            raise LookupError(f"none of these products is for sale: {product_paths}")
        buy.first.click()
        page.wait_for_load_state()
        page.goto("/shop/basket/")
        step("basket, one item")
        page.goto("/shop/checkout/")
        step("checkout: guest e-mail")
        page.locator("input[name=username]").fill("khach@example.vn")
        page.locator("input[name=username]").press("Enter")
        page.wait_for_url("**/shipping-address/")
        step("checkout: address")
        page.locator("input[name=full_name]").fill("Nguyễn Thị Lan")
        page.locator("input[name=phone_number]").fill("0912 345 678")
        page.locator("select[name=province_code]").select_option(label="Thành phố Hà Nội")
        page.wait_for_function(
            "() => document.querySelector('select[name=commune_code]').options.length > 2"
        )
        page.locator("select[name=commune_code]").select_option(label="Phường Hoàn Kiếm")
        page.locator("input[name=line1]").fill("12 Phố Huế")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url("**/shipping-method/")
        step("checkout: delivery")
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url("**/payment-method/")
        step("checkout: payment")
        page.locator("input[name=method][value=cod]").check()
        page.locator("form.payment-methods button[type=submit]").click()
        page.wait_for_url("**/preview/")
        step("checkout: preview")
    finally:
        page.context.close()
    return results


def table(results):
    """The figures, one page a line, with the budget beside each."""
    lines = [
        f"{'page':24} {'kB':>6} {'req':>4} {'LCP s':>10}   {'budget':22} {'photos, not in kB':>18}",
    ]
    for m in results:
        budget = f"{m.budget.kilobytes} kB, {m.budget.requests} req"
        if m.budget.lcp_seconds:
            budget += f", {m.budget.lcp_seconds} s"
        lcp = "–" if m.lcp_ms is None else f"{m.lcp_ms / 1000:.2f} {m.lcp_element}"
        photos = f"{m.photos} = {m.photo_bytes / KB:.0f} kB" if m.photos else "–"
        flag = "  OVER" if m.over_budget() else ""
        lines.append(
            f"{m.name:24} {m.bytes / KB:>6.1f} {m.requests:>4} {lcp:>10}   {budget:22} "
            f"{photos:>18}{flag}"
        )
    lines.append(
        "kB = 1000 bytes transferred (compressed, headers included), empty cache, 390×844; "
        f"LCP on {SLOW_3G['latency']} ms + {SLOW_3G['downloadThroughput'] * 8 / 1000:.0f} kbit/s,"
        f" CPU {CPU_SLOWDOWN}× slower"
    )
    return "\n".join(lines)


def chromium():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("Chromium is needed (Debian package 'chromium')")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    return playwright, browser


def serve_demo_and_measure(browser):
    """The demo on a scratch database, served like production on 127.0.0.1, measured."""
    import tempfile

    scratch = tempfile.mkdtemp(prefix="ocop-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{scratch}/media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, ORM calls
    import django

    django.setup()
    from django.core.management import call_command

    from tests.browser.serving import production_like_server
    from traceability.digital_link import lot_uri
    from traceability.models import Lot

    call_command("migrate", verbosity=0)
    call_command("load_demo", admin_password="bench", stdout=open(os.devnull, "w"))
    lot = Lot.objects.exclude(product__gtin="").select_related("product").first()
    with production_like_server() as base_url:
        scan_path = urlsplit(lot_uri(lot)).path
        return measure_pages(browser, base_url, scan_path=scan_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="measure this site instead of serving the demo")
    parser.add_argument("--scan-path", help="a label's path on that site, e.g. /01/…/10/…")
    args = parser.parse_args()
    playwright, browser = chromium()
    try:
        if args.base_url:
            results = measure_pages(browser, args.base_url, scan_path=args.scan_path)
        else:
            results = serve_demo_and_measure(browser)
    finally:
        browser.close()
        playwright.stop()
    print(table(results))
    for m in results:
        for problem in m.over_budget():
            print("over budget:", problem)


if __name__ == "__main__":
    main()
