"""Demo data: the programme's real cases from the 2023 plan plus clearly marked samples.

Certificates go through the same import path as the registry feed; products, producers,
images (drawn with Pillow now, not stored in git) and the home page are created here.
Running it again updates in place.
"""

import datetime
import io
import json
import secrets
from pathlib import Path

from anyascii import anyascii
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont
from wagtail.models import Locale

from cms.models import HomePage, SiteIdentity
from config.origin import sync_sites
from staff.provisioning import ensure_roles
from staff.roles import EDITORS, MODERATORS, REGISTRY_OFFICERS, SHOP_STAFF
from traceability.models import Certification, Lot, LotEvent, Producer, Source
from traceability.rules import ProductGroup
from traceability.sync import run_sync

DATA_DIR = Path(__file__).resolve().parent / "demo_data"

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")

GROUP_COLOURS = {
    ProductGroup.FOOD: ((11, 107, 58), (196, 160, 58)),
    ProductGroup.BEVERAGES: ((120, 38, 60), (224, 170, 90)),
    ProductGroup.HERBAL: ((46, 94, 40), (150, 190, 110)),
    ProductGroup.TEXTILES: ((150, 30, 40), (40, 50, 120)),
    ProductGroup.SOUVENIRS: ((110, 72, 30), (210, 170, 110)),
    ProductGroup.TOURISM: ((20, 80, 120), (120, 180, 200)),
}
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
)


def read_json(name):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _font(size):
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def vertical_gradient(width, height, top, bottom):
    """An RGB picture shading from colour `top` to colour `bottom` (demo pictures)."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def child_page(parent, model, slug, fields):
    """The child page of `model` at `slug` under `parent`, created or updated (not published)."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for name, value in fields.items():
            setattr(page, name, value)
    return page


def publish(page):
    page.save_revision().publish()
    return page


def placeholder_image(title, group, width=800, height=600):
    """A JPEG that says what the product is: a gradient in the group's colours and the title."""
    top, bottom = GROUP_COLOURS.get(group, ((80, 80, 80), (160, 160, 160)))
    image = vertical_gradient(width, height, top, bottom)
    draw = ImageDraw.Draw(image)
    font, unicode_ok = _font(44)
    small, _ = _font(26)
    text = title if unicode_ok else anyascii(title)
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) > width - 80 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = height // 2 - 28 * len(lines)
    for line in lines[:5]:
        draw.text((40, y), line, font=font, fill="white")
        y += 56
    caption = "Ảnh minh họa · OCOP" if unicode_ok else "Anh minh hoa - OCOP"
    draw.text((40, height - 60), caption, font=small, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def rebase_samples(records, sample_ids, as_of, today):
    """Move sample certificates' dates so that, seen from today, they stand as they did on
    `as_of` (some expiring, some lapsed). Real records keep their dates."""
    shift = today - as_of
    for record in records:
        if record["id"] in sample_ids and shift:
            record = dict(record)
            for name in ("decision_date", "valid_until"):
                day = datetime.date.fromisoformat(record[name]) + shift
                record[name] = day.isoformat()
            updated = datetime.datetime.fromisoformat(record["updated_at"]) + shift
            record["updated_at"] = updated.isoformat()
        yield record


def load_certifications(sample_ids, log):
    """The demo feed file, through the same sync as the registry's feed."""
    feed = read_json("registry_feed.json")
    today = timezone.localdate()
    records = list(
        rebase_samples(
            feed["results"], sample_ids, datetime.date.fromisoformat(feed["as_of"]), today
        )
    )
    run = run_sync(
        [records],
        source=Source.FEED,
        location="cms/demo_data/registry_feed.json",
        started_by="load_demo",
        skip_stale=False,
    )
    log(
        f"certifications: {run.created} created, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.skipped} skipped"
    )
    for problem in run.problems:
        log(f"  ! {problem}")
    Certification.objects.filter(registry_id__in=sample_ids).update(is_demo=True)
    return run


def load_producers(producers, log):
    by_tax_code = {}
    for row in producers:
        producer, _ = Producer.objects.update_or_create(
            tax_code=row["tax_code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "commune_code": row["commune_code"],
                "phone": row.get("phone", ""),
                "story": row.get("story_vi", ""),
                "is_demo": row["is_demo"],
            },
        )
        by_tax_code[row["tax_code"]] = producer
    log(f"producers: {len(by_tax_code)}")
    return by_tax_code


def _categories():
    with translation.override("vi"):
        return {group: create_from_breadcrumbs(str(group.label)) for group in ProductGroup}


def load_products(products, producers, log):
    goods, _ = ProductClass.objects.get_or_create(
        name="Sản phẩm OCOP", defaults={"requires_shipping": True, "track_stock": True}
    )
    services, _ = ProductClass.objects.get_or_create(
        name="Dịch vụ du lịch OCOP", defaults={"requires_shipping": False, "track_stock": True}
    )
    categories = _categories()
    certificates = {c.registry_id: c for c in Certification.objects.all()}
    images = 0
    for row in products:
        producer = producers[row["producer_tax_code"]]
        group = ProductGroup(row["product_group"])
        certificate = certificates.get(row["registry_id"]) if row["registry_id"] else None
        product, _ = Product.objects.update_or_create(
            upc=row["sku"],
            defaults={
                "title": row["title"],
                "description": "".join(
                    f"<p>{para}</p>" for para in row["description_vi"].split("\n") if para
                ),
                "product_class": services if group == ProductGroup.TOURISM else goods,
                "producer": producer,
                "certification": certificate,
                "gtin": row.get("gtin") or "",
                "is_demo": row["is_demo"],
                "is_public": True,
            },
        )
        ProductCategory.objects.get_or_create(product=product, category=categories[group])
        partner, _ = Partner.objects.get_or_create(
            code=producer.slug, defaults={"name": producer.name}
        )
        StockRecord.objects.update_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": row["sku"],
                "price": row["price"],
                "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
                "num_in_stock": row["stock"],
            },
        )
        if not product.images.exists():
            image = ProductImage(product=product, caption=row["title"], display_order=0)
            name = f"{product.slug or row['sku'].lower()}.jpg"
            image.original.save(
                name, ContentFile(placeholder_image(row["title"], group)), save=True
            )
            images += 1
    log(f"products: {len(products)} ({images} images drawn)")


LOT_STEPS = (
    ("harvest", -20, "Thu hái nguyên liệu tại vùng trồng của chủ thể"),
    ("processing", -10, "Sơ chế, chế biến tại xưởng"),
    ("packing", 0, "Đóng gói, dán tem truy xuất"),
    ("inspection", 2, "Kiểm tra chất lượng lô trước khi xuất bán"),
)


def demo_production_day(product, today):
    """A production day that tells the certificate's story: within its validity when it had one."""
    certificate = product.certification
    if certificate is None:
        return today - datetime.timedelta(days=60)
    day = certificate.decision_date + datetime.timedelta(days=120)
    latest = min(today - datetime.timedelta(days=7), certificate.valid_until)
    return max(certificate.decision_date, min(day, latest))


def load_lots(log):
    """One lot per physical product, with its steps, so every product has a label to scan."""
    today = timezone.localdate()
    made = 0
    products = Product.objects.select_related("certification", "producer", "product_class")
    for index, product in enumerate(products.filter(product_class__requires_shipping=True), 1):
        produced_on = demo_production_day(product, today)
        perishable = product.certification is None or product.certification.product_group in (
            "food",
            "beverages",
            "herbal",
        )
        lot, created = Lot.objects.get_or_create(
            product=product,
            code=f"L{produced_on:%y%m}-{index:02d}",
            defaults={
                "produced_on": produced_on,
                "best_before": produced_on + datetime.timedelta(days=540) if perishable else None,
                "quantity": 200,
                "origin_commune_code": product.producer.commune_code if product.producer else None,
            },
        )
        if created:
            made += 1
            LotEvent.objects.bulk_create(
                LotEvent(
                    lot=lot,
                    kind=kind,
                    happened_on=produced_on + datetime.timedelta(days=offset),
                    note=note,
                )
                for kind, offset, note in LOT_STEPS
            )
    log(f"lots: {made} new, {Lot.objects.count()} in all")


HOME_VI = {
    "title": "Sản phẩm OCOP Điện Biên",
    "hero": "Sản phẩm OCOP Điện Biên — đúng sao, đúng nguồn gốc",
    "intro": (
        "<p>Mua trực tiếp sản phẩm của các chủ thể OCOP trong tỉnh: chè Shan tuyết, gạo, "
        "cà phê, thổ cẩm và dịch vụ du lịch cộng đồng. Số sao và giấy chứng nhận của từng sản "
        "phẩm được đối chiếu với cơ sở dữ liệu chứng nhận của tỉnh mỗi ngày.</p>"
        "<p><em>Trang trình diễn: phần lớn sản phẩm là dữ liệu mẫu, được ghi rõ trên từng "
        "sản phẩm.</em></p>"
    ),
    "points_of_sale": "Tìm điểm bán",
    "featured": "Sản phẩm OCOP nổi bật",
    "tea": "Chè Shan tuyết cổ thụ",
    "map": "Mỗi xã một sản phẩm",
    "map_text": "Các xã, phường có chủ thể OCOP (vị trí trên bản đồ là gần đúng).",
    "banner": "Quét tem, biết nguồn gốc",
    "banner_text": (
        "Mỗi lô sản phẩm OCOP có tem QR: quét để xem số sao, giấy chứng nhận và nơi làm ra."
    ),
    "banner_button": "Xem tin tức chương trình",
}
HOME_EN = {
    "title": "OCOP products of Điện Biên",
    "hero": "OCOP products of Điện Biên — true stars, true origin",
    "intro": (
        "<p>Buy directly from the province's OCOP producers: Shan tuyết tea, rice, coffee, "
        "brocade and community tourism. Each product's stars and certificate are checked "
        "against the province's certification registry every day.</p>"
        "<p><em>Demo site: most products are sample data, marked as such on each product.</em></p>"
    ),
    "points_of_sale": "Find a shop",
    "featured": "Featured OCOP products",
    "tea": "Ancient Shan tuyết tea",
    "map": "One commune, one product",
    "map_text": "Communes and wards with OCOP producers (map positions are approximate).",
    "banner": "Scan the label, know the origin",
    "banner_text": (
        "Every lot of an OCOP product carries a QR label: scan it to see the stars, the "
        "certificate and where it was made."
    ),
    "banner_button": "Read the programme's news",
}
TEA_PICKS = 4
LOGO_TITLE = "Logo OCOP (trình diễn)"


def home_body(texts):
    """The demo home page's blocks, as stored (raw StreamField data), in one language."""
    from directory.models import PointOfSaleIndexPage
    from news.models import NewsIndexPage
    from shop.catalogue.selectors import certified_products

    points = PointOfSaleIndexPage.objects.filter(locale__language_code="vi").first()
    news = NewsIndexPage.objects.filter(locale__language_code="vi").first()
    teas = list(
        certified_products()
        .filter(title__icontains="Shan tuyết")
        .order_by("-certification__stars", "title")
        .values_list("pk", flat=True)[:TEA_PICKS]
    )
    hero_link = {"text": texts["points_of_sale"], "page": points.pk} if points else {}
    body = [
        {
            "type": "hero",
            "value": {
                "heading": texts["hero"],
                "text": texts["intro"],
                "link": hero_link,
                "shop_button": True,
            },
        },
        {"type": "livestreams", "value": {}},
        {"type": "featured_products", "value": {"heading": texts["featured"], "count": 8}},
        {"type": "upcoming_fairs", "value": {"count": 3}},
    ]
    if teas:
        body.append(
            {
                "type": "featured_products",
                "value": {"heading": texts["tea"], "source": "chosen", "products": teas},
            }
        )
    body += [
        {"type": "latest_news", "value": {"count": 3}},
        {"type": "communes_map", "value": {"heading": texts["map"], "text": texts["map_text"]}},
    ]
    if news:
        body.append(
            {
                "type": "call_to_action",
                "value": {
                    "heading": texts["banner"],
                    "text": texts["banner_text"],
                    "link": {"text": texts["banner_button"], "page": news.pk},
                },
            }
        )
    return body


def draw_logo(size=160):
    """A PNG mark for the demo: a gold star on the programme's green."""
    import math

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=(11, 107, 58))
    centre, outer, inner = size / 2, size * 0.38, size * 0.16
    points = [
        (
            centre + (outer if i % 2 == 0 else inner) * math.sin(math.pi * i / 5),
            centre - (outer if i % 2 == 0 else inner) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(points, fill=(255, 210, 122))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def demo_logo():
    """The demo logo as a Wagtail image, drawn and stored (through the default storage) once."""
    from django.core.files.images import ImageFile
    from wagtail.images import get_image_model

    WagtailImage = get_image_model()
    logo = WagtailImage.objects.filter(title=LOGO_TITLE).first()
    if logo is None:
        logo = WagtailImage(title=LOGO_TITLE)
        logo.file = ImageFile(io.BytesIO(draw_logo()), name="ocop-demo-logo.png")
        logo.save()
    return logo


def vietnamese_home():
    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        raise RuntimeError("The home page is missing: run `manage.py migrate` first")
    return home


def ensure_english_home(home):
    """The home page's English translation (content sections are translated beneath it)."""
    english, _ = Locale.objects.get_or_create(language_code="en")
    translation_page = home.get_translation_or_none(english)
    if translation_page is None:
        translation_page = home.copy_for_translation(english)
        translation_page.save_revision().publish()
    return translation_page


MENU_SECTIONS = [  # the home page's children shown in the main menu, in this order
    ("news", "NewsIndexPage"),
    ("events", "EventIndexPage"),
    ("events", "LivestreamIndexPage"),
    ("directory", "ProducerIndexPage"),
    ("directory", "PointOfSaleIndexPage"),
]  # communes are reached from the home page's map and from producers: a phone menu stays short


def show_sections_in_menu():
    """Put the content sections in the main menu, in MENU_SECTIONS order, in every language."""
    from django.apps import apps

    for home in HomePage.objects.all():
        sections = []
        for app_label, model_name in MENU_SECTIONS:
            model = apps.get_model(app_label, model_name)
            sections.extend(model.objects.child_of(home))
        previous = None
        for page in sections:
            if not page.show_in_menus:
                page.show_in_menus = True
                publish(page)
            if previous is not None:
                page.refresh_from_db()
                previous.refresh_from_db()
                if page.path < previous.path:
                    page.move(previous, pos="right")
            previous = page


def load_pages(log):
    """The home page (vi and its en translation) composed from blocks, and the site identity.

    Run after the directory, events and news loaders: the home page links to their pages.
    """
    home = vietnamese_home()
    home.title = HOME_VI["title"]
    home.body = home_body(HOME_VI)
    home.save_revision().publish()
    translation_page = ensure_english_home(home)
    translation_page.title = HOME_EN["title"]
    translation_page.body = home_body(HOME_EN)
    translation_page.save_revision().publish()
    identity = SiteIdentity.load()
    identity.programme_name = "Chương trình OCOP tỉnh Điện Biên (dữ liệu trình diễn)"
    identity.short_name = "OCOP Điện Biên"
    identity.logo = demo_logo()
    identity.operator = "Văn phòng Điều phối nông thôn mới tỉnh (ví dụ)"
    identity.email = "ocop@example.vn"
    # Example accounts for the demo: they belong to no one.
    identity.zalo = "https://zalo.me/ocopdienbien.example"
    identity.facebook = "https://www.facebook.com/ocop.dienbien.example"
    identity.tiktok = "https://www.tiktok.com/@ocop.dienbien.example"
    identity.youtube = "https://www.youtube.com/@ocop-dienbien-example"
    identity.full_clean()
    identity.save()
    log("pages: home (vi, en), site identity with logo and example social links")


def ensure_shipping_country():
    Country.objects.update_or_create(
        iso_3166_1_a2="VN",
        defaults={
            "iso_3166_1_a3": "VNM",
            "iso_3166_1_numeric": "704",
            "printable_name": "Việt Nam",
            "name": "Socialist Republic of Viet Nam",
            "is_shipping_country": True,
            "display_order": 1,
        },
    )


def ensure_staff_user(username="admin", password=None):
    """A superuser for the demo; returns (username, password) to print."""
    password = password or secrets.token_urlsafe(9)
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": "admin@ocop.example"}
    )
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return username, password


# One demo login per staff role, to try what each may and may not do.
ROLE_USERS = {
    "bientap": EDITORS,
    "kiemduyet": MODERATORS,
    "banhang": SHOP_STAFF,
    "chungnhan": REGISTRY_OFFICERS,
}


def ensure_role_users(password):
    """A demo user in each staff role (same password as the admin); returns (username, role)."""
    groups = ensure_roles()
    users = []
    for username, role in ROLE_USERS.items():
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@ocop.example"}
        )
        user.is_superuser = False
        user.set_password(password)
        user.save()
        user.groups.set([groups[role.name]])  # is_staff follows the role (staff.provisioning)
        users.append((username, role))
    return users


def load_content(log):
    """News, fairs, livestreams, producer, commune and point-of-sale pages of the demo."""
    from cms.demo_content.directory import load_directory
    from cms.demo_content.events import load_events
    from cms.demo_content.news import load_news

    load_directory(log=log)
    load_events(log=log)
    load_news(log=log)


def load_activity(log):
    """Half a year of scans and orders, so the staff dashboard's charts have figures."""
    import io

    from insight.activity import generate_activity
    from insight.rollups import refresh_rollups

    if get_model("order", "Order").objects.filter(number__startswith="G").exists():
        refresh_rollups()
        return
    made = generate_activity(scans=2000, orders=200, days=180, seed=2026, stream=io.StringIO())
    log(f"activity: {made['scans']} scans, {made['orders']} orders over 180 days")


@transaction.atomic
def load_demo(log=print, admin_password=None):
    # The demo's pages, feeds and labels name the address it is served on (`make demo PORT=…`).
    sync_sites()
    log(f"Site address: {settings.SITE_URL}")
    catalogue = read_json("catalogue.json")
    sample_ids = {
        p["registry_id"] for p in catalogue["products"] if p["is_demo"] and p["registry_id"]
    }
    load_certifications(sample_ids, log)
    producers = load_producers(catalogue["producers"], log)
    load_products(catalogue["products"], producers, log)
    load_lots(log)
    ensure_shipping_country()
    ensure_english_home(vietnamese_home())
    load_content(log)
    show_sections_in_menu()
    load_pages(log)
    load_activity(log)
    username, password = ensure_staff_user(password=admin_password)
    return username, password, ensure_role_users(password)
