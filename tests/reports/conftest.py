"""Crafted programme data: certificates of each kind in and out of a period, events, scans."""

import datetime

import pytest
import time_machine

from cms.models import HomePage
from events.models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    LivestreamProduct,
    TradeFairPage,
    TradeFairParticipant,
)
from insight.rollups import refresh_rollups
from shop.order import actions
from tests.factories import (
    CertificationFactory,
    ProducerFactory,
    certified_product,
    placed_order,
    publish,
)
from traceability.models import CertificationChange, Scan

HANOI = datetime.timezone(datetime.timedelta(hours=7))
START, END = datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)
TODAY = datetime.date(2026, 7, 5)


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=HANOI)


def change(certificate, when, **fields):
    for field, (old, new) in fields.items():
        CertificationChange.objects.create(
            certification=certificate,
            changed_at=when,
            field=field,
            old_value=old.isoformat() if hasattr(old, "isoformat") else old,
            new_value=new.isoformat() if hasattr(new, "isoformat") else new,
        )


def certificate(name, decided, valid_until=None, **fields):
    fields.setdefault("valid_until", valid_until or decided.replace(year=decided.year + 3))
    return CertificationFactory(product_name=name, decision_date=decided, **fields)


@pytest.fixture
def programme(db):
    """Q2 2026 of a small programme, looked at on 5 July 2026."""
    d = datetime.date
    made = {}
    with time_machine.travel(at(2026, 7, 5), tick=False):
        made["new"] = certificate("Gạo Séng Cù", d(2026, 4, 10), product_group="food", stars=4)
        made["older"] = certificate(
            "Rượu Mông pê", d(2025, 1, 1), product_group="beverages", stars=3
        )
        honey_maker = ProducerFactory(name="HTX Ong mật Tủa Chùa")
        made["honey_old"] = certificate(
            "Mật ong bạc hà", d(2023, 5, 1), d(2026, 5, 1), producer=honey_maker, stars=3
        )
        made["honey_new"] = certificate(
            "mật ong Bạc Hà ", d(2026, 4, 20), producer=honey_maker, stars=4
        )
        # Renewed in place: the registry updated the record's decision on 16 May.
        made["ginseng"] = certificate(
            "Sâm Tủa Chùa", d(2026, 5, 15), d(2029, 5, 15), product_group="herbal", stars=5
        )
        change(
            made["ginseng"],
            at(2026, 5, 16),
            decision_date=(d(2023, 5, 10), d(2026, 5, 15)),
            valid_until=(d(2026, 5, 20), d(2029, 5, 15)),
            stars=(4, 5),
        )
        made["lapsed"] = certificate(
            "Cao khô", d(2023, 6, 1), d(2026, 6, 1), product_group="herbal", stars=3
        )
        made["lapsed_before"] = certificate("Chè búp", d(2023, 3, 1), d(2026, 3, 1))
        made["revoked"] = certificate(
            "Măng khô",
            d(2024, 1, 1),
            status="revoked",
            status_reason="Vi phạm an toàn thực phẩm",
            stars=3,
        )
        change(made["revoked"], at(2026, 5, 5), status=("active", "revoked"))
        made["revoked_before"] = certificate("Nấm hương", d(2024, 1, 1), status="revoked")
        change(made["revoked_before"], at(2026, 2, 1), status=("active", "revoked"))
        # Revoked after the period: still certified on its last day.
        made["revoked_after"] = certificate(
            "Thổ cẩm", d(2025, 2, 1), status="revoked", product_group="textiles", stars=3
        )
        change(made["revoked_after"], at(2026, 7, 2), status=("active", "revoked"))
        made["later"] = certificate("Chè Shan tuyết", d(2026, 7, 1))

        tea = certified_product(price=120000, certification=made["older"], title="Rượu Mông pê")
        rice = certified_product(price=250000, certification=made["new"], title="Gạo Séng Cù")
        made["products"] = (tea, rice)

    home = HomePage.objects.filter(locale__language_code="vi").first()
    events = publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    streams = publish(home, LivestreamIndexPage(title="Livestream", slug="livestream"))
    fair_fields = {
        "venue_name": "Quảng trường 7/5",
        "address": "Điện Biên Phủ",
        "organiser": "Sở Công Thương",
    }
    fair = publish(
        events,
        TradeFairPage(
            title="Hội chợ OCOP tháng 5", start=at(2026, 5, 20), end=at(2026, 5, 23), **fair_fields
        ),
    )
    TradeFairParticipant.objects.create(
        page=fair, producer=rice.producer, product=rice, booth="A12"
    )
    publish(
        events,
        TradeFairPage(
            title="Hội chợ Tết", start=at(2026, 1, 20), end=at(2026, 1, 25), **fair_fields
        ),
    )
    stream_fields = {
        "platform": "tiktok",
        "stream_url": "https://www.tiktok.com/@ocop/live",
        "streamer_name": "Giàng Thị Mai",
        "streamer_identity": "HTX – MST 5600000001",
        "streamer_contact": "0900000001",
    }
    live = publish(
        streams,
        LivestreamPage(
            title="Livestream rượu Mông pê",
            start=at(2026, 6, 10, 20),
            end=at(2026, 6, 10, 22),
            **stream_fields,
        ),
    )
    LivestreamProduct.objects.create(page=live, product=tea)
    publish(
        streams,
        LivestreamPage(
            title="Livestream tháng 7",
            start=at(2026, 7, 3, 20),
            end=at(2026, 7, 3, 21),
            **stream_fields,
        ),
    )

    for when, product, region in (
        (at(2026, 4, 2), tea, "VN-71"),
        (at(2026, 4, 2), tea, "VN-71"),
        (at(2026, 5, 9), rice, ""),
        (at(2026, 5, 9), tea, ""),
        (at(2026, 3, 30), tea, ""),  # before the period
    ):
        Scan.objects.create(scanned_at=when, product_id_seen=product.pk, region=region)
    Scan.objects.create(scanned_at=at(2026, 6, 1), unknown_code="01/08930000000000")

    with time_machine.travel(at(2026, 5, 4), tick=False):
        paid = placed_order((tea, 2), (rice, 1))
        actions.record_payment(paid, amount=paid.total_incl_tax, reference="T1")
        placed_order((tea, 1), method="cod")  # never paid: not a sale
    with time_machine.travel(at(2026, 7, 2), tick=False):
        after = placed_order((rice, 3))
        actions.record_payment(after, amount=after.total_incl_tax, reference="T2")
    with time_machine.travel(at(2026, 7, 5), tick=False):
        refresh_rollups()
    made["paid"] = paid
    made["fair"] = fair
    made["stream"] = live
    return made
