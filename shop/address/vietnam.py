"""Vietnamese addresses after the 1 July 2025 reform, and Vietnamese phone numbers.

Two tiers only: province (or centrally-run city) → commune, ward or special zone. Places are
identified by the codes of the `vietnam-provinces` package; their names are copied into Oscar's
own address fields (`state` = province, `line4` = commune) so that Oscar's address display,
emails and dashboard keep working without knowing about codes.

Forms, views and tests share the plain functions here; `VietnameseAddress` is the abstract
model every address model of the shop inherits.
"""

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import PhoneNumber
from vietnam_provinces import Province, Ward

from .postcodes import VietnamesePostcode

VIETNAM = "VN"

# The Country row every address of the shop points at; also written by migration 0009.
VIETNAM_COUNTRY = {
    "iso_3166_1_a2": VIETNAM,
    "iso_3166_1_a3": "VNM",
    "iso_3166_1_numeric": "704",
    "printable_name": "Việt Nam",
    "name": "Socialist Republic of Viet Nam",
    "is_shipping_country": True,
    "display_order": 1,
}

# Vietnamese dictionary order: letters with breve, circumflex or horn, and đ, are letters of
# their own; tone marks only break ties (a, à, ả, ã, á, ạ).
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Names start with the kind of place; people look a place up by the rest of its name.
_KIND_PREFIX = re.compile(r"^(thành phố|tỉnh|phường|xã|đặc khu)\s+", re.IGNORECASE)


def vietnamese_sort_key(text):
    """Sort key for Vietnamese words in dictionary order (Đà Nẵng after Cà Mau, before Gia Lai)."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _LETTER_MARKS and letters:
            base = unicodedata.normalize("NFC", chr(letters[-1][1]) + char)
            letters[-1] = _letter_rank(base)
        elif char in _TONES and tones:
            tones[-1] = _TONES[char]
        elif unicodedata.combining(char):
            continue
        else:
            letters.append(_letter_rank(char))
            tones.append(0)
    return tuple(letters), tuple(tones)


def _letter_rank(char):
    if char in _ALPHABET:
        return (2, _ALPHABET.index(char)), ord(char)
    if char.isdigit():
        return (1, int(char)), ord(char)
    if char.isalpha():  # f, j, w, z in foreign names: after the Vietnamese letters
        return (3, ord(char)), ord(char)
    return (0, 0), ord(char)  # spaces and punctuation: "Ba Vì" before "Bác Ái"


def place_sort_key(name):
    """Sort key for a province or commune: by its own name, not by 'Xã'/'Phường'/'Thành phố'."""
    return vietnamese_sort_key(_KIND_PREFIX.sub("", name)), vietnamese_sort_key(name)


def province(code):
    """The province with this code, or None when the code is not a current province's."""
    try:
        return Province.from_code(int(code))
    except (TypeError, ValueError):
        return None


def commune(code):
    """The commune, ward or special zone with this code, or None when it is not a current one."""
    try:
        return Ward.from_code(int(code))
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def province_choices():
    """All 34 provinces as (code, name), in Vietnamese order of their names (Hà Nội under H)."""
    provinces = sorted(Province.iter_all(), key=lambda p: place_sort_key(p.name))
    return tuple((int(p.code), p.name) for p in provinces)


@lru_cache(maxsize=64)
def commune_choices(province_code):
    """The communes, wards and special zones of a province as (code, name); () if unknown."""
    found = province(province_code)
    if found is None:
        return ()
    communes = sorted(Ward.iter_by_province(found.code), key=lambda w: place_sort_key(w.name))
    return tuple((int(w.code), w.name) for w in communes)


def is_commune_of(commune_code, province_code):
    """Whether the commune with this code lies in the province with that code."""
    found_commune, found_province = commune(commune_code), province(province_code)
    if found_commune is None or found_province is None:
        return False
    return int(found_commune.province_code) == int(found_province.code)


def parse_phone(text):
    """A Vietnamese phone number (mobile or landline) from what a person typed, or ValueError.

    Accepts the national form ("0912 345 678") and the international one ("+84 912 345 678",
    "0084…"); numbers of other countries are refused, since couriers here call Vietnamese
    numbers.
    """
    try:
        number = PhoneNumber.from_string(str(text).strip(), region=VIETNAM)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {text!r}") from error
    if not number.is_valid() or phonenumbers.region_code_for_number(number) != VIETNAM:
        raise ValueError(f"not a Vietnamese phone number: {text!r}")
    return number


def format_phone(number):
    """A phone number as Vietnamese people write it ("0912 345 678"), foreign ones in full."""
    if isinstance(number, str):
        try:
            number = PhoneNumber.from_string(number, region=VIETNAM)
        except phonenumbers.NumberParseException:
            return number
    if phonenumbers.region_code_for_number(number) == VIETNAM:
        return number.as_national
    return number.as_international


def vietnam_country():
    """The Country row for Việt Nam, created if a database lacks it (e.g. after a flush)."""
    from oscar.core.loading import get_model

    Country = get_model("address", "Country")
    defaults = {k: v for k, v in VIETNAM_COUNTRY.items() if k != "iso_3166_1_a2"}
    country, _created = Country._default_manager.get_or_create(
        iso_3166_1_a2=VIETNAM, defaults=defaults
    )
    return country


class VietnameseAddress(VietnamesePostcode, models.Model):
    """Abstract model for every address: Việt Nam's postcode rule plus province and commune codes.

    Django takes a model's Meta from its first abstract parent, so a concrete address that puts
    this class first keeps Oscar's options with `class Meta(AbstractXAddress.Meta): pass`.
    """

    province_code = models.PositiveIntegerField(
        _("province code"),
        null=True,
        blank=True,
        help_text=_("Code of the province or centrally-run city (since 1 July 2025)."),
    )
    commune_code = models.PositiveIntegerField(
        _("commune code"),
        null=True,
        blank=True,
        help_text=_("Code of the commune, ward or special zone (since 1 July 2025)."),
    )

    class Meta:
        abstract = True

    def set_commune(self, commune_code):
        """Point the address at a commune: its code, its province, and both their names."""
        found = commune(commune_code)
        if found is None:
            raise ValueError(f"unknown commune code {commune_code!r}")
        found_province = Province.from_code(found.province_code)
        self.commune_code = int(found.code)
        self.province_code = int(found_province.code)
        self.line4 = found.name
        self.state = found_province.name
        self.country_id = VIETNAM
