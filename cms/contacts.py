"""Checking and tidying the programme's social links before they reach every page's footer.

Links are typed by hand into the site settings; a wrong one would send every visitor to the
wrong place, so each is checked against its platform and stored in one canonical form.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

# Hosts each platform answers on; subdomains (www., m., vt.) are accepted too.
SOCIAL_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.me"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "youtu.be"),
}
PLATFORM_NAMES = {"facebook": "Facebook", "tiktok": "TikTok", "youtube": "YouTube"}

ZALO_HOST = "zalo.me"
# Zalo accounts belong to mobile numbers: 10 digits, 03/05/07/08/09 after the 0.
VIETNAMESE_MOBILE = re.compile(r"0[35789]\d{8}")
PHONE_PUNCTUATION = re.compile(r"[\s.\-()]")
# "javascript:…", "mailto:…": a scheme without "//" (a digit after the colon is a port).
OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)

_https_url = URLValidator(schemes=["https"])


def _host_matches(host, allowed):
    return any(host == name or host.endswith("." + name) for name in allowed)


def normalise_social_url(value, platform):
    """`value` as an https:// link of `platform` (lower-case host), or ValidationError.

    A link typed without a scheme gets https://; a plain http:// link is refused rather than
    upgraded, because the editor may have pasted a look-alike site.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value and not OTHER_SCHEME.match(value):
        value = "https://" + value
    parts = urlsplit(value)
    name = PLATFORM_NAMES[platform]
    if parts.scheme.lower() != "https":
        raise ValidationError(_("Use a secure address starting with https://."), code="not_https")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid web address."), code="invalid") from None
    host = (parts.hostname or "").lower()
    if not _host_matches(host, SOCIAL_HOSTS[platform]):
        raise ValidationError(
            _("This is not a %(platform)s address (expected %(hosts)s).")
            % {"platform": name, "hosts": ", ".join(SOCIAL_HOSTS[platform])},
            code="wrong_platform",
        )
    netloc = host if port is None else f"{host}:{port}"
    value = urlunsplit(("https", netloc, parts.path, parts.query, parts.fragment))
    try:
        _https_url(value)
    except ValidationError:
        raise ValidationError(_("Enter a valid web address."), code="invalid") from None
    return value


def normalise_zalo(value):
    """A Zalo contact as a https://zalo.me/… link, from a mobile number or a zalo.me link.

    Numbers may be written with spaces, dots or dashes and with +84 or 84 in front.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "zalo.me" in value.lower() or "://" in value:
        if "://" not in value:
            value = "https://" + value
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        path = parts.path.strip("/")
        if parts.scheme.lower() != "https" or host not in (ZALO_HOST, "www." + ZALO_HOST):
            raise ValidationError(
                _("Enter a Vietnamese mobile number or a https://zalo.me/… link."),
                code="not_zalo",
            )
        if not path:
            raise ValidationError(
                _("The zalo.me link needs the account after the slash."), code="no_account"
            )
        try:
            path = _mobile(path)  # zalo.me/84912345678 and zalo.me/0912345678 are one account
        except ValidationError:
            pass  # an official account's id or a group link: kept as written
        return urlunsplit(("https", ZALO_HOST, "/" + path, parts.query, ""))
    return f"https://{ZALO_HOST}/{_mobile(value)}"


def _mobile(value):
    digits = PHONE_PUNCTUATION.sub("", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not VIETNAMESE_MOBILE.fullmatch(digits):
        raise ValidationError(
            _(
                "Enter a Vietnamese mobile number (10 digits, e.g. 0912 345 678) or a "
                "https://zalo.me/… link."
            ),
            code="bad_phone",
        )
    return digits
