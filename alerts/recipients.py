"""Who receives each kind of alert: the addresses staff set, else the owning role, else the
programme's contact address."""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

SEPARATORS = re.compile(r"[\s,;]+")


def parse_addresses(text):
    """Addresses from text with one per line or comma/semicolon separated, in order, unique."""
    seen = []
    for part in SEPARATORS.split(text or ""):
        address = part.strip().lower()
        if address and address not in seen:
            seen.append(address)
    return seen


def validate_addresses(text):
    bad = []
    for address in parse_addresses(text):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not a valid e-mail address: %(addresses)s"),
            code="invalid",
            params={"addresses": ", ".join(bad)},
        )


def role_addresses(role):
    """E-mail addresses of the active members of a staff role."""
    users = get_user_model().objects.filter(is_active=True, groups__name=role.name)
    return sorted({email.lower() for email in users.values_list("email", flat=True) if email})


def recipients_for(kind, configured):
    """The addresses for one kind: `configured` (setting text), the owner role, the contact."""
    from .kinds import OWNER_ROLE

    return (
        parse_addresses(configured)
        or role_addresses(OWNER_ROLE[kind])
        or [settings.OCOP_CONTACT_EMAIL.lower()]
    )
