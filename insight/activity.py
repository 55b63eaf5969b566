"""Made-up activity for demos and benchmarks: scans of the certified products' labels and shop
orders spread over the last days, written in batches, then rolled up.

Scans favour weekends and the monthly fair days; a minority of visitors share a coarse region, a
few codes are not ours, some scans are of serialised labels. Orders are real Oscar orders (lines,
a Vietnamese shipping address) whose stage, `paid_at` and `payment_due` agree with
`shop.order.statuses`: recent orders may still wait for money or the courier, older ones were
paid and delivered, some expired, were cancelled or refunded. Stock is not touched.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from config.progress import progress
from shop.order import statuses
from traceability.models import Certification, Label, Lot, Producer, Scan
from traceability.places import province_communes

from .rollups import refresh_rollups

BATCH = 5000
FAIR_DAY = 15  # the monthly market fair: more visitors, more scans
LANGUAGES = (("vi", 70), ("en", 18), ("fr", 7), ("", 5))
REGIONS = (("VN", 60), ("CN", 10), ("FR", 7), ("US", 6), ("KR", 5), ("JP", 4), ("other", 8))
CONSENT_SHARE = 0.22
UNKNOWN_SHARE = 0.03
LABEL_SHARE = 0.15
METHODS = ((statuses.VIETQR, 55), (statuses.COD, 35), (statuses.STRIPE, 10))
FREE_SHIPPING_FROM = 500000
SHIPPING_FEE = 30000
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Quàng")
GIVEN_NAMES = ("Văn An", "Thị Bình", "Minh Châu", "Thị Dung", "Văn Hùng", "Thu Hà", "Văn Khánh")
STREETS = ("Bản Na Sang", "Tổ dân phố 3", "Số 12 đường Võ Nguyên Giáp", "Bản Phiêng Lơi")


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def day_weights(days, today):
    """[(day, weight)] for the last `days` days: weekends ×1.6, the fair day ×3."""
    weights = []
    for offset in range(days):
        day = today - datetime.timedelta(days=offset)
        weight = 1.6 if day.weekday() >= 5 else 1.0
        if day.day == FAIR_DAY:
            weight *= 3
        weights.append((day, weight))
    return weights


class Moments:
    """Random aware datetimes over the last days, weighted by day, mostly in the daytime."""

    def __init__(self, rng, days, now):
        self.rng = rng
        self.now = now
        local_now = timezone.localtime(now)
        self.days, self.weights = zip(*day_weights(days, local_now.date()), strict=True)
        self.cumulative = list(_accumulate(self.weights))
        self.zone = local_now.tzinfo

    def __call__(self):
        day = self.rng.choices(self.days, cum_weights=self.cumulative)[0]
        hour = min(23, max(0, int(self.rng.gauss(14, 4))))
        moment = datetime.datetime.combine(
            day, datetime.time(hour, self.rng.randrange(60), self.rng.randrange(60))
        ).replace(tzinfo=self.zone)
        # Later today than now: the same hour yesterday instead.
        return moment if moment <= self.now else moment - datetime.timedelta(days=1)


def _accumulate(values):
    total = 0
    for value in values:
        total += value
        yield total


# --- What there is to scan and buy --------------------------------------------------------------


def ensure_catalogue(rng, products=4):
    """Certified products with a stock record and a lot; a few are made when there are none."""
    Product = get_model("catalogue", "Product")
    existing = list(
        Product.objects.filter(lots__isnull=False, stockrecords__isnull=False)
        .distinct()
        .select_related("producer", "certification")
    )
    if existing:
        return existing
    return [_make_product(rng, n) for n in range(products)]


def _make_product(rng, n):
    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    Partner = get_model("partner", "Partner")
    StockRecord = get_model("partner", "StockRecord")
    today = timezone.localdate()
    commune = rng.choice(province_communes())
    producer, _created = Producer.objects.get_or_create(
        tax_code=f"59{n:08d}",
        defaults={
            "name": f"Hợp tác xã mẫu {n + 1}",
            "kind": "cooperative",
            "commune_code": commune.code,
        },
    )
    certificate, _created = Certification.objects.get_or_create(
        registry_id=f"ACT-{n:04d}",
        defaults={
            "product_name": f"Sản phẩm OCOP mẫu {n + 1}",
            "producer": producer,
            "product_group": ("food", "beverages", "herbal", "textiles")[n % 4],
            "stars": 3 + n % 3,
            "score": 60 + 10 * (n % 3),
            "issuer": "UBND tỉnh",
            "decision_no": f"{n + 1}/QĐ-UBND",
            "decision_date": today - datetime.timedelta(days=300),
            "valid_until": today + datetime.timedelta(days=800),
            "updated_at": timezone.now(),
        },
    )
    product_class, _created = ProductClass.objects.get_or_create(
        name="Sản phẩm OCOP", defaults={"requires_shipping": True, "track_stock": True}
    )
    product = Product.objects.create(
        title=certificate.product_name,
        product_class=product_class,
        producer=producer,
        certification=certificate,
    )
    partner, _created = Partner.objects.get_or_create(name="Sàn OCOP")
    StockRecord.objects.create(
        product=product,
        partner=partner,
        partner_sku=f"ACT-{n:04d}",
        price=Decimal(rng.choice((85000, 120000, 150000, 250000, 320000))),
        num_in_stock=100000,
    )
    Lot.objects.create(
        product=product, code=f"ACT{n:02d}", produced_on=today - datetime.timedelta(days=200)
    )
    return product


def ensure_labels(lots, per_lot=20):
    """Serialised labels to scan: `per_lot` for each lot that has none."""
    have = set(Label.objects.filter(lot__in=lots).values_list("lot_id", flat=True).distinct())
    Label.objects.bulk_create(
        Label(lot=lot) for lot in lots if lot.pk not in have for _n in range(per_lot)
    )
    labels = {}
    for label_id, lot_id in Label.objects.filter(lot__in=lots).values_list("pk", "lot_id"):
        labels.setdefault(lot_id, []).append(label_id)
    return labels


# --- Scans -------------------------------------------------------------------------------------


def generate_scans(count, days, rng, now=None, stream=None):
    """Write `count` scans spread over the last `days` days; returns how many were written."""
    now = now or timezone.now()
    products = ensure_catalogue(rng)
    lots = list(Lot.objects.filter(product__in=products))
    labels = ensure_labels(lots)
    # Some products are scanned far more than others (a popular tea, a rare brocade).
    lot_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(lots))]
    rng.shuffle(lot_weights)
    unknown = [f"01/0893{rng.randrange(10**9):09d}{rng.randrange(10)}" for _n in range(25)]
    moment = Moments(rng, days, now)
    written = 0
    with progress(total=count, desc="scans", unit="scans", stream=stream) as bar:
        while written < count:
            size = min(BATCH, count - written)
            batch = [_scan(rng, moment, lots, lot_weights, labels, unknown) for _n in range(size)]
            Scan.objects.bulk_create(batch, batch_size=BATCH)
            written += size
            bar.update(size)
    return written


def _scan(rng, moment, lots, lot_weights, labels, unknown):
    language = _weighted(rng, LANGUAGES)
    region = _weighted(rng, REGIONS) if rng.random() < CONSENT_SHARE else ""
    if rng.random() < UNKNOWN_SHARE:
        return Scan(
            scanned_at=moment(),
            unknown_code=rng.choice(unknown),
            language=language,
            region=region,
            source_hash=f"{rng.getrandbits(64):016x}",
        )
    lot = rng.choices(lots, lot_weights)[0]
    label_id = None
    source = f"{rng.getrandbits(64):016x}"
    if rng.random() < LABEL_SHARE and labels.get(lot.pk):
        label_id = rng.choice(labels[lot.pk])
        # One unit is scanned by its buyer and a few people around them, not by strangers.
        source = f"{(label_id * 7919 + rng.randrange(3)) % 2**64:016x}"
    return Scan(
        scanned_at=moment(),
        lot_id=lot.pk,
        label_id=label_id,
        product_id_seen=lot.product_id,
        language=language,
        region=region,
        source_hash=source,
    )


# --- Orders ------------------------------------------------------------------------------------


def _stage(rng, method, placed, now, transfer_hours, card_minutes):
    """(status, paid_at, payment_due) for an order placed at `placed`, as things stand `now`."""
    age = now - placed
    hours = datetime.timedelta(hours=1)
    if method == statuses.VIETQR:
        due = placed + transfer_hours
        if age < transfer_hours and rng.random() < 0.5:
            return statuses.AWAITING_TRANSFER, None, due
        if rng.random() < 0.08:
            return statuses.EXPIRED, None, due
        paid = placed + min(age, transfer_hours) * rng.random()
    elif method == statuses.STRIPE:
        due = placed + card_minutes
        if age < card_minutes:
            return statuses.AWAITING_CARD, None, due
        if rng.random() < 0.05:
            return statuses.EXPIRED, None, due
        paid = placed + min(age, card_minutes) * rng.random()
    else:
        due = None
        if age < 72 * hours:
            if rng.random() < 0.5:
                return statuses.COD_UNPAID, None, None
            return statuses.SHIPPED, None, None
        if rng.random() < 0.06:
            return statuses.CANCELLED, None, None
        return statuses.DELIVERED, placed + min(age, (48 + rng.randrange(72)) * hours), None
    if rng.random() < 0.02:
        return statuses.REFUNDED, paid, due
    if age < 24 * hours:
        return statuses.PAID, paid, due
    if age < 96 * hours:
        return statuses.SHIPPED, paid, due
    return statuses.DELIVERED, paid, due


def generate_orders(count, days, rng, now=None, stream=None):
    """Write `count` orders with their lines and addresses; returns how many were written."""
    from shop.payments.models import PaymentSettings

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    ShippingAddress = get_model("order", "ShippingAddress")
    StockRecord = get_model("partner", "StockRecord")
    now = now or timezone.now()
    products = ensure_catalogue(rng)
    records = list(
        StockRecord.objects.filter(product__in=products, price__isnull=False).select_related(
            "partner", "product"
        )
    )
    config = PaymentSettings.load()
    transfer_hours = datetime.timedelta(hours=config.transfer_hours)
    card_minutes = datetime.timedelta(minutes=config.card_minutes)
    communes = province_communes()
    moment = Moments(rng, days, now)
    start = Order.objects.filter(number__startswith="G").count()
    written = 0
    with progress(total=count, desc="orders", unit="orders", stream=stream) as bar:
        while written < count:
            size = min(BATCH // 2, count - written)
            with transaction.atomic():
                addresses, orders, order_lines = [], [], []
                for n in range(size):
                    commune = rng.choice(communes)
                    address = ShippingAddress(
                        first_name=rng.choice(GIVEN_NAMES),
                        last_name=rng.choice(FAMILY_NAMES),
                        line1=rng.choice(STREETS),
                        phone_number=f"+849{rng.randrange(10**8):08d}",
                    )
                    address.set_commune(commune.code)
                    addresses.append(address)
                    chosen = rng.sample(
                        records, k=min(len(records), rng.choice((1, 1, 1, 2, 2, 3)))
                    )
                    lines = [(record, rng.choice((1, 1, 1, 2, 3))) for record in chosen]
                    subtotal = sum(record.price * quantity for record, quantity in lines)
                    shipping = Decimal(0 if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE)
                    method = _weighted(rng, METHODS)
                    placed = moment()
                    status, paid_at, due = _stage(
                        rng, method, placed, now, transfer_hours, card_minutes
                    )
                    orders.append(
                        Order(
                            number=f"G{start + written + n + 1:08d}",
                            currency="VND",
                            total_incl_tax=subtotal + shipping,
                            total_excl_tax=subtotal + shipping,
                            shipping_incl_tax=shipping,
                            shipping_excl_tax=shipping,
                            shipping_method="Giao hàng tiêu chuẩn",
                            shipping_code="standard",
                            status=status,
                            guest_email=f"khach{start + written + n + 1}@example.vn",
                            date_placed=placed,
                            payment_method=method,
                            payment_due=due,
                            paid_at=paid_at,
                            language=rng.choice(("vi", "vi", "vi", "en")),
                        )
                    )
                    order_lines.append(lines)
                ShippingAddress.objects.bulk_create(addresses, batch_size=BATCH)
                for order, address in zip(orders, addresses, strict=True):
                    order.shipping_address = address
                Order.objects.bulk_create(orders, batch_size=BATCH)
                Line.objects.bulk_create(
                    (
                        _line(order, record, quantity)
                        for order, lines in zip(orders, order_lines, strict=True)
                        for record, quantity in lines
                    ),
                    batch_size=BATCH,
                )
            written += size
            bar.update(size)
    return written


def _line(order, record, quantity):
    price = record.price * quantity
    return get_model("order", "Line")(
        order=order,
        partner=record.partner,
        partner_name=record.partner.name,
        partner_sku=record.partner_sku,
        stockrecord=record,
        product=record.product,
        title=record.product.title,
        upc=record.product.upc,
        quantity=quantity,
        line_price_incl_tax=price,
        line_price_excl_tax=price,
        line_price_before_discounts_incl_tax=price,
        line_price_before_discounts_excl_tax=price,
        unit_price_incl_tax=record.price,
        unit_price_excl_tax=record.price,
        num_allocated=quantity,
    )


def generate_activity(scans=0, orders=0, days=180, seed=None, stream=None):
    """Scans and orders over the last `days` days, then the rollups rebuilt in full."""
    rng = random.Random(seed)
    now = timezone.now()
    made = {
        "scans": generate_scans(scans, days, rng, now, stream) if scans else 0,
        "orders": generate_orders(orders, days, rng, now, stream) if orders else 0,
    }
    made["rollups"] = refresh_rollups(full=True)
    return made
