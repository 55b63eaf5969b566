"""Public API: the certification mirror (`/api/v1/certifications`), and shared list helpers."""

import datetime

from django.core.paginator import EmptyPage, Paginator
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from .certification import state_of
from .models import Certification
from .places import commune

router = Router(tags=["certification"])

MAX_PAGE_SIZE = 100


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
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
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
        "producer": {
            "name": producer.name,
            "kind": producer.kind,
            "tax_code": producer.tax_code,
            "commune": commune_out(producer.commune_code),
        },
    }


@router.get("/certifications", response=CertificationPage, summary="List the certification mirror")
def list_certifications(request, filters: Query[PageFilters]):
    queryset = Certification.objects.select_related("producer").order_by("registry_id")
    return paginate(request, queryset, filters, certification_detail)
