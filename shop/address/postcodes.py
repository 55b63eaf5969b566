"""Vietnamese postcodes have had five digits since 2018 (Điện Biên: 32xxx); Oscar expects six."""

from oscar.apps.address.abstract_models import AbstractAddress

VIETNAM_POSTCODE = r"^[0-9]{5}$"


class VietnamesePostcode:
    """Mixin for every address model: Oscar's per-country rules, with Việt Nam's corrected."""

    POSTCODES_REGEX = {**AbstractAddress.POSTCODES_REGEX, "VN": VIETNAM_POSTCODE}
