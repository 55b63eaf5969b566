"""Validators for codes we print or receive: commune codes, GTINs."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .places import commune


def validate_commune_code(value):
    if commune(value) is None:
        raise ValidationError(
            _("%(code)s is not a current commune or ward code."), params={"code": value}
        )


def gtin_check_digit(digits):
    """GS1 mod-10 check digit for the digits before it."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def normalise_gtin(value):
    """A GTIN-8/12/13/14 as 14 digits; ValueError when malformed or the check digit is wrong."""
    value = (value or "").strip()
    # ASCII only: str.isdigit() also takes "²" and other scripts' digits, which int() reads
    if not (value.isascii() and value.isdigit()) or len(value) not in (8, 12, 13, 14):
        raise ValueError("A GTIN has 8, 12, 13 or 14 digits")
    if gtin_check_digit(value[:-1]) != value[-1]:
        raise ValueError("Wrong GTIN check digit")
    return value.zfill(14)


def validate_gtin(value):
    try:
        normalise_gtin(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit)."),
            params={"value": value},
        ) from None
