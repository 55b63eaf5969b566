"""Delivery regions: sets of the 34 provinces that exist since 1 July 2025, kept as province codes.

Codes are those of the `vietnam-provinces` package (the same codes addresses carry); an empty set
means every province.
"""

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from vietnam_provinces import Province


@lru_cache(maxsize=1)
def province_choices():
    """(code, name) of every province, in code order (roughly north to south, as lists here go)."""
    return tuple(sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda c: c[0]))


def province_name(code):
    return dict(province_choices()).get(code, str(code))


def province_code(value):
    """An address's province code as an int, or None when it is missing or not a number."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def validate_province_codes(codes):
    if not isinstance(codes, list):
        raise ValidationError(_("Choose provinces from the list."), code="invalid")
    known = dict(province_choices())
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            _("Not a current province code: %(codes)s"),
            code="invalid",
            params={"codes": ", ".join(str(code) for code in unknown)},
        )


def region_label(codes):
    """Province names of a region for staff listings; 'All provinces' for an empty region."""
    if not codes:
        return _("All provinces")
    return ", ".join(province_name(code) for code in sorted(codes))


def region_covers(codes, code):
    """Whether a region reaches a province; an unknown one only 'all provinces' reaches."""
    if not codes:
        return True
    return code is not None and code in codes
