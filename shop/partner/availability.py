"""Availability policies: a product without a current OCOP certificate cannot be bought."""

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.availability import *  # noqa: F403
from oscar.apps.partner.availability import Unavailable


class NotCertified(Unavailable):
    """The certificate lapsed, was suspended or revoked, or there is none: not for sale."""

    code = "not-certified"

    def __init__(self, standing):
        self.standing = standing

    @property
    def message(self):
        return _("Not for sale: %(state)s") % {"state": self.standing.label}

    @property
    def short_message(self):
        return self.standing.label

    def is_purchase_permitted(self, quantity):
        return False, _("This product has no current OCOP certificate, so it cannot be sold.")
