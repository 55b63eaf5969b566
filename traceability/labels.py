"""Print-ready label sheets: A4, 300 dpi, a grid of stickers each with its QR code and text.

QR codes come from `qrcode` at error correction M with the smallest version that fits. Sheets
are drawn one page at a time and written as they are drawn, so memory stays flat however many
labels are asked for (PDF pages are streamed through Pillow's PDF writer one by one).

A printed code cannot be recalled: codes are drawn only for a public https SITE_URL
(`config.origin.label_origin_problem`), except on a demo sheet, where every sticker says
"DEMO SAMPLE – not for products" in Vietnamese and English.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from config.origin import label_origin_problem

from .certification import standing
from .digital_link import lot_uri
from .models import Label

DPI = 300
A4 = (2480, 3508)  # 210 × 297 mm at 300 dpi
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)


def mm(value):
    return round(value / 25.4 * DPI)


class UnprintableOrigin(ValueError):
    """SITE_URL is not an origin a printed QR code may carry (and the sheet is no demo)."""


def printing_refusal(problem):
    return _(
        "No labels were printed: %(problem)s. A printed QR code cannot be recalled, so it must "
        "name the site's public https address (SITE_URL)."
    ) % {"problem": problem}


def require_printable_origin():
    """Raise UnprintableOrigin when SITE_URL must not be printed on a real label."""
    problem = label_origin_problem()
    if problem:
        raise UnprintableOrigin(printing_refusal(problem))


def demo_notice():
    """The demo mark, in Vietnamese and in English (whoever finds the sheet reads it)."""
    lines = []
    for language in ("vi", "en"):
        with translation.override(language):
            lines.append(_("DEMO SAMPLE – not for products"))
    return tuple(lines)


@dataclass(frozen=True)
class SheetLayout:
    """A sticker sheet: label size, grid and margins in millimetres."""

    name: str
    columns: int
    rows: int
    width_mm: float
    height_mm: float
    top_mm: float
    left_mm: float
    gap_x_mm: float = 0
    gap_y_mm: float = 0

    @property
    def per_sheet(self):
        return self.columns * self.rows


LAYOUTS = {
    # A4 3 × 8, 70 × 37 mm (e.g. Avery 3474, Tanex/Decal A4 24 tem): the default
    "a4-24": SheetLayout("a4-24", 3, 8, 70, 37, 0.5, 0),
    # A4 4 × 10, 48.5 × 25.4 mm (e.g. Avery 3657): small packs
    "a4-40": SheetLayout("a4-40", 4, 10, 48.5, 25.4, 21.5, 8),
    # A4 2 × 7, 99.1 × 38.1 mm (e.g. Avery L7163): bottles and boxes
    "a4-14": SheetLayout("a4-14", 2, 7, 99.1, 38.1, 15.1, 4.7, 2.5, 0),
}


@lru_cache(maxsize=64)
def qr_matrix(uri, mask_pattern=None):
    """The QR code's module matrix: smallest version that fits at error correction M.

    Choosing the mask means trying all eight (most of the cost of a code); a sheet job picks it
    once, on its first label, and reuses it for labels of the same shape. Any mask decodes.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(uri)
    code.best_fit()  # the smallest version that holds the data
    mask = code.best_mask_pattern() if mask_pattern is None else mask_pattern
    code.makeImpl(False, mask)
    return code.version, mask, tuple(tuple(row) for row in code.get_matrix())


def qr_image(uri, size_px, mask_pattern=None):
    """A greyscale QR image of about `size_px` pixels with a 4-module quiet zone."""
    _version, _mask, matrix = qr_matrix(uri, mask_pattern)
    modules = len(matrix) + 8
    box = max(1, size_px // modules)
    quiet = [255] * modules
    rows = [quiet] * 4
    rows += [[255] * 4 + [0 if dark else 255 for dark in row] + [255] * 4 for row in matrix]
    rows += [quiet] * 4
    tiny = Image.frombytes("L", (modules, modules), bytes(v for row in rows for v in row))
    return tiny.resize((modules * box, modules * box), Image.Resampling.NEAREST)


def _font(size):
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


@dataclass
class LabelText:
    title: str
    producer: str
    place: str
    lot: str
    best_before: str
    stars: int | None
    notice: tuple = ()  # the demo mark, first on every sticker of a demo sheet


def label_text(lot, demo=False):
    """What a label says; the star mark only while the certificate allows it."""
    product = lot.product
    today = standing(lot.product.certification)
    return LabelText(
        title=product.get_title(),
        producer=product.producer.name if product.producer_id else "",
        place=product.producer.commune_name if product.producer_id else "",
        lot=_("Lot %(code)s") % {"code": lot.code},
        best_before=(
            _("Best before %(day)s") % {"day": lot.best_before.strftime("%d/%m/%Y")}
            if lot.best_before
            else ""
        ),
        stars=today.stars,
        notice=demo_notice() if demo else (),
    )


def _wrap(draw, text, font, width, max_lines):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines[:max_lines]


def text_tile(text, fonts, width, height):
    """The words of a label, drawn once per sheet job (they are the same on every sticker)."""
    tile = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(tile)
    big, small = fonts
    y = 0
    star_line = height - big.size - 2
    for line in text.notice:  # white on black, above everything else, whole
        for part in _wrap(draw, line, small, width, 3):
            # Room for the marks above Vietnamese capitals (Ẫ), which rise above the ascender.
            _left, top, _right, bottom = draw.textbbox((1, 0), part, font=small)
            shift = max(0, -top) + 2
            draw.rectangle((0, y, width, y + shift + max(bottom, small.size) + 2), fill=0)
            draw.text((1, y + shift), part, font=small, fill=255)
            y += shift + max(bottom, small.size) + 4
    for line in _wrap(draw, text.title, big, width, 2):
        if y + big.size > star_line:
            break
        draw.text((0, y), line, font=big, fill=0)
        y += big.size + 4
    for line in (text.producer, text.place, text.lot, text.best_before):
        for part in _wrap(draw, line, small, width, 2) if line else ():
            if y + small.size > star_line:
                break
            draw.text((0, y), part, font=small, fill=0)
            y += small.size + 3
    if text.stars:
        draw.text((0, star_line), f"OCOP {'★' * text.stars}", font=big, fill=0)
    return tile


def draw_label(page, box, uri, words, mask_pattern=None):
    left, top, _width, height = box
    pad = mm(2)
    qr_size = height - 2 * pad
    page.paste(qr_image(uri, qr_size, mask_pattern), (left + pad, top + pad))
    page.paste(words, (left + pad + qr_size + pad, top + pad))


def label_uris(lot, count, serialised):
    """(uri, label) for each sticker: new serialised labels, or the lot's URI repeated."""
    if not serialised:
        uri = lot_uri(lot)
        for _ in range(count):
            yield uri
        return
    batch = []
    for _ in range(count):
        batch.append(Label(lot=lot))
        if len(batch) == 500:
            yield from _save_labels(batch)
            batch = []
    yield from _save_labels(batch)


def _save_labels(batch):
    Label.objects.bulk_create(batch)
    for label in batch:
        yield lot_uri(label.lot, label)


def pages(lot, count, serialised=False, layout=LAYOUTS["a4-24"], progress=None, demo=False):
    """Yield one A4 page (greyscale, 300 dpi) at a time; `progress(n)` once a page is taken."""
    width, height = mm(layout.width_mm), mm(layout.height_mm)
    pad = mm(2)
    qr_size = height - 2 * pad
    words = text_tile(
        label_text(lot, demo),
        (_font(mm(3.2)), _font(mm(2.4))),
        width - qr_size - 3 * pad,
        height - 2 * pad,
    )
    page, slot, mask = None, 0, None
    for uri in label_uris(lot, count, serialised):
        if mask is None:
            _version, mask, _matrix = qr_matrix(uri)
        if page is None:
            page = Image.new("L", A4, 255)
        column, row = slot % layout.columns, slot // layout.columns
        box = (
            mm(layout.left_mm + column * (layout.width_mm + layout.gap_x_mm)),
            mm(layout.top_mm + row * (layout.height_mm + layout.gap_y_mm)),
            width,
            height,
        )
        draw_label(page, box, uri, words, mask)
        slot += 1
        if slot == layout.per_sheet:
            yield page.convert("1", dither=Image.Dither.NONE)
            _report(progress, slot)
            page, slot = None, 0
    if page is not None:
        yield page.convert("1", dither=Image.Dither.NONE)
        _report(progress, slot)


def _report(progress, labels):
    if progress is not None:
        progress(labels)


class _PageSequence(Image.Image):
    """Pages drawn on demand, one in memory at a time, for Pillow's multi-page PDF writer."""

    def __init__(self, generator, count):
        super().__init__()
        self._pages = generator
        self.n_frames = count
        self._frame = -1
        self.seek(0)

    def seek(self, frame):
        if frame != self._frame + 1:
            if frame == self._frame:
                return
            raise EOFError("pages are drawn in order")
        try:
            page = next(self._pages)
        except StopIteration:
            raise EOFError from None
        self.im, self._mode, self._size = page.im, page.mode, page.size
        self._frame = frame

    def tell(self):
        return self._frame


def write_sheet(
    lot, out, fmt, count=None, serialised=False, layout="a4-24", progress=None, demo=False
):
    """Write `count` labels (default: one sheet) as PDF, PNG or SVG; return files written.

    `progress(n)` is called with the number of labels on each page once it is drawn and handed
    to the writer. UnprintableOrigin, before anything is drawn, when SITE_URL is not fit for a
    real label; `demo=True` draws a sheet whose every sticker says it is a demo.
    """
    if not demo:
        require_printable_origin()
    layout = LAYOUTS[layout]
    count = count or layout.per_sheet
    out = Path(out)
    if fmt == "svg":
        return _write_svg(lot, out, count, serialised, layout, progress, demo)
    generator = pages(lot, count, serialised, layout, progress, demo)
    page_count = -(-count // layout.per_sheet)
    # A demo sheet's file says so too, for whoever opens it without looking.
    marked = {"title": " / ".join(demo_notice())} if demo else {}
    if fmt == "pdf":
        sequence = _PageSequence(generator, page_count)
        sequence.save(out, "PDF", save_all=True, resolution=DPI, **marked)
        next(generator, None)  # Pillow stops at the last page: let the generator finish
        return [out]
    if fmt == "png":
        written = []
        if demo:
            marked = {"pnginfo": PngImagePlugin.PngInfo()}
            marked["pnginfo"].add_itxt("Title", " / ".join(demo_notice()))
        for number, page in enumerate(generator, 1):
            path = out if page_count == 1 else out.with_name(f"{out.stem}-{number}{out.suffix}")
            page.save(path, "PNG", dpi=(DPI, DPI), optimize=False, **marked)
            written.append(path)
        return written
    raise ValueError(f"unknown format {fmt!r} (pdf, png or svg)")


def _write_svg(lot, out, count, serialised, layout, progress=None, demo=False):
    """Vector sheets: one SVG per page, QR codes as paths, text as text."""
    from xml.sax.saxutils import escape

    text = label_text(lot, demo)
    written, page, slot, number = [], None, 0, 0

    def flush(labels):
        nonlocal page, number
        number += 1
        path = out if count <= layout.per_sheet else out.with_name(f"{out.stem}-{number}.svg")
        path.write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
            'viewBox="0 0 210 297">' + "".join(page) + "</svg>",
            encoding="utf-8",
        )
        written.append(path)
        page = None
        _report(progress, labels)

    for uri in label_uris(lot, count, serialised):
        page = page or []
        column, row = slot % layout.columns, slot // layout.columns
        x = layout.left_mm + column * (layout.width_mm + layout.gap_x_mm)
        y = layout.top_mm + row * (layout.height_mm + layout.gap_y_mm)
        size = layout.height_mm - 4
        _version, _mask, matrix = qr_matrix(uri)
        n = len(matrix) + 8
        dark = "".join(
            f"M{col + 4},{line + 4}h1v1h-1z"
            for line, cells in enumerate(matrix)
            for col, on in enumerate(cells)
            if on
        )
        page.append(
            f'<svg x="{x + 2}" y="{y + 2}" width="{size}" height="{size}" viewBox="0 0 {n} {n}">'
            f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{dark}" fill="#000"/></svg>'
        )
        tx, ty = x + size + 4, y + 6
        lines = [*text.notice, text.title, text.producer, text.place, text.lot, text.best_before]
        if text.stars:
            lines.append(f"OCOP {'★' * text.stars}")
        for index, line in enumerate(filter(None, lines)):
            size_and_weight = (
                'font-size="2.6" font-weight="bold"'
                if line in text.notice
                else f'font-size="{3.2 if line == text.title else 2.6}"'
            )
            page.append(
                f'<text x="{tx}" y="{ty + index * 4.2}" {size_and_weight} '
                f'font-family="sans-serif">{escape(line[:40])}</text>'
            )
        slot += 1
        if slot == layout.per_sheet:
            flush(slot)
            slot = 0
    if page:
        flush(slot)
    return written
