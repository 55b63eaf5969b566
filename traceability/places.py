"""Communes and wards after the 1 July 2025 reform (two tiers), from `vietnam-provinces`."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from vietnam_provinces import Province, Ward


@dataclass(frozen=True)
class Commune:
    code: int
    name: str
    province_code: int
    province_name: str


@lru_cache(maxsize=4096)
def commune(code):
    """The commune or ward with this code, or None when the code is not a current one."""
    try:
        ward = Ward.from_code(int(code))
    except (TypeError, ValueError):
        return None
    province = Province.from_code(ward.province_code)
    return Commune(int(ward.code), ward.name, int(province.code), province.name)


def commune_name(code):
    found = commune(code)
    return found.name if found else ""


@lru_cache(maxsize=64)
def province_communes(province_code=None):
    """Communes and wards of a province (the configured one by default), sorted by name."""
    code = province_code or settings.OCOP_PROVINCE_CODE
    province = Province.from_code(code)
    wards = Ward.iter_by_province(province.code)
    return tuple(
        sorted(
            (Commune(int(w.code), w.name, int(province.code), province.name) for w in wards),
            key=lambda c: c.name,
        )
    )


def commune_choices():
    return [(c.code, c.name) for c in province_communes()]
