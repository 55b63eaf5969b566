"""Read-only catalogue endpoints of the public API (mounted by config.api)."""

from django.core.paginator import EmptyPage, Paginator
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from oscar.core.loading import get_class, get_model
from pydantic import Field

from shop.catalogue.summary import product_summary

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")

router = Router(tags=["catalogue"])

MAX_PAGE_SIZE = 100


class ProducerOut(Schema):
    name: str
    kind: str


class CommuneOut(Schema):
    code: int
    name: str


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


class ProductPage(Schema):
    count: int
    next: str | None
    results: list[ProductOut]


class ProductFilters(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page")


def reject_unknown_parameters(request, allowed):
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise HttpError(400, _("Unknown parameter: %(names)s") % {"names": ", ".join(unknown)})


@router.get("/products", response=ProductPage, summary="List products in the catalogue")
def list_products(request, filters: Query[ProductFilters]):
    reject_unknown_parameters(request, ProductFilters.model_fields)
    queryset = Product.objects.browsable().base_queryset().order_by("pk")
    paginator = Paginator(queryset, filters.page_size)
    try:
        page = paginator.page(filters.page)
    except EmptyPage:
        raise HttpError(404, _("Page %(page)s does not exist.") % {"page": filters.page}) from None
    strategy = Selector().strategy(request=request)
    next_url = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = page.next_page_number()
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {
        "count": paginator.count,
        "next": next_url,
        "results": [product_summary(p, strategy, request) for p in page.object_list],
    }
