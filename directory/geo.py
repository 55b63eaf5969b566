"""Coordinates: validation ranges, reading a visitor's position from a query string, distances."""

import math
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)

LATITUDE_VALIDATORS = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
LONGITUDE_VALIDATORS = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


def parse_position(query):
    """(lat, lng) from a query dict, None when absent, or ValueError when present but unusable."""
    raw_lat, raw_lng = query.get("lat"), query.get("lng")
    if raw_lat in (None, "") and raw_lng in (None, ""):
        return None
    try:
        lat, lng = float(raw_lat), float(raw_lng)
    except (TypeError, ValueError):
        raise ValueError("not a number") from None
    # float() accepts "nan" and "inf", which compare false with every bound below.
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise ValueError("not a finite number")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValueError("out of range")
    return lat, lng


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lng2) - float(lng1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def map_frame(bounds, width):
    """The height of a map `width` units wide showing `bounds` (south, west, north, east).

    An equirectangular projection scaled by the cosine of the middle latitude, so a province
    a few hundred kilometres across keeps its shape without a map library.
    """
    south, west, north, east = (float(b) for b in bounds)
    x_scale = math.cos(math.radians((south + north) / 2))
    return width * (north - south) / ((east - west) * x_scale)


def project(lat, lng, bounds, width):
    """(x, y) of a point within a `map_frame` of `bounds`, or None when it lies outside."""
    south, west, north, east = (float(b) for b in bounds)
    lat, lng = float(lat), float(lng)
    if not (south <= lat <= north and west <= lng <= east):
        return None
    height = map_frame(bounds, width)
    x = (lng - west) / (east - west) * width
    y = (north - lat) / (north - south) * height
    return round(x, 1), round(y, 1)
