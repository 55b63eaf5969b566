"""Test data builders for producers, certificates and certified products."""

import datetime

import factory
from django.utils import timezone
from oscar.test.factories import create_product

from traceability.models import Certification, Producer
from traceability.rules import validity_end

TODAY = datetime.date(2026, 6, 15)


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"HTX Chè Shan tuyết số {n}")
    kind = "cooperative"
    tax_code = factory.Sequence(lambda n: f"56{n:08d}")
    commune_code = 3217  # Xã Tủa Chùa, Điện Biên
    story = "Hợp tác xã trồng và chế biến chè Shan tuyết cổ thụ."


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    registry_id = factory.Sequence(lambda n: f"DB-TEST-{n:04d}")
    product_name = "Chè Shan tuyết"
    producer = factory.SubFactory(ProducerFactory)
    product_group = "food"
    stars = 4
    score = 75
    issuer = "UBND tỉnh Điện Biên"
    decision_no = factory.Sequence(lambda n: f"{n + 100}/QĐ-UBND")
    decision_date = datetime.date(2025, 3, 10)
    valid_until = factory.LazyAttribute(lambda o: validity_end(o.decision_date))
    status = "active"
    updated_at = factory.LazyFunction(timezone.now)


def certified_product(price=1250000, stock=10, certification=None, title=None, **kwargs):
    """A public product with a stock record, its producer, and a certificate valid today."""
    if certification is None:
        today = timezone.localdate()
        certification = CertificationFactory(decision_date=today - datetime.timedelta(days=200))
    product = create_product(
        title=title or certification.product_name,
        product_class="Sản phẩm OCOP",
        price=price,
        num_in_stock=stock,
        producer=certification.producer,
        certification=certification,
        **kwargs,
    )
    return product


def placed_order(*items, method="vietqr", language="vi", user=None, guest_email="khach@example.vn"):
    """An order placed the way checkout places it: `items` are (product, quantity) pairs."""
    from oscar.core.loading import get_class, get_model
    from oscar.test.factories import create_order

    from shop.order import actions

    Basket = get_model("basket", "Basket")
    Selector = get_class("partner.strategy", "Selector")
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    return create_order(
        basket=basket,
        user=user,
        guest_email="" if user else guest_email,
        **actions.initial_fields(method, language),
    )


def bulk_catalogue(count, *, per_producer=4, categories=("Chè", "Gạo", "Mật ong"), images=0):
    """`count` public products that may be sold today, in a few bulk INSERTs whatever `count` is.

    Each has a certificate (3–5★, valid today), a stock record and a category; with `images` (True
    or n) every product (or every n-th) has a small photo of its own. Producers have
    `per_producer` products each. For query budgets and the page benchmark (10,000 products in
    seconds); `create_product` costs about 15 queries a product. Returns the products, with ids.
    """
    import io
    import secrets

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from oscar.core.loading import get_model
    from PIL import Image

    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductCategory = get_model("catalogue", "ProductCategory")
    ProductImage = get_model("catalogue", "ProductImage")
    Category = get_model("catalogue", "Category")
    Partner = get_model("partner", "Partner")
    StockRecord = get_model("partner", "StockRecord")

    batch = secrets.token_hex(3)  # several calls in one database never collide
    today = timezone.localdate()
    now = timezone.now()
    product_class, _ = ProductClass.objects.get_or_create(name="Sản phẩm OCOP")
    partner, _ = Partner.objects.get_or_create(name="HTX Nông sản Tủa Chùa")
    shelves = [
        Category.objects.filter(name=name, depth=1).first() or Category.add_root(name=name)
        for name in categories
    ]
    producers = Producer.objects.bulk_create(
        Producer(
            name=f"HTX {batch} số {n}",
            slug=f"htx-{batch}-{n}",
            kind="cooperative",
            tax_code=f"57{batch}{n:05d}"[:20],
            commune_code=3217,
            story="Hợp tác xã trồng và chế biến nông sản.",
        )
        for n in range(-(-count // per_producer))
    )
    certificates = Certification.objects.bulk_create(
        Certification(
            registry_id=f"BULK-{batch}-{n}",
            product_name=f"Chè Shan tuyết {batch} {n}",
            producer=producers[n // per_producer],
            product_group="food",
            stars=3 + n % 3,
            score=60 + n % 40,
            issuer="UBND tỉnh Điện Biên",
            decision_no=f"{n}/QĐ-UBND",
            decision_date=today - datetime.timedelta(days=100 + n % 300),
            valid_until=today + datetime.timedelta(days=200 + n % 600),
            updated_at=now,
        )
        for n in range(count)
    )
    products = Product.objects.bulk_create(
        Product(
            structure=Product.STANDALONE,
            product_class=product_class,
            title=certificate.product_name,
            slug=f"che-shan-tuyet-{batch}-{n}",
            upc=f"B{batch}{n:06d}",
            description="Chè Shan tuyết cổ thụ, hái tay, sao thủ công.",
            producer=certificate.producer,
            certification=certificate,
            is_public=True,
            date_created=now - datetime.timedelta(minutes=n),
        )
        for n, certificate in enumerate(certificates)
    )
    if not products[0].pk:  # backends that return no ids from a bulk INSERT
        products = list(Product.objects.filter(upc__startswith=f"B{batch}").order_by("upc"))
    StockRecord.objects.bulk_create(
        StockRecord(
            product=product,
            partner=partner,
            partner_sku=f"SKU-{batch}-{n}",
            price_currency="VND",
            price=50000 + 5000 * (n % 100),
            num_in_stock=100,
        )
        for n, product in enumerate(products)
    )
    ProductCategory.objects.bulk_create(
        ProductCategory(product=product, category=shelves[n % len(shelves)])
        for n, product in enumerate(products)
    )
    if images:
        rows = []
        for n, product in enumerate(products[:: int(images)]):
            buffer = io.BytesIO()
            Image.new("RGB", (64, 48), (n * 37 % 256, 120, 80)).save(buffer, "JPEG")
            name = default_storage.save(
                f"images/products/bulk-{batch}-{n}.jpg", ContentFile(buffer.getvalue())
            )
            rows.append(ProductImage(product=product, original=name, display_order=0))
        ProductImage.objects.bulk_create(rows)
    return products


def labelled_lot(product):
    """Give `product` a GTIN of its own (893…, valid check digit) and a lot; returns the lot's
    GS1 Digital Link path, as printed on its label."""
    from traceability.models import Lot
    from traceability.validators import gtin_check_digit

    body = f"0893{product.pk:09d}"
    product.gtin = body + gtin_check_digit(body)
    product.save()
    today = timezone.localdate()
    lot, _ = Lot.objects.get_or_create(
        product=product,
        code=f"L{product.pk}",
        defaults={
            "produced_on": today - datetime.timedelta(days=10),
            "best_before": today + datetime.timedelta(days=300),
        },
    )
    return f"/01/{product.gtin}/10/{lot.code}"


def home():
    """The Vietnamese home page (the root of the site's page tree)."""
    from cms.models import HomePage

    return HomePage.objects.filter(locale__language_code="vi").first()


def publish(parent, page):
    """`page` added under `parent` and published, as an editor would."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
