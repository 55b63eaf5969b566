"""Health endpoints for load balancers (logic in config/health.py; never cached, no-store), and
uploaded media where the site serves them itself."""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from config import health


# Outside ATOMIC_REQUESTS: opening a transaction would touch the database before the view runs.
@transaction.non_atomic_requests
@require_safe
@never_cache
def healthz(request):
    """Liveness: the process answers. Touches neither the database nor the cache."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@transaction.non_atomic_requests
@require_safe
@never_cache
def readyz(request):
    """Readiness: 200 when the database, cache and storage answer, 503 otherwise."""
    ready, checks = health.readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)


@transaction.non_atomic_requests
@require_safe
def media(request, path):
    """An uploaded file from MEDIA_ROOT, where the site serves its own media (SERVE_MEDIA)."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)
