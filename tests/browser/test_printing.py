"""Staff reports printed to PDF by Chromium, as the README tells staff to: every section and the
last row of every table must be on paper, not cut off at the height of the admin's screen.

Chromium prints with `page.pdf()` (print media, A4); `pdftotext` (poppler-utils, installed by
`make test`) reads the PDF back.
"""

import datetime
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, DESKTOP, screenshot
from tests.browser.shopping import say
from tests.conftest import DEMO_PASSWORD

# For each heading and table of the report's printable part: its text, and for every table its
# number of rows and the texts of the cells of its last row.
READ_REPORT = """(root) => {
    const text = (el) => el.innerText.replace(/\\s+/g, " ").trim();
    return {
        headings: [...root.querySelectorAll("h1, h2, h3")].map(text).filter(Boolean),
        tables: [...root.querySelectorAll("table")].map((table) => {
            const rows = table.querySelectorAll("tbody tr");
            const last = rows[rows.length - 1];
            return {rows: rows.length, last: last ? [...last.cells].map(text) : []};
        }),
    };
}"""


def pdf_text(path):
    """The PDF's text, whitespace folded, and its number of pages."""
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is not installed: `make test` installs Debian's poppler-utils")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.count("\f")
    return fold(text), pages


def fold(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def sign_in(page, username="admin"):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def print_to_pdf(page, path):
    """Chromium's "Save as PDF" of the page (print media, the page's own @page size)."""
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / path.name)
    return pdf_text(path)


def assert_printed_whole(page, root_selector, pdf_path):
    """Every heading under `root_selector` and the last row of its longest table are in the
    PDF; returns what was read from the page and the PDF's page count."""
    shown = page.locator(root_selector).evaluate(READ_REPORT)
    text, pages = print_to_pdf(page, pdf_path)
    missing = [heading for heading in shown["headings"] if fold(heading) not in text]
    assert missing == [], f"headings not printed: {missing}"
    longest = max(shown["tables"], key=lambda table: table["rows"], default=None)
    if longest:
        cut = [cell for cell in longest["last"] if cell and fold(cell) not in text]
        assert cut == [], f"last row of the longest table not printed: {longest['last']}"
    return shown, pages


def test_the_programme_report_prints_every_section_and_row(open_page, demo_url, tmp_path):
    page = open_page(demo_url, viewport=DESKTOP)
    sign_in(page)
    end = timezone.localdate()
    start = end.replace(year=end.year - 4) + datetime.timedelta(days=1)
    page.goto(f"/admin/reports/?start={start}&end={end}")
    report = page.locator(".ocop-report")
    assert report.get_by_role("heading", name=say("vi", "Sales (paid, not refunded)")).count()

    shown, pages = assert_printed_whole(page, ".ocop-report", tmp_path / "programme.pdf")
    screenshot(page, "programme-report")
    # The title, the summary, products by stars, four kinds of certificates, fairs, livestreams,
    # scans and sales.
    assert len(shown["headings"]) == 11
    assert max(table["rows"] for table in shown["tables"]) >= 20
    assert pages > 1
    # What only the screen needs stays off paper.
    text, _ = pdf_text(tmp_path / "programme.pdf")
    assert say("vi", "Show the report") not in text
    assert say("vi", "Download as XLSX") not in text


def test_the_staff_dashboard_prints_every_section(open_page, demo_url, tmp_path):
    page = open_page(demo_url, viewport=DESKTOP)
    sign_in(page)
    page.goto("/admin/insight/?days=180")
    shown, pages = assert_printed_whole(page, ".ocop-insight", tmp_path / "insight.pdf")
    assert len(shown["headings"]) >= 4
    assert shown["tables"]  # so the last-row check in assert_printed_whole ran
    assert pages > 1


def test_the_exports_page_prints_its_list(open_page, demo_url, tmp_path):
    page = open_page(demo_url, viewport=DESKTOP)
    sign_in(page)
    page.goto("/admin/reports/exports/")
    lines = page.locator("main .nice-padding > p, main .nice-padding li").all_inner_texts()
    text, pages = print_to_pdf(page, tmp_path / "exports.pdf")
    assert len(lines) >= 2 and pages == 1
    assert [line for line in lines if fold(line) not in text] == []
