"""Public API: the certification mirror (`/api/v1/certifications`), and shared list helpers."""

import datetime

from django.core.paginator import EmptyPage, Paginator
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from config.origin import absolute_url

from .certification import state_of
from .digital_link import MalformedLink, lot_uri, parse_short_code
from .models import CODE_ALPHABET, Certification, Lot
from .places import commune
from .scan import public_products_filter, trace_short_code

router = Router(tags=["certification"])

MAX_PAGE_SIZE = 100
# Row ids are 32-bit in Oscar's tables; a bigger number names nothing (and would overflow SQLite).
MAX_ID = 2**31 - 1
# A lot's short code or a label's serial as printed (upper case), or typed in lower case.
CODE_PATTERN = rf"^[{CODE_ALPHABET}{CODE_ALPHABET.lower()}]{{10,20}}$"


class ApiError(Schema):
    """Every error the API answers with: a message, and for bad parameters each problem."""

    detail: str
    errors: list[str] | None = Field(None, description="Each invalid parameter and why")


def documented(ok_schema):
    """Responses of a list or detail endpoint: the page, 400 for bad parameters, 404."""
    return {200: ok_schema, 400: ApiError, 404: ApiError}


class PageFilters(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Items per page")


def reject_unknown_parameters(request, allowed):
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise HttpError(400, _("Unknown parameter: %(names)s") % {"names": ", ".join(unknown)})


def paginate(request, queryset, filters, serialize):
    """`{"count", "next", "results"}` for one page; 404 for a page past the end."""
    reject_unknown_parameters(request, type(filters).model_fields)
    paginator = Paginator(queryset, filters.page_size)
    try:
        page = paginator.page(filters.page)
    except EmptyPage:
        raise HttpError(404, _("Page %(page)s does not exist.") % {"page": filters.page}) from None
    next_url = None
    if page.has_next():
        query = request.GET.copy()
        query["page"] = page.next_page_number()
        next_url = absolute_url(f"{request.path}?{query.urlencode()}")
    return {
        "count": paginator.count,
        "next": next_url,
        "results": [serialize(item) for item in page.object_list],
    }


class CertificationBrief(Schema):
    registry_id: str
    status: str = Field(description="Today: active, expiring, expired, suspended or revoked")
    stars: int = Field(description="Stars awarded by the decision")
    decision_no: str
    decision_date: datetime.date
    valid_until: datetime.date
    issuer: str
    confirmed_at: datetime.datetime | None = Field(description="Last confirmed by the registry")


class CommuneOut(Schema):
    code: int
    name: str


class ProducerOut(Schema):
    name: str
    kind: str


class RegistryProducerOut(ProducerOut):
    tax_code: str
    commune: CommuneOut | None


class CertificationOut(CertificationBrief):
    product_name: str
    product_group: str
    score: int | None
    registry_status: str = Field(description="Status as the registry states it")
    status_reason: str
    gtins: list[str]
    producer: RegistryProducerOut


class CertificationPage(Schema):
    count: int
    next: str | None
    results: list[CertificationOut]


def certification_brief(certificate):
    if certificate is None:
        return None
    return {
        "registry_id": certificate.registry_id,
        "status": state_of(certificate).value,
        "stars": certificate.stars,
        "decision_no": certificate.decision_no,
        "decision_date": certificate.decision_date,
        "valid_until": certificate.valid_until,
        "issuer": certificate.issuer,
        "confirmed_at": certificate.last_confirmed_at,
    }


def commune_out(code):
    place = commune(code)
    return {"code": place.code, "name": place.name} if place else None


def registry_producer(producer):
    return {
        "name": producer.name,
        "kind": producer.kind,
        "tax_code": producer.tax_code,
        "commune": commune_out(producer.commune_code),
    }


def certification_detail(certificate):
    producer = certificate.producer
    return {
        **certification_brief(certificate),
        "product_name": certificate.product_name,
        "product_group": certificate.product_group,
        "score": certificate.score,
        "registry_status": certificate.status,
        "status_reason": certificate.status_reason,
        "gtins": certificate.gtins,
        "producer": registry_producer(producer),
    }


@router.get(
    "/certifications",
    response=documented(CertificationPage),
    summary="List the certification mirror",
)
def list_certifications(request, filters: Query[PageFilters]):
    queryset = Certification.objects.select_related("producer").order_by("registry_id")
    return paginate(request, queryset, filters, certification_detail)


class LotOut(Schema):
    code: str
    product_id: int
    produced_on: datetime.date
    best_before: datetime.date | None
    qr_uri: str


class LotList(Schema):
    results: list[LotOut]


class LotFilters(Schema):
    product: int = Field(ge=1, le=MAX_ID, description="Product id")


class TraceEvent(Schema):
    kind: str
    date: datetime.date
    note: str


class TraceOut(Schema):
    uri: str
    product: dict = Field(
        description="id, title, url, gtin, for_sale (whether the shop sells it online today)"
    )
    producer: RegistryProducerOut | None
    certification: CertificationBrief | None
    certified_when_made: bool | None = Field(
        description="Whether the lot's certificate held on its production date"
    )
    lot: dict | None = Field(
        description="code, produced_on, best_before, past_best_before, origin commune"
    )
    serial: str | None
    events: list[TraceEvent]


@router.get(
    "/lots",
    response={200: LotList, 400: ApiError},
    summary="Lots of a product with the URI printed on them",
)
def list_lots(request, filters: Query[LotFilters]):
    reject_unknown_parameters(request, LotFilters.model_fields)
    # An unpublished product's lots are not listed: the answer is that of a product with none.
    lots = Lot.objects.select_related("product").filter(
        public_products_filter("product__"), product_id=filters.product
    )
    return {
        "results": [
            {
                "code": lot.code,
                "product_id": lot.product_id,
                "produced_on": lot.produced_on,
                "best_before": lot.best_before,
                "qr_uri": lot_uri(lot),
            }
            for lot in lots
        ]
    }


@router.get("/trace/{code}", response=documented(TraceOut), summary="What a scan of a code shows")
def trace(
    request,
    code: str = Path(
        ..., pattern=CODE_PATTERN, description="A lot's short code or a label's serial (/q/…)"
    ),
):
    try:
        found = trace_short_code(parse_short_code(code))
    except MalformedLink:
        raise HttpError(400, _("%(code)s is not a code of ours.") % {"code": code}) from None
    if found is None:
        raise HttpError(404, _("No lot or label has the code %(code)s.") % {"code": code})
    product, producer, lot = found.product, found.producer, found.lot
    return {
        "uri": found.uri,
        "product": {
            "id": product.pk,
            "title": product.get_title(),
            "url": absolute_url(found.shop_path()),
            "gtin": product.gtin or None,
            "for_sale": found.offer.for_sale,
        },
        "producer": registry_producer(producer) if producer else None,
        "certification": certification_brief(found.certificate),
        "certified_when_made": found.certified_when_made,
        "lot": {
            "code": lot.code,
            "produced_on": lot.produced_on.isoformat(),
            "best_before": lot.best_before.isoformat() if lot.best_before else None,
            "past_best_before": found.past_best_before,
            "origin_commune": commune_out(lot.origin_commune_code),
        },
        "serial": found.label.serial if found.label else None,
        "events": [{"kind": e.kind, "date": e.happened_on, "note": e.note} for e in found.events],
    }
