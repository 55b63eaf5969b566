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
