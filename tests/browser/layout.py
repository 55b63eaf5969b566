"""Layout checks run in the page: nothing wider than the screen, product cards whose title and
price keep apart."""

# Parts of the page wider than the screen, each with its widest descendant, ignoring what
# sits inside a sideways scroller (the header's row of links is one on purpose).
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const scrolls = el => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const x = getComputedStyle(e).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return true;
    }
    return false;
  };
  const wide = Array.from(document.body.querySelectorAll("*"))
    .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el));
  return [`page ${document.documentElement.scrollWidth}px wide on a ${width}px screen`].concat(
    wide.slice(-5).map(el => el.outerHTML.slice(0, 120)));
}"""

# Product cards whose title and price overlap, or that spill out of their own box.
CARD_CLASHES = """() => {
  const clashes = [];
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
                            && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const card of document.querySelectorAll("article")) {
    const title = card.querySelector("h2, h3");
    const price = Array.from(card.querySelectorAll("*")).find(
      el => /₫|VND/.test(el.textContent) && !Array.from(el.children).some(
        child => /₫|VND/.test(child.textContent)));
    if (!title || !price) continue;
    const t = title.getBoundingClientRect(), p = price.getBoundingClientRect();
    const c = card.getBoundingClientRect();
    if (overlap(t, p)) clashes.push(`title over price: ${title.textContent.trim().slice(0, 40)}`);
    if (t.right > c.right + 1 || t.left < c.left - 1)
      clashes.push(`title outside its card: ${title.textContent.trim().slice(0, 40)}`);
  }
  return clashes;
}"""


def layout_problems(page):
    return [f"{page.url} {problem}" for problem in page.evaluate(OVERFLOW)] + [
        f"{page.url} {problem}" for problem in page.evaluate(CARD_CLASHES)
    ]


# --- Bad input on a phone ----------------------------------------------------------------------
