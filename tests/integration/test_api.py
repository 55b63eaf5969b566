"""The public read-only API: shape, pagination and clear errors."""

import pytest

from tests.factories import CertificationFactory, certified_product

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "title",
    "url",
    "price",
    "currency",
    "stars",
    "producer",
    "commune",
    "gtin",
    "registry_id",
    "purchasable",
    "certification",
}


def test_products_shape(client):
    certified_product(price=1250000, gtin="8936045900011")
    response = client.get("/api/v1/products")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "results"}
    assert data["count"] == 1 and data["next"] is None
    item = data["results"][0]
    assert set(item) == FIELDS
    assert item["price"] == 1250000 and isinstance(item["price"], int)
    assert item["currency"] == "VND"
    assert item["stars"] == 4
    assert item["purchasable"] is True
    assert item["producer"]["kind"] == "cooperative"
    assert item["commune"] == {"code": 3217, "name": "Xã Tủa Chùa"}
    assert item["registry_id"].startswith("DB-TEST-")
    assert item["url"].startswith("https://ocop.test/shop/catalogue/")
    certification = item["certification"]
    assert set(certification) == {
        "registry_id",
        "status",
        "stars",
        "decision_no",
        "decision_date",
        "valid_until",
        "issuer",
        "confirmed_at",
    }
    assert certification["status"] == "active" and certification["stars"] == 4
    assert certification["registry_id"] == item["registry_id"]


def test_uncertified_product_is_listed_without_stars_and_not_purchasable(client):
    from oscar.test.factories import create_product

    create_product(title="Rượu Mông pê", price=150000, num_in_stock=5)
    item = client.get("/api/v1/products").json()["results"][0]
    assert item["stars"] is None and item["purchasable"] is False and item["registry_id"] is None
    assert item["producer"] is None and item["commune"] is None and item["gtin"] is None
    assert item["certification"] is None


def test_pagination_follows_next(client):
    for n in range(5):
        certified_product(certification=CertificationFactory(product_name=f"Sản phẩm {n}"))
    first = client.get("/api/v1/products?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert third["next"] is None
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert len(set(ids)) == 5


@pytest.mark.parametrize(
    "query,status",
    [("page=99", 404), ("page=0", 400), ("page=abc", 400), ("page_size=1000", 400), ("foo=1", 400)],
)
def test_bad_parameters_get_a_json_error(client, query, status):
    certified_product()
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_openapi_document_describes_products(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/products" in schema["paths"]
    assert "/api/v1/certifications" in schema["paths"]
    product = schema["components"]["schemas"]["ProductOut"]
    assert set(product["properties"]) == FIELDS


def test_api_docs_load_nothing_from_other_hosts(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")
