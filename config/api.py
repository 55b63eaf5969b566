"""The public read-only JSON API at /api/v1/ (OpenAPI document at /api/v1/openapi.json)."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError

from shop.api import router as catalogue_router
from traceability.api import router as certification_router

api = NinjaAPI(
    title="OCOP storefront API",
    version="1",
    description="Certified OCOP products: catalogue, and later certification, lots and scans.",
    urls_namespace="api-v1",
)
api.add_router("/", catalogue_router)
api.add_router("/", certification_router)


@api.exception_handler(ValidationError)
def bad_parameters(request, exc):
    """Malformed parameters are the client's mistake: 400 with a message, not 422."""
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{where}: {error.get('msg', '')}")
    return api.create_response(
        request,
        {"detail": _("Invalid parameters."), "errors": problems},
        status=400,
    )
