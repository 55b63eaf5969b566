"""Read-only catalogue endpoints of the public API (mounted by config.api)."""

from ninja import Query, Router, Schema
from oscar.core.loading import get_class, get_model
from pydantic import Field

from shop.catalogue.summary import product_summary
from traceability.api import (
    CertificationBrief,
    CommuneOut,
    PageFilters,
    ProducerOut,
    documented,
    paginate,
)

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

router = Router(tags=["catalogue"])


class ProductOut(Schema):
    id: int
    title: str
    url: str = Field(description="Absolute URL of the product page")
    price: int | None = Field(description="Whole đồng, VAT included; null when not priced")
    currency: str
    stars: int | None = Field(description="OCOP stars while certified today, else null")
    producer: ProducerOut | None
    commune: CommuneOut | None
    gtin: str | None
    registry_id: str | None
    purchasable: bool
    certification: CertificationBrief | None


class ProductPage(Schema):
    count: int
    next: str | None
    results: list[ProductOut]


@router.get("/products", response=documented(ProductPage), summary="List products in the catalogue")
def list_products(request, filters: Query[PageFilters]):
    queryset = Product.objects.browsable().base_queryset().order_by("pk")
    strategy = Selector().strategy(request=request)
    return paginate(request, queryset, filters, lambda product: product_summary(product, strategy))
