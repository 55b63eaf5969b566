"""The communes of a province as JSON, for the address forms' commune list."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from .vietnam import commune_choices, province

# The list only changes when the `vietnam-provinces` package is upgraded.
COMMUNES_MAX_AGE = 24 * 60 * 60


@require_safe
def communes(request, province_code):
    """`[[code, name], …]` of a province's communes and wards, in Vietnamese order; 404 if none."""
    if province(province_code) is None:
        return JsonResponse({"error": "unknown province"}, status=404)
    response = JsonResponse(
        [list(choice) for choice in commune_choices(province_code)],
        safe=False,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    patch_cache_control(response, public=True, max_age=COMMUNES_MAX_AGE)
    return response
