"""GS1 Digital Link URIs we print and resolve: /01/{GTIN-14}[/10/{lot}][/21/{serial}], /q/{code}.

Parsing is strict: anything that is not a well-formed URI of ours is a MalformedLink (400),
so that a typo or an attack never reaches the database as something it is not.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from .models import CODE_ALPHABET
from .validators import normalise_gtin

# GS1 "CSET 82": the characters allowed in a lot or serial (AI 10 and AI 21), 1–20 long.
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
QUALIFIER_ORDER = ("10", "21")
SHORT_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{10,20}}$")
MAX_PATH = 200


class MalformedLink(ValueError):
    pass


@dataclass(frozen=True)
class DigitalLink:
    gtin: str
    lot: str | None = None
    serial: str | None = None


def parse_digital_link(rest):
    """The part after `/01/` → DigitalLink; MalformedLink saying what is wrong."""
    if len(rest) > MAX_PATH:
        raise MalformedLink("the address is too long")
    parts = rest.rstrip("/").split("/")
    if parts[0] != parts[0].strip():  # typed into a form, a space is forgiven; in a link, not
        raise MalformedLink("the GTIN is not valid (spaces around it)")
    try:
        gtin = normalise_gtin(parts[0])
    except ValueError as exc:
        raise MalformedLink(f"the GTIN is not valid ({exc})") from None
    pairs = parts[1:]
    if len(pairs) % 2:
        raise MalformedLink("a qualifier has no value")
    values = {}
    last = -1
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        if key not in QUALIFIER_ORDER:
            raise MalformedLink(f"unknown qualifier {key!r}")
        position = QUALIFIER_ORDER.index(key)
        if position <= last:
            raise MalformedLink("qualifiers are repeated or out of order (10 before 21)")
        if not CSET82.match(value) or value in (".", ".."):
            raise MalformedLink(f"qualifier {key} has characters GS1 does not allow")
        values[key] = value
        last = position
    return DigitalLink(gtin=gtin, lot=values.get("10"), serial=values.get("21"))


def parse_short_code(code):
    code = code.rstrip("/").upper()
    if not SHORT_CODE.match(code):
        raise MalformedLink("not a code of ours")
    return code


def digital_link_uri(gtin, lot=None, serial=None, host=None):
    host = (host or settings.SITE_URL).rstrip("/")
    uri = f"{host}/01/{normalise_gtin(gtin)}"
    if lot:
        uri += f"/10/{quote(lot, safe='')}"
    if serial:
        uri += f"/21/{quote(serial, safe='')}"
    return uri


def short_uri(code, host=None):
    return f"{(host or settings.SITE_URL).rstrip('/')}/q/{code}"


def lot_uri(lot, label=None):
    """The URI printed on a lot's label (Digital Link when the product has a GTIN)."""
    gtin = lot.product.gtin
    if gtin:
        return digital_link_uri(gtin, lot.code, label.serial if label else None)
    return short_uri(label.serial if label else lot.short_code)
