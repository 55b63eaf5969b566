"""The kinds of alert, their titles, and the staff role that owns each one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.roles import REGISTRY_OFFICERS, SHOP_STAFF


class Kind(models.TextChoices):
    EXPIRING = "expiring", _("Certificates entering the 30-day window")
    LAPSED = "lapsed", _("Certificates lapsed, suspended or revoked")
    COUNTERFEIT = "counterfeit", _("Counterfeit-scan signals")
    UNPAID = "unpaid", _("Bank transfers not paid in time")


OWNER_ROLE = {
    Kind.EXPIRING: REGISTRY_OFFICERS,
    Kind.LAPSED: REGISTRY_OFFICERS,
    Kind.COUNTERFEIT: REGISTRY_OFFICERS,
    Kind.UNPAID: SHOP_STAFF,
}
