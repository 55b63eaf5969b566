"""Directory pages: producers with their products and certificates, communes, points of sale
sorted by distance, the producer link tag, and the demo pages."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import timezone, translation

from directory.geo import haversine_km, parse_position
from directory.models import (
    CommuneIndexPage,
    CommunePage,
    PointOfSaleIndexPage,
    PointOfSalePage,
    ProducerIndexPage,
    ProducerPage,
    StockedProduct,
)
from events.models import TradeFairPage
from tests.factories import CertificationFactory, ProducerFactory, certified_product, home, publish
from traceability.certification import State

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def text(response):
    assert response.status_code == 200
    return response.content.decode().replace(NBSP, " ")


def jsonld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def buy_form(product):
    return f"/shop/basket/add/{product.pk}/"


@pytest.fixture
def producer_index():
    return publish(home(), ProducerIndexPage(title="Chủ thể OCOP", slug="chu-the"))


@pytest.fixture
def commune_index():
    return publish(home(), CommuneIndexPage(title="Xã, phường", slug="xa-phuong"))


@pytest.fixture
def point_index():
    return publish(home(), PointOfSaleIndexPage(title="Điểm bán", slug="diem-ban"))


def point_of_sale(index, title, lat, lng, commune_code=3217, kind="showroom", **fields):
    return publish(
        index,
        PointOfSalePage(
            title=title,
            kind=kind,
            address="Trung tâm xã",
            commune_code=commune_code,
            latitude=Decimal(lat),
            longitude=Decimal(lng),
            **fields,
        ),
    )


# --- Producers -----------------------------------------------------------------------------


def test_producer_page_shows_products_certificates_and_sells_only_certified(
    client, producer_index, commune_index
):
    producer = ProducerFactory(name="HTX Chè Tủa Chùa", kind="cooperative", commune_code=3217)
    today = timezone.localdate()
    valid = CertificationFactory(
        producer=producer,
        product_name="Chè Shan tuyết",
        stars=4,
        decision_date=today - datetime.timedelta(days=200),
    )
    lapsed = CertificationFactory(
        producer=producer,
        product_name="Chè búp khô",
        stars=3,
        decision_date=datetime.date(2019, 12, 31),
        valid_until=datetime.date(2022, 12, 31),
    )
    sellable = certified_product(certification=valid, title="Chè Shan tuyết cổ thụ")
    unsellable = certified_product(certification=lapsed, title="Chè búp khô Tủa Chùa")
    commune_page = publish(commune_index, CommunePage(commune_code=3217))
    page = publish(producer_index, ProducerPage(title=producer.name, producer=producer))

    html = text(client.get(page.url))
    assert "Chè Shan tuyết cổ thụ" in html and "Chè búp khô Tủa Chùa" in html
    assert buy_form(sellable) in html
    assert buy_form(unsellable) not in html
    with translation.override("vi"):
        assert str(State.ACTIVE.label) in html
        assert str(State.EXPIRED.label) in html
    assert valid.valid_until.strftime("%d/%m/%Y") in html
    assert lapsed.valid_until.strftime("%d/%m/%Y") in html
    assert valid.decision_no in html and lapsed.decision_no in html
    assert 'aria-label="OCOP 4 sao"' in html
    assert f'href="{commune_page.url}"' in html  # the commune is linked
    assert "Hợp tác xã trồng và chế biến chè" in html  # story defaults from the producer

    data = jsonld(html)
    assert data["@type"] == "Organization"
    assert data["name"] == "HTX Chè Tủa Chùa"
    assert data["url"].endswith(page.url)
    assert data["address"]["addressLocality"] == "Xã Tủa Chùa"


def test_producer_page_without_commune_page_shows_commune_name_unlinked(client, producer_index):
    producer = ProducerFactory(commune_code=3217)
    page = publish(producer_index, ProducerPage(title=producer.name, producer=producer))
    html = text(client.get(page.url))
    assert "Xã Tủa Chùa" in html
    assert "/xa-phuong/" not in html


def test_a_producer_has_one_page_per_language(producer_index):
    producer = ProducerFactory()
    publish(producer_index, ProducerPage(title=producer.name, producer=producer))
    second = ProducerPage(title="Again", slug="again", producer=producer)
    second.locale = producer_index.locale
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "producer" in error.value.message_dict


def test_producer_index_lists_producer_pages_a_page_at_a_time(client, producer_index, monkeypatch):
    monkeypatch.setattr("directory.models.PER_PAGE", 2)
    producers = [ProducerFactory(name=f"HTX Mẫu {n}") for n in range(3)]
    for producer in producers:
        publish(producer_index, ProducerPage(title=producer.name, producer=producer))
    first = text(client.get(producer_index.url))
    second = text(client.get(producer_index.url, {"page": "2"}))
    assert "HTX Mẫu 0" in first and "HTX Mẫu 1" in first and "HTX Mẫu 2" not in first
    assert "HTX Mẫu 2" in second and "?page=1" in second
    junk = text(client.get(producer_index.url, {"page": "junk"}))
    assert "HTX Mẫu 0" in junk and "HTX Mẫu 2" not in junk


# --- Communes ------------------------------------------------------------------------------


def test_commune_page_lists_its_producers_and_their_products(client, producer_index, commune_index):
    here = ProducerFactory(name="HTX Chè Tủa Chùa", commune_code=3217)
    elsewhere = ProducerFactory(name="HTX Gạo Thanh An", commune_code=3352)
    product = certified_product(
        certification=CertificationFactory(
            producer=here, decision_date=timezone.localdate() - datetime.timedelta(days=30)
        ),
        title="Chè Shan tuyết cổ thụ",
    )
    producer_page = publish(producer_index, ProducerPage(title=here.name, producer=here))
    page = publish(commune_index, CommunePage(commune_code=3217))
    assert page.title == "Xã Tủa Chùa"  # the name comes from the code

    html = text(client.get(page.url))
    assert "HTX Chè Tủa Chùa" in html
    assert f'href="{producer_page.url}"' in html
    assert product.get_title() in html
    assert "HTX Gạo Thanh An" not in html

    publish(commune_index, CommunePage(commune_code=3352))
    response = client.get(commune_index.url)
    index = text(response)
    assert "Xã Tủa Chùa" in index and "Xã Thanh An" in index
    counts = {
        row["page"].commune_code: (row["producer_count"], row["product_count"])
        for row in response.context["communes"]
    }
    assert counts == {3217: (1, 1), 3352: (1, 0)}
    assert elsewhere.name not in index


def test_unknown_commune_code_is_a_form_error():
    page = CommunePage(title="Nowhere", slug="nowhere", commune_code=99999)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "commune_code" in error.value.message_dict


# --- Points of sale ------------------------------------------------------------------------


def test_point_of_sale_needs_valid_coordinates_and_commune():
    missing = PointOfSalePage(
        title="Showroom", slug="showroom", kind="showroom", address="x", commune_code=3217
    )
    with pytest.raises(ValidationError) as error:
        missing.full_clean()
    assert {"latitude", "longitude"} <= set(error.value.message_dict)

    wrong = PointOfSalePage(
        title="Showroom",
        slug="showroom",
        kind="showroom",
        address="x",
        commune_code=99999,
        latitude=Decimal("95"),
        longitude=Decimal("-181"),
    )
    with pytest.raises(ValidationError) as error:
        wrong.full_clean()
    assert {"latitude", "longitude", "commune_code"} <= set(error.value.message_dict)


def admin_add_form(**overrides):
    data = {
        "title": "Showroom OCOP",
        "slug": "showroom-ocop",
        "kind": "showroom",
        "address": "Trung tâm xã",
        "commune_code": "3217",
        "latitude": "21.8586",
        "longitude": "103.3487",
        "opening_hours": "7:30–17:30",
        "phone": "",
        "stocked_products-TOTAL_FORMS": "0",
        "stocked_products-INITIAL_FORMS": "0",
        "stocked_products-MIN_NUM_FORMS": "0",
        "stocked_products-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"latitude": "", "longitude": ""}, "latitude"),
        ({"latitude": "91", "longitude": "103"}, "latitude"),
        ({"latitude": "21", "longitude": "181"}, "longitude"),
        ({"commune_code": "99999"}, "commune_code"),
    ],
)
def test_admin_add_form_refuses_bad_places(staff_client, point_index, overrides, field):
    url = f"/admin/pages/add/directory/pointofsalepage/{point_index.pk}/"
    response = staff_client.post(url, admin_add_form(**overrides))
    assert response.status_code == 200  # the form again, with errors
    assert field in response.context["form"].errors
    assert not PointOfSalePage.objects.exists()


def test_admin_add_form_accepts_a_good_point_of_sale(staff_client, point_index):
    url = f"/admin/pages/add/directory/pointofsalepage/{point_index.pk}/"
    response = staff_client.post(url, admin_add_form())
    assert response.status_code == 302
    assert PointOfSalePage.objects.get().latitude == Decimal("21.858600")


def test_points_of_sale_by_commune_then_by_distance(client, point_index):
    airport = point_of_sale(point_index, "Cảng hàng không", "21.3975", "103.0078", 3127)
    tua_chua = point_of_sale(point_index, "Showroom Tủa Chùa", "21.8586", "103.3487", 3217)
    pu_vap = point_of_sale(point_index, "Pú Vạp", "21.4535", "103.1519", 3325)

    by_commune = text(client.get(point_index.url))
    # Phường Điện Biên Phủ, Xã Mường Phăng, Xã Tủa Chùa
    positions = [by_commune.index(p.title) for p in (airport, pu_vap, tua_chua)]
    assert positions == sorted(positions)
    assert " km" not in by_commune
    assert "data-near-me" in by_commune and "near-me.js" in by_commune

    near_tua_chua = text(client.get(point_index.url, {"lat": "21.86", "lng": "103.35"}))
    positions = [near_tua_chua.index(p.title) for p in (tua_chua, pu_vap, airport)]
    assert positions == sorted(positions)
    assert re.search(r"\b0[.,]\d km\b", near_tua_chua)  # the showroom is a few hundred metres off
    context = client.get(point_index.url, {"lat": "21.86", "lng": "103.35"}).context
    distances = [distance for _page, distance in context["points_of_sale"]]
    assert distances == sorted(distances)
    assert 60 < distances[-1] < 70  # Tủa Chùa to the airport as the crow flies


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "abc", "lng": "103"},
        {"lat": "95", "lng": "103"},
        {"lat": "21", "lng": "-200"},
        {"lat": "nan", "lng": "nan"},
        {"lat": "inf", "lng": "1"},
        {"lat": "21.4"},
        {"lat": "21.4", "lng": "1e400"},
        {"lat": "\x00", "lng": "<script>"},
    ],
)
def test_bad_positions_are_ignored_gently(client, point_index, query):
    point_of_sale(point_index, "Showroom Tủa Chùa", "21.8586", "103.3487")
    response = client.get(point_index.url, query)
    html = text(response)
    assert response.context["position_error"] is True
    assert response.context["position"] is None
    assert "Showroom Tủa Chùa" in html
    assert 'class="notice" role="status"' in html  # a gentle word, not an error page
    assert all(distance is None for _page, distance in response.context["points_of_sale"])


def test_parse_position_and_haversine():
    assert parse_position({}) is None
    assert parse_position({"lat": "", "lng": ""}) is None
    assert parse_position({"lat": "21.5", "lng": "103"}) == (21.5, 103.0)
    with pytest.raises(ValueError):
        parse_position({"lat": "-90.1", "lng": "0"})
    assert haversine_km(0, 0, 0, 0) == 0
    # Điện Biên Phủ → Hà Nội is about 300 km as the crow flies
    assert 290 < haversine_km(21.3856, 103.0169, 21.0285, 105.8542) < 300


def test_point_of_sale_page_lists_stocked_products_and_json_ld(client, point_index):
    product = certified_product(title="Chè Shan tuyết cổ thụ")
    page = PointOfSalePage(
        title="Showroom OCOP Tủa Chùa",
        kind="showroom",
        address="Trung tâm xã Tủa Chùa",
        commune_code=3217,
        latitude=Decimal("21.8586"),
        longitude=Decimal("103.3487"),
        opening_hours="Thứ Hai – Chủ nhật, 7:30–17:30",
    )
    page.stocked_products = [StockedProduct(product=product)]
    publish(point_index, page)
    html = text(client.get(page.url))
    assert "Chè Shan tuyết cổ thụ" in html
    data = jsonld(html)
    assert data["@type"] == "Store"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 21.8586, "longitude": 103.3487}
    assert data["openingHours"] == "Thứ Hai – Chủ nhật, 7:30–17:30"
    assert data["address"]["addressLocality"] == "Xã Tủa Chùa"


# --- Where to buy -------------------------------------------------------------------------


def fair(title, start, end, *participants):
    from events.models import EventIndexPage

    index = EventIndexPage.objects.first() or publish(
        home(), EventIndexPage(title="Sự kiện", slug="su-kien")
    )
    page = TradeFairPage(
        title=title,
        start=start,
        end=end,
        venue_name="Sân vận động",
        address="Phường Điện Biên Phủ",
        organiser="Sở Công Thương",
    )
    page.participants = participants
    return publish(index, page)


def test_product_page_says_where_to_buy_in_person(client, point_index):
    from events.models import TradeFairParticipant

    product = certified_product(title="Chè Shan tuyết cổ thụ")
    other = certified_product(title="Gạo Séng Cù")
    showroom = point_of_sale(point_index, "Showroom OCOP Tủa Chùa", "21.85", "103.34")
    showroom.stocked_products = [StockedProduct(product=product)]
    showroom.opening_hours = "Hằng ngày 7:30–17:30"
    showroom.save_revision().publish()
    elsewhere = point_of_sale(point_index, "Ki-ốt sân bay", "21.39", "103.00", kind="airport")
    elsewhere.stocked_products = [StockedProduct(product=other)]
    elsewhere.save_revision().publish()
    closed = point_of_sale(point_index, "Quầy đã đóng", "21.40", "103.01")
    closed.stocked_products = [StockedProduct(product=product)]
    closed.save_revision().publish()
    closed.unpublish()

    now = timezone.now()
    day = datetime.timedelta(days=1)
    fair(
        "Hội chợ mùa xuân",
        now + day,
        now + 3 * day,
        TradeFairParticipant(producer=product.producer, product=product, booth="B-12"),
    )
    fair(
        "Chợ phiên cả nhà",
        now - day,
        now + day,
        TradeFairParticipant(producer=product.producer, booth="A-3"),
    )  # the producer with all their products
    fair(
        "Hội chợ năm ngoái",
        now - 300 * day,
        now - 298 * day,
        TradeFairParticipant(producer=product.producer, product=product, booth="C-1"),
    )

    html = text(client.get(product.get_absolute_url()))
    section = html[html.index('id="where-to-buy"') :]
    assert "Showroom OCOP Tủa Chùa" in section and "Hằng ngày 7:30–17:30" in section
    assert showroom.url in section
    assert "Ki-ốt sân bay" not in section and "Quầy đã đóng" not in section
    assert section.index("Chợ phiên cả nhà") < section.index("Hội chợ mùa xuân")
    assert "A-3" in section and "B-12" in section
    assert "Hội chợ năm ngoái" not in section
    assert point_index.url in section  # all points of sale, nearest first

    lonely = text(client.get(other.get_absolute_url()))
    assert "Ki-ốt sân bay" in lonely and "Hội chợ mùa xuân" not in lonely


def test_product_nowhere_in_person_says_it_ships():
    from django.test import Client

    product = certified_product(title="Mật ong bạc hà")
    with translation.override("en"):
        url = product.get_absolute_url()
    html = text(Client().get(url))
    assert "it can be ordered online and shipped" in html


# --- The link tag --------------------------------------------------------------------------


def test_producer_page_url_tag(rf, producer_index, django_assert_num_queries):
    with_page, without_page = ProducerFactory(), ProducerFactory()
    page = publish(producer_index, ProducerPage(title=with_page.name, producer=with_page))
    template = Template("{% load directory_tags %}[{% producer_page_url producer %}]")
    request = rf.get("/")

    def render(producer):
        return template.render(Context({"producer": producer, "request": request}))

    assert render(with_page) == f"[{page.url}]"
    with django_assert_num_queries(0):  # the map is cached
        assert render(without_page) == "[]"
        assert render(None) == "[]"

    page.unpublish()
    assert render(with_page) == "[]"
