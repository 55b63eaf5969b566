"""A guest's order page on a 390 px phone, in Chromium: table headers and cells keep whole
words (none squeezed to a letter a line), prices stay on one line, nothing is wider than the
screen. In Vietnamese and English, with a long product name and a large total."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.layout import layout_problems
from tests.factories import certified_product, placed_order

# Cells of order tables narrower than their longest word, and prices spread over several lines.
SQUEEZED = """() => {
  const found = [];
  const canvas = document.createElement("canvas").getContext("2d");
  for (const cell of document.querySelectorAll(".order-table th, .order-table td")) {
    const style = getComputedStyle(cell);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const word of cell.innerText.split(/\\s+/).filter(Boolean)) {
      const width = canvas.measureText(word).width;
      if (width > inner + 1)
        found.push(`"${word}" (${Math.round(width)}px) in ${Math.round(inner)}px`);
    }
  }
  for (const price of document.querySelectorAll(".order-table .price")) {
    const range = document.createRange();
    range.selectNodeContents(price);
    const lines = new Set(Array.from(range.getClientRects()).map(rect => Math.round(rect.top)));
    if (lines.size > 1) found.push(`price on ${lines.size} lines: ${price.innerText}`);
  }
  return found;
}"""


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_guest_order_page_reads_on_a_390px_phone(phone, prefix):
    honey = certified_product(
        price=1_250_000, stock=20, title="Mật ong hoa ban Mường Phăng nguyên chất hộp quà 500 g"
    )
    tea = certified_product(price=185_000, stock=20, title="Chè Shan tuyết Tủa Chùa")
    order = placed_order((honey, 12), (tea, 3), language=prefix.strip("/") or "vi")
    phone.goto(f"{prefix}/shop/payments/{order.number}/{order.verification_hash()}/")
    assert phone.locator(".order-table th").count() >= 3
    assert phone.evaluate(SQUEEZED) == []
    assert layout_problems(phone) == []
    screenshot(phone, f"guest-order-status{prefix.replace('/', '-') or '-vi'}")
